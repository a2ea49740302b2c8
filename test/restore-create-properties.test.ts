// A restore into a new name (--dbname <new> --create) should give the new database what the source had
// on the database itself — owner, who may CONNECT, settings, comment, connection limit, encoding and
// collation — as `pg_restore --create` would, under the new name: a DBA restoring beside production
// expects the copy to refuse PUBLIC just as the source did. Archives carry those entries; a plain dump
// has none, and then the new database is a plain CREATE DATABASE as before.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { RestoreResult } from '../main/core/restore/restore.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { formatRestore } from '../main/cli/format.ts';
import { connectAs, databaseFacts } from './support/database-facts.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let superuser: string;

const base = { to: 'hr', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false };

beforeAll(async () => {
  server = await startPgServer();
  await server.query(`CREATE ROLE app_owner NOLOGIN; CREATE ROLE backup_ro LOGIN; CREATE ROLE outsider LOGIN;`);
  await server.query(`CREATE DATABASE hr TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await server.query(`CREATE TABLE staff (id int PRIMARY KEY, name text); INSERT INTO staff SELECT g, 'person ' || g FROM generate_series(1, 50) g;`, 'hr');
  await server.query(`
    ALTER DATABASE hr OWNER TO app_owner;
    ALTER DATABASE hr SET work_mem = '64MB';
    ALTER ROLE backup_ro IN DATABASE hr SET statement_timeout = '5s';
    REVOKE ALL ON DATABASE hr FROM PUBLIC;
    GRANT TEMPORARY ON DATABASE hr TO PUBLIC;
    GRANT CONNECT ON DATABASE hr TO backup_ro;
    COMMENT ON DATABASE hr IS 'Human resources';
    ALTER DATABASE hr CONNECTION LIMIT 7;
  `);
  superuser = (await server.query<{ name: string }>('SELECT current_user AS name'))[0]!.name;
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'hr', 'hr'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

describe.each([{ format: 'custom' as const }, { format: 'directory' as const }])('a $format backup restored into a new name with --create', ({ format }) => {
  const database = `hr_copy_${format}`;
  let backup: BackupMetadata;
  let preview: RestoreResult;
  let facts: Awaited<ReturnType<typeof databaseFacts>>;

  beforeAll(async () => {
    backup = await holdfast.backup('hr', { format });
    preview = await holdfast.restore({ ...base, dbname: database, ref: backup.id, dryRun: true });
    const result = await holdfast.restore({ ...base, dbname: database, ref: backup.id });
    expect(result.ok).toBe(true);
    expect(await rowCount(server, database, 'staff')).toBe(50);
    facts = await databaseFacts(server, database);
  });

  test("owner: the source's, not the restoring role", () => {
    expect(facts.owner).toBe('app_owner');
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'owner', current: null, restored: 'app_owner', from: 'backup', changes: true });
  });

  test('privileges: PUBLIC cannot CONNECT to the copy either, backup_ro can', async () => {
    expect(facts.acl).toEqual(['PUBLIC:TEMPORARY', 'app_owner:CONNECT', 'app_owner:CREATE', 'app_owner:TEMPORARY', 'backup_ro:CONNECT']);
    expect(await connectAs(server, 'outsider', database)).toMatch(new RegExp(`permission denied for database "${database}"`));
    expect(await connectAs(server, 'backup_ro', database)).toBe('connected');
    expect(preview.impact.databaseProperties).toContainEqual(
      expect.objectContaining({ property: 'acl', restored: 'PUBLIC: TEMPORARY; app_owner: CONNECT, CREATE, TEMPORARY; backup_ro: CONNECT', from: 'backup', changes: true }),
    );
  });

  test('settings: per database and per role in the database', () => {
    expect(facts.settings).toEqual({ '(all)': ['work_mem=64MB'], backup_ro: ['statement_timeout=5s'] });
    expect(preview.impact.databaseProperties).toContainEqual({
      property: 'settings',
      current: null,
      restored: 'work_mem=64MB; backup_ro: statement_timeout=5s',
      from: 'backup',
      changes: true,
    });
  });

  test('comment and connection limit', () => {
    expect(facts.comment).toBe('Human resources');
    expect(facts.connlimit).toBe(7);
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'comment', current: null, restored: 'Human resources', from: 'backup', changes: true });
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'connectionLimit', current: null, restored: '7', from: 'backup', changes: true });
  });

  test("encoding and collation: LATIN1 and C, not the server's defaults", () => {
    expect({ encoding: facts.encoding, collate: facts.collate, ctype: facts.ctype }).toEqual({ encoding: 'LATIN1', collate: 'C', ctype: 'C' });
    expect(preview.impact.databaseProperties).toContainEqual(expect.objectContaining({ property: 'encoding', restored: 'LATIN1', from: 'backup' }));
  });

  test('the plan says the new database gets them', () => {
    expect(preview.actions.join('\n')).toMatch(/owner, privileges, settings, comment and connection limit, as the backup had them/);
  });
});

describe('a new database whose properties cannot all be carried over', () => {
  test('an owner role the target lacks refuses the restore before anything is created, naming the role', async () => {
    await server.query(`CREATE ROLE short_lived NOLOGIN; ALTER DATABASE hr OWNER TO short_lived; GRANT CONNECT ON DATABASE hr TO short_lived;`);
    const backup = await holdfast.backup('hr', {});
    await server.query(`ALTER DATABASE hr OWNER TO app_owner; REVOKE ALL ON DATABASE hr FROM short_lived; DROP ROLE short_lived;`);
    const preview = await holdfast.restore({ ...base, dbname: 'hr_orphan', ref: backup.id, dryRun: true });
    expect(preview.impact.missingRoles).toContain('short_lived');
    await expect(holdfast.restore({ ...base, dbname: 'hr_orphan', ref: backup.id })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringContaining('"short_lived"'),
      hint: expect.stringMatching(/roles file.*--no-owner --no-acl/),
    });
    expect(await server.query(`SELECT datname FROM pg_database WHERE datname = 'hr_orphan'`)).toEqual([]);
    // --no-owner --no-acl: the restoring role owns it with the default privileges, the rest still comes along.
    const result = await holdfast.restore({ ...base, dbname: 'hr_orphan', noOwner: true, noAcl: true, ref: backup.id });
    expect(result.ok).toBe(true);
    const facts = await databaseFacts(server, 'hr_orphan');
    expect(facts.owner).toBe(superuser);
    expect(facts.acl).toContain('PUBLIC:CONNECT');
    expect(facts.comment).toBe('Human resources');
  });

  test('a plain dump has no database-level entries: the new database is a plain CREATE DATABASE, and the preview and the result say what it did not carry', async () => {
    const backup = await holdfast.backup('hr', { format: 'plain' });
    const preview = await holdfast.restore({ ...base, dbname: 'hr_plain', ref: backup.id, dryRun: true });
    const result = await holdfast.restore({ ...base, dbname: 'hr_plain', ref: backup.id });
    expect(result.ok).toBe(true);
    expect(result.impact.databaseProperties).toBeNull();
    const facts = await databaseFacts(server, 'hr_plain');
    expect(facts.owner).toBe(superuser);
    expect(facts.settings).toEqual({});
    expect(facts.comment).toBeNull();
    expect(await rowCount(server, 'hr_plain', 'staff')).toBe(50);
    // The source had work_mem and a role's statement_timeout, a comment and a limit: none came with the plain dump, and that is said.
    // The backup recorded the source's own settings when it was taken: the note names each, and hands the statement that sets it by hand.
    expect(backup.databaseSettings).toEqual([
      { role: null, name: 'work_mem', values: ['64MB'] },
      { role: 'backup_ro', name: 'statement_timeout', values: ['5s'] },
    ]);
    for (const leftOut of [preview.impact.leftOut, result.impact.leftOut]) {
      expect(leftOut).toHaveLength(1);
      expect(leftOut[0]!.message).toMatch(/^A plain SQL backup does not carry its database's own settings .*: the new database has a new database's defaults/);
      expect(leftOut[0]!.message).toContain("work_mem='64MB'");
      expect(leftOut[0]!.message).toContain(`for role "backup_ro" statement_timeout='5s'`);
      expect(leftOut[0]!.message).toContain('custom format');
      expect(leftOut[0]!.settings.map((s) => s.statement)).toEqual([
        `ALTER DATABASE "hr_plain" SET "work_mem" TO '64MB'`,
        `ALTER ROLE "backup_ro" IN DATABASE "hr_plain" SET "statement_timeout" TO '5s'`,
      ]);
    }
    expect(preview.impact.warnings.join('\n')).toContain('A plain SQL backup does not carry');

    // Replacing a database from a plain dump: the copy keeps the replaced database's own, and says so.
    await server.query(`ALTER DATABASE hr_plain SET work_mem = '8MB'`);
    const replaced = await holdfast.restore({ ...base, create: false, clean: true, dbname: 'hr_plain', confirm: 'hr_plain', ref: backup.id });
    expect(replaced.ok).toBe(true);
    expect((await databaseFacts(server, 'hr_plain')).settings).toEqual({ '(all)': ['work_mem=8MB'] });
    expect(replaced.impact.leftOut.map((item) => item.message).join('\n')).toContain("the restored database keeps the replaced database's own");
    // Both of the source's settings differ from what the kept database has: both are named, with their statements.
    expect(replaced.impact.leftOut.flatMap((item) => item.settings.map((s) => s.statement))).toEqual([
      `ALTER DATABASE "hr_plain" SET "work_mem" TO '64MB'`,
      `ALTER ROLE "backup_ro" IN DATABASE "hr_plain" SET "statement_timeout" TO '5s'`,
    ]);
  });
});

// The DBA review: a plain backup's note said search_path as '$user', 'public', … while the preview's
// settings line said "$user", public, …: a list setting is shown as the server shows it (SHOW,
// pg_db_role_setting), in both; the note wraps it as one quoted value, so a backup's text never reads as Holdfast's.
describe('a list setting is shown as the server shows it', () => {
  test('search_path = "$user", public, "My Schema": the preview\'s settings line and a plain backup\'s note say it alike, in the engine and the CLI', async () => {
    await server.query('CREATE DATABASE paths');
    await server.query('CREATE SCHEMA "My Schema"; CREATE TABLE t (id int)', 'paths');
    await server.query(`ALTER DATABASE paths SET search_path = "$user", public, "My Schema"`);
    const shown = (await server.query<{ search_path: string }>('SHOW search_path', 'paths'))[0]!.search_path;
    expect(shown).toBe('"$user", public, "My Schema"');
    await holdfast.addProfile(profileFor(server, 'paths', 'paths'));
    const request = { to: 'paths', create: true, clean: false, noOwner: false, noAcl: false, dryRun: true };
    const archive = await holdfast.restore({ ...request, dbname: 'paths_custom', ref: (await holdfast.backup('paths', { format: 'custom' })).id });
    const plain = await holdfast.restore({ ...request, dbname: 'paths_plain', ref: (await holdfast.backup('paths', { format: 'plain' })).id });
    expect(archive.impact.databaseProperties!.find((line) => line.property === 'settings')!.restored).toBe(`search_path=${shown}`);
    expect(plain.impact.leftOut.map((item) => item.message).join('\n')).toContain(`search_path='${shown}'`);
    expect(formatRestore(archive)).toContain(`search_path=${shown}`);
    expect(formatRestore(plain)).toContain(`search_path='${shown}'`);
  });
});
