// The overlapped count may only count a table after pg_restore reported that table's data finished.
// The lines below are pg_restore 15's real --verbose -j2 output for the bench's three-table dump.
import { describe, expect, test } from 'vitest';
import type { ArchiveDataItem, ArchiveTable } from '../archive/inspect.ts';
import { CountsAsRestored, finishedDataItem, planEarlyCounts, type EarlyTable } from './count-as-restored.ts';

const PG_RESTORE_15_VERBOSE_J2 = `pg_restore: connecting to database for restore
pg_restore: processing item 3355 ENCODING ENCODING
pg_restore: processing item 3356 STDSTRINGS STDSTRINGS
pg_restore: processing item 3357 SEARCHPATH SEARCHPATH
pg_restore: processing item 3358 DATABASE benchdb
pg_restore: processing item 216 TABLE medium
pg_restore: creating TABLE "public.medium"
pg_restore: processing item 215 TABLE narrow
pg_restore: creating TABLE "public.narrow"
pg_restore: processing item 214 TABLE wide
pg_restore: creating TABLE "public.wide"
pg_restore: entering main parallel loop
pg_restore: launching item 3350 TABLE DATA wide
pg_restore: launching item 3351 TABLE DATA narrow
pg_restore: processing data for table "public.narrow"
pg_restore: processing data for table "public.wide"
pg_restore: finished item 3351 TABLE DATA narrow
pg_restore: launching item 3352 TABLE DATA medium
pg_restore: processing data for table "public.medium"
pg_restore: finished item 3350 TABLE DATA wide
pg_restore: launching item 3205 CONSTRAINT wide wide_pkey
pg_restore: creating CONSTRAINT "public.wide wide_pkey"
pg_restore: finished item 3205 CONSTRAINT wide wide_pkey
pg_restore: finished item 3352 TABLE DATA medium
pg_restore: launching item 3207 CONSTRAINT medium medium_pkey
pg_restore: creating CONSTRAINT "public.medium medium_pkey"
pg_restore: finished item 3207 CONSTRAINT medium medium_pkey
pg_restore: finished main parallel loop`.split('\n');

const manifest = { 'public.medium': 900000, 'public.narrow': 1980000, 'public.wide': 720000, 'public.parent': 0 };
const tables: ArchiveTable[] = ['medium', 'narrow', 'wide', 'parent'].map((name) => ({ schema: 'public', name, hasData: name !== 'parent' }));
const items: ArchiveDataItem[] = [
  { dumpId: 3350, schema: 'public', name: 'wide', intoItself: true },
  { dumpId: 3351, schema: 'public', name: 'narrow', intoItself: true },
  { dumpId: 3352, schema: 'public', name: 'medium', intoItself: true },
];

describe('finishedDataItem', () => {
  const plan = planEarlyCounts(manifest, tables, items);

  test('only "finished item N TABLE DATA <its table>" counts; launching, processing and other items do not', () => {
    const found = PG_RESTORE_15_VERBOSE_J2.map((line) => finishedDataItem(line, plan)).filter((id) => id !== undefined);
    expect(found).toEqual([3351, 3350, 3352]);
  });

  test("a prefix that landed on another worker's line still parses; a line naming another table does not", () => {
    expect(finishedDataItem('finished item 3350 TABLE DATA wide', plan)).toBe(3350);
    expect(finishedDataItem('pg_restore: pg_restore: finished item 3350 TABLE DATA wide', plan)).toBe(3350);
    expect(finishedDataItem('pg_restore: finished item 3350 TABLE DATA narrow', plan)).toBeUndefined();
    expect(finishedDataItem('pg_restore: finished item 9999 TABLE DATA wide', plan)).toBeUndefined();
    expect(finishedDataItem('pg_restore: processing data for table "public.x finished item 3350 TABLE DATA wide"', plan)).toBeUndefined();
  });
});

describe('planEarlyCounts', () => {
  test('tables with a data item of their own; a partitioned parent (no data item) is left to the end', () => {
    expect([...planEarlyCounts(manifest, tables, items).values()].map((t) => t.table).sort()).toEqual(['public.medium', 'public.narrow', 'public.wide']);
  });

  test('nothing early when any item loads through a partition root, or when the archive could not be read', () => {
    expect(planEarlyCounts(manifest, tables, [...items, { dumpId: 3353, schema: 'public', name: 'part_1', intoItself: false }]).size).toBe(0);
    expect(planEarlyCounts(manifest, tables, undefined).size).toBe(0);
  });

  test('a manifest name two tables share ("a.b"."c" and "a"."b.c") is left to the end', () => {
    const shared = [
      { dumpId: 1, schema: 'a.b', name: 'c', intoItself: true },
      { dumpId: 2, schema: 'a', name: 'b.c', intoItself: true },
    ];
    expect(planEarlyCounts({ 'a.b.c': 1 }, [], shared).size).toBe(0);
  });
});

describe('CountsAsRestored', () => {
  test('each table is counted only after its own data item finished, in the order they finish', async () => {
    const plan = planEarlyCounts(manifest, tables, items);
    const fed: string[] = [];
    const countedAfter = new Map<string, string[]>();
    const counts = new CountsAsRestored(plan, async (table: EarlyTable) => {
      countedAfter.set(table.table, [...fed]);
      return manifest[table.table as keyof typeof manifest];
    });
    for (const line of PG_RESTORE_15_VERBOSE_J2) {
      fed.push(line);
      counts.onLine(line);
      // medium's data is still loading while narrow and wide are counted.
      if (line.endsWith('finished item 3350 TABLE DATA wide')) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect([...counts.started]).toEqual(['public.narrow', 'public.wide']);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    await counts.stop();
    expect([...countedAfter.keys()]).toEqual(['public.narrow', 'public.wide', 'public.medium']);
    for (const [table, seen] of countedAfter) {
      const item = items.find((i) => `${i.schema}.${i.name}` === table)!;
      expect(seen, table).toContain(`pg_restore: finished item ${item.dumpId} TABLE DATA ${item.name}`);
    }
    expect(counts.started.has('public.parent')).toBe(false);
    expect(Object.fromEntries(counts.counts)).toEqual({ 'public.narrow': 1980000, 'public.wide': 720000, 'public.medium': 900000 });
  });

  test('after stop() nothing more is begun; a count that failed is left out for the caller to redo', async () => {
    const plan = planEarlyCounts(manifest, tables, items);
    let release!: () => void;
    const counts = new CountsAsRestored(plan, async (table) => {
      if (table.name === 'narrow') throw new Error('connection lost');
      await new Promise<void>((resolve) => (release = resolve));
      return 1;
    });
    counts.onLine('pg_restore: finished item 3351 TABLE DATA narrow');
    counts.onLine('pg_restore: finished item 3350 TABLE DATA wide');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const stopped = counts.stop();
    counts.onLine('pg_restore: finished item 3352 TABLE DATA medium');
    release();
    await stopped;
    expect([...counts.started]).toEqual(['public.narrow', 'public.wide']);
    expect(Object.fromEntries(counts.counts)).toEqual({ 'public.wide': 1 });
  });
});
