import { describe, expect, test } from 'vitest';
import { callsIn, parenthesized, qualified, shown, splitTopLevel } from './sql-names.ts';

describe('names in pg_dump SQL', () => {
  test('qualified names: bare ones fold to lower case, quoted ones keep case and undouble quotes; the default schema fills in', () => {
    expect(qualified('Public.Audit_OK')).toEqual({ schema: 'public', name: 'audit_ok' });
    expect(qualified('"My ""S"" ".f', 'x')).toEqual({ schema: 'My "S" ', name: 'f' });
    expect(shown(qualified('f', 'app'))).toBe('app.f');
  });

  test('calls are names followed by a parenthesis, not names inside quoted names nor three-part names', () => {
    expect(callsIn('public.a(1) + b (2) + "c.d"(3) + x.y.z(4) + "q(r"')).toEqual([
      { schema: 'public', name: 'a' },
      { schema: undefined, name: 'b' },
      { schema: undefined, name: 'c.d' },
    ]);
  });

  test('top-level splitting ignores separators inside parentheses and quoted names; keywords split only as whole words', () => {
    expect(splitTopLevel('a int, b numeric(10, 2), "c,d" text', ',')).toEqual(['a int', 'b numeric(10, 2)', '"c,d" text']);
    expect(splitTopLevel(' DEFAULT public.check_ok() CHECK (x > 0)', String.raw`(?:DEFAULT|CHECK)\b`)).toEqual(['DEFAULT public.check_ok()', 'CHECK (x > 0)']);
    expect(parenthesized('f(a, (b), ")") x', 1)).toBe('a, (b), ")"');
  });
});
