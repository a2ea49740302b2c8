import { describe, expect, test } from 'vitest';
import { CONTINUATION, showControls, showNewlinesIn } from './terminal-text.ts';

describe('what reaches a terminal', () => {
  test('C0 but newline and tab, DEL and C1 are shown as escapes; other text is left as it is', () => {
    expect(showControls('a\u001b]0;t\u0007\rb\bc\u007fd\u009be\u0085\n\tü ✓')).toBe('a\\u001b]0;t\\u0007\\u000db\\u0008c\\u007fd\\u009be\\u0085\n\tü ✓');
  });

  test('bidirectional overrides and isolates are shown as escapes: a name with U+202E reads backwards after it', () => {
    // 'hx\u202Egnp.exe' shows as "hxexe.png"; the marks, embeddings and isolates reorder what follows too.
    const bidi = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    expect(showControls(`a${bidi}b`)).toBe(`a${[...bidi].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}b`);
    expect(JSON.parse(showControls(JSON.stringify({ name: `hx\u202egnp.exe` })))).toEqual({ name: 'hx\u202egnp.exe' });
  });

  test('JSON output stays valid and reads back as the same value', () => {
    const value = { name: 'x\u009b2J\u007f\u001b[2J' };
    const written = showControls(JSON.stringify(value));
    expect(written).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(written)).toEqual(value);
  });

  test('line and paragraph separators are shown as escapes: pagers and log viewers break lines on them', () => {
    expect(showControls('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  test("a value's newlines are shown as \\n in every string, however deep; what is not plain data is left as it is", () => {
    const when = new Date(0);
    expect(showNewlinesIn({ name: 'a\nb', list: [{ db: 'c\n' }, 'd'], n: 1, none: null, when })).toEqual({ name: 'a\\nb', list: [{ db: 'c\\n' }, 'd'], n: 1, none: null, when });
  });

  // A DBA's review: `holdfast list --all` printed a failed pg_dump's two lines as one, joined by a literal \n.
  test("prose a tool or Holdfast wrote over lines (an error, a hint, a check's detail) goes on marked continuation lines; names stay escaped", () => {
    const failed = {
      id: 'r1',
      profile: 'shop\nforged',
      error: 'pg_dump: error: query failed\npg_dump: detail: Query was: LOCK TABLE a',
      hint: 'first\nsecond',
      checks: [{ name: 'x', detail: 'p\nq' }],
    };
    expect(showNewlinesIn(failed)).toEqual({
      id: 'r1',
      profile: 'shop\\nforged',
      error: `pg_dump: error: query failed\n${CONTINUATION}pg_dump: detail: Query was: LOCK TABLE a`,
      hint: `first\n${CONTINUATION}second`,
      checks: [{ name: 'x', detail: `p\n${CONTINUATION}q` }],
    });
    // No line the value makes can start as an item's or a hint's line does.
    expect(CONTINUATION).toMatch(/^ +\S/);
    expect(CONTINUATION.trim()).not.toMatch(/^[\w✓✗-]|^hint:/);
  });
});
