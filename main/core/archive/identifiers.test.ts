// Identifiers round-trip the way pg_dump's fmtId() writes them.
import { describe, expect, test } from 'vitest';
import { copyTarget, ident, parseName, parseQualified } from './identifiers.ts';

describe('identifiers', () => {
  test('ident quotes what fmtId() would quote', () => {
    expect(ident('people')).toBe('people');
    expect(ident('Mixed"Case')).toBe('"Mixed""Case"');
    expect(ident('x; $(touch /tmp/p)')).toBe('"x; $(touch /tmp/p)"');
    expect(ident('tâble')).toBe('"tâble"');
  });

  test('parseName and parseQualified read bare and quoted names back', () => {
    expect(parseName('"a ""b"" c".t', 0)).toEqual({ name: 'a "b" c', end: 11 });
    expect(parseName('people (v)', 0)).toEqual({ name: 'people', end: 6 });
    expect(parseName('"unterminated', 0)).toBeUndefined();
    expect(parseQualified('COPY "Odd Schema"."Mixed""Case" (v) FROM stdin;', 5, 'public')).toEqual({ schema: 'Odd Schema', name: 'Mixed"Case' });
    expect(parseQualified('CREATE TABLE people (', 13, 'old_default')).toEqual({ schema: 'old_default', name: 'people' });
    expect(parseQualified('x."', 0, 'public')).toBeUndefined();
  });

  test('copyTarget names the table a COPY statement loads, or nothing when it cannot tell', () => {
    expect(copyTarget('COPY public.people (v) FROM stdin;\n')).toEqual(['public', 'people']);
    expect(copyTarget('COPY "Odd Schema"."Mixed""Case" (v) FROM stdin;\n')).toEqual(['Odd Schema', 'Mixed"Case']);
    expect(copyTarget('COPY public.t FROM stdin;\n')).toEqual(['public', 't']);
    expect(copyTarget('COPY people (v) FROM stdin;\n')).toBeUndefined();
  });
});
