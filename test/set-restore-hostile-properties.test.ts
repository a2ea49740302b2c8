// A set's restore creates each database it does not find on the target and gives it its backup's
// database-level properties, as a single restore does (test/restore-hostile-properties.test.ts): a
// setting that loads code, switches off a server check or is off the allow-list (logging, audit) is left out and said, and the properties
// are checked against the target before the database is created. The set's restore used to plan
// them without those checks and dropped what it left out unsaid.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupSet } from '../main/core/sets/set-record.ts';
import { databaseFacts } from './support/database-facts.ts';
import { seedDatabase, type TestHome } from './support/holdfast-env.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeTwoServerSet, openTwoServerSet, type TwoServerSet } from './support/two-server-set.ts';

let source: PgServer;
let target: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let set: BackupSet;
let fixture: TwoServerSet | undefined;

beforeAll(async () => {
  fixture = await openTwoServerSet({
    parallelDatabases: 1,
    prepare: async ({ source }) => {
      await seedDatabase(source, 'hr', 30);
      await seedDatabase(source, 'crm', 20);
      await source.query(`ALTER DATABASE crm CONNECTION LIMIT 2000000000`);
      await source.query(
        `ALTER DATABASE hr SET work_mem = '64MB'; ALTER DATABASE hr SET "plperl.on_plperl_init" = 'system("id > /tmp/owned")'; ALTER DATABASE hr SET lo_compat_privileges = on; ALTER DATABASE hr SET log_statement = 'none'; ALTER DATABASE hr SET "pgaudit.log" = 'none';`,
      );
    },
  });
  ({ source, target, home, holdfast, set } = fixture);
}, 180_000);

afterAll(() => closeTwoServerSet(fixture));

test("a database the set's restore creates gets the backup's other settings, and the result says which were left out", async () => {
  const result = await holdfast.sets.restore({ ref: set.id, to: 'target', create: true, clean: false, dryRun: false });
  expect(result.ok).toBe(true);
  const hr = result.databases.find((d) => d.database === 'hr')!;
  expect(hr.created).toBe(true);
  expect((await databaseFacts(target, 'hr')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
  const warning = hr.result!.impact.warnings.find((w) => w.includes('left out, because a backup is not trusted'));
  expect(warning).toContain('plperl.on_plperl_init');
  expect(warning).toContain('lo_compat_privileges');
  // Not code, but the set's restore would stop the database being logged and audited: left out too, with the statement to run.
  const unlisted = hr.result!.impact.warnings.find((w) => w.includes('log_statement'));
  expect(unlisted).toContain(`ALTER DATABASE "hr" SET "log_statement" TO 'none';`);
  expect(unlisted).toContain(`ALTER DATABASE "hr" SET "pgaudit.log" TO 'none';`);
});

/** A member's custom archive with one TOC text replaced by another of the same length (no offset moves), its checksum recorded anew: an altered archive. */
function alterMember(database: string, from: string, to: string): void {
  const member = set.databases.find((m) => m.database === database)!;
  const db = new Database(join(home.home, 'catalogue.sqlite'));
  try {
    const { path } = db.prepare('SELECT path FROM backups WHERE id = ?').get(member.id) as { path: string };
    const bytes = readFileSync(path);
    const at = bytes.indexOf(from);
    expect(at).toBeGreaterThan(0);
    expect(Buffer.byteLength(to)).toBe(Buffer.byteLength(from));
    bytes.write(to, at);
    writeFileSync(path, bytes);
    const checksum = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    db.prepare("UPDATE backups SET checksum = ?, metadata = json_set(metadata, '$.checksum', ?) WHERE id = ?").run(checksum, checksum, member.id);
  } finally {
    db.close();
  }
}

test('a connection limit PostgreSQL does not take refuses the set before any database is created, naming it; left out with --only, the others are restored', async () => {
  alterMember('crm', 'CONNECTION LIMIT = 2000000000;', 'CONNECTION LIMIT = 9000000000;');
  for (const database of ['hr', 'crm']) await target.query(`DROP DATABASE IF EXISTS ${database}`);
  // The set's preview says it would be refused, so the set does not start (the restore wizard's rule):
  // nothing is half restored, and the step is to fix that database or leave it out.
  const refused = await holdfast.sets.restore({ ref: set.id, to: 'target', create: true, clean: false, dryRun: false }).catch((error: unknown) => error);
  expect(refused).toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringMatching(/^Nothing was restored: crm: .*connection limit 9000000000 /), hint: expect.stringContaining('--only') });
  expect(await target.query(`SELECT datname FROM pg_database WHERE datname IN ('hr', 'crm')`)).toEqual([]);
  const rest = await holdfast.sets.restore({ ref: set.id, to: 'target', create: true, clean: false, dryRun: false, only: ['hr'] });
  expect(rest.databases.find((d) => d.database === 'hr')).toMatchObject({ created: true, error: null });
  expect(await target.query(`SELECT 1 FROM pg_database WHERE datname = 'crm'`)).toEqual([]);
});
