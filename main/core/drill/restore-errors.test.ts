import { describe, expect, test } from 'vitest';
import { RestoreErrorCollector } from './restore-errors.ts';

const collect = (text: string) => {
  const collector = new RestoreErrorCollector();
  for (const line of text.split('\n')) collector.onLine(line);
  return collector.report();
};

// pg_restore 15.18 -j2 --verbose into a database owned by an ordinary role (LC_MESSAGES=C).
const PG_RESTORE_STDERR = `pg_restore: connecting to database for restore
pg_restore: creating FUNCTION "public.cfun(integer)"
pg_restore: while PROCESSING TOC:
pg_restore: from TOC entry 255; 1255 16432 FUNCTION cfun(integer) postgres
pg_restore: error: could not execute query: ERROR:  permission denied for language internal
Command was: CREATE FUNCTION public.cfun(integer) RETURNS integer
    LANGUAGE internal
    AS $$int4abs$$;


pg_restore: error: could not execute query: ERROR:  role "postgres" does not exist
Command was: ALTER FUNCTION public.cfun(integer) OWNER TO postgres;

pg_restore: from TOC entry 216; 1259 16429 TABLE t postgres
pg_restore: error: could not execute query: ERROR:  permission denied for schema public
Command was: ALTER TABLE public.t OWNER TO postgres;

pg_restore: entering main parallel loop
pg_restore: WARNING:  caught must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program
pg_restore: from TOC entry 3240; 3466 16423 EVENT TRIGGER ddl_watch postgres
pg_restore: error: could not execute query: ERROR:  permission denied to create event trigger "ddl_watch"
HINT:  Must be superuser to create an event trigger.
Command was: CREATE EVENT TRIGGER ddl_watch ON ddl_command_start
   EXECUTE FUNCTION public.f();


pg_restore: error: could not execute query: ERROR:  event trigger "ddl_watch" does not exist
Command was: ALTER EVENT TRIGGER ddl_watch OWNER TO postgres;

pg_restore: from TOC entry 3300; 0 16429 TABLE DATA t postgres
pg_restore: error: COPY failed for table "t": ERROR:  invalid input syntax for type integer: "x"
pg_restore: finished main parallel loop
pg_restore: warning: errors ignored on restore: 6
`;

