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
    // Statements pg_dump never writes that run a query (and so any call) or act on the server.
    "INSERT INTO public.t SELECT lo_import('');",
    "INSERT INTO public.t VALUES (pg_read_file(''));",
    "INSERT INTO public.t (a) VALUES (1), ((SELECT dblink_exec('', '')));",
    "UPDATE public.t SET a = lo_import('');",
    'DELETE FROM public.t WHERE pg_terminate_backend(1);',
    'EXPLAIN ANALYZE SELECT pg_terminate_backend(pid) FROM pg_stat_activity;',
    "PREPARE p AS SELECT dblink_exec('', '');",
    'EXECUTE p;',
    'DECLARE c CURSOR FOR SELECT 1;',
    "CREATE TABLE public.stolen AS SELECT pg_read_file('');",
    'CREATE UNLOGGED TABLE public.stolen (a) AS EXECUTE p;',
    'MERGE INTO public.t USING public.u ON true WHEN MATCHED THEN DELETE;',
    'CHECKPOINT;',
    // A subscription that connects: to another database of this server, or any host the server can reach.
    "CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p;",
    "CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p WITH (create_slot = false);",
    'ALTER SUBSCRIPTION s ENABLE;',
    "ALTER SUBSCRIPTION s CONNECTION '';",
    'VACUUM FULL;',
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
    // pg_dump --inserts (--column-inserts, --rows-per-insert, --on-conflict-do-nothing), and the rest of its statements.
    "INSERT INTO public.t VALUES (1, '', NULL, true, -1.5e+3, B'', E'', DEFAULT);",
    "INSERT INTO public.t (a, \"b (c)\") OVERRIDING SYSTEM VALUE VALUES (1, ''), (2, '') ON CONFLICT DO NOTHING;",
    'CREATE TABLE public.g (a integer, b integer GENERATED ALWAYS AS ((a * 2)) STORED);',
    'CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS one WITH NO DATA;',
    'REFRESH MATERIALIZED VIEW public.mv;',
    'DROP TABLE IF EXISTS public.t;',
    'BEGIN;',
    'COMMIT;',
    'RESET SESSION AUTHORIZATION;',
    "SECURITY LABEL FOR selinux ON TABLE public.t IS '';",
    'TRUNCATE TABLE ONLY public.t;',
    // pg_dump's subscriptions never connect while restored.
    "CREATE SUBSCRIPTION s CONNECTION '' PUBLICATION p WITH (connect = false, slot_name = '');",
    'ALTER SUBSCRIPTION s OWNER TO app;',
  ])('%s passes', (statement) => {
    expect(beyondDatabase(statement)).toBeUndefined();
  });
});
