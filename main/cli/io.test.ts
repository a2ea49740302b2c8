import { describe, expect, test } from 'vitest';
import { showControls, terminal } from './io.ts';

describe('what reaches the terminal', () => {
  test('C0 but newline and tab, DEL and C1 are shown as escapes; other text is left as it is', () => {
    expect(showControls('a\u001b]0;t\u0007\rb\bc\u007fd\u009be\u0085\n\tü ✓')).toBe('a\\u001b]0;t\\u0007\\u000db\\u0008c\\u007fd\\u009be\\u0085\n\tü ✓');
  });

  test('JSON output stays valid and reads back as the same value', () => {
    const value = { name: 'x\u009b2J\u007f\u001b[2J' };
    const written = showControls(JSON.stringify(value));
    expect(written).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(written)).toEqual(value);
  });

  test('both streams go through it', () => {
    let out = '';
    const io = terminal({ stdout: (text) => (out += text), stderr: (text) => (out += text), isTTY: false });
    io.stdout('\u001b[2J');
    io.stderr('\r');
    expect(out).toBe('\\u001b[2J\\u000d');
  });
});
