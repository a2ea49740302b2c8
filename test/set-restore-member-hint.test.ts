// A set restore where one member's own restore fails after the preview passed: the member's typed
// error (its message and the hint its restore gave) must reach the DBA in the set's result, the CLI
// and the member's restore run, not only "✗ shop: …" with the next step lost. Here the target's role
// may create databases but not roles, so the roles file's CREATE ROLE fails and the member whose
// tables belong to that role is refused; the other member comes back. Real servers, the real CLI.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupSet } from '../main/core/sets/set-record.ts';
import { runCli, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeTwoServerSet, openTwoServerSet, type TwoServerSet } from './support/two-server-set.ts';

const privateTmp = usePrivateTmpdir();
let source: PgServer;
let target: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let set: BackupSet;
let fixture: TwoServerSet | undefined;

beforeAll(async () => {
  fixture = await openTwoServerSet({
    parallelDatabases: 1,
    // restorer may act as the databases' owner (a member of it), but not create roles; plain may do neither.
    targets: [
      { name: 'target', user: 'restorer' },
      { name: 'plain-target', user: 'plain' },
    ],
    prepare: async ({ source, target }) => {
      await source.query('CREATE ROLE ledger_owner NOLOGIN');
      await source.query('CREATE DATABASE ledger');
      await source.query('CREATE TABLE entries (id int); INSERT INTO entries VALUES (1), (2); ALTER TABLE entries OWNER TO ledger_owner', 'ledger');
      await source.query('CREATE DATABASE notes');
      await source.query('CREATE TABLE note (id int); INSERT INTO note VALUES (1)', 'notes');
      await target.query(`CREATE ROLE restorer LOGIN CREATEDB; GRANT "${source.user}" TO restorer; CREATE ROLE plain LOGIN CREATEDB`);
    },
  });
  ({ source, target, home, holdfast, set } = fixture);
}, 180_000);

afterAll(async () => {
  await closeTwoServerSet(fixture);
  privateTmp.remove();
});

test("a member that fails while restored keeps its error, its restore's hint and its run in the set's result, the CLI and the run", async () => {
  const json = await runCli(['restore', set.id, '--to', 'target', '--create', '--json'], home.env);
  expect(json.code, json.stderr).toBe(1);
  const result = JSON.parse(json.stdout) as { ok: boolean; databases: Array<{ database: string; error: string | null; hint?: string; runId?: string }> };
  expect(result.ok).toBe(false);
  const ledger = result.databases.find((d) => d.database === 'ledger')!;
  expect(result.databases.find((d) => d.database === 'notes')).toMatchObject({ error: null });
  expect(ledger.error).toContain('role "ledger_owner" does not exist');
  expect(ledger.hint).toEqual(expect.stringContaining('--no-owner'));
  expect(ledger.runId).toEqual(expect.any(String));
  // The member's own restore run keeps the hint beside its error.
  const run = holdfast.catalogue.getRun(ledger.runId!)!;
  expect(run).toMatchObject({ kind: 'restore', status: 'failed', detail: expect.objectContaining({ hint: ledger.hint }) });

  await target.query('DROP DATABASE notes');
  const human = await runCli(['restore', set.id, '--to', 'target', '--create'], home.env);
  expect(human.code, human.stderr).toBe(1);
  const lines = human.stdout.split('\n');
  const failed = lines.findIndex((line) => line.startsWith('  ✗ ledger: '));
  expect(failed, human.stdout).toBeGreaterThan(0);
  expect(lines[failed + 1]).toMatch(/^ {4}hint: .*--no-owner/);
  expect(lines[failed + 2]).toMatch(/^ {4}the tools' whole output: holdfast runs log \w+$/);
});

test("members a preview refuses: the refusal says each one's own next step, not only that something needs fixing", async () => {
  await target.query('DROP DATABASE IF EXISTS notes');
  const refused = await runCli(['restore', set.id, '--to', 'plain-target', '--create', '--only', 'ledger', '--only', 'notes'], home.env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('Nothing was restored: ledger: ');
  // Each member's own step: its own backup's id in the command that restores it on its own.
  // Into its own database, with only the flag that lifts what stops it: an owner "plain" cannot give
  // the database is lifted by --no-owner alone. A DBA's review: the hint asked for --no-owner --no-acl,
  // and named no --dbname, so the command it gave restored ledger's tables into plain-target's
  // maintenance database, postgres (refused here only because "plain" may not create in it).
  expect(refused.stderr).toMatch(
    /\nhint: ledger: Leave it out with --only and restore it on its own with holdfast restore \w+ --to plain-target --dbname ledger --create --no-owner\. notes: Leave it out with --only and restore it on its own with holdfast restore \w+ --to plain-target --dbname notes --create --no-owner\./,
  );
  expect(refused.stderr).not.toContain('Fix what each database needs');
  // And that command restores it, as the hint says.
  const command = /restore it on its own with holdfast restore (\w+ --to plain-target --dbname ledger --create --no-owner)\. notes:/.exec(refused.stderr)![1]!.split(' ');
  const alone = await runCli(['restore', ...command], home.env);
  expect(alone.code, alone.stderr).toBe(0);
  expect(await target.query('SELECT count(*)::int AS n FROM entries', 'ledger')).toEqual([{ n: 2 }]);
});
