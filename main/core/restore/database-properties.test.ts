import { describe, expect, test } from 'vitest';
import { parseDatabaseEntries } from './backup-database-entries.ts';
import { renderHint } from '../model/hint-actions.ts';
import { leftOutWarning, plainDumpLeftOut, planDatabaseProperties, type DatabaseProperties, type DatabasePropertiesPlan } from './database-properties.ts';

/** The plan's left-out items as the preview's warnings say them. */
const warningsOf = (plan: DatabasePropertiesPlan) => plan.leftOut.map(leftOutWarning);

// What `pg_restore --create -L <database entries> -f -` printed for a pg_dump 15.18 custom archive of a
// database with every property set (test/restore-database-properties.test.ts restores the real thing).
const SCRIPT = String.raw`--
-- PostgreSQL database dump
--
\restrict Ef7ikDjFL10aogyS4CDf6ZVa1dGdDzWdAusljerUbGTdv0Wycpt4JYhQHEphiIp
SET client_encoding = 'LATIN1';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
--
-- Name: hr; Type: DATABASE; Schema: -; Owner: app_owner
--
CREATE DATABASE hr WITH TEMPLATE = template0 ENCODING = 'LATIN1' LOCALE_PROVIDER = libc LOCALE = 'C';
ALTER DATABASE hr OWNER TO app_owner;
\unrestrict Ef7ikDjFL10aogyS4CDf6ZVa1dGdDzWdAusljerUbGTdv0Wycpt4JYhQHEphiIp
\connect hr
-- Name: DATABASE hr; Type: COMMENT; Schema: -; Owner: app_owner
COMMENT ON DATABASE hr IS 'HR it''s; data
-- not a comment; ALTER DATABASE hr OWNER TO mallory;';
-- Name: hr; Type: DATABASE PROPERTIES; Schema: -; Owner: app_owner
ALTER DATABASE hr CONNECTION LIMIT = 7;
ALTER DATABASE hr SET work_mem TO '64MB';
ALTER DATABASE hr SET search_path TO '$user', 'public', 'we ird';
ALTER ROLE backup_ro IN DATABASE hr SET statement_timeout TO '5s';
-- Name: DATABASE hr; Type: ACL; Schema: -; Owner: app_owner
REVOKE CONNECT,TEMPORARY ON DATABASE hr FROM PUBLIC;
GRANT TEMPORARY ON DATABASE hr TO PUBLIC;
GRANT CONNECT ON DATABASE hr TO backup_ro;
GRANT CREATE ON DATABASE hr TO "Deploy Bot" WITH GRANT OPTION;
`;

