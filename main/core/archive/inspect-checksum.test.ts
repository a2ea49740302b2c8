// The backup's one-read check of a custom archive (inspectCustomWithChecksum): the same findings as
// inspectArchive plus each table's rows counted from its uncompressed COPY data, and the same checksum
// as sha256File, for archives with small chunks and with a large chunk; a cut archive is refused as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { sha256File } from '../fsutil/durable.ts';
import { inspectArchive, inspectCustomWithChecksum } from './inspect.ts';
import { COPY_TAIL } from './constants.ts';
import type { ArchiveInspection } from './inspect.ts';
import { buildArchive, copyData, ENCODING, table, TWO_TABLES, type TocItem } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-inspect-sum-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows of COPY text without the tail, which pg_dump writes once, at the end of the table's data. */
const copyLines = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));
const rows = (n: number, width: number) => Array.from({ length: n }, (_, i) => `${i}\t${'x'.repeat(width)}`);
const LARGE: TocItem[] = [
  ENCODING,
  { dumpId: 10, desc: 'TABLE', tag: 'big', namespace: 'public' },
  // One 3 MB chunk (hopped over), then many small ones (read densely).
  {
    dumpId: 1010,
    desc: 'TABLE DATA',
    tag: 'big',
    namespace: 'public',
    copyStmt: 'COPY public.big (id, t) FROM stdin;\n',
    chunks: [copyLines(rows(3000, 1000)), ...Array.from({ length: 500 }, () => copyLines(rows(4, 900))), COPY_TAIL],
  },
];

/** inspectArchive's findings with the rows the one-read check counts. */
function withRows(inspection: ArchiveInspection, rows: Record<string, number>): ArchiveInspection {
  if (!inspection.ok) return inspection;
  return { ...inspection, tables: inspection.tables.map((t) => (rows[t.name] === undefined ? t : { ...t, rows: rows[t.name] })) };
}

test.each([
  ['two small tables', TWO_TABLES, { people: 2, 'Mixed"Case': 1 }],
  ['a large chunk and many small ones', LARGE, { big: 5000 }],
])('%s: the findings of inspectArchive, the rows, and the checksum of sha256File', async (_name, items, rows) => {
  const path = join(dir, `${items.length}.dump`);
  writeFileSync(path, buildArchive({ format: 'custom', items }));
  const { sha256, ...inspection } = await inspectCustomWithChecksum(path);
  expect(inspection).toEqual(withRows(await inspectArchive(path, 'custom'), rows));
  expect(inspection.ok).toBe(true);
  expect(sha256).toBe(await sha256File(path));
});

test('rows are newlines less the COPY tail: escaped newlines inside a value, an empty table, a tail split over chunks; no tail, no count', async () => {
  const split = copyData(['a', 'b', 'c']);
  const items: TocItem[] = [
    ENCODING,
    // COPY text escapes a newline inside a value as backslash-n, so it never ends a row.
    ...table('public', 'escaped', 10, ['line one\\nline two\\r\\n', '\\\\', '\\x0a0d']),
    ...table('public', 'empty', 11, []),
    { dumpId: 12, desc: 'TABLE', tag: 'split', namespace: 'public' },
    {
      dumpId: 1012,
      desc: 'TABLE DATA',
      tag: 'split',
      namespace: 'public',
      copyStmt: 'COPY public.split (v) FROM stdin;\n',
      chunks: [split.subarray(0, split.length - 2), split.subarray(split.length - 2)],
    },
    { dumpId: 13, desc: 'TABLE', tag: 'untailed', namespace: 'public' },
    { dumpId: 1013, desc: 'TABLE DATA', tag: 'untailed', namespace: 'public', copyStmt: 'COPY public.untailed (v) FROM stdin;\n', chunks: [Buffer.from('a\nb\n')] },
  ];
  const path = join(dir, 'rows.dump');
  writeFileSync(path, buildArchive({ format: 'custom', items }));
  const inspection = await inspectCustomWithChecksum(path);
  expect(inspection.ok && Object.fromEntries(inspection.tables.map((t) => [t.name, t.rows]))).toEqual({ escaped: 3, empty: 0, split: 3, untailed: undefined });
  expect(COPY_TAIL.toString('latin1')).toBe('\\.\n\n\n');
});

test('a cut archive is not ok and says why, as inspectArchive does', async () => {
  const whole = buildArchive({ format: 'custom', items: LARGE });
  const path = join(dir, 'cut.dump');
  writeFileSync(path, whole.subarray(0, whole.length - 2000));
  const result = await inspectCustomWithChecksum(path);
  expect(result).toEqual(await inspectArchive(path, 'custom'));
  expect(result.ok).toBe(false);
});
