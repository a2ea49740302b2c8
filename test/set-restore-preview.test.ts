// The preview of restoring a whole-server set (issue 16): per database, the same impact the
// single-backup preview gives (restore/impact.ts, reused through restoreBackup's dry run) — the tables
// the target has that would be replaced, with their rows now and the backup's, those that would be
// lost with the database they are in, and those that are new. Real servers; nothing is changed.
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupSet } from '../main/core/sets/set-record.ts';
import { formatRestoreOrSet } from '../main/cli/format-sets.ts';
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
    parallelDatabases: 2,
    prepare: async ({ source, target }) => {
      await seedDatabase(source, 'crm', 30);
      await seedDatabase(source, 'shop', 40);
      // On the target: crm exists, with fewer users and a table the backup does not have; shop does not.
      await target.query('CREATE DATABASE crm');
      await target.query(`CREATE TABLE users (id int); INSERT INTO users SELECT generate_series(1, 5); CREATE TABLE legacy (v text); INSERT INTO legacy VALUES ('a'), ('b')`, 'crm');
    },
  });
  ({ source, target, home, holdfast, set } = fixture);
}, 180_000);

afterAll(() => closeTwoServerSet(fixture));

test('replacing: per database, the tables replaced with their rows now and from the backup, those lost, and those new', async () => {
  const preview = await holdfast.sets.restore({ ref: set.id, to: 'target', create: false, clean: true, dryRun: true });
  expect(preview.ok).toBe(true);
  const crm = preview.databases.find((d) => d.database === 'crm')!.result!;
  expect(crm.target.exists).toBe(true);
  expect(crm.impact.tables).toEqual(
    expect.arrayContaining([
      { table: 'public.users', backupRows: 30, targetRows: 5, action: 'replace', partitioned: false },
      { table: 'public.orders', backupRows: 60, targetRows: null, action: 'create', partitioned: false },
      { table: 'public.legacy', backupRows: null, targetRows: 2, action: 'lost', partitioned: false },
    ]),
  );
  const shop = preview.databases.find((d) => d.database === 'shop')!.result!;
  expect(shop.target.exists).toBe(false);
  expect(shop.impact.tables.every((t) => t.action === 'create' && t.targetRows === null)).toBe(true);
  expect(shop.impact.tables.find((t) => t.table === 'public.users')?.backupRows).toBe(40);
  // The CLI says it per database, as `restore --dry-run` of one backup does.
  const text = formatRestoreOrSet(preview);
  expect(text).toMatch(/crm[\s\S]*replaced public\.users: 5 rows now → 30 from the backup[\s\S]*LOST {5}public\.legacy: 2 rows/);
  expect(text).toMatch(/shop[\s\S]*created {2}public\.users: 40 rows/);
  // A dry run is said once, for the set, not again on every database's line (the DBA review).
  expect(text.match(/Dry run/g)).toHaveLength(1);
  expect(text).toMatch(/^ {2}Restoring \S+ to target\/shop would:\n {4}- create database "shop"/m);
  // What --confirm must say is the set's id (a member's own name would be refused), said once.
  expect(preview.confirmation).toBe(set.id);
  expect(text).not.toContain('--confirm=crm');
  expect(text.trimEnd().endsWith(`to go ahead: --confirm=${set.id}`)).toBe(true);
  // Nothing changed.
  expect(await target.query(`SELECT count(*)::int AS n FROM users`, 'crm')).toEqual([{ n: 5 }]);
  expect(await target.query(`SELECT datname FROM pg_database WHERE datname = 'shop'`)).toEqual([]);
}, 120_000);

test('one member (--only): only its impact; into an existing database without --clean, its tables would be kept, and the preview says the restore is refused', async () => {
  const only = await holdfast.sets.restore({ ref: set.id, to: 'target', only: ['crm'], create: true, clean: false, dryRun: true });
  expect(only.databases.map((d) => d.database)).toEqual(['crm']);
  expect(only.ok).toBe(false);
  expect(only.databases[0]!.error).toMatch(/not empty/);
  // What to do, as a set restore takes it: the set's --clean and its id (a member's --swap or
  // --confirm=crm would be refused), and in the app the dialog's own choice.
  expect(only.databases[0]!.hint).toBe(`To replace it, add --clean with --confirm=${set.id}. Or leave it out with --only.`);
  expect(only.databases[0]!.appHint).toBe('To replace it, choose "Replace them if they exist". Or leave it out: untick it under "Databases to restore".');
  expect(formatRestoreOrSet(only)).toContain(`  ✗ crm: Database "crm"`);
  expect(formatRestoreOrSet(only)).toContain(`\n    hint: To replace it, add --clean with --confirm=${set.id}.`);
}, 120_000);

