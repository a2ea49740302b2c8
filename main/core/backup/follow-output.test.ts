// The walk that follows pg_dump's output: it stands for the finished file only when the table of
// contents pg_dump rewrote at the end agrees with what it walked; otherwise the backup checks the file whole.
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { inspectArchive } from '../archive/inspect.ts';
import { buildArchive, copyData, ENCODING, table, TWO_TABLES, TWO_TABLES_FOUND, writeHead, writeToc, type ArchiveSpec } from '../archive/test-support.ts';
import { followCustomOutput } from './follow-output.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdfast-follow-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes `spec` as pg_dump writes a custom archive to a file: the header and a TOC without data offsets,
 * the data blocks in pieces (the walk catches up and waits at the end), then the TOC rewritten in place
 * with the offsets (`finalToc`, default the true one).
 */
async function writeLikePgDump(path: string, spec: ArchiveSpec, finalToc?: Buffer): Promise<Buffer> {
  const whole = buildArchive(spec);
  const headAndToc = writeHead(spec).length + writeToc({ ...spec, offsets: 'unset' }, new Map()).length;
  await writeFile(path, Buffer.concat([writeHead(spec).toBuffer(), writeToc({ ...spec, offsets: 'unset' }, new Map()).toBuffer()]));
  const data = whole.subarray(headAndToc);
  for (let at = 0; at < data.length; at += 7) {
    await appendFile(path, data.subarray(at, at + 7));
    if (at % 21 === 0) await settle();
  }
  const file = await open(path, 'r+');
  await file.write(finalToc ?? whole.subarray(0, headAndToc), 0, headAndToc, 0);
  await file.close();
  return whole;
}

