// A dump's content is untrusted code, its database-level entries included. A restore that rebuilds a
// database (--create into a new name, --clean, --swap) gives it the backup's owner, privileges,
// settings, comment and connection limit, as pg_restore --create would; but
// - a setting that makes the server load or run code, or use a file it names, is never taken from a
//   backup: left out, and said in the preview and the result;
// - whatever would make giving the properties fail is found before anything is created, not after
//   the whole load (a connection limit PostgreSQL does not take refuses the restore; a setting the
//   target server refuses is left out and said).
// The altered archives are real pg_dump 15 directory dumps with one TOC string rewritten, imported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { LeftOut } from '../main/core/restore/database-properties.ts';
import { SETTINGS_TAKEN_FROM_BACKUP } from '../main/core/pg/settings-from-backup.ts';
import { rewriteTocString } from './support/archive-toc-edit.ts';
import { databaseFacts } from './support/database-facts.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let elsewhere: string;

const create = { to: 'hr', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false };
const clean = { to: 'hr', create: false, clean: true, noOwner: false, noAcl: false, dryRun: false, confirm: 'hr' };

/** Settings that load or run code, set the way a source's superuser (or an altered archive) would. */
const CODE_SETTINGS = `
  ALTER DATABASE hr SET dynamic_library_path = '/tmp/evil:$libdir';
  ALTER DATABASE hr SET "plperl.on_plperl_init" = 'system("id > /tmp/owned")';
  ALTER DATABASE hr SET pltcl.start_proc = 'public.evil';
  ALTER ROLE backup_ro IN DATABASE hr SET session_preload_libraries = 'evil';
  ALTER ROLE backup_ro IN DATABASE hr SET local_preload_libraries = 'evil';
`;
const CODE_NAMES = ['dynamic_library_path', 'plperl.on_plperl_init', 'pltcl.start_proc', 'session_preload_libraries', 'local_preload_libraries'];

beforeAll(async () => {
  server = await startPgServer();
  await server.query(`CREATE ROLE app_owner NOLOGIN; CREATE ROLE backup_ro LOGIN;`);
  await server.query(`CREATE DATABASE hr TEMPLATE template0`);
  await server.query(`CREATE TABLE staff (id int PRIMARY KEY, name text); INSERT INTO staff SELECT g, 'person ' || g FROM generate_series(1, 50) g;`, 'hr');
  await server.query(`ALTER DATABASE hr OWNER TO app_owner; ALTER DATABASE hr SET work_mem = '64MB'; ALTER DATABASE hr CONNECTION LIMIT 7;`);
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'hr', 'hr'));
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-altered-'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
  await server?.stop();
});