describe('RestoreErrorCollector', () => {
  test('sorts pg_restore errors into needs-a-superuser, owner-not-set and failures, one entry per TOC item', () => {
    const report = collect(PG_RESTORE_STDERR);
    expect(report.needsSuperuser).toEqual([
      { object: 'FUNCTION cfun(integer)', message: 'permission denied for language internal' },
      { object: 'EVENT TRIGGER ddl_watch', message: 'permission denied to create event trigger "ddl_watch" HINT:  Must be superuser to create an event trigger.' },
    ]);
    expect(report.ownerNotSet).toEqual([{ object: 'TABLE t', message: 'permission denied for schema public' }]);
    expect(report.failures).toEqual([{ object: 'TABLE DATA t', message: 'COPY failed for table "t": ERROR:  invalid input syntax for type integer: "x"' }]);
  });

  test('psql errors of a plain script are named by line; without the failed statement, none counts as needing a superuser', () => {
    const report = collect(
      `psql:<stdin>:42: ERROR:  permission denied to create event trigger "w"\nHINT:  Must be superuser to create an event trigger.\npsql:<stdin>:42: STATEMENT:  CREATE EVENT TRIGGER w ON ddl_command_start EXECUTE FUNCTION f();\npsql:<stdin>:50: ERROR:  relation "nope" does not exist\npsql:<stdin>:60: ERROR:  must be superuser\n`,
    );
    expect(report.needsSuperuser.map((p) => p.object)).toEqual(['line 42']);
    expect(report.failures).toEqual([
      { object: 'line 50', message: 'relation "nope" does not exist' },
      { object: 'line 60', message: 'must be superuser' },
    ]);
  });

  test('an error pg_restore gives before any TOC entry (it could not connect) is a failure', () => {
    expect(collect('pg_restore: error: connection to server failed: FATAL:  role "x" does not exist\n').failures).toEqual([
      { object: 'the archive', message: 'connection to server failed: FATAL:  role "x" does not exist' },
    ]);
  });

  test("a failed row's data never reaches the report: DETAIL and CONTEXT (a key's values, the COPY line) are dropped, each message is capped", () => {
    const row = 'SECRET-ROW-DATA '.repeat(50);
    const report = collect(
      [
        'pg_restore: from TOC entry 3301; 0 16430 TABLE DATA users postgres',
        'pg_restore: error: COPY failed for table "users": ERROR:  duplicate key value violates unique constraint "users_pkey"',
        `DETAIL:  Key (email)=(${row}) already exists.`,
        `CONTEXT:  COPY users, line 2: "${row}"`,
        'pg_restore: from TOC entry 3302; 0 16431 TABLE DATA notes postgres',
        `pg_restore: error: COPY failed for table "notes": ERROR:  value too long for type character varying(10): ${row}`,
        '',
      ].join('\n'),
    );
    expect(JSON.stringify(report)).not.toContain(`${'SECRET-ROW-DATA '.repeat(20)}`);
    expect(JSON.stringify(report.failures[0])).not.toContain('SECRET-ROW-DATA');
    expect(report.failures[0]!.message).toContain('duplicate key value violates unique constraint "users_pkey"');
    for (const failure of report.failures) expect(failure.message.length).toBeLessThanOrEqual(300);
  });

  test('nothing wrong, nothing reported', () => {
    expect(collect('pg_restore: connecting to database for restore\npg_restore: creating TABLE "public.t"\n')).toEqual({ needsSuperuser: [], ownerNotSet: [], failures: [] });
  });
});

describe('RestoreErrorCollector with psql reading stdin', () => {
  test('an error is named by the statement --echo-errors prints after it', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'ERROR:  permission denied to create event trigger "w"',
      'HINT:  Must be superuser to create an event trigger.',
      'STATEMENT:  CREATE EVENT TRIGGER w ON ddl_command_start',
      '         EXECUTE FUNCTION public.f();',
      'ERROR:  permission denied for schema public',
      'STATEMENT:  ALTER TABLE public.t OWNER TO boss;',
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser.map((p) => p.object)).toEqual(['CREATE EVENT TRIGGER w ON ddl_command_start']);
    expect(report.ownerNotSet.map((p) => p.object)).toEqual(['ALTER TABLE public.t OWNER TO boss;']);
    expect(report.failures).toEqual([]);
  });

  test('a meta-command psql refused (the script is fenced by \\restrict) fails the drill', () => {
    const report = collect('backslash commands are restricted; only \\unrestrict is allowed\nERROR:  permission denied for schema public\nSTATEMENT:  ALTER TABLE public.t OWNER TO boss;');
    expect(report.failures).toEqual([{ object: 'a psql meta-command of the script', message: 'backslash commands are restricted; only \\unrestrict is allowed' }]);
    expect(report.ownerNotSet).toHaveLength(1);
  });
});