describe('followCustomOutput', () => {
  test('walks the archive while it is written and stands for the finished file', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const follower = followCustomOutput(path, 'the test archive', { countRows: true });
    await writeLikePgDump(path, { format: 'custom', items: TWO_TABLES });
    const walked = (await follower.finish())?.inspection;
    expect(walked).toEqual({ ok: true, format: 'custom', ...TWO_TABLES_FOUND, tables: TWO_TABLES_FOUND.tables.map((t, i) => ({ ...t, rows: [2, 1][i] })) });
    const whole = await inspectArchive(path, 'custom');
    expect(whole.ok && whole.tables.map((t) => t.name)).toEqual(['people', 'Mixed"Case']);
  });

  const sha256Of = async (path: string) =>
    createHash('sha256')
      .update(await readFile(path))
      .digest('hex');

  test.each([
    ['written as pg_dump writes it', (path: string) => writeLikePgDump(path, { format: 'custom', items: TWO_TABLES })],
    ['written whole before the walk began (its TOC already rewritten)', (path: string) => writeFile(path, buildArchive({ format: 'custom', items: TWO_TABLES }))],
  ])("takes the finished file's SHA-256 behind the walk, so none is left to read after pg_dump exits: a file %s", async (_how, write) => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const follower = followCustomOutput(path, 'the test archive', { countRows: false });
    await write(path);
    expect((await follower.finish())?.checksum).toBe(await sha256Of(path));
  });

  test('gives nothing when the final TOC places a block elsewhere than the walk found it', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const spec: ArchiveSpec = { format: 'custom', items: TWO_TABLES };
    const follower = followCustomOutput(path, 'the test archive', { countRows: false });
    const true_ = buildArchive(spec);
    const headLength = writeHead(spec).length;
    const positions = new Map([
      [1010, 1],
      [1011, 2],
    ]);
    await writeLikePgDump(path, spec, Buffer.concat([true_.subarray(0, headLength), writeToc(spec, positions).toBuffer()]));
    expect(await follower.finish()).toBeUndefined();
  });

  /** The finished archive with its head and TOC as pg_dump rewrote them, then `change`d in place (same length). */
  async function rewrittenToc(spec: ArchiveSpec, change: (headAndToc: Buffer) => void): Promise<Buffer> {
    const headAndToc = Buffer.from(buildArchive(spec).subarray(0, writeHead(spec).length + writeToc(spec, new Map()).length));
    change(headAndToc);
    return headAndToc;
  }

  /** A rewrite of the head and TOC that keeps every offset and the length: the bytes `from` become `to`. */
  const replacing = (from: string, to: string) => (bytes: Buffer) => {
    const at = bytes.indexOf(from);
    expect(at).toBeGreaterThan(0);
    bytes.write(to, at, 'latin1');
  };

  test.each([
    // Archive 1.16: PGDMP, 1, 16, rev, intSize, offSize, format, then the compression algorithm (1: gzip).
    ['says the blocks are compressed though the walk read them as not', (bytes: Buffer) => void (bytes[11] = 1)],
    ['defines a table otherwise, at the same length', replacing('CREATE TABLE public.people (v text);', 'CREATE TABLE public.people (v int4);')],
    ['copies a table into other columns', replacing('COPY public.people (v) FROM stdin;', 'COPY public.people (w) FROM stdin;')],
  ])('gives nothing when the final header or TOC %s', async (_what, change) => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const spec: ArchiveSpec = { format: 'custom', items: TWO_TABLES };
    const follower = followCustomOutput(path, 'the test archive', { countRows: true });
    await writeLikePgDump(path, spec, await rewrittenToc(spec, change));
    expect(await follower.finish()).toBeUndefined();
  });

  test('gives nothing when the file at the path was replaced by another, however alike', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const spec: ArchiveSpec = { format: 'custom', items: TWO_TABLES };
    const follower = followCustomOutput(path, 'the test archive', { countRows: true });
    await writeLikePgDump(path, spec);
    // The same header and TOC, other rows: the walk read the file it opened, the hash would read this one.
    const other = join(dir, 'other.dump');
    await writeFile(other, buildArchive({ format: 'custom', items: [ENCODING, ...table('public', 'people', 10, ['c', 'd']), ...table('Odd Schema', 'Mixed"Case', 11, ['y'])] }));
    await rename(other, path);
    expect(await follower.finish()).toBeUndefined();
  });

  test('gives nothing when bytes follow the last block', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const follower = followCustomOutput(path, 'the test archive', { countRows: false });
    await writeLikePgDump(path, { format: 'custom', items: table('public', 'people', 10, ['a']) });
    await appendFile(path, Buffer.from([1, 0, 0, 0]));
    expect(await follower.finish()).toBeUndefined();
  });

  test('gives nothing when the file is not an archive, so the whole check reports it', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, '');
    const follower = followCustomOutput(path, 'the test archive', { countRows: false });
    await writeFile(path, copyData(['not', 'an', 'archive']));
    expect(await follower.finish()).toBeUndefined();
  });

  test('stops while pg_dump still writes, and closes its file', async () => {
    const path = join(dir, 'out.dump');
    await writeFile(path, writeHead({ format: 'custom', items: TWO_TABLES }).toBuffer());
    const follower = followCustomOutput(path, 'the test archive', { countRows: false });
    await settle();
    await follower.stop();
    await rm(path);
  });

  test('checks the TOC bytes the walk hopped over too: a definition longer than its reads, changed in the final TOC, is seen', async () => {
    // The walk skips a definition it does not need without reading it; the comparison at the end must still cover those bytes.
    const long = `CREATE VIEW public.v AS SELECT '${'y'.repeat(600 * 1024)}'::text AS t;`;
    const spec: ArchiveSpec = { format: 'custom', items: [ENCODING, { dumpId: 5, desc: 'VIEW', tag: 'v', namespace: 'public', defn: long }, ...TWO_TABLES.slice(1)] };
    for (const [change, stands] of [
      [() => undefined, true],
      [replacing('yyyyyyyyyy', 'yyyyyzyyyy'), false],
    ] as const) {
      const path = join(dir, `out-${String(stands)}.dump`);
      await writeFile(path, '');
      const follower = followCustomOutput(path, 'the test archive', { countRows: false });
      await writeLikePgDump(path, spec, await rewrittenToc(spec, change));
      expect((await follower.finish())?.inspection.ok === true).toBe(stands);
    }
  });
});