/** A directory dump of hr with `from` rewritten to `to` in its TOC, imported as a backup. */
async function alteredBackup(name: string, from: string, to: string): Promise<BackupMetadata> {
  const dir = join(elsewhere, name);
  execFileSync(join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir, '-h', server.host, '-p', String(server.port), '-U', server.user, 'hr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  rewriteTocString(dir, from, to);
  return holdfast.importDump({ file: dir, profile: 'hr' });
}

/** A backup of hr taken while `settings` held; hr has its work_mem alone again afterwards. */
async function backupWithSettings(settings: string): Promise<BackupMetadata> {
  await server.query(settings);
  const backup = await holdfast.backup('hr', {});
  await server.query(`ALTER DATABASE hr RESET ALL; ALTER ROLE backup_ro IN DATABASE hr RESET ALL; ALTER DATABASE hr SET work_mem = '64MB';`);
  return backup;
}

const databasesLike = async (pattern: string) => (await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${pattern}' ORDER BY 1`)).map((r) => r.datname);

describe("a backup's settings that load or run code", () => {
  let backup: BackupMetadata;

  beforeAll(async () => {
    backup = await backupWithSettings(CODE_SETTINGS);
  });

  test('a new database (--create) gets the rest of its settings but not those, and the preview and the result say so', async () => {
    const preview = await holdfast.restore({ ...create, dbname: 'hr_code', ref: backup.id, dryRun: true });
    const result = await holdfast.restore({ ...create, dbname: 'hr_code', ref: backup.id });
    expect((await databaseFacts(server, 'hr_code')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    for (const said of [preview.impact.warnings, preview.impact.appWarnings, result.impact.warnings]) {
      const warning = said.find((w) => w.includes('left out, because a backup is not trusted'));
      for (const name of CODE_NAMES) expect(warning).toContain(name);
    }
    expect(preview.impact.databaseProperties).toContainEqual(expect.objectContaining({ property: 'settings', restored: 'work_mem=64MB' }));
  });

  test('a replaced database (--clean) does not get them either', async () => {
    const result = await holdfast.restore({ ...clean, ref: backup.id });
    expect(result.ok).toBe(true);
    expect((await databaseFacts(server, 'hr')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    expect(result.impact.warnings.join('\n')).toContain("dynamic_library_path='/tmp/evil:$libdir'");
  });
});

/**
 * Settings that switch off a check the server makes, or let a query read files through an extension,
 * in every session of the database: a superuser restoring the backup would pass them on (they are not
 * code, but they take away what privileges, triggers, foreign keys and checksums guard).
 */
const CHECK_SETTINGS = `
  ALTER DATABASE hr SET lo_compat_privileges = on;
  ALTER DATABASE hr SET session_replication_role = replica;
  ALTER DATABASE hr SET allow_system_table_mods = on;
  ALTER DATABASE hr SET zero_damaged_pages = on;
  ALTER DATABASE hr SET ignore_checksum_failure = on;
  ALTER DATABASE hr SET "pljava.vmoptions" = '-XX:OnOutOfMemoryError=id';
  ALTER DATABASE hr SET "pljava.libjvm_location" = '/tmp/evil.so';
  ALTER DATABASE hr SET "postgis.enable_outdb_rasters" = on;
  ALTER DATABASE hr SET "postgis.gdal_enabled_drivers" = 'ENABLE_ALL';
`;
const CHECK_NAMES = [
  'lo_compat_privileges',
  'session_replication_role',
  'allow_system_table_mods',
  'zero_damaged_pages',
  'ignore_checksum_failure',
  'pljava.vmoptions',
  'pljava.libjvm_location',
  'postgis.enable_outdb_rasters',
  'postgis.gdal_enabled_drivers',
];

describe("a backup's settings that switch off the server's checks or open its files", () => {
  test('a superuser restoring it into a new database leaves them out and says so', async () => {
    const backup = await backupWithSettings(CHECK_SETTINGS);
    const result = await holdfast.restore({ ...create, dbname: 'hr_checks', ref: backup.id });
    expect((await databaseFacts(server, 'hr_checks')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    const warning = result.impact.warnings.find((w) => w.includes('left out, because a backup is not trusted'));
    for (const name of CHECK_NAMES) expect(warning).toContain(name);
  });
});

/**
 * Settings that are not code but would silently stop the restored database being logged, audited or
 * monitored, and custom (dotted) ones an extension loaded later or an application reads: only the
 * ordinary per-database settings come from a backup (main/core/pg/settings-from-backup.ts). The rest is
 * left out and said with the statement a DBA who means it can run.
 */
const AUDIT_SETTINGS = `
  ALTER DATABASE hr SET log_statement = 'none';
  ALTER DATABASE hr SET log_min_duration_statement = -1;
  ALTER DATABASE hr SET log_min_messages = panic;
  ALTER DATABASE hr SET track_activities = off;
  ALTER DATABASE hr SET "pgaudit.log" = 'none';
  ALTER DATABASE hr SET "app.tenant" = 'acme';
  ALTER ROLE backup_ro IN DATABASE hr SET "pgaudit.log" = 'none';
`;

/** The statements the left-out items hand the DBA, each as it is run. */
const statementsIn = (leftOut: LeftOut[]) => leftOut.flatMap((item) => item.settings.flatMap(({ statement }) => (statement === null ? [] : [`${statement};`])));
/** The left-out items' words, one a line. */
const said = (leftOut: LeftOut[]) => leftOut.map((item) => item.message).join('\n');

describe("a backup's logging, audit and custom settings", () => {
  let backup: BackupMetadata;
  const AUDIT_STATEMENTS = (db: string) => [
    `ALTER DATABASE "${db}" SET "app.tenant" TO 'acme';`,
    `ALTER DATABASE "${db}" SET "log_min_duration_statement" TO '-1';`,
    `ALTER DATABASE "${db}" SET "log_min_messages" TO 'panic';`,
    `ALTER DATABASE "${db}" SET "log_statement" TO 'none';`,
    `ALTER DATABASE "${db}" SET "pgaudit.log" TO 'none';`,
    `ALTER DATABASE "${db}" SET "track_activities" TO 'off';`,
    `ALTER ROLE "backup_ro" IN DATABASE "${db}" SET "pgaudit.log" TO 'none';`,
  ];

  beforeAll(async () => {
    backup = await backupWithSettings(AUDIT_SETTINGS);
  });

  test('a new database gets work_mem but none of them; the preview and the result name each with the statement to run, and the statements run', async () => {
    const preview = await holdfast.restore({ ...create, dbname: 'hr_audit', ref: backup.id, dryRun: true });
    const result = await holdfast.restore({ ...create, dbname: 'hr_audit', ref: backup.id });
    expect((await databaseFacts(server, 'hr_audit')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    for (const leftOut of [preview.impact.leftOut, result.impact.leftOut]) expect(statementsIn(leftOut).sort()).toEqual(AUDIT_STATEMENTS('hr_audit'));
    expect(preview.impact.databaseProperties).toContainEqual(expect.objectContaining({ property: 'settings', restored: 'work_mem=64MB' }));
    // What the DBA is handed is exact: run, it gives the database what the backup had.
    for (const statement of statementsIn(result.impact.leftOut)) await server.query(statement);
    const given = (await databaseFacts(server, 'hr_audit')).settings;
    expect(given['(all)']?.slice().sort()).toEqual([
      'app.tenant=acme',
      'log_min_duration_statement=-1',
      'log_min_messages=panic',
      'log_statement=none',
      'pgaudit.log=none',
      'track_activities=off',
      'work_mem=64MB',
    ]);
    expect(given.backup_ro).toEqual(['pgaudit.log=none']);
  });

  test.each([{ clean: true }, { swap: true }])('a replaced database (%o) keeps being logged and audited, with its own log_statement kept', async (replace) => {
    // The live database's own logging choice: the backup's 'none' is not trusted, so the copy keeps 'all'.
    await server.query(`ALTER DATABASE hr SET log_statement = 'all'`);
    const result = await holdfast.restore({ ...clean, clean: false, ...replace, ref: backup.id });
    expect(result.ok).toBe(true);
    expect((await databaseFacts(server, 'hr')).settings['(all)']?.slice().sort()).toEqual(['log_statement=all', 'work_mem=64MB']);
    expect(statementsIn(result.impact.leftOut).sort()).toEqual(AUDIT_STATEMENTS('hr'));
    expect(said(result.impact.leftOut)).toContain("log_statement='none' (it decides what the server logs)");
    expect(said(result.impact.leftOut)).toContain("The database being replaced has its own log_statement='all': kept, instead of the backup");
    await server.query('ALTER DATABASE hr RESET log_statement');
    // A swap keeps the original under another name; the suites after this one expect none left.
    if (result.keptAs) await server.query(`DROP DATABASE "${result.keptAs}"`);
  });
});

/**
 * A search_path that puts a schema before pg_catalog makes every session of the restored database call
 * that schema's lower() or = instead of the built-ins (CVE-2018-1058): left out and said, with no
 * statement to paste. One that keeps pg_catalog first (absent, it is implicitly first) is the database's own.
 */
describe("a backup's search_path", () => {
  const SHADOWING = `ALTER DATABASE hr SET search_path = evil, pg_catalog; ALTER ROLE backup_ro IN DATABASE hr SET search_path = "$user", pg_catalog;`;
  /** Each left-out search_path: whose it is and the statement handed for it (none). */
  const leftOutPaths = (leftOut: LeftOut[]) =>
    leftOut.flatMap((item) => item.settings.filter(({ setting }) => setting.name === 'search_path').map(({ setting, statement }) => [setting.role, setting.values, statement]));
  const SHADOWING_PATHS = [
    [null, ['evil', 'pg_catalog'], null],
    ['backup_ro', ['$user', 'pg_catalog'], null],
  ];
  let shadowing: BackupMetadata;

  beforeAll(async () => {
    shadowing = await backupWithSettings(SHADOWING);
  });

  test('one that shadows pg_catalog is not given to a new database; the preview and the result name it, with no statement to run', async () => {
    const preview = await holdfast.restore({ ...create, dbname: 'hr_path', ref: shadowing.id, dryRun: true });
    const result = await holdfast.restore({ ...create, dbname: 'hr_path', ref: shadowing.id });
    expect((await databaseFacts(server, 'hr_path')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    for (const leftOut of [preview.impact.leftOut, result.impact.leftOut]) {
      expect(leftOutPaths(leftOut)).toEqual(SHADOWING_PATHS);
      expect(statementsIn(leftOut)).toEqual([]);
    }
    expect(said(result.impact.leftOut)).toContain("search_path='evil, pg_catalog' (it searches a schema before pg_catalog");
  });

  test('nor to a replaced one (--clean)', async () => {
    const result = await holdfast.restore({ ...clean, ref: shadowing.id });
    expect(result.ok).toBe(true);
    expect((await databaseFacts(server, 'hr')).settings).toEqual({ '(all)': ['work_mem=64MB'] });
    expect(leftOutPaths(result.impact.leftOut)).toEqual(SHADOWING_PATHS);
    expect(statementsIn(result.impact.leftOut)).toEqual([]);
  });

  test('an ordinary one (app, public) is applied, to a new database and a replaced one', async () => {
    const ordinary = await backupWithSettings(`ALTER DATABASE hr SET search_path = app, public;`);
    await holdfast.restore({ ...create, dbname: 'hr_app_path', ref: ordinary.id });
    const replaced = await holdfast.restore({ ...clean, ref: ordinary.id });
    for (const db of ['hr_app_path', 'hr']) expect((await databaseFacts(server, db)).settings['(all)']?.slice().sort()).toEqual(['search_path=app, public', 'work_mem=64MB']);
    expect(statementsIn(replaced.impact.leftOut)).toEqual([]);
    await server.query(`ALTER DATABASE hr RESET search_path`);
  });
});

// The preview's warnings are hint templates rendered per shell ({{no-owner}} → a flag or a control): a
// backup's value or role holding {{…}} is said as written, in the CLI's words, the app's and leftOut.
test("a backup's setting value and role holding {{…}} are said verbatim, in the CLI's and the app's warnings", async () => {
  await server.query(`CREATE ROLE "{{create}}" NOLOGIN`);
  const backup = await backupWithSettings(`ALTER DATABASE hr SET "app.x" = '{{no-owner}} {{replace-existing:hr}}'; ALTER ROLE "{{create}}" IN DATABASE hr SET log_statement = 'none';`);
  await server.query(`ALTER ROLE "{{create}}" IN DATABASE hr RESET ALL`);
  const preview = await holdfast.restore({ ...create, dbname: 'hr_braces', ref: backup.id, dryRun: true });
  const statements = [`ALTER DATABASE "hr_braces" SET "app.x" TO '{{no-owner}} {{replace-existing:hr}}';`, `ALTER ROLE "{{create}}" IN DATABASE "hr_braces" SET "log_statement" TO 'none';`];
  for (const words of [preview.impact.warnings, preview.impact.appWarnings, [said(preview.impact.leftOut), ...statementsIn(preview.impact.leftOut)]]) {
    for (const statement of statements) expect(words.join('\n')).toContain(statement);
    expect(words.join('\n')).not.toMatch(/--no-owner|--create|Skip ownership|Create a new database/);
  }
});

test('every setting a restore takes from a backup is one PostgreSQL 15 has and lets a database set', async () => {
  // The DO block loads PL/pgSQL into the session, so its own settings are listed too.
  const known = await server.query<{ name: string; context: string }>(`DO $$ BEGIN END $$; SELECT lower(name) AS name, context FROM pg_settings`);
  const context = new Map(known.map((row) => [row.name, row.context]));
  expect([...SETTINGS_TAKEN_FROM_BACKUP].filter((name) => !['user', 'superuser'].includes(context.get(name) ?? 'unknown'))).toEqual([]);
});

describe('a property that would fail only after the data is loaded', () => {
  test('a connection limit PostgreSQL does not take refuses a new database before it is created', async () => {
    const backup = await alteredBackup('limit.dir', 'CONNECTION LIMIT = 7;', 'CONNECTION LIMIT = 99999999999;');
    const preview = await holdfast.restore({ ...create, dbname: 'hr_limit', ref: backup.id, dryRun: true });
    expect(preview.impact.blockers).toContainEqual(
      expect.objectContaining({ kind: 'connection-limit', message: expect.stringMatching(/connection limit 99999999999 is not one PostgreSQL takes.*the restore would be refused/) }),
    );
    await expect(holdfast.restore({ ...create, dbname: 'hr_limit', ref: backup.id })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringMatching(/"hr_limit".*connection limit 99999999999 .*Nothing was created or changed\.$/),
      hint: expect.stringContaining('earlier backup'),
    });
    expect(await databasesLike('hr\\_limit%')).toEqual([]);
  });

  test('the same limit refuses a replace restore before its scratch copy is created; the original is untouched', async () => {
    const backup = await alteredBackup('limit-clean.dir', 'CONNECTION LIMIT = 7;', 'CONNECTION LIMIT = -5;');
    await expect(holdfast.restore({ ...clean, ref: backup.id })).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('connection limit -5') });
    expect(await databasesLike('hr\\_\\_%')).toEqual([]);
    expect((await databaseFacts(server, 'hr')).connlimit).toBe(7);
    expect(await rowCount(server, 'hr', 'staff')).toBe(50);
  });

  test('an owner the restoring role may not hand the database to refuses the restore before anything is created', async () => {
    await server.query(`CREATE ROLE restorer LOGIN CREATEDB`);
    await holdfast.addProfile({ ...profileFor(server, 'as-restorer', 'postgres'), user: 'restorer' });
    const backup = await holdfast.backup('hr', {});
    await expect(holdfast.restore({ ...create, to: 'as-restorer', dbname: 'hr_handed', ref: backup.id })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringContaining('the restoring role "restorer" cannot make "app_owner" the database\'s owner'),
      hint: expect.stringContaining('Grant "app_owner" to "restorer"'),
    });
    expect(await databasesLike('hr\\_handed%')).toEqual([]);
  });

  // The wizard shows the result's left-out items: a note said only in the run's warnings reached no one there.
  test('a locale this server cannot create falls back to its default, and the result says so among what the database did not get', async () => {
    const backup = await alteredBackup('locale.dir', "LOCALE = 'C'", "LOCALE = 'xx_YY.UTF-8'");
    const result = await holdfast.restore({ ...create, dbname: 'hr_locale', ref: backup.id });
    expect(result.ok).toBe(true);
    expect(await rowCount(server, 'hr_locale', 'staff')).toBe(50);
    const fellBack = result.impact.leftOut.filter((item) => item.message.startsWith('This server could not create the database'));
    expect(fellBack).toEqual([{ message: expect.stringMatching(/with the backup's encoding \S+ and collation .*xx_YY\.UTF-8.*; the restored copy has /), settings: [] }]);
  });

  test('a setting the target server refuses is left out and said, and the restore goes on', async () => {
    const backup = await alteredBackup('setting.dir', "SET work_mem TO '64MB';", "SET work_mem TO 'banana';");
    const result = await holdfast.restore({ ...create, dbname: 'hr_setting', ref: backup.id });
    expect(result.ok).toBe(true);
    expect(result.impact.warnings.join('\n')).toMatch(/refuses the backup's work_mem='banana' \(invalid value for parameter "work_mem".*left out/);
    const facts = await databaseFacts(server, 'hr_setting');
    expect(facts.settings).toEqual({});
    expect(facts.connlimit).toBe(7);
    expect(await rowCount(server, 'hr_setting', 'staff')).toBe(50);
    // The rehearsal left nothing behind on the server.
    expect(await server.query(`SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = 'postgres'`)).toEqual([]);
  });
});
