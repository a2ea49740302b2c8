import { describe, expect, test } from 'vitest';
import type pg from 'pg';
import { MAX_STATEMENT_SHOWN, shownStatement, watchLockWaits } from './lock-wait.ts';

describe('the statement shown beside a lock wait', () => {
  test('string literals and dollar-quoted bodies are elided: a password in the way is never shown', () => {
    expect(shownStatement("ALTER ROLE app PASSWORD 'hunter2'")).toBe("ALTER ROLE app PASSWORD '…'");
    expect(shownStatement("UPDATE t SET note = 'it''s secret' WHERE id = $1")).toBe("UPDATE t SET note = '…' WHERE id = $1");
    expect(shownStatement('DO $body$ BEGIN PERFORM 1; END $body$')).toBe('DO $body$…$body$');
    expect(shownStatement("SELECT 'unterminated")).toBe("SELECT '…'");
  });

  test('a quote in a comment, an identifier or an E-string does not shift which text is a literal', () => {
    // Each of these showed the password: the apostrophe in the comment or identifier opened a "literal"
    // that the password's own opening quote closed.
    for (const query of [
      "-- don't wait\nALTER ROLE app PASSWORD 'hunter2'",
      "/* it's me */ ALTER ROLE app PASSWORD 'hunter2'",
      "SELECT \"it's\" FROM t; ALTER ROLE app PASSWORD 'hunter2'",
      "ALTER ROLE app PASSWORD E'hun\\'ter2'",
      "SELECT 'a$$b', $$x$$, 'hunter2'",
    ]) {
      expect(shownStatement(query)).not.toMatch(/hunter2|ter2/);
    }
    expect(shownStatement("/* it's me */ ALTER ROLE app PASSWORD 'hunter2'")).toBe("/* it's me */ ALTER ROLE app PASSWORD '…'");
  });

  test('a dollar-quoted body cut off by the server (track_activity_query_size) is elided to the end', () => {
    expect(shownStatement('ALTER ROLE app PASSWORD $pw$hunter2 and more')).toBe('ALTER ROLE app PASSWORD $pw$…');
    expect(shownStatement('DO $$ BEGIN EXECUTE secret')).toBe('DO $$…');
  });

  test('one line, cut to a bounded length; a hidden statement says why', () => {
    const long = `ALTER TABLE events\n   ADD COLUMN ${'x'.repeat(400)} int`;
    const shown = shownStatement(long);
    expect(shown.length).toBe(MAX_STATEMENT_SHOWN);
    expect(shown.startsWith('ALTER TABLE events ADD COLUMN x')).toBe(true);
    expect(shown.endsWith('…')).toBe(true);
    expect(shownStatement('<insufficient privilege>')).toMatch(/hidden/);
    expect(shownStatement(null)).toBe('(no statement)');
  });
});

describe('the lock watch asked at a stall', () => {
  test('before its first look it looks at once, but a server that never answers holds the stall up only a bounded time', async () => {
    let connects = 0;
    const neverAnswers = () => {
      connects += 1;
      return new Promise<pg.Client>(() => undefined);
    };
    const watch = watchLockWaits(neverAnswers, 'holdfast-test', 60_000);
    const started = performance.now();
    expect(await watch.settled()).toBeUndefined();
    const waited = performance.now() - started;
    expect(connects).toBe(1);
    expect(waited).toBeGreaterThan(2_000);
    expect(waited).toBeLessThan(10_000);
    // A second stall tick does not start a second connection while the first is still pending.
    await watch.settled();
    expect(connects).toBe(1);
    void watch.stop();
  }, 30_000);
});
