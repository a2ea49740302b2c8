import { describe, expect, test } from 'vitest';
import { ExecutedFunctionScanner } from './executed-function-scanner.ts';
import { executedFunctionsInSql, type ExecutedFunction } from './executed-functions.ts';

// Shaped like pg_dump 15's plain output (and pg_restore --schema-only's): functions first, then
// tables, data, and the post-data indexes, triggers and constraints.
const DUMP = String.raw`--
-- PostgreSQL database dump
--
\restrict abc123
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);

-- Name: audit_ok(integer); Type: FUNCTION; Schema: public; Owner: postgres
CREATE FUNCTION public.audit_ok(integer) RETURNS boolean
    LANGUAGE plpgsql
    AS $$ BEGIN RETURN public.helper(); END; $$;
CREATE FUNCTION public.helper() RETURNS boolean
    LANGUAGE sql
    AS $_$ SELECT true; $_$;
CREATE FUNCTION public.next_ref() RETURNS text LANGUAGE sql AS $$ SELECT 'r' $$;
CREATE FUNCTION public.gen(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
CREATE FUNCTION public.idx(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
CREATE FUNCTION public.stamp() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION public.positive(integer) RETURNS boolean
    LANGUAGE sql
    BEGIN ATOMIC
     SELECT ($1 > 0);
     SELECT CASE WHEN $1 > 0 THEN true ELSE false END;
    END;
CREATE FUNCTION public.unused() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE DOMAIN public.posint AS integer
	CONSTRAINT posint_check CHECK (public.positive(VALUE));
CREATE TABLE public.audit_flags (
    i integer,
    note text DEFAULT 'public.unused()',
    ref text DEFAULT public.next_ref(),
    g integer GENERATED ALWAYS AS (public.gen(i)) STORED,
    p public.posint,
    CONSTRAINT audit_flags_i_check CHECK (public.audit_ok(i))
);
-- a comment that mentions public.unused()
/* and /* a nested */ one: public.unused() */
COPY public.audit_flags (note, i, ref, p) FROM stdin;
SELECT public.unused();	1	r	1
CREATE TRIGGER x BEFORE INSERT ON public.audit_flags FOR EACH ROW EXECUTE FUNCTION public.unused();	2	r	2
\\.	3	r	3
\.

CREATE INDEX audit_flags_idx ON public.audit_flags USING btree (public.idx(i)) WHERE (public.audit_ok(i));
CREATE TRIGGER audit_flags_stamp BEFORE INSERT ON public.audit_flags FOR EACH ROW EXECUTE FUNCTION public.stamp();
ALTER TABLE public.audit_flags
    ADD CONSTRAINT later CHECK (public.audit_ok(i)) NOT VALID;
\unrestrict abc123
`;

const byName = (functions: ExecutedFunction[]) => Object.fromEntries(functions.map((f) => [f.function, f]));

