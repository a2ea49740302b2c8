// What TOC entries report: tables (with data-only dumps' tables too), data items and whether each
// COPY loads its own table, and the names messages give them.
import { describe, expect, test } from 'vitest';
import { dataEntries, dataItemsOf, describeData, owner, tablesOf } from './entries.ts';
import type { TocEntry } from './toc.ts';

const entry = (dumpId: number, desc: string, tag: string, namespace: string | null, extra: Partial<TocEntry> = {}): TocEntry => ({
  dumpId,
  desc,
  tag,
  namespace,
  hadDumper: desc === 'TABLE DATA' || desc === 'BLOBS',
  hasCopyStmt: extra.copyStmt !== undefined,
  ...extra,
});

describe('TOC entries', () => {
  test('tables: every TABLE, with data when a TABLE DATA names it; data-only dumps list their tables too', () => {
    const entries = [
      entry(10, 'TABLE', 'people', 'public'),
      entry(11, 'TABLE', 'empty', 'public'),
      entry(20, 'TABLE DATA', 'people', 'public'),
      entry(21, 'TABLE DATA', 'only_data', 'sch'),
      entry(22, 'SEQUENCE SET', 'seq', 'public'),
    ];
    expect(tablesOf(entries)).toEqual([
      { schema: 'public', name: 'people', hasData: true },
      { schema: 'public', name: 'empty', hasData: false },
      { schema: 'sch', name: 'only_data', hasData: true },
    ]);
    expect(dataEntries(entries).map((e) => e.dumpId)).toEqual([20, 21]);
  });

  test('a table named like another schema-qualified table is its own table', () => {
    const entries = [entry(10, 'TABLE DATA', 'b.c', 'a'), entry(11, 'TABLE DATA', 'c', 'a.b')];
    expect(tablesOf(entries).map((t) => [t.schema, t.name])).toEqual([
      ['a', 'b.c'],
      ['a.b', 'c'],
    ]);
  });

  test('data items: a COPY through the partition root, or one that cannot be read, does not load the table itself', () => {
    const items = dataItemsOf([
      entry(20, 'TABLE DATA', 'people', 'public', { copyStmt: 'COPY public.people (v) FROM stdin;\n' }),
      entry(21, 'TABLE DATA', 'parted_eu', 'public', { copyStmt: 'COPY public.parted (id) FROM stdin;\n' }),
      entry(22, 'TABLE DATA', 'old', 'public'),
    ]);
    expect(items.map((i) => [i.dumpId, i.intoItself])).toEqual([
      [20, true],
      [21, false],
      [22, false],
    ]);
  });

  test('messages name the entry the way a DBA would write it', () => {
    expect(describeData(entry(20, 'TABLE DATA', 'Mixed"Case', 'Odd Schema'))).toBe('data block for "Odd Schema"."Mixed""Case" (dump id 20)');
    expect(describeData(entry(30, 'BLOBS', 'BLOBS', null))).toBe('large-object data (dump id 30)');
    expect(owner(entry(20, 'TABLE DATA', 'people', 'public'))).toBe('table public.people (dump id 20)');
    expect(owner(entry(40, 'SEQUENCE SET', 'seq', 'public'))).toBe('SEQUENCE SET public.seq (dump id 40)');
  });
});