describe("RestoreErrorCollector does not take a dump's own words for a superuser refusal", () => {
  test('an index, a COPY or a constraint that failed with "must be superuser" in its text is a failure', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'pg_restore: from TOC entry 3100; 1259 16500 INDEX t_expr postgres',
      'pg_restore: error: could not execute query: ERROR:  must be superuser to do this, says the function',
      'Command was: CREATE INDEX t_expr ON public.t USING btree (public.evil(v));',
      '',
      'pg_restore: from TOC entry 3300; 0 16429 TABLE DATA t postgres',
      'pg_restore: error: COPY failed for table "t": ERROR:  must be superuser',
      'ERROR:  permission denied to create event trigger "fake"',
      'STATEMENT:  INSERT INTO t VALUES (1);',
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser).toEqual([]);
    expect(report.failures.map((p) => p.object)).toEqual(['INDEX t_expr', 'TABLE DATA t', 'INSERT INTO t VALUES (1);']);
  });

  test('superuser-only kinds still count: an untrusted language, an extension, a C function, their comments and ACLs', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'pg_restore: from TOC entry 1; 3079 16384 EXTENSION plperlu postgres',
      'pg_restore: error: could not execute query: ERROR:  permission denied to create extension "plperlu"',
      'Command was: CREATE EXTENSION IF NOT EXISTS plperlu WITH SCHEMA pg_catalog;',
      '',
      'pg_restore: from TOC entry 2; 0 0 COMMENT EXTENSION plperlu postgres',
      'pg_restore: error: could not execute query: ERROR:  must be owner of extension plperlu',
      "Command was: COMMENT ON EXTENSION plperlu IS 'PL/PerlU';",
      '',
      'ERROR:  permission denied for language c',
      "STATEMENT:  CREATE OR REPLACE FUNCTION public.f() RETURNS int LANGUAGE c AS 'x', 'y';",
    ])
      collector.onLine(line);
    expect(collector.report().needsSuperuser.map((p) => p.object)).toEqual([
      'EXTENSION plperlu',
      'COMMENT EXTENSION plperlu',
      "CREATE OR REPLACE FUNCTION public.f() RETURNS int LANGUAGE c AS 'x', 'y';",
    ]);
  });
});

