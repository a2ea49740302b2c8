import { describe, expect, test } from 'vitest';
import { shown } from './shown.ts';

describe('a name from a dump or a server as the app shows it', () => {
  test('C0, DEL, C1 and bidi controls are shown as their escapes, as the CLI shows them; newlines, tabs and other text stay', () => {
    expect(shown('shop\u202egnp.exe')).toBe('shop\\u202egnp.exe');
    expect(shown('a\u0007b\u001b]0;x\u009bc\u007f')).toBe('a\\u0007b\\u001b]0;x\\u009bc\\u007f');
    expect(shown('Straße "odd" name\n\tnext')).toBe('Straße "odd" name\n\tnext');
  });
});
