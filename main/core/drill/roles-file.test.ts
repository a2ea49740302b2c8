import { describe, expect, test } from 'vitest';
import { decodeRolesFile, planRolesFile, RolesFileRefused } from './roles-file.ts';

// pg_dumpall 15.18 --globals-only --no-role-passwords, as a backup stores it.
const PG15_GLOBALS = String.raw`--
-- PostgreSQL database cluster dump
--

\restrict bdUBMCg5g8cT0wWew6kqp1VZ8GJtZOo1HGQgUJFY0Hx8xOSGYuged7ybO3bbnZn

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Roles
--

CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;
COMMENT ON ROLE app IS 'it''s app';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE "we""ird; x";
ALTER ROLE "we""ird; x" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;

--
-- User Config "app"
--

ALTER ROLE app SET work_mem TO '64MB';
ALTER ROLE app SET session_preload_libraries TO '/tmp/evil.so';

--
-- Role memberships
--

GRANT pg_read_all_data TO reporting GRANTED BY postgres;
GRANT reporting TO app GRANTED BY postgres;

--
-- Role privileges on configuration parameters
--

GRANT ALTER SYSTEM ON PARAMETER log_min_messages TO app;

--
-- Tablespaces
--

CREATE TABLESPACE fast OWNER postgres LOCATION '/srv/fast';

\unrestrict bdUBMCg5g8cT0wWew6kqp1VZ8GJtZOo1HGQgUJFY0Hx8xOSGYuged7ybO3bbnZn

--
-- PostgreSQL database cluster dump complete
--
`;

