// Tables whose schema or name holds a dot (issue 12, item 1): a."b.c" and "a.b".c used to share the
// manifest key a.b.c, so custom/directory/tar backups completed and verified, then their restore and
// drill failed ("a.b.c expected 10, got 5"), and plain backups of such a database always failed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, type TestHome, usePrivateTmpdir } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE dotted');
  await server.query(
    `CREATE SCHEMA a; CREATE SCHEMA "a.b";
     CREATE TABLE a."b.c" (v int); INSERT INTO a."b.c" SELECT generate_series(1, 5);
     CREATE TABLE "a.b".c (v int); INSERT INTO "a.b".c SELECT generate_series(1, 10);
     CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Quarterly Totals" (v int); INSERT INTO "Sales"."Quarterly Totals" VALUES (1), (2);`,
    'dotted',
  );
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'dotted', 'dotted'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
  privateTmp.remove();
});

describe('names with dots', () => {
  test.each(['custom', 'plain', 'directory', 'tar'] as const)('%s: each table has its own key and count; verify, restore and drill agree', async (format) => {
    const backup = await holdfast.backup('dotted', { format });
    expect(backup.rowCounts).toEqual({ 'a."b.c"': 5, '"a.b".c': 10, '"Sales"."Quarterly Totals"': 2 });
    expect(backup.tables.sort()).toEqual(['"Sales"."Quarterly Totals"', '"a.b".c', 'a."b.c"']);
    expect((await holdfast.verify(backup.id)).valid).toBe(true);
    const restored = await holdfast.restore({ ref: backup.id, to: 'dotted', dbname: `dotted_${format}`, create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
    expect(restored.tables).toHaveLength(3);
    expect(restored.tables).toEqual(
      expect.arrayContaining([
        { table: '"Sales"."Quarterly Totals"', expected: 2, actual: 2 },
        { table: '"a.b".c', expected: 10, actual: 10 },
        { table: 'a."b.c"', expected: 5, actual: 5 },
      ]),
    );
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.error).toBeNull();
    expect(drill.ok).toBe(true);
  });
});
