// A set's manifest and roles file are where the set wrote them, beside its members: the backup
// directory in force when it was taken, not the one in force now. A DBA who moves BACKUP_DIR (a new
// backup volume, chosen in Settings) keeps every earlier backup "found by its recorded path"; a set
// must be too, or its verify says INVALID ("the roles file … is gone"), its restore fails with ENOENT
// as a Holdfast bug, stats miss its roles file and deleting it leaves its files behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { invoke } from '../main/contract.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  server = await startPgServer();
  await server.query(`CREATE ROLE ledger_reader NOLOGIN`);
  await server.query(`CREATE DATABASE ledger`);
  await server.query(`CREATE TABLE entries (id int); INSERT INTO entries SELECT generate_series(1, 12); GRANT SELECT ON entries TO ledger_reader`, 'ledger');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile({ name: 'whole', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: ['postgres'], parallelDatabases: 1 } });
}, 120_000);

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

test('a set taken before BACKUP_DIR moved is verified, counted, restored and deleted from where it was written', async () => {
  const set = await holdfast.sets.take('whole', {});
  expect(set.status).toBe('completed');
  const writtenIn = join(home.home, 'backups');
  const rolesFile = join(writtenIn, set.globals.filename!);
  const manifest = join(writtenIn, set.manifest!.filename);
  expect(existsSync(rolesFile) && existsSync(manifest)).toBe(true);

  expect(await invoke(holdfast, 'config.set', { name: 'backup-dir', value: join(home.home, 'new-volume') })).toMatchObject({ ok: true });

  const verified = await holdfast.sets.verify(set.id);
  expect(verified.checks.map((check) => [check.name, check.status])).toEqual([
    ['checksum', 'ok'],
    ['globals', 'ok'],
  ]);
  expect(holdfast.stats().rolesFiles.count).toBe(1);

  const restored = await holdfast.sets.restore({ ref: set.id, to: 'whole', create: false, clean: true, confirm: set.id, dryRun: false });
  expect(restored.databases.map((member) => [member.database, member.error])).toEqual([['ledger', null]]);
  expect(restored.roles?.kept).toEqual(expect.arrayContaining(['ledger_reader']));
  expect(await server.query(`SELECT count(*)::int AS n FROM entries`, 'ledger')).toEqual([{ n: 12 }]);

  await holdfast.sets.delete(set.id, set.id);
  expect([existsSync(rolesFile), existsSync(manifest)]).toEqual([false, false]);
}, 180_000);
