import { describe, expect, test } from 'vitest';
import { humanBytes, humanDuration } from './format.ts';
import { progressBar } from './main.ts';

describe('terminal output', () => {
  test('sizes and durations read like a person would say them', () => {
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1536)).toBe('1.5 KB');
    expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(humanDuration(850)).toBe('850 ms');
    expect(humanDuration(12_300)).toBe('12.3 s');
    expect(humanDuration(125_000)).toBe('2 min 5 s');
  });

  test('the progress bar measures against the previous backup and never passes 100%', () => {
    expect(progressBar(50, 100, 10)).toBe('[#####-----]  50% ');
    expect(progressBar(300, 100, 10)).toBe('[##########] 100% ');
    expect(progressBar(300, undefined)).toBe('');
  });
});