// The DBA review: a member the target lacks, restored without --create, was hinted "or name a database
// that exists on that server", which a set's restore cannot take (each member keeps its own name).
test("a member the target lacks, without --create, is hinted with what a set's restore takes: its --create, or leaving the member out", async () => {
  const preview = await holdfast.sets.restore({ ref: set.id, to: 'target', only: ['shop'], create: false, clean: false, dryRun: true });
  expect(preview.ok).toBe(false);
  const shop = preview.databases[0]!;
  expect(shop.error).toMatch(/Database "shop" does not exist/);
  expect(shop.hint).toBe('Add --create to create the databases the target lacks, or leave it out with --only.');
  expect(shop.appHint).toBe('Choose "Create them (they must not exist)", or leave it out: untick it under "Databases to restore".');
  const text = formatRestoreOrSet(preview);
  expect(text).not.toMatch(/name a database|--dbname/);
  expect(text).toContain('\n    hint: Add --create to create the databases the target lacks, or leave it out with --only.');
}, 120_000);

test("a member its preview says would fail (another session on a database being replaced) stops the set's start, with the set's own steps; ending the sessions lifts it", async () => {
  const session = new pg.Client({ host: target.host, port: target.port, user: target.user, database: 'crm' });
  await session.connect();
  try {
    const replace = { ref: set.id, to: 'target', create: false, clean: true, dryRun: true };
    const preview = await holdfast.sets.restore(replace);
    expect(preview.ok).toBe(false);
    const crm = preview.databases.find((d) => d.database === 'crm')!;
    expect(crm.error).toBe('1 other session is connected to "crm"; replacing it fails while it is.');
    expect(crm.hint).toBe('Add --terminate-connections, or leave it out with --only.');
    expect(crm.appHint).toBe('Tick "End other sessions on those databases", or leave it out: untick it under "Databases to restore".');
    expect(preview.databases.find((d) => d.database === 'shop')!.error).toBeNull();
    // The real restore is refused before anything changes, as the preview said.
    await expect(holdfast.sets.restore({ ...replace, dryRun: false, confirm: set.id })).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('Nothing was restored') });
    expect(await target.query(`SELECT datname FROM pg_database WHERE datname = 'shop'`)).toEqual([]);

    const lifted = await holdfast.sets.restore({ ...replace, terminateConnections: true });
    expect(lifted.ok).toBe(true);
  } finally {
    await session.end();
  }
}, 120_000);