describe('parseDatabaseEntries', () => {
  test('reads owner, locale, comment, connection limit, settings and the privileges as they end up', () => {
    expect(parseDatabaseEntries(SCRIPT)).toEqual({
      database: 'hr',
      owner: 'app_owner',
      locale: { encoding: 'LATIN1', collate: 'C', ctype: 'C', provider: 'libc', icuLocale: null },
      comment: "HR it's; data\n-- not a comment; ALTER DATABASE hr OWNER TO mallory;",
      connectionLimit: 7,
      settings: [
        { role: null, name: 'search_path', values: ['$user', 'public', 'we ird'] },
        { role: null, name: 'work_mem', values: ['64MB'] },
        { role: 'backup_ro', name: 'statement_timeout', values: ['5s'] },
      ],
      acl: [
        { grantee: 'PUBLIC', privileges: ['TEMPORARY'], grantable: [] },
        { grantee: 'Deploy Bot', privileges: ['CREATE'], grantable: ['CREATE'] },
        { grantee: 'app_owner', privileges: ['CONNECT', 'CREATE', 'TEMPORARY'], grantable: [] },
        { grantee: 'backup_ro', privileges: ['CONNECT'], grantable: [] },
      ],
      unsupported: [],
    });
  });

  test('no ACL entry means the defaults; no CREATE DATABASE means no database entries at all', () => {
    const bare = parseDatabaseEntries(`CREATE DATABASE "Odd ""name""" WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'en_US.UTF-8';\nALTER DATABASE "Odd ""name""" OWNER TO postgres;\n`);
    expect(bare).toMatchObject({ database: 'Odd "name"', owner: 'postgres', acl: null, settings: [], comment: null, connectionLimit: -1 });
    expect(parseDatabaseEntries("SET client_encoding = 'UTF8';\n")).toBeUndefined();
    const escaped = parseDatabaseEntries(String.raw`CREATE DATABASE d WITH ENCODING = 'UTF8';` + '\n' + String.raw`COMMENT ON DATABASE d IS E'C:\\data\n''quoted''';`);
    expect(escaped?.comment).toBe("C:\\data\n'quoted'");
  });

  test('a custom setting is read whether its name is quoted whole (as pg_dump writes it) or in parts', () => {
    const parsed = parseDatabaseEntries(
      `CREATE DATABASE hr WITH ENCODING = 'UTF8';\nALTER DATABASE hr SET "app.tenant" TO 'acme';\nALTER DATABASE hr SET auto_explain.log_min_duration TO '5s';\nALTER ROLE o IN DATABASE hr SET "pgaudit"."log" TO 'all';\n`,
    );
    expect(parsed?.settings).toEqual([
      { role: null, name: 'app.tenant', values: ['acme'] },
      { role: null, name: 'auto_explain.log_min_duration', values: ['5s'] },
      { role: 'o', name: 'pgaudit.log', values: ['all'] },
    ]);
  });

  test('a role named "public" is a role, not PUBLIC; statements on another database are not ours', () => {
    const parsed = parseDatabaseEntries(
      `CREATE DATABASE hr WITH ENCODING = 'UTF8';\nALTER DATABASE hr OWNER TO o;\nGRANT CONNECT ON DATABASE hr TO "public";\nALTER DATABASE other SET work_mem TO '1MB';\n`,
    );
    expect(parsed?.acl).toEqual([
      { grantee: 'PUBLIC', privileges: ['CONNECT', 'TEMPORARY'], grantable: [] },
      { grantee: 'o', privileges: ['CONNECT', 'CREATE', 'TEMPORARY'], grantable: [] },
      { grantee: 'public', privileges: ['CONNECT'], grantable: [] },
    ]);
    expect(parsed?.settings).toEqual([]);
  });
});

