// Whole-server sets read database names from the server: whoever may create a database names them.
// Names that look like options or connection strings, that hold newlines, quotes or "../", or that
// are as long as PostgreSQL allows, are backed up, drilled and restored as the databases they are
// (a newline name is created by hand first: pg_restore will not write CREATE DATABASE for it); and a
// set restore goes on past a database that fails, restoring the ones after it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let decoy: PgServer;
let home: TestHome;
let holdfast: Holdfast;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
let HOSTILE: string[] = [];
const NEWLINE = 'it\'s\nnew"line';

beforeAll(async () => {
  server = await startPgServer();
  decoy = await startPgServer();
  HOSTILE = ['-h127.0.0.1', '--file=/tmp/holdfast-pwned', `dbname=postgres host=${decoy.host} port=${decoy.port}`, 'it\'s\nnew"line', '../../etc', 'é'.repeat(31)];
  for (const name of HOSTILE) {
    await server.query(`CREATE DATABASE ${quoteIdent(name)}`);
    await server.query(`CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, ${name.length})`, name);
  }
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile({ name: 'whole', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: 2 } });
}, 120_000);

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
  await decoy?.stop();
});

test('each hostile name is its own member: backed up from this server, its file inside BACKUP_DIR, drilled and restored with its rows', async () => {
  const set = await holdfast.sets.take('whole', {});
  expect(set.status).toBe('completed');
  expect(set.expected).toEqual(expect.arrayContaining(HOSTILE));
  for (const member of set.databases) {
    if (!HOSTILE.includes(member.database)) continue;
    expect(member.rowCounts, member.database).toEqual({ 'public.t': member.database.length });
    expect(member.filename!.includes('/'), member.filename!).toBe(false);
  }
  expect(readdirSync(join(home.home, 'backups')).every((name) => !name.includes('..'))).toBe(true);
  const drill = await holdfast.sets.testRestore(set.id);
  expect(drill.error).toBeNull();
  expect(drill.ok).toBe(true);
  const fresh = await startPgServer();
  try {
    await holdfast.addProfile({ name: 'fresh', host: fresh.host, port: fresh.port, user: fresh.user, dbname: 'postgres' });
    // The newline name: pg_restore (15.14+) will not write CREATE DATABASE for it. Known before anything
    // changes, so the whole restore is refused up front, saying what to do.
    await expect(holdfast.sets.restore({ ref: set.id, to: 'fresh', only: HOSTILE, create: true, clean: false, dryRun: false })).rejects.toThrow(
      /Nothing was restored: [\s\S]*newline[\s\S]*CREATE DATABASE[\s\S]*--only/,
    );
    expect(await fresh.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')`)).toEqual([{ n: 0 }]);
    // A failure no preview sees (pg_restore's own): "../../etc" exists with no tables but a domain named
    // like its table. The databases before and after it are restored; nothing restored is undone.
    const FAILING = '../../etc';
    await fresh.query(`CREATE DATABASE ${quoteIdent(FAILING)}`);
    await fresh.query(`CREATE DOMAIN t AS int`, FAILING);
    const restorable = HOSTILE.filter((n) => n !== NEWLINE);
    const restored = await holdfast.sets.restore({ ref: set.id, to: 'fresh', only: restorable, create: true, clean: false, dryRun: false });
    const inSetOrder = set.expected.filter((name) => restorable.includes(name));
    expect(inSetOrder.indexOf(FAILING)).toBeLessThan(inSetOrder.length - 1);
    expect(restored.databases.map((d) => [d.database, d.error === null && d.result?.ok === true])).toEqual(inSetOrder.map((name) => [name, name !== FAILING]));
    expect(restored.ok).toBe(false);
    for (const name of restorable.filter((n) => n !== FAILING)) expect(await fresh.query(`SELECT count(*)::int AS n FROM t`, name), name).toEqual([{ n: name.length }]);
    // The CLI says which failed and exits 1.
    const cli = await runCli(['restore', set.id, '--to', 'fresh', '--only', FAILING], home.env);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toContain(`✗ ${FAILING}`);
    // What the error says to do: make the database, then restore into it with --only.
    await fresh.query(`CREATE DATABASE ${quoteIdent(NEWLINE)}`);
    const into = await holdfast.sets.restore({ ref: set.id, to: 'fresh', only: [NEWLINE], create: false, clean: false, dryRun: false });
    expect(into.databases).toEqual([expect.objectContaining({ database: NEWLINE, error: null })]);
    expect(into.ok).toBe(true);
    expect(await fresh.query(`SELECT count(*)::int AS n FROM t`, NEWLINE)).toEqual([{ n: NEWLINE.length }]);
    // Nothing reached the server a name pointed at.
    expect(await decoy.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')`)).toEqual([{ n: 0 }]);
  } finally {
    await fresh.stop();
  }
}, 300_000);
