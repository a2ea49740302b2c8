import { describe, expect, test } from 'vitest';
import { MAX_STATEMENT_SHOWN, shownStatement } from './lock-wait.ts';

describe('the statement shown beside a lock wait', () => {
  test('string literals and dollar-quoted bodies are elided: a password in the way is never shown', () => {
    expect(shownStatement("ALTER ROLE app PASSWORD 'hunter2'")).toBe("ALTER ROLE app PASSWORD '…'");
    expect(shownStatement("UPDATE t SET note = 'it''s secret' WHERE id = $1")).toBe("UPDATE t SET note = '…' WHERE id = $1");
    expect(shownStatement('DO $body$ BEGIN PERFORM 1; END $body$')).toBe('DO $body$…$body$');
    expect(shownStatement("SELECT 'unterminated")).toBe("SELECT '…'");
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
