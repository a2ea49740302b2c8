// What a restore refuses to send: statements that act beyond the database it writes into, while
// everything pg_dump writes for one database passes.
import { describe, expect, test } from 'vitest';
import { beyondDatabase } from './beyond-database.ts';

describe('beyondDatabase', () => {
  test.each([
    'ALTER DATABASE victim RENAME TO victim_renamed;',
    "CREATE ROLE evil SUPERUSER LOGIN PASSWORD '';",
    "ALTER ROLE postgres PASSWORD '';",
    'ALTER USER postgres SET work_mem = 1;',
    'DROP ROLE app;',
    "COMMENT ON DATABASE other IS '';",
    'REVOKE CONNECT ON DATABASE shop FROM PUBLIC;',
    'GRANT pg_execute_server_program TO app;',
    'REVOKE postgres FROM app;',
    'ALTER SYSTEM SET archive_command = ;',
    'REASSIGN OWNED BY app TO evil;',
    "SELECT dblink_exec('', '');",
    'SELECT public.anything();',
    'DO $$$$;',
    "COPY public.t FROM PROGRAM '';",
    "COPY public.t (a) TO '';",
    "LOAD '';",
    'WITH x AS (SELECT 1) SELECT 1;',
    // pg_dump's own call with a call inside its arguments, which pg_dump never writes.
    "SELECT pg_catalog.set_config('', (SELECT dblink_exec('', '')), false);",
    "SELECT pg_catalog.setval('', public.evil(), false);",
    "SELECT * FROM pg_catalog.pg_restore_relation_stats('', '', '', lo_import(''));",
  ])('%s is refused', (statement) => {
    expect(beyondDatabase(statement)).toEqual(expect.any(String));
  });

  test.each([
    "SELECT pg_catalog.set_config('', '', false);",
    "SELECT pg_catalog.setval('', 1, false);",
    "SELECT pg_catalog.lo_create('');",
    // pg_dump --clean's large objects, and --statistics (pg_dump 18) as it writes them.
    "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '';",
    "SELECT pg_catalog.lo_unlink('');",
    "SELECT * FROM pg_catalog.pg_restore_relation_stats( '', ''::integer, '', ''::regclass, '', ''::integer, '', ''::real, '', ''::integer );",
    "SELECT * FROM pg_catalog.pg_restore_attribute_stats( '', ''::integer, '', ''::name, '', ''::name, '', ''::name, '', ''::boolean, '', ''::real, '', ''::text );",
    'COPY public.t (a, "b c") FROM stdin;',
    'CREATE TABLE public.t (a integer);',
    'ALTER TABLE public.t OWNER TO app;',
    'GRANT SELECT ON TABLE public.t TO reader;',
    'REVOKE ALL ON SCHEMA public FROM PUBLIC;',
    'GRANT SELECT(a) ON TABLE public.t TO reader;',
    'ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES TO reader;',
    "COMMENT ON TABLE public.t IS '';",
    "SET client_encoding = '';",
    'CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;',
    // A foreign server's user mapping is the database's own (postgres_fdw), not a role.
    'CREATE USER MAPPING FOR app SERVER remote OPTIONS ( "user" \'\' );',
    'ALTER USER MAPPING FOR PUBLIC SERVER remote OPTIONS (DROP password);',
  ])('%s passes', (statement) => {
    expect(beyondDatabase(statement)).toBeUndefined();
  });
});
