// Encrypted whole-server sets (issue 15 × 16), against real servers: a set encrypted to a key whose
// secret is here drills (roles and every database, the key named) and restores its roles into a
// fresh server — the roles file decrypted in memory, so its plaintext is on no disk; a set encrypted
// to a key that is not here is refused, naming the recipients and what to do.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';
import { filesUnderIfAny } from './support/files.ts';

const MARKER_ROLE = 'marker_role_7c1e';
let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let privateTmp: string;
let removeTmp: () => void;

beforeAll(async () => {
  ({ dir: privateTmp, remove: removeTmp } = usePrivateTmpdir());
  server = await startPgServer();
  await server.query('CREATE DATABASE tuned');
  await server.query(`CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 42)`, 'tuned');
  await server.query(`CREATE ROLE ${MARKER_ROLE} NOLOGIN; GRANT SELECT ON t TO ${MARKER_ROLE}`, 'tuned');
  home = makeHome({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' });
  holdfast = await home.open();
  await holdfast.keyring.generate('setkey');
  await holdfast.addProfile({
    name: 'whole',
    host: server.host,
    port: server.port,
    user: server.user,
    dbname: 'postgres',
    wholeServer: { excludeDatabases: [], parallelDatabases: 2 },
    encryptTo: ['setkey'],
  });
}, 120_000);

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
  removeTmp?.();
});

/** Every file under the home, the backups and the temp dir that holds `text` in plaintext. */
function plaintextHolders(text: string): string[] {
  // (The source server's own files are in the temp dir too: the role is in its WAL, as it should be.)
  return [home.home, privateTmp].flatMap((root) => filesUnderIfAny(root)).filter((file) => !file.includes('/holdfast-pg-') && readFileSync(file).includes(text));
}

describe('an encrypted whole-server set', () => {
  test('with its key here: the drill decrypts roles and members and names the key; the roles restore into a fresh server', async () => {
    const set = await holdfast.sets.take('whole', {});
    expect(set.status).toBe('completed');
    expect(set.globals.filename).toMatch(/\.age$/);
    expect(holdfast.sets.members(set).every((member) => member.encrypted)).toBe(true);
    expect(plaintextHolders(MARKER_ROLE)).toEqual([]);

    const drill = await holdfast.sets.testRestore(set.id);
    expect(drill.error).toBeNull();
    expect(drill.ok).toBe(true);
    expect(drill.decryptedWith).toBe('setkey');
    expect(drill.roles.applied).toBeGreaterThan(0);
    expect(drill.databases.find((d) => d.database === 'tuned')!.tables).toEqual([{ table: 'public.t', expected: 42, actual: 42 }]);
    expect(plaintextHolders(MARKER_ROLE)).toEqual([]);

    const fresh = await startPgServer();
    try {
      await holdfast.addProfile({ name: 'fresh', host: fresh.host, port: fresh.port, user: fresh.user, dbname: 'postgres' });
      const restored = await holdfast.sets.restore({ ref: set.id, to: 'fresh', create: true, clean: false, dryRun: false });
      expect(restored.databases.map((d) => [d.database, d.error])).toEqual(set.expected.map((db) => [db, null]));
      expect(restored.roles!.created).toContain(MARKER_ROLE);
      expect(await fresh.query(`SELECT has_table_privilege('${MARKER_ROLE}', 'public.t', 'SELECT') AS granted`, 'tuned')).toEqual([{ granted: true }]);
      expect(plaintextHolders(MARKER_ROLE)).toEqual([]);
    } finally {
      await fresh.stop();
    }
  }, 300_000);

  test('with its key elsewhere: the drill and the roles restore are refused, naming the recipients and what to do', async () => {
    const file = join(privateTmp, 'elsewhere.txt');
    execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
    const elsewhere = /# public key: (\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    await holdfast.editProfile('whole', { encryptTo: [elsewhere] });
    const set = await holdfast.sets.take('whole', {});
    expect(set.status).toBe('completed');

    const drill = await holdfast.sets.testRestore(set.id);
    expect(drill.ok).toBe(false);
    expect(drill.error).toContain(elsewhere);
    expect(drill.error).toMatch(/this machine does not hold its secret/);

    const fresh = await startPgServer();
    try {
      await holdfast.addProfile({ name: 'fresh2', host: fresh.host, port: fresh.port, user: fresh.user, dbname: 'postgres' });
      const refusal = holdfast.sets.restore({ ref: set.id, to: 'fresh2', create: true, clean: false, dryRun: false });
      // Each member's own check refuses first (the same key opens the roles file), naming the recipients.
      await expect(refusal).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringMatching(/Nothing was restored: .*this machine does not hold its secret/) });
      await expect(refusal).rejects.toMatchObject({ message: expect.stringContaining(elsewhere) });
      expect(await fresh.query(`SELECT rolname FROM pg_roles WHERE rolname = '${MARKER_ROLE}'`)).toEqual([]);
    } finally {
      await fresh.stop();
    }
  }, 300_000);
});
