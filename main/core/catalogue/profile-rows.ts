// Profiles as the catalogue stores them: a row per profile, lists as JSON text, booleans as 0/1.
import type { Profile } from '../model/types.ts';
import { WholeServerSchema } from '../profiles/profile-schema.ts';

/** What a catalogued profile is stored with: libpqPasswordFiles is always said. */
export type NewProfile = Omit<Profile, 'id' | 'createdAt' | 'keychainPassword' | 'libpqPasswordFiles'> & { libpqPasswordFiles: boolean };

export interface ProfileRow {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  dbname: string;
  sslmode: string | null;
  sslrootcert: string | null;
  sslcert: string | null;
  sslkey: string | null;
  service: string | null;
  notes: string | null;
  pg_bin_dir: string | null;
  keychain_password: number;
  libpq_password_files: number;
  drill_checks: string;
  copy_to: string;
  no_local_copy: number;
  tags: string;
  whole_server: string | null;
  encrypt_to: string | null;
  created_at: string;
}

/** The encrypt_to column: NULL when the profile leaves it to BACKUP_ENCRYPTION_KEY. */
export function encryptToColumn(value: Profile['encryptTo']): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function profileFromRow(row: ProfileRow): Profile {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    user: row.user,
    dbname: row.dbname,
    sslmode: row.sslmode,
    sslrootcert: row.sslrootcert,
    sslcert: row.sslcert,
    sslkey: row.sslkey,
    service: row.service,
    notes: row.notes,
    pgBinDir: row.pg_bin_dir,
    keychainPassword: row.keychain_password === 1,
    libpqPasswordFiles: row.libpq_password_files === 1,
    drillChecks: JSON.parse(row.drill_checks) as string[],
    copyTo: JSON.parse(row.copy_to) as string[],
    noLocalCopy: row.no_local_copy === 1,
    tags: JSON.parse(row.tags) as string[],
    wholeServer: row.whole_server === null ? null : WholeServerSchema.parse(JSON.parse(row.whole_server)),
    encryptTo: row.encrypt_to === null ? null : (JSON.parse(row.encrypt_to) as string[] | 'none'),
    createdAt: row.created_at,
  };
}
