import { expect, test } from 'vitest';
import { splitInlineCode } from './inline-code.ts';

test("the engine's `command` quoting becomes code spans, so the UI shows no backticks", () => {
  const parts = splitInlineCode('Nothing is running these schedules: start the desktop app, `holdfast daemon` or `holdfast serve`.');
  expect(parts).toEqual([
    { code: false, text: 'Nothing is running these schedules: start the desktop app, ' },
    { code: true, text: 'holdfast daemon' },
    { code: false, text: ' or ' },
    { code: true, text: 'holdfast serve' },
    { code: false, text: '.' },
  ]);
  expect(parts.map((part) => part.text).join('')).not.toContain('`');
});

test('text without backticks, or with an unpaired one, is left as it is', () => {
  expect(splitInlineCode('plain')).toEqual([{ code: false, text: 'plain' }]);
  expect(splitInlineCode('a ` b')).toEqual([{ code: false, text: 'a ` b' }]);
});
