import { describe, expect, test } from 'vitest';
import { planRolesFile, RolesFileRefused, splitStatements } from './roles-file.ts';

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
      "SET client_encoding = 'UTF8'",
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
      'it loads libraries when the role logs in',
      'privileges on server parameters are not given in a sandbox',
      'a drill restores into the default tablespace',
    ]);
    expect(plan.apply.find((s) => s.sql.startsWith('CREATE ROLE app'))?.line).toBe(16);
  });

  test.each([
    ['a COPY to a program', "CREATE ROLE a;\nCOPY (SELECT 1) TO PROGRAM 'id > /tmp/x';\n", /line 2 .*not a role definition: COPY/],
    ['a function', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;', /not a role definition/],
    ['a second statement hidden after a role name on one line', 'CREATE ROLE a; DROP DATABASE shop;', /not a role definition: DROP DATABASE/],
    ['a psql shell escape', "CREATE ROLE a;\n\\! id > /tmp/x\n", /line 2 .*a psql meta-command/],
    ['a \\connect', '\\connect shop\n', /a psql meta-command/],
    ['ALTER SYSTEM', "ALTER SYSTEM SET archive_command = 'id'", /not a role definition/],
    ['a setting for every role', "ALTER ROLE ALL SET search_path = 'evil'", /a setting for every role/],
    ['a role attribute list with something else in it', "ALTER ROLE a WITH LOGIN; SELECT pg_read_file('/etc/shadow')", /SELECT pg_read_file/],
    ['a privilege on a table', 'GRANT SELECT ON TABLE t TO a', /not a role definition/],
    ['an ALTER ROLE that renames', 'ALTER ROLE a RENAME TO b', /not a role attribute or setting/],
    ['SET ROLE', 'SET ROLE postgres', /not a role definition/],
    ['an unterminated string', "COMMENT ON ROLE a IS 'x", /unterminated string/],
    ['a setting for the sandbox\'s own superuser', "ALTER ROLE CURRENT_USER SET role TO 'app'", /about CURRENT_USER, not a role of the backup/],
    ['an attribute of the sandbox\'s own superuser', 'ALTER ROLE session_user WITH NOLOGIN', /about session_user/],
    ['a membership given to the sandbox\'s superuser', 'GRANT app TO CURRENT_ROLE', /about CURRENT_ROLE/],
    ['a membership given to everyone', 'GRANT pg_read_all_data TO public', /about public/],
  ])('refuses a file holding %s', (_what, text, message) => {
    expect(() => planRolesFile(text)).toThrow(RolesFileRefused);
    expect(() => planRolesFile(text)).toThrow(message);
  });

  test('a string the splitter reads otherwise than the server (an E\'\' string) stays one statement to the splitter, which the extended protocol refuses as two', () => {
    // pg_dumpall writes E'' only for a server with standard_conforming_strings off, and then says so; the server still gets the text alone.
    const plan = planRolesFile("CREATE ROLE a;\nALTER ROLE a SET x.y TO E'\\''; COPY (SELECT 1) TO PROGRAM 'id'; --';\n");
    expect(plan.apply.map((s) => s.sql)).toEqual(['CREATE ROLE a', "ALTER ROLE a SET x.y TO E'\\''; COPY (SELECT 1) TO PROGRAM 'id'; --'"]);
  });

  test('a role quoted because its name is a keyword is a role like any other', () => {
    const text = 'CREATE ROLE "current_user";\nALTER ROLE "current_user" WITH LOGIN;\nGRANT "public" TO "session_user" WITH ADMIN OPTION GRANTED BY postgres;\nALTER ROLE app SET search_path TO public, "$user";\nSET standard_conforming_strings = on;\n';
    expect(planRolesFile(text).apply).toHaveLength(5);
  });

  test('a quoted name holding a newline, a semicolon and a backslash stays one statement', () => {
    const text = 'CREATE ROLE "a;\n\\! id";\nGRANT "a;\n\\! id" TO b;\n';
    expect(planRolesFile(text).apply.map((s) => s.sql)).toEqual(['CREATE ROLE "a;\n\\! id"', 'GRANT "a;\n\\! id" TO b']);
  });

  test('semicolons inside comments, strings and dollar quotes do not split', () => {
    expect(splitStatements("/* a; /* nested; */ b; */ SELECT 'x;y', $t$ ; $t$; -- c;\nSELECT 2").map((s) => s.sql)).toEqual(["SELECT 'x;y', $t$ ; $t$", 'SELECT 2']);
  });
});
