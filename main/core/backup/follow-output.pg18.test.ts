// pg_dump 18's custom archives, written the way pg_dump writes one to a file: the header and a TOC
// whose data offsets are not set yet, the data blocks appended, then at exit the TOC rewritten in place
// with the offsets. These machines have no pg_dump 18 to run, so the real pg_dump 18.3 archives in
// ../shared/fixtures/pg18 are replayed that way (their final TOC is what pg_dump 18 left; its first
// one is that TOC with each data offset back to "not set", as WriteToc writes it before the data).
// If pg_dump 18 rewrote more than the offsets at exit, the follower would give nothing and the backup
// would check the file whole: slower, never wrong (the negative cases are in follow-output.test.ts).
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET } from '../archive/constants.ts';
import { readCustomToc } from '../archive/custom.ts';
import { inspectArchive } from '../archive/inspect.ts';
import { followCustomOutput } from './follow-output.ts';

const FIXTURES = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'pg18');
const settle = () => new Promise((resolve) => setTimeout(resolve, 120));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdfast-follow18-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `final` to `path` as pg_dump writes a custom archive to a file; returns how many data offsets the exit rewrite set. */
async function replayPgDumpWrite(fixture: string, path: string): Promise<number> {
  const final = await readFile(fixture);
  const toc = await readCustomToc(fixture);
  const first = Buffer.from(final.subarray(0, toc.end));
  let placed = 0;
  for (const entry of toc.entries) {
    if (!entry.offsetBytes || entry.dataState !== K_OFFSET_POS_SET) continue;
    first[entry.offsetBytes.start] = K_OFFSET_POS_NOT_SET;
    first.fill(0, entry.offsetBytes.start + 1, entry.offsetBytes.end);
    placed += 1;
  }
  await writeFile(path, first);
  // The data in pieces, with pauses: the follower catches up and waits at the file's end, as it does behind pg_dump.
  const piece = 64 * 1024;
  for (let at = toc.end, n = 0; at < final.length; at += piece, n += 1) {
    await appendFile(path, final.subarray(at, at + piece));
    if (n % 8 === 0) await settle();
  }
  const file = await open(path, 'r+');
  await file.write(final, 0, toc.end, 0);
  await file.close();
  return placed;
}

describe('following a pg_dump 18.3 custom archive as it is written', () => {
  test.each(['custom-none.dump', 'custom-gzip.dump'])('%s: the walk stands for the finished file, which reads as the fixture does', async (name) => {
    const path = join(dir, name);
    await writeFile(path, '');
    const follower = followCustomOutput(path, name, { countRows: true });
    const placed = await replayPgDumpWrite(join(FIXTURES, name), path);
    expect(placed).toBeGreaterThan(5);
    const followed = await follower.finish();
    const walked = followed?.inspection;
    expect(walked).toMatchObject({ ok: true, format: 'custom', archiveVersion: '1.16-0' });
    const whole = await inspectArchive(join(FIXTURES, name), 'custom');
    if (!walked?.ok || !whole.ok) throw new Error('unreadable');
    expect(walked.tables.map((t) => [t.schema, t.name, t.hasData])).toEqual(whole.tables.map((t) => [t.schema, t.name, t.hasData]));
    expect(walked.compression).toBe(whole.compression);
    // Hashed behind the walk: the head hashed first, with the offsets pg_dump 18 wrote at its exit.
    expect(followed?.checksum).toBe(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  });
});
