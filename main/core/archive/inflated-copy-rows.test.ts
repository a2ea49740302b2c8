// Rows counted from a gzip-compressed custom archive's COPY data, as the backup's walk counts them:
// each table's zlib stream cut into 4 kB chunks as pg_dump writes it, inflated and counted like
// uncompressed data; a block that does not inflate is a damaged archive, and the check says which table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateSync } from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { sha256File } from '../fsutil/durable.ts';
import { InflatingRowCounter } from './inflated-copy-rows.ts';
import { inspectCustomWithChecksum } from './inspect.ts';
import { readCustom } from './custom.ts';
import { bufferSource } from './source.ts';
import { bombArchive, buildArchive, copyData, ENCODING, newlineBomb, type TocItem } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-inflated-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** pg_dump's zlib output for one table, cut where its 4 kB output buffer fills (compress_io.c). */
function gzipChunks(copy: Buffer, chunkBytes = 4096): Buffer[] {
  const deflated = deflateSync(copy);
  const chunks: Buffer[] = [];
  for (let at = 0; at < deflated.length; at += chunkBytes) chunks.push(deflated.subarray(at, at + chunkBytes));
  return chunks;
}

function gzipTable(dumpId: number, name: string, chunks: Buffer[]): TocItem[] {
  return [
    { dumpId, desc: 'TABLE', tag: name, namespace: 'public' },
    { dumpId: dumpId + 1000, desc: 'TABLE DATA', tag: name, namespace: 'public', copyStmt: `COPY public.${name} (v) FROM stdin;\n`, chunks },
  ];
}

const many = (n: number) => Array.from({ length: n }, (_, i) => `${i}\tsome text for row ${i} ${'y'.repeat(i % 50)}`);

async function rowsOf(items: TocItem[], name: string) {
  const path = join(dir, `${name}.dump`);
  // compression 1: gzip, as a 1.16 header says it (pg_dump 16+; older ones write the level, see toc.ts).
  writeFileSync(path, buildArchive({ format: 'custom', compression: 1, items }));
  return { path, inspection: await inspectCustomWithChecksum(path) };
}

test('each table of a gzip archive is counted from its inflated COPY data: many chunks, escaped newlines, an empty table', async () => {
  const items = [
    ENCODING,
    ...gzipTable(10, 'big', gzipChunks(copyData(many(200_000)))),
    ...gzipTable(11, 'escaped', gzipChunks(copyData(['line one\\nline two\\r\\n', '\\\\', '\\x0a0d']))),
    ...gzipTable(12, 'empty', gzipChunks(copyData([]))),
    // One zlib stream over many chunks of 1 byte: the counter must keep the stream's state across chunks.
    ...gzipTable(13, 'bytewise', gzipChunks(copyData(['a', 'b']), 1)),
  ];
  const { path, inspection } = await rowsOf(items, 'counted');
  expect(inspection.ok && Object.fromEntries(inspection.tables.map((t) => [t.name, t.rows]))).toEqual({ big: 200_000, escaped: 3, empty: 0, bytewise: 2 });
  expect(inspection.sha256).toBe(await sha256File(path));
});

test('a table whose data does not end as pg_dump ends COPY data is left uncounted, for the server to count', async () => {
  const { inspection } = await rowsOf([ENCODING, ...gzipTable(10, 'untailed', gzipChunks(Buffer.from('a\nb\n')))], 'untailed');
  expect(inspection.ok).toBe(true);
  expect(inspection.ok && inspection.tables[0]!.rows).toBeUndefined();
});

test('a flipped byte inside the compressed data fails the check, naming the table', async () => {
  const chunks = gzipChunks(copyData(many(20_000)));
  const damaged = Buffer.from(chunks[1]!);
  damaged[100] = damaged[100]! ^ 0xff;
  const { inspection } = await rowsOf([ENCODING, ...gzipTable(10, 'rotten', [chunks[0]!, damaged, ...chunks.slice(2)])], 'flipped');
  expect(inspection.ok).toBe(false);
  expect(!inspection.ok && inspection.problem).toMatch(/data of table public\.rotten \(dump id 1010\) cannot be inflated .*: the archive is damaged/);
});

test('a zlib stream cut short inside a well-formed block fails the check', async () => {
  const chunks = gzipChunks(copyData(many(20_000)));
  const { inspection } = await rowsOf([ENCODING, ...gzipTable(10, 'cut', chunks.slice(0, -1))], 'cut');
  expect(inspection.ok).toBe(false);
  expect(!inspection.ok && inspection.problem).toMatch(/table public\.cut \(dump id 1010\) cannot be inflated \(unexpected end of file\)/);
});

// pg_restore inflates a block until zlib says the stream ended, and with bytes still after that end it
// asks zlib again forever (compress_io.c): a restore of such an archive hangs at full CPU, so the check
// must not pass it, whether the bytes share the stream's last chunk or follow in chunks of their own.
test.each([
  ['in its last chunk', (chunks: Buffer[]) => [...chunks.slice(0, -1), Buffer.concat([chunks.at(-1)!, Buffer.from('after the end')])]],
  ['in a chunk of their own', (chunks: Buffer[]) => [...chunks, Buffer.from('after the end')]],
  ['past a batch handed to zlib', (chunks: Buffer[]) => [...chunks, Buffer.alloc(600 * 1024, 7)]],
])('bytes after the end of a table’s zlib stream (%s) fail the check', async (_where, extend) => {
  const chunks = gzipChunks(copyData(many(20_000)));
  const { inspection } = await rowsOf([ENCODING, ...gzipTable(10, 'trailed', extend(chunks))], 'trailed');
  expect(inspection.ok).toBe(false);
  expect(!inspection.ok && inspection.problem).toMatch(/table public\.trailed \(dump id 1010\) goes on for \d+ bytes after its compressed data ends: the archive is damaged/);
});