describe('planDatabaseProperties', () => {
  const target: DatabaseProperties = {
    owner: 'postgres',
    acl: [
      { grantee: 'PUBLIC', privileges: ['CONNECT', 'TEMPORARY'], grantable: [] },
      { grantee: 'postgres', privileges: ['CONNECT', 'CREATE', 'TEMPORARY'], grantable: [] },
    ],
    settings: [],
    comment: null,
    connectionLimit: -1,
    locale: { encoding: 'UTF8', collate: 'C.UTF-8', ctype: 'C.UTF-8', provider: 'libc', icuLocale: null },
  };
  const roles = new Set(['postgres', 'app_owner', 'backup_ro', 'Deploy Bot']);

  test("the backup's entries win and every difference is listed", () => {
    const plan = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: parseDatabaseEntries(SCRIPT), target, noOwner: false, noAcl: false, roles });
    expect(plan.properties.owner).toBe('app_owner');
    expect(plan.impact.filter((line) => line.changes).map((line) => line.property)).toEqual(['owner', 'acl', 'settings', 'comment', 'connectionLimit', 'encoding', 'collation']);
    expect(plan.impact.every((line) => line.from === 'backup')).toBe(true);
    expect(warningsOf(plan).join('\n')).toContain('owner (postgres → app_owner)');
  });

  test("--no-owner and --no-acl keep the replaced database's; without entries everything is kept", () => {
    const plan = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: parseDatabaseEntries(SCRIPT), target, noOwner: true, noAcl: true, roles });
    expect(plan.properties.owner).toBe('postgres');
    expect(plan.properties.acl).toEqual(target.acl);
    expect(plan.impact.find((line) => line.property === 'acl')).toMatchObject({ from: 'target', changes: false });
    const kept = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: undefined, target, noOwner: false, noAcl: false, roles });
    expect(kept.properties).toEqual(target);
    expect(kept.impact.every((line) => line.from === 'target' && !line.changes)).toBe(true);
    expect(warningsOf(kept)).toEqual([]);
  });

  test('a new database has nothing now: no line of its preview claims a current owner or setting', () => {
    const plan = planDatabaseProperties({ mode: 'create', database: 'hr_copy', backup: parseDatabaseEntries(SCRIPT), target, noOwner: false, noAcl: false, roles });
    expect(plan.impact.map((line) => line.current)).toEqual(plan.impact.map(() => null));
    // What a plain CREATE DATABASE would have given is still what "from the backup" is told apart from.
    expect(plan.impact.find((line) => line.property === 'owner')).toMatchObject({ restored: 'app_owner', from: 'backup', changes: true });
    const defaults = planDatabaseProperties({ mode: 'create', database: 'hr_copy', backup: parseDatabaseEntries(SCRIPT), target, noOwner: true, noAcl: false, roles });
    expect(defaults.impact.find((line) => line.property === 'owner')).toMatchObject({ current: null, restored: 'postgres', from: 'default', changes: false });
  });

  test('a list setting is shown as the server shows it: "$user" keeps its quotes, a plain name has none', () => {
    const own = { ...target, settings: [{ role: null, name: 'search_path', values: ['$user', 'public'] }] };
    const plan = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: parseDatabaseEntries(SCRIPT), target: own, noOwner: false, noAcl: false, roles });
    const line = plan.impact.find((l) => l.property === 'settings')!;
    expect(line.current).toBe('search_path="$user", public');
    expect(line.restored).toContain('search_path="$user", public, "we ird"');
    // A one-value setting is its value as written, a comma in it included.
    const single = planDatabaseProperties({
      mode: 'replace',
      database: 'hr',
      backup: undefined,
      target: { ...target, settings: [{ role: null, name: 'DateStyle', values: ['ISO, MDY'] }] },
      noOwner: false,
      noAcl: false,
      roles,
    });
    expect(single.impact.find((l) => l.property === 'settings')!.current).toBe('DateStyle=ISO, MDY');
  });

  // A dump's content is untrusted: a setting that makes the server load or run code, or use a file it
  // names, never comes from one (per database or per role in it), whatever the mode.
  test.each([
    ['session_preload_libraries', "'/tmp/evil.so'"],
    ['local_preload_libraries', "'evil'"],
    ['shared_preload_libraries', "'evil'"],
    ['dynamic_library_path', "'/tmp/evil:$libdir'"],
    ['"DYNAMIC_LIBRARY_PATH"', "'/tmp/evil'"],
    ['jit_provider', "'/tmp/evil'"],
    ['archive_library', "'/tmp/evil'"],
    ['"plperl.on_plperl_init"', `'system("id")'`],
    ['plperl.on_plperl_init', `'system("id")'`],
    ['plperl.on_plperlu_init', `'system("id")'`],
    ['"plperl"."on_init"', `'system("id")'`],
    ['pltcl.start_proc', "'public.evil'"],
    ['pltclu.start_proc', "'public.evil'"],
    ['plv8.start_proc', "'public.evil'"],
    ['archive_command', "'id'"],
    ['ssl_key_file', "'/etc/shadow'"],
    ['log_directory', "'/tmp'"],
  ])("a backup's %s is left out and said, for the database and for a role in it", (name, value) => {
    const bare = name.replace(/"/g, '');
    const entries = parseDatabaseEntries(`${SCRIPT}ALTER DATABASE hr SET ${name} TO ${value};\nALTER ROLE backup_ro IN DATABASE hr SET ${name} TO ${value};\n`);
    expect(entries?.settings.filter((s) => s.name === bare)).toHaveLength(2);
    for (const mode of ['replace', 'create'] as const) {
      const plan = planDatabaseProperties({ mode, database: 'hr', backup: entries, target, noOwner: false, noAcl: false, roles });
      expect(plan.properties.settings.map((s) => s.name)).toEqual(['search_path', 'work_mem', 'statement_timeout']);
      const warning = warningsOf(plan).find((w) => w.includes(bare));
      // The value as the server shows it (a list's element double-quoted unless a bare name), as an SQL
      // literal: a backup's text never reads as Holdfast's own words.
      expect(warning).toContain(`${bare}=${value === "'/tmp/evil.so'" ? `'"/tmp/evil.so"'` : value}`);
      expect(warning).toContain(`for role "backup_ro" ${bare}=`);
      expect(warning).toMatch(/left out.*set it yourself after the restore/);
      expect(plan.impact.find((line) => line.property === 'settings')?.restored).not.toContain(bare);
    }
  });

  test("a code-loading setting left out says the statement form to set it by hand: ALTER ROLE … IN DATABASE for a role's, ALTER DATABASE for the database's", () => {
    const roleOnly = parseDatabaseEntries(`${SCRIPT}ALTER ROLE backup_ro IN DATABASE hr SET session_preload_libraries TO 'auto_explain';\n`);
    const databaseOnly = parseDatabaseEntries(`${SCRIPT}ALTER DATABASE hr SET session_preload_libraries TO 'auto_explain';\n`);
    const said = (backup: typeof roleOnly) =>
      warningsOf(planDatabaseProperties({ mode: 'create', database: 'hr', backup, target, noOwner: false, noAcl: false, roles })).find((w) => w.includes('session_preload_libraries'))!;
    expect(said(roleOnly)).toContain('(ALTER ROLE … IN DATABASE … SET)');
    expect(said(roleOnly)).not.toContain('(ALTER DATABASE … SET)');
    expect(said(databaseOnly)).toContain('(ALTER DATABASE … SET)');
  });

  // Logging, auditing and monitoring settings are not code, but a backup that carries them would silently
  // stop the production database being logged or audited; custom names are an application's or an extension's
  // own. Only the ordinary per-database settings come from a backup (pg/settings-from-backup.ts).
  test("a backup's logging, audit and custom settings are left out and said with the statement to run; its ordinary ones are applied", () => {
    const hostile = [
      `ALTER DATABASE hr SET log_statement TO 'none';`,
      `ALTER DATABASE hr SET log_min_duration_statement TO '-1';`,
      `ALTER DATABASE hr SET "pgaudit.log" TO 'none';`,
      `ALTER DATABASE hr SET track_activities TO 'off';`,
      `ALTER DATABASE hr SET "app.tenant" TO 'acme';`,
      `ALTER DATABASE hr SET "auto_explain.log_min_duration" TO '-1';`,
      `ALTER ROLE backup_ro IN DATABASE hr SET "pgaudit.log" TO 'none';`,
      `ALTER ROLE backup_ro IN DATABASE hr SET "Log_Connections" TO 'off';`,
      `ALTER DATABASE hr SET "DateStyle" TO 'ISO, DMY';`,
    ].join('\n');
    const entries = parseDatabaseEntries(`${SCRIPT}${hostile}\n`);
    for (const [mode, database] of [
      ['replace', 'hr'],
      ['create', 'hr copy'],
    ] as const) {
      const plan = planDatabaseProperties({ mode, database, backup: entries, target, noOwner: false, noAcl: false, roles });
      expect(plan.properties.settings.map((s) => s.name)).toEqual(['DateStyle', 'search_path', 'work_mem', 'statement_timeout']);
      const warning = warningsOf(plan).find((w) => w.includes('log_statement'))!;
      expect(warning).toMatch(/left out/);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "log_statement" TO 'none';`);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "log_min_duration_statement" TO '-1';`);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "pgaudit.log" TO 'none';`);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "track_activities" TO 'off';`);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "app.tenant" TO 'acme';`);
      expect(warning).toContain(`ALTER DATABASE "${database}" SET "auto_explain.log_min_duration" TO '-1';`);
      expect(warning).toContain(`ALTER ROLE "backup_ro" IN DATABASE "${database}" SET "pgaudit.log" TO 'none';`);
      expect(warning).toContain(`ALTER ROLE "backup_ro" IN DATABASE "${database}" SET "Log_Connections" TO 'off';`);
      expect(warning).toContain("log_statement='none' (it decides what the server logs)");
      expect(warning).toContain("pgaudit.log='none' (it decides what pgAudit records)");
      expect(warning).not.toContain('work_mem');
      expect(plan.impact.find((line) => line.property === 'settings')?.restored).toBe('DateStyle=ISO, DMY; search_path="$user", public, "we ird"; work_mem=64MB; backup_ro: statement_timeout=5s');
    }
  });

  // CVE-2018-1058: a schema searched before pg_catalog shadows the built-in functions and operators of every session.
  test("a backup's search_path that puts a schema before pg_catalog is left out with no statement to paste; one that does not is applied", () => {
    const shadowing = `ALTER DATABASE hr SET search_path TO 'evil', 'pg_catalog';\nALTER ROLE backup_ro IN DATABASE hr SET search_path TO 'pg_temp', 'pg_catalog';\n`;
    const plan = planDatabaseProperties({ mode: 'create', database: 'hr', backup: parseDatabaseEntries(`${SCRIPT}${shadowing}`), target, noOwner: false, noAcl: false, roles });
    expect(plan.properties.settings.map((s) => `${s.role ?? ''}:${s.name}`)).toEqual([':work_mem', 'backup_ro:statement_timeout']);
    const warning = warningsOf(plan).find((w) => w.includes('search_path'))!;
    expect(warning).toContain("search_path='evil, pg_catalog' (it searches a schema before pg_catalog");
    // Ready to run, it would plant the trojan in every session: the DBA is told what it was, not handed it.
    expect(warning).not.toContain('SET "search_path"');
    const item = plan.leftOut.find((left) => left.settings.some(({ setting }) => setting.name === 'search_path'))!;
    expect(item.settings.map(({ setting, statement }) => [setting.role, statement])).toEqual([
      [null, null],
      ['backup_ro', null],
    ]);
    const ordinary = `ALTER DATABASE hr SET search_path TO 'pg_catalog', 'app', 'public';\n`;
    const applied = planDatabaseProperties({ mode: 'create', database: 'hr', backup: parseDatabaseEntries(`${SCRIPT}${ordinary}`), target, noOwner: false, noAcl: false, roles });
    expect(applied.properties.settings).toContainEqual({ role: null, name: 'search_path', values: ['pg_catalog', 'app', 'public'] });
    expect(warningsOf(applied).join('\n')).not.toContain('search_path');
  });

  // Warnings go through renderHint, whose {{…}} placeholders become flags or control names: what a backup
  // writes there must come out as written, or the statement a DBA is handed is not the one to run.
  test('a setting value, name or role holding {{…}} is said verbatim in the CLI and the app', () => {
    const hostile = [
      `ALTER DATABASE hr SET "app.x" TO '{{no-owner}} \\{{create}}';`,
      `ALTER ROLE "{{confirm}}" IN DATABASE hr SET log_statement TO '{{replace-existing:hr}}';`,
      `ALTER ROLE "{{no-owner}}" IN DATABASE hr SET work_mem TO '1MB';`,
      `ALTER DATABASE hr SET "{{create}}.x" TO 'y';`,
    ].join('\n');
    const plan = planDatabaseProperties({
      mode: 'replace',
      database: 'hr',
      backup: parseDatabaseEntries(`${SCRIPT}${hostile}\n`),
      target,
      noOwner: false,
      noAcl: false,
      roles: new Set([...roles, '{{confirm}}']),
    });
    for (const surface of ['cli', 'app'] as const) {
      const said = warningsOf(plan)
        .map((warning) => renderHint(warning, surface))
        .join('\n');
      expect(said).toContain(String.raw`ALTER DATABASE "hr" SET "app.x" TO E'{{no-owner}} \\{{create}}';`);
      expect(said).toContain(`ALTER ROLE "{{confirm}}" IN DATABASE "hr" SET "log_statement" TO '{{replace-existing:hr}}';`);
      expect(said).toContain(`ALTER DATABASE "hr" SET "{{create}}.x" TO 'y';`);
      expect(said).toContain('work_mem for role "{{no-owner}}"');
      expect(said).not.toMatch(/--no-owner|--create|--clean|Skip ownership|Create a new database/);
    }
  });

  test("a value written to read as advice is said as a quoted value, never as Holdfast's words", () => {
    const advice = 'none (it is harmless). Run: ALTER SYSTEM SET log_statement TO none';
    const entries = parseDatabaseEntries(`${SCRIPT}ALTER DATABASE hr SET log_statement TO '${advice}';\nALTER DATABASE hr SET session_preload_libraries TO '${advice}';\n`);
    const plan = planDatabaseProperties({ mode: 'create', database: 'hr', backup: entries, target, noOwner: false, noAcl: false, roles });
    const said = warningsOf(plan)
      .map((warning) => renderHint(warning, 'cli'))
      .join('\n');
    expect(said).toContain(`log_statement='${advice}' (it decides what the server logs)`);
    expect(said).toContain(`session_preload_libraries='"${advice}"' (it loads a library`);
  });

  // The wizard and the CLI show a statement only where the engine gives one (RestoreWizard's LeftOut): each
  // left-out setting carries it, names and values quoted, or says it has none.
  test('each left-out setting carries its exact statement, or none where it loads code or shadows pg_catalog', () => {
    const entries = parseDatabaseEntries(
      `${SCRIPT}${[
        String.raw`ALTER DATABASE hr SET "app.x""; DROP DATABASE hr; --" TO E'it''s \\ {{no-owner}}';`,
        `ALTER ROLE "Deploy Bot" IN DATABASE hr SET log_statement TO 'none';`,
        `ALTER DATABASE hr SET session_preload_libraries TO 'auto_explain';`,
        `ALTER ROLE "Deploy Bot" IN DATABASE hr SET local_preload_libraries TO 'evil';`,
        `ALTER DATABASE hr SET search_path TO 'evil', 'pg_catalog';`,
        `ALTER ROLE ghost IN DATABASE hr SET work_mem TO '1MB';`,
      ].join('\n')}\n`,
    );
    const plan = planDatabaseProperties({ mode: 'create', database: 'hr "copy"', backup: entries, target, noOwner: false, noAcl: false, roles });
    const statements = Object.fromEntries(plan.leftOut.flatMap((item) => item.settings.map(({ setting, statement }) => [`${setting.role ?? ''}:${setting.name}`, statement])));
    expect(statements).toEqual({
      ':app.x"; DROP DATABASE hr; --': String.raw`ALTER DATABASE "hr ""copy""" SET "app.x""; DROP DATABASE hr; --" TO E'it''s \\ {{no-owner}}'`,
      'Deploy Bot:log_statement': `ALTER ROLE "Deploy Bot" IN DATABASE "hr ""copy""" SET "log_statement" TO 'none'`,
      ':session_preload_libraries': null,
      'Deploy Bot:local_preload_libraries': null,
      ':search_path': null,
      // The role comes first (the roles file, or CREATE ROLE): then the statement applies as it is.
      'ghost:work_mem': `ALTER ROLE "ghost" IN DATABASE "hr ""copy""" SET "work_mem" TO '1MB'`,
    });
    // The preview's words carry the same statements, verbatim on either surface, and none for the others.
    for (const surface of ['cli', 'app'] as const) {
      const said = warningsOf(plan)
        .map((warning) => renderHint(warning, surface))
        .join('\n');
      for (const statement of Object.values(statements)) if (statement) expect(said).toContain(`${statement};`);
      expect(said).not.toMatch(/SET "(?:session_preload_libraries|local_preload_libraries|search_path)"/);
    }
  });

  test('a value with quotes and backslashes is written in the statement as the server reads it back', () => {
    const entries = parseDatabaseEntries(`${SCRIPT}ALTER DATABASE hr SET "app.motto" TO E'it''s a \\\\ path';\n`);
    const plan = planDatabaseProperties({ mode: 'create', database: 'hr', backup: entries, target, noOwner: false, noAcl: false, roles });
    // The warnings are hint templates: said (rendered), the statement is exact.
    expect(renderHint(warningsOf(plan).join('\n'), 'cli')).toContain(String.raw`ALTER DATABASE "hr" SET "app.motto" TO E'it''s a \\ path';`);
  });

  test("the replaced database's own settings are kept, whatever they are: only a backup is untrusted", () => {
    const own = {
      ...target,
      settings: [
        { role: null, name: 'session_preload_libraries', values: ['auto_explain'] },
        { role: null, name: 'log_statement', values: ['none'] },
        { role: 'backup_ro', name: 'pgaudit.log', values: ['none'] },
      ],
    };
    const plan = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: undefined, target: own, noOwner: false, noAcl: false, roles });
    expect(plan.properties.settings).toEqual(own.settings);
    expect(warningsOf(plan)).toEqual([]);
  });

  test('a setting for a role the target lacks is left out, and said', () => {
    const plan = planDatabaseProperties({ mode: 'replace', database: 'hr', backup: parseDatabaseEntries(SCRIPT), target, noOwner: false, noAcl: false, roles: new Set(['app_owner', 'Deploy Bot']) });
    expect(plan.properties.settings.map((s) => s.role)).toEqual([null, null]);
    expect(warningsOf(plan).join('\n')).toContain('statement_timeout for role "backup_ro"');
  });
});

describe('plainDumpLeftOut', () => {
  const workMem = { role: null, name: 'work_mem', values: ['64MB'] };
  const preload = { role: null, name: 'session_preload_libraries', values: ['auto_explain'] };
  const said = (item: ReturnType<typeof plainDumpLeftOut>) => renderHint(item.message, 'cli');

  test('names each setting the backup recorded of its source, with the statement that sets it on the restored database, and none for one that loads code', () => {
    const item = plainDumpLeftOut('create', { database: 'hr copy', recorded: [workMem, preload], kept: [] });
    expect(said(item)).toContain(`the backed-up database had work_mem='64MB', session_preload_libraries='auto_explain' (it`);
    expect(item.settings).toEqual([
      { setting: workMem, statement: `ALTER DATABASE "hr copy" SET "work_mem" TO '64MB'` },
      { setting: preload, statement: null },
    ]);
  });

  test("a setting a restore would not take from an archive (what the server logs) says why beside its statement, as an archive's restore says it, so it is not run as if it were work_mem", () => {
    const logging = { role: null, name: 'log_statement', values: ['none'] };
    const item = plainDumpLeftOut('create', { database: 'hr', recorded: [workMem, logging], kept: [] });
    expect(said(item)).toContain(`work_mem='64MB', log_statement='none' (it decides what the server logs: check that the restored database should have it)`);
    expect(item.settings.map((s) => s.statement)).toEqual([`ALTER DATABASE "hr" SET "work_mem" TO '64MB'`, `ALTER DATABASE "hr" SET "log_statement" TO 'none'`]);
  });

  test('replacing, a setting the replaced database already has with the same value is not left out', () => {
    const kept = plainDumpLeftOut('replace', { database: 'hr', recorded: [workMem], kept: [workMem] });
    expect(kept.settings).toEqual([]);
    expect(said(kept)).toContain("The backed-up database's settings (work_mem='64MB') are the replaced database's own too.");
    const differs = plainDumpLeftOut('replace', { database: 'hr', recorded: [workMem], kept: [{ ...workMem, values: ['8MB'] }] });
    expect(differs.settings.map((s) => s.statement)).toEqual([`ALTER DATABASE "hr" SET "work_mem" TO '64MB'`]);
  });

  test('an imported dump (nothing recorded) says the settings are not known, and one with none says so', () => {
    expect(said(plainDumpLeftOut('create', { database: 'hr', recorded: undefined, kept: [] }))).toContain('Which settings the backed-up database had was not recorded');
    expect(said(plainDumpLeftOut('create', { database: 'hr', recorded: [], kept: [] }))).toContain('The backed-up database had no settings of its own.');
  });

  test('a setting an encrypted backup recorded by name only is named with why, offers no statement, and is never taken for one the replaced database has', () => {
    const secret = { role: 'api', name: 'app.jwt_secret', values: [], withheld: true as const };
    const item = plainDumpLeftOut('replace', { database: 'hr', recorded: [secret, workMem], kept: [{ role: 'api', name: 'app.jwt_secret', values: [''] }] });
    expect(said(item)).toContain('for role "api" app.jwt_secret (its value is not recorded: the backup is encrypted');
    expect(item.settings.map((s) => s.statement)).toEqual([null, `ALTER DATABASE "hr" SET "work_mem" TO '64MB'`]);
    expect(said(plainDumpLeftOut('create', { database: 'hr', recorded: [secret], kept: [] }))).toMatch(/yourself after the restore\.$/);
  });

  test("an encrypted backup's settings recorded by name only are named together, and why their values are missing is said once", () => {
    const secret = { role: 'api', name: 'app.jwt_secret', values: [], withheld: true as const };
    const path = { role: null, name: 'search_path', values: [], withheld: true as const };
    const memory = { role: null, name: 'work_mem', values: [], withheld: true as const };
    const text = said(plainDumpLeftOut('create', { database: 'hr', recorded: [secret, path, memory], kept: [] }));
    expect(text.match(/not recorded/g)).toHaveLength(1);
    expect(text).toContain(
      'the backed-up database had for role "api" app.jwt_secret, search_path and work_mem (their values are not recorded: the backup is encrypted, and a setting may be a secret, so the record kept in the clear beside it has names only; read them on the source database): set the ones the database needs yourself after the restore.',
    );
    const mixed = said(plainDumpLeftOut('create', { database: 'hr', recorded: [workMem, secret, path], kept: [] }));
    expect(mixed).toContain('had work_mem=\'64MB\', and for role "api" app.jwt_secret and search_path (their values are not recorded');
    expect(mixed.match(/not recorded/g)).toHaveLength(1);
  });

  test("a recorded value is the backup's words: a hint placeholder in it is said as written", () => {
    const hostile = { role: null, name: 'work_mem', values: ['{{no-owner}}'] };
    expect(said(plainDumpLeftOut('create', { database: 'hr', recorded: [hostile], kept: [] }))).toContain(`work_mem='{{no-owner}}'`);
  });
});