describe('planRolesFile', () => {
  test('applies the role definitions of a real pg_dumpall file and leaves out tablespaces, parameter privileges and library settings', () => {
    const plan = planRolesFile(PG15_GLOBALS);
    expect(plan.apply.map((s) => s.sql)).toEqual([
      'SET default_transaction_read_only = off',
      'SET standard_conforming_strings = on',
      'CREATE ROLE app',
      'ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS',
      "COMMENT ON ROLE app IS 'it''s app'",
      'CREATE ROLE postgres',
      'ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS',
      'CREATE ROLE "we""ird; x"',
      'ALTER ROLE "we""ird; x" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS',
      "ALTER ROLE app SET work_mem TO '64MB'",
      'GRANT pg_read_all_data TO reporting GRANTED BY postgres',
      'GRANT reporting TO app GRANTED BY postgres',
    ]);
    expect(plan.skipped.map((s) => s.why)).toEqual([
      'it loads a library into the server',
      'privileges on server parameters are not given in a sandbox',
      'a drill restores into the default tablespace',
    ]);
    expect(plan.apply.find((s) => s.sql.startsWith('CREATE ROLE app'))?.line).toBe(16);
  });

  test.each([
    ['a COPY to a program', "CREATE ROLE a;\nCOPY (SELECT 1) TO PROGRAM 'id > /tmp/x';\n", /line 2 .*not a role definition: COPY/],
    ['a function', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;', /not a role definition/],
    ['a second statement hidden after a role name on one line', 'CREATE ROLE a; DROP DATABASE shop;', /not a role definition: DROP DATABASE/],
    ['a psql shell escape', 'CREATE ROLE a;\n\\! id > /tmp/x\n', /line 2 .*a psql meta-command/],
    ['a \\connect', '\\connect shop\n', /a psql meta-command/],
    ['ALTER SYSTEM', "ALTER SYSTEM SET archive_command = 'id'", /not a role definition/],
    ['a setting for every role', "ALTER ROLE ALL SET search_path = 'evil'", /a setting for every role/],
    ['a role attribute list with something else in it', "ALTER ROLE a WITH LOGIN; SELECT pg_read_file('/etc/shadow')", /SELECT pg_read_file/],
    ['a privilege on a table', 'GRANT SELECT ON TABLE t TO a', /not a role definition/],
    ['an ALTER ROLE that renames', 'ALTER ROLE a RENAME TO b', /not a role attribute or setting/],
    ['SET ROLE', 'SET ROLE postgres', /not a role definition/],
    ['an unterminated string', "COMMENT ON ROLE a IS 'x", /unterminated string/],
    ["a setting for the sandbox's own superuser", "ALTER ROLE CURRENT_USER SET role TO 'app'", /about CURRENT_USER, not a role of the backup/],
    ["an attribute of the sandbox's own superuser", 'ALTER ROLE session_user WITH NOLOGIN', /about session_user/],
    ["a membership given to the sandbox's superuser", 'GRANT app TO CURRENT_ROLE', /about CURRENT_ROLE/],
    ['a membership given to everyone', 'GRANT pg_read_all_data TO public', /about public/],
  ])('refuses a file holding %s', (_what, text, message) => {
    expect(() => planRolesFile(text)).toThrow(RolesFileRefused);
    expect(() => planRolesFile(text)).toThrow(message);
  });

  test.each([
    ['dynamic_library_path', "ALTER ROLE app SET dynamic_library_path TO '/tmp/evil'"],
    ['plperl.on_plperl_init', `ALTER ROLE app IN DATABASE shop SET "plperl"."on_plperl_init" TO 'system("id")'`],
    ['pltcl.start_proc', "ALTER ROLE app SET pltcl.start_proc TO 'public.evil'"],
  ])('leaves out a role setting of %s, which runs code the backup names', (_name, sql) => {
    const plan = planRolesFile(`CREATE ROLE app;\n${sql};\n`);
    expect(plan.apply.map((s) => s.sql)).toEqual(['CREATE ROLE app']);
    expect(plan.skipped).toHaveLength(1);
  });

  // A set restore checks a new role's search_path by its schemas (pg/settings-from-backup.ts), read as the server reads them.
  test.each([
    ["ALTER ROLE app SET search_path TO 'evil', 'pg_catalog'", ['evil', 'pg_catalog']],
    ['ALTER ROLE app IN DATABASE shop SET search_path = Evil, PG_CATALOG', ['evil', 'pg_catalog']],
    [`ALTER ROLE app SET search_path TO "$user", "PG_CATALOG", 'a, pg_catalog'`, ['$user', 'PG_CATALOG', 'a, pg_catalog']],
    ["ALTER ROLE app SET work_mem = '8MB'", ['8MB']],
  ])('%s: the setting and its values as the server reads them', (sql, values) => {
    const plan = planRolesFile(`CREATE ROLE app;\n${sql};\n`);
    expect(plan.apply[1]?.setting?.values).toEqual(values);
  });

  // The server reads U&'pg\005Fcatalog', U&"pg\005Fcatalog" and 'pg_' <newline> 'catalog' as pg_catalog; the
  // file's statement is what runs, so a value the check would read otherwise must not pass it.
  test.each([
    ["ALTER ROLE app SET search_path TO 'evil', U&'pg\\005Fcatalog'"],
    ['ALTER ROLE app SET search_path TO evil, U&"pg\\005Fcatalog"'],
    ["ALTER ROLE app SET search_path TO 'evil', 'pg_'\n'catalog'"],
    ["ALTER ROLE app SET search_path TO 'evil', U&'pg!005Fcatalog' UESCAPE '!'"],
  ])('%s: a setting value pg_dumpall never writes refuses the file', (sql) => {
    expect(() => planRolesFile(`CREATE ROLE app;\n${sql};\n`)).toThrow(/line 2 .*setting value/);
  });

  test("a statement hidden after an E'' string's escaped quote is seen, as the server would run it", () => {
    // The splitter once read E'\'' as a standard string and kept the COPY inside one statement (which the
    // extended protocol then refused as two); it now reads it as the server does and refuses the file.
    expect(() => planRolesFile("CREATE ROLE a;\nALTER ROLE a SET x.y TO E'\\''; COPY (SELECT 1) TO PROGRAM 'id'; --';\n")).toThrow(/line 2 .*not a role definition: COPY/);
  });

  test('with standard_conforming_strings off, a backslash in a plain string escapes its quote', () => {
    const text = "SET standard_conforming_strings = off;\nCOMMENT ON ROLE a IS 'x\\'; COPY (SELECT 1) TO PROGRAM ''id''; --';\n";
    expect(() => planRolesFile(text)).toThrow(/line 2 .*not a role definition: COMMENT ON ROLE a IS 'x\\'; COPY/);
    expect(() => planRolesFile(text.replace('off', 'on'))).toThrow(/not a role definition: COPY/);
  });

  test.each([
    ['an unterminated quoted name', 'CREATE ROLE "a;\nDROP DATABASE shop;', /unterminated quoted name starts at line 1/],
    ['an unterminated dollar quote', 'CREATE ROLE a;\nCOMMENT ON ROLE a IS $x$ ; $y$;', /unterminated dollar-quoted string starts at line 2/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => planRolesFile(text)).toThrow(message);
  });

  test('a role quoted because its name is a keyword is a role like any other', () => {
    const text =
      'CREATE ROLE "current_user";\nALTER ROLE "current_user" WITH LOGIN;\nGRANT "public" TO "session_user" WITH ADMIN OPTION GRANTED BY postgres;\nALTER ROLE app SET search_path TO public, "$user";\nSET standard_conforming_strings = on;\n';
    expect(planRolesFile(text).apply).toHaveLength(5);
  });

  test('a quoted name holding a newline, a semicolon and a backslash stays one statement', () => {
    const text = 'CREATE ROLE "a;\n\\! id";\nGRANT "a;\n\\! id" TO b;\n';
    expect(planRolesFile(text).apply.map((s) => s.sql)).toEqual(['CREATE ROLE "a;\n\\! id"', 'GRANT "a;\n\\! id" TO b']);
  });

  test('semicolons inside comments, strings and dollar quotes do not split', () => {
    const text = '/* a; /* nested; */ b; */ CREATE ROLE "x;y"; COMMENT ON ROLE a IS \'x;y\'; -- c;\nCREATE ROLE b';
    expect(planRolesFile(text).apply.map((s) => s.sql)).toEqual(['CREATE ROLE "x;y"', "COMMENT ON ROLE a IS 'x;y'", 'CREATE ROLE b']);
  });
});

describe('the encoding pg_dumpall wrote the file in', () => {
  test("is read from its SET client_encoding, and that SET is not applied: the drill's session stays UTF-8", () => {
    const latin1 = Buffer.concat([Buffer.from("SET client_encoding = 'LATIN1';\nCREATE ROLE \"caf"), Buffer.from([0xe9]), Buffer.from('";\n')]);
    const text = decodeRolesFile(latin1);
    expect(text).toContain('CREATE ROLE "café"');
    expect(planRolesFile(text).apply.map((s) => s.sql)).toEqual(['CREATE ROLE "café"']);
    expect(decodeRolesFile(Buffer.from("SET client_encoding = 'WIN1251';\n\u00ff", 'latin1'))).toContain('я');
    expect(decodeRolesFile(Buffer.from('CREATE ROLE "café";\n'))).toBe('CREATE ROLE "café";\n');
    // SJIS is a client encoding only: no server's pg_dumpall writes it, and the server would read its bytes otherwise than this lexer.
    expect(planRolesFile("SET client_encoding TO 'SJIS';\nCREATE ROLE a;").apply.map((s) => s.sql)).toEqual(['CREATE ROLE a']);
  });

  test('a file in an encoding the drill cannot read, with characters beyond ASCII, is refused rather than read wrong', () => {
    expect(() => decodeRolesFile(Buffer.from('SET client_encoding = \'MULE_INTERNAL\';\nCREATE ROLE "\u00e9";\n', 'latin1'))).toThrow(RolesFileRefused);
    expect(decodeRolesFile(Buffer.from("SET client_encoding = 'MULE_INTERNAL';\nCREATE ROLE a;\n"))).toContain('CREATE ROLE a');
  });
});