/** COPY text that deflates to about half its size: hex digests, one per row. */
function incompressibleRows(rows: number): string[] {
  return Array.from({ length: rows }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
}

// A big table's data passes through several full 1 MiB batches (the batch grows from its first 64 kB),
// and a small one's never fills one: both counted, and damage far into the big one still found.
test('a table whose compressed data spans several batches is counted, and damage in a late batch fails it', async () => {
  const bigCopy = copyData(incompressibleRows(100_000));
  const chunks = gzipChunks(bigCopy);
  expect(chunks.reduce((sum, chunk) => sum + chunk.length, 0)).toBeGreaterThan(3 * 1024 * 1024);
  const items = [ENCODING, ...gzipTable(10, 'big', chunks), ...gzipTable(11, 'small', gzipChunks(copyData(incompressibleRows(3))))];
  const { inspection } = await rowsOf(items, 'batches');
  expect(inspection.ok && Object.fromEntries(inspection.tables.map((t) => [t.name, t.rows]))).toEqual({ big: 100_000, small: 3 });

  const late = chunks.length - 20;
  const damaged = Buffer.from(chunks[late]!);
  damaged[2000] = damaged[2000]! ^ 0xff;
  const { inspection: rotten } = await rowsOf([ENCODING, ...gzipTable(10, 'late', [...chunks.slice(0, late), damaged, ...chunks.slice(late + 1)])], 'late-damage');
  expect(rotten.ok).toBe(false);
  expect(!rotten.ok && rotten.problem).toMatch(/data of table public\.late \(dump id 1010\) cannot be inflated .*: the archive is damaged/);
});

// zlib's batches are kept and handed to the next one once zlib has read them (also across tables, one
// after another): several big tables in a row, each of another row length, each counted exactly, so no
// batch was written into while zlib still read it, nor a byte of one table counted in another.
test('batches reused from table to table: several tables of several MiB each in a row, every one counted exactly', async () => {
  const sizes = [60_000, 45_000, 70_000, 52_000];
  const items = [ENCODING];
  for (const [index, rows] of sizes.entries()) {
    const copy = copyData(incompressibleRows(rows).map((row, i) => (i % (index + 2) === 0 ? `${row}\\n` : row)));
    items.push(...gzipTable(20 + index, `t${index}`, gzipChunks(copy)));
  }
  const { inspection } = await rowsOf(items, 'reused-batches');
  expect(inspection.ok && inspection.tables.map((t) => [t.name, t.rows])).toEqual(sizes.map((rows, index) => [`t${index}`, rows]));
});

/**
 * V8's full collection, reached through a context made while --expose-gc was on; twice, a turn of the
 * event loop apart: the last block's zlib handle closes on a later tick, and until then it holds its
 * stream (and what the stream held), so one collection right after the walk measured garbage at random.
 */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

// The walk keeps every table's counter until the archive ends (its rows are read then). A counter that
// kept its zlib stream kept zlib's last 1 MiB output buffer with it: an archive of 150 tables of ~1.7 MB
// each peaked at 256 MB walked, against 120 MB once a finished block lets its stream go (and 188 MB
// before output buffers were 1 MiB).
test('a finished block lets go of its zlib stream: counters kept for their rows hold no output buffers', async () => {
  const deflated = deflateSync(copyData(incompressibleRows(40_000)));
  expect(deflated.length).toBeGreaterThan(1024 * 1024);
  await collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  const kept: InflatingRowCounter[] = [];
  for (let table = 0; table < 24; table += 1) {
    const counter = new InflatingRowCounter(`table ${table}`);
    for (let at = 0; at < deflated.length; at += 4096) await counter.addRange(deflated, at, Math.min(at + 4096, deflated.length));
    await counter.end();
    kept.push(counter);
  }
  await collectGarbage();
  const held = process.memoryUsage().arrayBuffers - before;
  expect(kept.map((counter) => counter.rows())).toEqual(Array(24).fill(40_000));
  // One output buffer per finished table would be 24 MiB.
  expect(held).toBeLessThan(4 * 1024 * 1024);
});

// A hostile dump's table can be a zlib bomb: a MiB of compressed newlines is a GiB of rows, ~10 s of CPU
// to count. `holdfast import` of such a file could not be stopped (the review of stop 28): the walk took
// no signal, and once zlib held the bytes nothing but the end of the stream ended the count.
test('a counter whose signal is aborted while zlib inflates stops inflating and rejects with the abort', async () => {
  const deflated = await newlineBomb(1024);
  const abort = new AbortController();
  const counter = new InflatingRowCounter('table public.bomb', abort.signal);
  for (let at = 0; at < deflated.length; at += 4096) await counter.addRange(deflated, at, Math.min(at + 4096, deflated.length));
  const ending = counter.end();
  abort.abort();
  await expect(ending).rejects.toMatchObject({ name: 'AbortError' });
  expect(counter.rows()).toBeUndefined();
});

test('a walk whose signal is aborted as a bomb table starts rejects with the abort, not a finding about the archive', async () => {
  const abort = new AbortController();
  const walking = readCustom(bufferSource(await bombArchive(1024)), 'bomb.dump', { countRows: true, signal: abort.signal, onBlockStart: () => abort.abort() });
  await expect(walking).rejects.toMatchObject({ name: 'AbortError' });
});

test('inspectCustomWithChecksum given an aborted signal rejects rather than reporting the archive damaged', async () => {
  const path = join(dir, 'bomb.dump');
  writeFileSync(path, await bombArchive(64));
  await expect(inspectCustomWithChecksum(path, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
});
