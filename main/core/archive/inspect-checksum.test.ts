// The backup's one-read check of a custom archive (inspectCustomWithChecksum): the same findings as
// inspectArchive and the same checksum as sha256File, for archives with small chunks and with a large
// chunk the walk hops over; a cut archive is refused as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { sha256File } from '../fsutil/durable.ts';
import { inspectArchive, inspectCustomWithChecksum } from './inspect.ts';
import { buildArchive, copyData, ENCODING, TWO_TABLES, type TocItem } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-inspect-sum-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    chunks: [copyData(rows(3000, 1000)), ...Array.from({ length: 500 }, () => copyData(rows(4, 900)))],
  },
];

test.each([
  ['two small tables', TWO_TABLES],
  ['a large chunk and many small ones', LARGE],
])('%s: the findings of inspectArchive and the checksum of sha256File', async (_name, items) => {
  const path = join(dir, `${items.length}.dump`);
  writeFileSync(path, buildArchive({ format: 'custom', items }));
  const { sha256, ...inspection } = await inspectCustomWithChecksum(path);
  expect(inspection).toEqual(await inspectArchive(path, 'custom'));
  expect(inspection.ok).toBe(true);
  expect(sha256).toBe(await sha256File(path));
});

test('a cut archive is not ok and says why, as inspectArchive does', async () => {
  const whole = buildArchive({ format: 'custom', items: LARGE });
  const path = join(dir, 'cut.dump');
  writeFileSync(path, whole.subarray(0, whole.length - 2000));
  const result = await inspectCustomWithChecksum(path);
  expect(result).toEqual(await inspectArchive(path, 'custom'));
  expect(result.ok).toBe(false);
});