describe('what goes with an object restored without', () => {
  test('the comment on an untrusted extension the sandbox could not create goes with it, not into the failures; "(no owner)" is not part of a name', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'pg_restore: from TOC entry 2; 3079 16385 EXTENSION file_fdw (no owner)',
      'pg_restore: error: could not execute query: ERROR:  permission denied to create extension "file_fdw"',
      'HINT:  Must be superuser to create this extension.',
      'Command was: CREATE EXTENSION IF NOT EXISTS file_fdw WITH SCHEMA public;',
      '',
      'pg_restore: from TOC entry 3350; 0 0 COMMENT EXTENSION file_fdw (no owner)',
      'pg_restore: error: could not execute query: ERROR:  extension "file_fdw" does not exist',
      "Command was: COMMENT ON EXTENSION file_fdw IS 'foreign-data wrapper for flat file access';",
      '',
      'pg_restore: from TOC entry 3351; 0 0 COMMENT TABLE gone alice',
      'pg_restore: error: could not execute query: ERROR:  relation "public.gone" does not exist',
      "Command was: COMMENT ON TABLE public.gone IS 'x';",
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser.map((p) => p.object)).toEqual(['EXTENSION file_fdw', 'COMMENT EXTENSION file_fdw']);
    expect(report.needsSuperuser[1]!.message).toContain('belongs to EXTENSION file_fdw');
    // A comment on something that is missing for another reason is still a failure.
    expect(report.failures.map((p) => p.object)).toEqual(['COMMENT TABLE gone']);
  });

  test('the same for a plain script through psql: the comment statement goes with the extension it names', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'ERROR:  permission denied to create extension "file_fdw"',
      'HINT:  Must be superuser to create this extension.',
      'STATEMENT:  CREATE EXTENSION IF NOT EXISTS file_fdw WITH SCHEMA public;',
      'ERROR:  extension "file_fdw" does not exist',
      "STATEMENT:  COMMENT ON EXTENSION file_fdw IS 'foreign-data wrapper for flat file access';",
      'ERROR:  relation "public.gone" does not exist',
      "STATEMENT:  COMMENT ON TABLE public.gone IS 'x';",
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser.map((p) => p.object)).toEqual([
      'CREATE EXTENSION IF NOT EXISTS file_fdw WITH SCHEMA public;',
      "COMMENT ON EXTENSION file_fdw IS 'foreign-data wrapper for flat file access';",
    ]);
    expect(report.failures.map((p) => p.object)).toEqual(["COMMENT ON TABLE public.gone IS 'x';"]);
  });

  // A database using postgres_fdw (pg_dump 15.18 of it, drilled as an ordinary role): the server and
  // its user mapping fail only because the untrusted extension that provides their wrapper was not
  // created. The drill failed a genuine backup on them ("2 objects did not restore").
  test("a foreign server on an extension's wrapper, its owner and its user mapping go with the extension", () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'pg_restore: from TOC entry 2; 3079 16500 EXTENSION postgres_fdw (no owner)',
      'pg_restore: error: could not execute query: ERROR:  permission denied to create extension "postgres_fdw"',
      'HINT:  Must be superuser to create this extension.',
      'Command was: CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public;',
      '',
      'pg_restore: from TOC entry 3390; 1417 16510 SERVER remote_pg postgres',
      'pg_restore: error: could not execute query: ERROR:  foreign-data wrapper "postgres_fdw" does not exist',
      'Command was: CREATE SERVER remote_pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (',
      "    dbname 'postgres',",
      "    host '127.0.0.1'",
      ');',
      '',
      'pg_restore: error: could not execute query: ERROR:  server "remote_pg" does not exist',
      'Command was: ALTER SERVER remote_pg OWNER TO postgres;',
      '',
      'pg_restore: from TOC entry 3391; 1418 16511 USER MAPPING USER MAPPING app_reader SERVER remote_pg postgres',
      'pg_restore: error: could not execute query: ERROR:  server "remote_pg" does not exist',
      'Command was: CREATE USER MAPPING FOR app_reader SERVER remote_pg OPTIONS (',
      '    "user" \'app_reader\'',
      ');',
      '',
      'pg_restore: from TOC entry 3392; 1417 16512 SERVER other_pg postgres',
      'pg_restore: error: could not execute query: ERROR:  foreign-data wrapper "dblink_fdw" does not exist',
      'Command was: CREATE SERVER other_pg FOREIGN DATA WRAPPER dblink_fdw;',
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser.map((p) => p.object)).toEqual(['EXTENSION postgres_fdw', 'SERVER remote_pg', 'USER MAPPING USER MAPPING app_reader SERVER remote_pg']);
    expect(report.needsSuperuser[1]!.message).toBe('not restored: it needs EXTENSION postgres_fdw, which needs a superuser');
    expect(report.needsSuperuser[2]!.message).toBe('not restored: it needs SERVER remote_pg, which was not restored either (EXTENSION postgres_fdw needs a superuser)');
    // A wrapper missing for another reason (no skipped extension provides it) is still a failure.
    expect(report.failures.map((p) => p.object)).toEqual(['SERVER other_pg']);
    expect(report.ownerNotSet).toEqual([]);
  });

  test('the same for a plain script through psql: the server, its owner and its user mapping go with the extension', () => {
    const collector = new RestoreErrorCollector();
    for (const line of [
      'ERROR:  permission denied to create extension "postgres_fdw"',
      'HINT:  Must be superuser to create this extension.',
      'STATEMENT:  CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public;',
      'ERROR:  foreign-data wrapper "postgres_fdw" does not exist',
      'STATEMENT:  CREATE SERVER remote_pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (',
      "    dbname 'postgres',",
      "    host '127.0.0.1'",
      ');',
      'ERROR:  server "remote_pg" does not exist',
      'STATEMENT:  ALTER SERVER remote_pg OWNER TO postgres;',
      'ERROR:  server "remote_pg" does not exist',
      'STATEMENT:  CREATE USER MAPPING FOR app_reader SERVER remote_pg OPTIONS (',
      '    "user" \'app_reader\'',
      ');',
    ])
      collector.onLine(line);
    const report = collector.report();
    expect(report.needsSuperuser).toHaveLength(4);
    expect(report.failures).toEqual([]);
    // Not "owned by the drill's role": the server was never created.
    expect(report.ownerNotSet).toEqual([]);
  });
});
