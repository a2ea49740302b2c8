import { describe, expect, test } from 'vitest';
import { MAX_STDERR_LINE } from './child.ts';
import { keepToolOutput, MAX_TOOL_OUTPUT } from './tool-output.ts';

describe("what a run keeps of its tools' stderr", () => {
  test('each tool under its own header; row data, passwords and over-long lines never kept', () => {
    const kept = keepToolOutput([
      {
        tool: 'pg_dump',
        stderr: [
          'pg_dump: warning: there are circular foreign-key constraints on this table:',
          'pg_dump: error: connection to server failed: postgresql://app:s3cret@db/app',
          'DETAIL:  Key (email)=(alice@example.com) already exists.',
          "psql:roles.sql:3: ERROR:  syntax error at ALTER ROLE app PASSWORD 'hunter2'",
          "pg_dump: error: could not connect: host=db password='p w' user=app",
          `pg_dump: ${'x'.repeat(1000)}`,
          '',
        ].join('\n'),
      },
      { tool: 'pg_dumpall', stderr: '' },
      { tool: 'psql', stderr: 'CONTEXT:  COPY users, line 1: "1\tsecret row"\npsql: done\n' },
    ]);
    expect(kept?.truncated).toBe(false);
    const text = kept!.text;
    expect(text.startsWith('── pg_dump ──\npg_dump: warning: there are circular')).toBe(true);
    expect(text).toContain('── psql ──\npsql: done');
    expect(text).not.toContain('pg_dumpall');
    for (const secret of ['s3cret', 'alice@example.com', 'hunter2', "'p w'", 'secret row']) expect(text).not.toContain(secret);
    expect(text).toContain('postgresql://app:…@db/app');
    expect(text).toContain("PASSWORD '…'");
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(MAX_STDERR_LINE);
  });

  test("a restore's or drill's tool keeps its own message lines and the statement that failed, but never the rows it echoes", () => {
    const kept = keepToolOutput([
      {
        tool: 'pg_restore',
        restoresContent: true,
        stderr: [
          'pg_restore: error: could not execute query: ERROR:  role "gone_owner" does not exist',
          "Command was: INSERT INTO public.users VALUES (1, 'plaintext row');",
          'pg_restore: error: could not execute query: ERROR:  role "gone_owner" does not exist',
          'Command was: ALTER TABLE public.users OWNER TO gone_owner;',
          'pg_restore: error: could not execute query: ERROR:  function public.evil(integer) does not exist',
          'Command was: CREATE FUNCTION public.cfun(integer) RETURNS integer',
          '    LANGUAGE sql',
          "    AS $$ SELECT 'body' $$;",
          'pg_restore: warning: errors ignored on restore: 1',
          '',
        ].join('\n'),
      },
      {
        tool: 'psql',
        restoresContent: true,
        stderr: ['psql:<stdin>:12: ERROR:  duplicate key value violates unique constraint "users_pkey"', 'psql:<stdin>:12: STATEMENT:  1\tsecret row as SQL', '2\tanother row'].join('\n'),
      },
    ]);
    expect(kept?.text).toBe(
      [
        '── pg_restore ──',
        'pg_restore: error: could not execute query: ERROR:  role "gone_owner" does not exist',
        'Command was: INSERT INTO public.users … (values not kept: they are rows of the dump)',
        'pg_restore: error: could not execute query: ERROR:  role "gone_owner" does not exist',
        'Command was: ALTER TABLE public.users OWNER TO gone_owner;',
        'pg_restore: error: could not execute query: ERROR:  function public.evil(integer) does not exist',
        'Command was: CREATE FUNCTION public.cfun(integer) RETURNS integer',
        'pg_restore: warning: errors ignored on restore: 1',
        '── psql ──',
        'psql:<stdin>:12: ERROR:  duplicate key value violates unique constraint "users_pkey"',
        '',
      ].join('\n'),
    );
  });

  test('a dollar-quoted or E-string password and a password holding @ are elided whole', () => {
    const kept = keepToolOutput([
      {
        tool: 'psql',
        stderr: [
          'psql:roles.sql:3: ERROR:  at ALTER ROLE a PASSWORD $$hunter2$$',
          'psql:roles.sql:4: ERROR:  at ALTER ROLE b PASSWORD $pw$hunter2$pw$;',
          "psql:roles.sql:5: ERROR:  at ALTER ROLE c PASSWORD E'hun\\'ter2';",
          'pg_dump: error: connection to server failed: postgresql://app:hun@ter2@db/app',
        ].join('\n'),
      },
    ]);
    expect(kept!.text).not.toMatch(/hunter2|ter2/);
    expect(kept!.text).toContain('postgresql://app:…@db/app');
  });

  test('a tool that wrote a lot keeps its last 64 KiB, cut at a line', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `pg_restore: processing item ${i} é`);
    const kept = keepToolOutput([{ tool: 'pg_restore', stderr: lines.join('\n') }]);
    expect(kept?.truncated).toBe(true);
    expect(Buffer.byteLength(kept!.text)).toBeLessThanOrEqual(MAX_TOOL_OUTPUT);
    expect(kept!.text.endsWith('pg_restore: processing item 4999 é\n')).toBe(true);
    expect(kept!.text.split('\n')[0]).toMatch(/^pg_restore: processing item \d+ é$/);
  });

  test('nothing written: nothing kept', () => {
    expect(keepToolOutput([{ tool: 'pg_dump', stderr: '\n\n' }])).toBeNull();
  });
});
