import { describe, expect, test } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body.ts';

describe('nestsDeeperThan', () => {
  test('counts arrays and objects inside each other, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('[1,[2],[3],[[4]]]', 3)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: '[[[[{{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'a \\" [[[[ \\\\' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: '"', t: [[[]]] }), 3)).toBe(true);
  });

  test('half a million levels are found without parsing them; wide bodies are fine', () => {
    const depth = 500_000;
    expect(nestsDeeperThan('['.repeat(depth) + ']'.repeat(depth), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ i, tags: [String(i)] }))), MAX_JSON_DEPTH)).toBe(false);
  });
});
