import { describe, expect, test } from 'vitest';
import { terminal } from './io.ts';

describe('what reaches the terminal', () => {
  test('both streams go through it', () => {
    let out = '';
    const io = terminal({ stdout: (text) => (out += text), stderr: (text) => (out += text), isTTY: false });
    io.stdout('\u001b[2J');
    io.stderr('\r');
    expect(out).toBe('\\u001b[2J\\u000d');
  });
});