describe('functions a restore runs, read from SQL', () => {
  test('pg_dump output: CHECKs, domains, generated columns and indexes run during the restore; triggers and DEFAULTs later', () => {
    const found = byName(executedFunctionsInSql(DUMP));
    expect(found).toEqual({
      'public.audit_ok': {
        function: 'public.audit_ok',
        usedBy: ['CHECK on public.audit_flags', 'index audit_flags_idx on public.audit_flags', 'CHECK on public.audit_flags (NOT VALID: later writes)'],
        securityDefiner: false,
        duringRestore: true,
      },
      'public.helper': { function: 'public.helper', usedBy: ['called by public.audit_ok'], securityDefiner: false, duringRestore: true },
      'public.positive': { function: 'public.positive', usedBy: ['CHECK on domain public.posint'], securityDefiner: false, duringRestore: true },
      'public.gen': { function: 'public.gen', usedBy: ['generated column public.audit_flags.g'], securityDefiner: false, duringRestore: true },
      'public.idx': { function: 'public.idx', usedBy: ['index audit_flags_idx on public.audit_flags'], securityDefiner: false, duringRestore: true },
      'public.next_ref': { function: 'public.next_ref', usedBy: ['DEFAULT on public.audit_flags.ref (later inserts)'], securityDefiner: false, duringRestore: false },
      'public.stamp': { function: 'public.stamp', usedBy: ['trigger audit_flags_stamp on public.audit_flags (later writes)'], securityDefiner: true, duringRestore: false },
    });
    // String literals, comments and COPY data that look like calls are not calls.
    expect(found['public.unused']).toBeUndefined();
  });

  test('the same result whatever the chunking, with CRLF line ends and a COPY terminator split across chunks', () => {
    const expected = executedFunctionsInSql(DUMP);
    const crlf = Buffer.from(DUMP.replace(/\n/g, '\r\n'));
    for (const size of [1, 2, 3, 7, 64]) {
      for (const bytes of [Buffer.from(DUMP), crlf]) {
        const scanner = new ExecutedFunctionScanner();
        for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
        expect(scanner.finish()).toEqual(expected);
      }
    }
  });

  test('a dump without such uses lists nothing', () => {
    expect(
      executedFunctionsInSql(
        'CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE TABLE public.t (i integer CHECK (i > 0), d integer DEFAULT 1);\nCREATE VIEW public.v AS SELECT public.f() AS f;\n',
      ),
    ).toEqual([]);
  });

  test('materialized views run their query (through views too) when refreshed; one left WITH NO DATA runs later', () => {
    const sql = `
      CREATE FUNCTION public.slow(integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE FUNCTION public.lazy() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE VIEW public.v AS SELECT public.slow(t.i) AS s FROM public.t;
      CREATE MATERIALIZED VIEW public.mv AS SELECT v.s FROM public.v WITH NO DATA;
      CREATE MATERIALIZED VIEW public.empty AS SELECT public.lazy() AS l WITH NO DATA;
      REFRESH MATERIALIZED VIEW public.mv;
    `;
    expect(executedFunctionsInSql(sql)).toEqual([
      { function: 'public.slow', usedBy: ['materialized view public.mv'], securityDefiner: false, duringRestore: true },
      { function: 'public.lazy', usedBy: ['materialized view public.empty (later refreshes)'], securityDefiner: false, duringRestore: false },
    ]);
  });

  test('event triggers, aggregates, DO blocks, quoted names and old unqualified dumps', () => {
    const sql = `
      SET search_path = app, pg_catalog;
      CREATE FUNCTION "Odd Fn"(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
      CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
      CREATE FUNCTION step(integer, integer) RETURNS integer LANGUAGE sql AS $$ SELECT $1 + $2 $$;
      CREATE AGGREGATE total(integer) (SFUNC = step, STYPE = integer);
      CREATE FUNCTION setup() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE TABLE "Flags" (i integer, CONSTRAINT c CHECK ("Odd Fn"(i)));
      CREATE MATERIALIZED VIEW sums AS SELECT total(i) FROM "Flags";
      CREATE EVENT TRIGGER watch ON ddl_command_end
         EXECUTE FUNCTION on_ddl();
      DO $$ BEGIN PERFORM setup(); END $$;
    `;
    expect(byName(executedFunctionsInSql(sql))).toEqual({
      'app.Odd Fn': { function: 'app.Odd Fn', usedBy: ['CHECK on app.Flags'], securityDefiner: false, duringRestore: true },
      'app.on_ddl': { function: 'app.on_ddl', usedBy: ["event trigger watch (fires on the restore's later DDL)"], securityDefiner: false, duringRestore: true },
      'app.total': { function: 'app.total', usedBy: ['materialized view app.sums'], securityDefiner: false, duringRestore: true },
      'app.step': { function: 'app.step', usedBy: ['called by app.total'], securityDefiner: false, duringRestore: true },
      'app.setup': { function: 'app.setup', usedBy: ['DO block in the backup'], securityDefiner: false, duringRestore: true },
    });
  });

  test('a call psql runs after a comment ended by a carriage return is seen (psql ends -- comments at \\r)', () => {
    const sql = 'CREATE FUNCTION public.setup() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE TABLE public.t (i integer); -- note\rCREATE INDEX t_i ON public.t ((public.setup()));\n';
    expect(Object.keys(byName(executedFunctionsInSql(sql)))).toEqual(['public.setup']);
  });

  test('an ALTER TABLE … SET DEFAULT is for later inserts; ADD COLUMN … DEFAULT fills the rows already there', () => {
    const sql = `
      CREATE FUNCTION public.d() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
      CREATE FUNCTION public.e() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
      ALTER TABLE ONLY public.t ALTER COLUMN a SET DEFAULT public.d();
      ALTER TABLE public.t ADD COLUMN b integer DEFAULT public.e(), ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES public.d(a);
    `;
    expect(executedFunctionsInSql(sql)).toEqual([
      { function: 'public.e', usedBy: ['DEFAULT on public.t.b'], securityDefiner: false, duringRestore: true },
      { function: 'public.d', usedBy: ['DEFAULT on public.t.a (later inserts)'], securityDefiner: false, duringRestore: false },
    ]);
  });
});

describe('calls that reach beyond the database, run by the restore itself', () => {
  const beyondIn = (sql: string) => {
    const scanner = new ExecutedFunctionScanner();
    scanner.push(Buffer.from(sql));
    scanner.finish();
    return scanner.beyondDatabase;
  };

  test.each([
    ['a CHECK evaluated for every row COPY loads', "CREATE TABLE public.t (a integer CHECK (public.dblink_exec('dbname=postgres', 'ALTER ROLE app SUPERUSER') IS NOT NULL));\n"],
    [
      'a backup function a CHECK calls',
      "CREATE FUNCTION public.ok(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT lo_import('/etc/passwd') > 0 $$;\nCREATE TABLE public.t (a integer, CONSTRAINT c CHECK (public.ok(a)));\n",
    ],
    [
      'a materialized view refreshed by the restore',
      'CREATE MATERIALIZED VIEW public.mv AS SELECT pg_terminate_backend(pid) FROM pg_stat_activity WITH NO DATA;\nREFRESH MATERIALIZED VIEW public.mv;\n',
    ],
  ])('in %s: refused', (_where, sql) => {
    expect(beyondIn(sql)).toEqual([expect.stringContaining('reaches beyond the database')]);
  });

  test('the same calls where the restore does not run them (a view, a trigger for later writes) are not refused', () => {
    const sql =
      "CREATE VIEW public.v AS SELECT * FROM public.dblink('dbname=other', 'SELECT 1') AS x(a integer);\n" +
      'CREATE FUNCTION public.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_cancel_backend(1); RETURN NEW; END $$;\n' +
      'CREATE TRIGGER t AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf();\n';
    expect(beyondIn(sql)).toEqual([]);
  });
});