// The DBA review: a set's restore takes no --no-owner, yet a member's preview offered it ("use
// --no-owner --no-acl"). In a set's restore the step is that member restored on its own, which does.
test("a member whose owner the restoring role cannot give it is offered that member's own restore with --no-owner, never a flag the set's restore refuses", async () => {
  await target.query('CREATE ROLE restorer LOGIN CREATEDB');
  await holdfast.addProfile({ name: 'as-restorer', host: target.host, port: target.port, user: 'restorer', dbname: 'postgres' });
  const shop = set.databases.find((m) => m.database === 'shop')!;
  const preview = await holdfast.sets.restore({ ref: set.id, to: 'as-restorer', only: ['shop'], create: true, clean: false, dryRun: true });
  expect(preview.ok).toBe(false);
  const blockers = preview.databases[0]!.result!.impact.blockers;
  expect(blockers.map((blocker) => blocker.message).join(' ')).toMatch(/cannot make "postgres" the database's owner/);
  // Into shop, as the set would have restored it, and with --no-owner alone: the owner is all that stops it.
  const alone = `restore it on its own with holdfast restore ${shop.id} --to as-restorer --dbname shop --create --no-owner`;
  expect(blockers.map((blocker) => blocker.hint)).toEqual([expect.stringContaining(`${alone} to have`)]);
  expect(blockers.map((blocker) => blocker.appHint)).toEqual([expect.stringMatching(/restore its own backup .*with "Skip ownership" ticked/)]);
  const text = formatRestoreOrSet(preview);
  expect(text).not.toContain('use --no-owner');
  expect(text).toContain(`Leave it out with --only and ${alone}.`);
  expect(preview.databases[0]!.appHint).toMatch(/^Leave it out: untick it under "Databases to restore" and restore its own backup .*with "Skip ownership" ticked\.$/);
}, 120_000);

// The same review: replacing a database from a plain member, whose owner the restoring role cannot keep,
// offered "give --dbname <new name> --create", which a set's restore does not take.
test("a plain member replacing a database whose owner the restoring role cannot keep is offered its own restore into a new database, never --dbname on the set's", async () => {
  const plainSet = await holdfast.sets.take('whole', { format: 'plain' });
  expect(plainSet.status).toBe('completed');
  const crm = plainSet.databases.find((m) => m.database === 'crm')!;
  // The preview counts the rows crm has now: the restoring role may read them, not own the database.
  await target.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO restorer', 'crm');
  const preview = await holdfast.sets.restore({ ref: plainSet.id, to: 'as-restorer', only: ['crm'], create: false, clean: true, dryRun: true });
  expect(preview.ok).toBe(false);
  const owner = preview.databases[0]!.result!.impact.blockers.find((blocker) => blocker.kind === 'owner')!;
  expect(owner.message).toMatch(/cannot make "postgres" the database's owner/);
  expect(owner.hint).toContain(`restore it on its own into a new database with holdfast restore ${crm.id} --to as-restorer --dbname <new name> --create`);
  expect(owner.appHint).toContain('restore its own backup (its row under the set, Restore…) into a new database');
  expect(formatRestoreOrSet(preview)).not.toContain('give --dbname');
}, 180_000);

test("a member owned by a role the target lacks is not previewed as refused: the set's roles file creates the role before any database is restored", async () => {
  await source.query('CREATE ROLE shop_owner');
  await source.query('ALTER DATABASE shop OWNER TO shop_owner');
  await source.query('ALTER TABLE users OWNER TO shop_owner', 'shop');
  const owned = await holdfast.sets.take('whole', {});
  expect(owned.status).toBe('completed');
  const preview = await holdfast.sets.restore({ ref: owned.id, to: 'target', only: ['shop'], create: true, clean: false, dryRun: true });
  expect(preview.ok).toBe(true);
  expect(preview.databases[0]!.error).toBeNull();
  // The member's own impact still knows the role is missing now, but nothing it shows stops the set's restore.
  expect(preview.databases[0]!.result!.impact.missingRoles).toEqual(['shop_owner']);
  expect(preview.databases[0]!.result!.impact.blockers).toEqual([]);
  // The DBA review: the member said ok: false beside the set's ok: true; the JSON agrees with itself.
  expect(preview.databases[0]!.result!.ok).toBe(true);
  expect(formatRestoreOrSet(preview)).not.toMatch(/would be refused|lacks roles/);
  // And the set's preview names the roles its roles file will create there (the JSON said roles: null).
  expect(preview.roles).toBeNull();
  expect(preview.rolesToCreate).toContain('shop_owner');
  expect(preview.rolesToCreate).not.toContain(target.user);
  expect(formatRestoreOrSet(preview)).toMatch(/roles: the roles file creates .*shop_owner/);
  // And the restore it previews does what it said: the role comes from the roles file, then the database.
  const restored = await holdfast.sets.restore({ ref: owned.id, to: 'target', only: ['shop'], create: true, clean: false, dryRun: false });
  expect(restored.ok).toBe(true);
  expect(await target.query("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'shop'")).toEqual([{ owner: 'shop_owner' }]);
}, 180_000);

// The DBA review: a set's preview said a role's setting in a database "is left out" because the target
// lacked the role, yet the set's roles file creates the role before the database, and the restore gave
// the setting. The preview counts the roles the file creates; a setting a restore never takes from a
// backup (what the server logs) is still said left out.
test("a role's setting in a database, for a role only the set's roles file has, is previewed as given, as the restore gives it; one off the allow-list is still said left out", async () => {
  await seedDatabase(source, 'analytics', 10);
  await source.query('CREATE ROLE analyst');
  await source.query(`ALTER ROLE analyst IN DATABASE analytics SET work_mem = '64MB'`);
  await source.query(`ALTER ROLE analyst IN DATABASE analytics SET log_statement = 'none'`);
  const withRole = await holdfast.sets.take('whole', {});
  expect(withRole.status).toBe('completed');
  const request = { ref: withRole.id, to: 'target', only: ['analytics'], create: true, clean: false };
  const preview = await holdfast.sets.restore({ ...request, dryRun: true });
  expect(preview.ok).toBe(true);
  const impact = preview.databases[0]!.result!.impact;
  const said = [...impact.warnings, ...impact.appWarnings, ...impact.leftOut.map((item) => item.message)].join('\n');
  expect(said).not.toMatch(/no such role/);
  expect(said).not.toMatch(/work_mem/);
  expect(impact.databaseProperties?.find((line) => line.property === 'settings')?.restored).toBe('analyst: work_mem=64MB');
  // log_statement is not one a restore takes from a backup: still said, with its statement.
  expect(impact.leftOut.flatMap((item) => item.settings.map(({ setting }) => `${setting.role}:${setting.name}`))).toEqual(['analyst:log_statement']);
  expect(formatRestoreOrSet(preview)).not.toMatch(/no such role/);

  const restored = await holdfast.sets.restore({ ...request, dryRun: false });
  expect(restored.ok).toBe(true);
  expect(
    await target.query(
      `SELECT r.rolname AS role, s.setconfig AS config FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = 'analytics'`,
    ),
  ).toEqual([{ role: 'analyst', config: ['work_mem=64MB'] }]);
  expect(restored.databases[0]!.result!.impact.leftOut.flatMap((item) => item.settings.map(({ setting }) => setting.name))).toEqual(['log_statement']);
}, 180_000);
