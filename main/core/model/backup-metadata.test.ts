import { describe, expect, test } from 'vitest';
import * as z from 'zod';
import { BackupMetadataSchema, SidecarSchema, type BackupMetadata } from './backup-metadata.ts';

const record: BackupMetadata = {
  id: '0123456789ab',
  filename: 'backup-2026-01-02T03-04-05Z-app.dump',
  timestamp: '2026-01-02T03:04:05.000Z',
  size: 2048,
  compressed: true,
  encrypted: false,
  checksum: `sha256:${'a'.repeat(64)}`,
  databaseSize: 8_000_000,
  tables: ['public.users'],
  version: 'PostgreSQL 16.4',
  duration: 1200,
  profile: 'app',
  database: 'app',
  path: '/backups/backup-2026-01-02T03-04-05Z-app.dump',
  format: 'custom',
  compression: 'gzip',
  status: 'completed',
  rowCounts: { 'public.users': 3 },
  serverMajor: 16,
  clientVersion: 'pg_dump (PostgreSQL) 16.4',
  options: { format: 'custom', schemaOnly: false, dataOnly: false, tables: [], excludeTables: [], schemas: [], excludeSchemas: [] },
  globals: { filename: null, checksum: null, note: 'no globals: the role may not read pg_authid' },
  location: { destination: 'local', key: 'backup-2026-01-02T03-04-05Z-app.dump' },
};

describe('the backup record, stated once', () => {
  test('a record as the engine writes it parses unchanged', () => {
    expect(BackupMetadataSchema.parse(record)).toEqual(record);
  });

  test("a sidecar is checked on the fields adopt relies on, with the record's own rules, and says which is wrong", () => {
    const bad = (changes: Record<string, unknown>) => SidecarSchema.safeParse({ ...record, ...changes });
    expect(bad({ id: '../../etc' }).error?.issues[0]).toMatchObject({ path: ['id'], message: 'a backup id is 12 hex characters' });
    expect(bad({ filename: 'backup-x/../../y' }).error?.issues[0]?.path).toEqual(['filename']);
    expect(bad({ checksum: 'md5:abc' }).error?.issues[0]?.path).toEqual(['checksum']);
    expect(bad({ size: -1 }).error?.issues[0]?.path).toEqual(['size']);
    expect(bad({ format: 'zip' }).error?.issues[0]?.path).toEqual(['format']);
  });

  test('a sidecar from an older version, without the fields added since, is still adopted, and what it has comes along', () => {
    const { options: _options, location: _location, tables: _tables, ...older } = record;
    const parsed = SidecarSchema.parse({ ...older, somethingOlder: 1 });
    expect(parsed).toMatchObject({ id: record.id, checksum: record.checksum, somethingOlder: 1 });
  });

  test('the descriptions travel with the schema (the REST API documents the record from it)', () => {
    const document = z.toJSONSchema(BackupMetadataSchema, { io: 'output', unrepresentable: 'any' }) as { properties: Record<string, { description?: string }>; required: string[] };
    expect(document.properties.duration?.description).toBe('milliseconds');
    expect(document.properties.location?.description).toBe('where the backup is stored');
    expect(document.required).not.toContain('location');
    expect(document.required).toContain('checksum');
  });
});
