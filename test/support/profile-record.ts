// A plain profile as the catalogue stores it, for specs and fixtures that write one straight into a
// Catalogue: the record's every field stated once here, so each caller names only what it is about.
import type { NewProfile } from '../../main/core/catalogue/catalogue.ts';

export function newProfileRecord(name: string, overrides: Partial<NewProfile> = {}): NewProfile {
  return {
    name,
    host: 'localhost',
    port: 5432,
    user: 'postgres',
    dbname: name,
    sslmode: null,
    sslrootcert: null,
    sslcert: null,
    sslkey: null,
    service: null,
    tags: [],
    notes: null,
    pgBinDir: null,
    drillChecks: [],
    libpqPasswordFiles: true,
    ...overrides,
  };
}
