// The structural check of an archive that passes by once, as a stream (pg_dump's output on its way to
// the encryptor, or a decrypted backup): custom archives are walked block by block as they arrive
// (written to a pipe they have no data offsets, so the walk is the sequential one pg_restore does
// too), plain scripts line by line. Tar needs random access (its TOC member is read after the walk)
// and a directory is many files: neither can be checked this way.
import { createGunzip } from 'node:zlib';
import { LETS_GO } from '../fsutil/lent-buffers.ts';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCustom, type CustomReadOptions } from './custom.ts';
import { PlainScanner } from './plain.ts';
import { describeError, DumpProblem } from './problem.ts';
import { sniff } from './sniff.ts';
import { StreamSource } from './stream-source.ts';
import type { ArchiveInspection, DumpFormat, Findings } from './types.ts';

export const STREAMABLE_FORMATS: readonly DumpFormat[] = ['custom', 'plain'];

export interface StreamInspector {
  /** Write the archive's bytes here, in order, and end it. */
  readonly sink: PassThrough;
  /** Settles once the sink ended; never rejects. */
  readonly result: Promise<ArchiveInspection>;
}

async function readPlain(input: Readable, label: string, expectGzip: boolean | undefined): Promise<Findings> {
  const scanner = new PlainScanner();
  let head: Buffer | undefined = Buffer.alloc(0);
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let gzip = false;
  let fed: Promise<void> | undefined;
  const consume = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) scanner.push(chunk);
  };
  const start = (first: Buffer) => {
    const kind = sniff(first);
    gzip = kind === 'gzip-compressed data';
    if (kind === 'zstd-compressed data' || kind === 'lz4-compressed data') throw new DumpProblem(`${label} is ${kind}, which Node 20 cannot decompress, so its completeness cannot be checked`);
    if (kind === 'a pg_dump custom-format archive' || kind === 'a tar archive') throw new DumpProblem(`${label} is ${kind}, not a plain SQL dump`);
    if (expectGzip !== undefined && expectGzip !== gzip)
      throw new DumpProblem(gzip ? `${label} is gzip-compressed but was recorded as uncompressed` : `${label} is not gzip-compressed but was recorded as gzip`);
    if (gzip) {
      gunzip = createGunzip({ chunkSize: 256 * 1024 });
      fed = pipeline(gunzip, consume);
    }
  };
  const feed = async (chunk: Buffer) => {
    if (gunzip) {
      if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip!.once('drain', resolve));
    } else scanner.push(chunk);
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (head) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 512) continue;
        const first = head;
        head = undefined;
        start(first);
        await feed(first);
      } else await feed(chunk);
    }
    if (head) {
      if (head.length === 0) throw new DumpProblem(`${label} is empty: pg_dump wrote nothing`);
      start(head);
      await feed(head);
    }
    gunzip?.end();
    await fed;
  } catch (err) {
    if (err instanceof DumpProblem) throw err;
    if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new DumpProblem(`the gzip stream of ${label} is broken after ${scanner.bytes} uncompressed bytes (${(err as Error).message}): the dump is truncated or corrupt`);
    }
    throw err;
  }
  return { compression: gzip ? 'gzip' : 'none', ...scanner.finish() };
}

/**
 * A check that reads what is written to `sink`. The sink never stays blocked by a failed check: once
 * the result is known to be a failure, the rest of the bytes are taken and dropped, so the pipeline
 * feeding it (and pg_dump behind it) runs to its own end.
 */
export function inspectStream(format: DumpFormat, label: string, options: { gzip?: boolean } & Pick<CustomReadOptions, 'onTocEnd' | 'onToc' | 'onBlock' | 'countRows'> = {}): StreamInspector {
  const sink = new PassThrough({ highWaterMark: 1024 * 1024 });
  // A custom archive's chunks pass unchanged to the StreamSource, which lets go of each once the walk is past it.
  if (format === 'custom') Object.assign(sink, { [LETS_GO]: true });
  const run = async (): Promise<ArchiveInspection> => {
    try {
      if (format === 'custom') {
        const source = new StreamSource();
        // Caught at once: a sink destroyed mid-stream must not be an unhandled rejection while the walk
        // runs (the source's _destroy ends the walk, which then reports the archive as cut short).
        const piped = pipeline(sink, source).catch(() => undefined);
        try {
          const { onTocEnd, onToc, onBlock, countRows } = options;
          const findings = await readCustom(source, label, { onTocEnd, onToc, onBlock, countRows });
          // Bytes after the last data block: pg_dump wrote something the walk does not expect.
          return { ok: true, format, ...findings };
        } finally {
          source.release();
          await piped;
        }
      }
      if (format === 'plain') return { ok: true, format, ...(await readPlain(sink, label, options.gzip)) };
      throw new DumpProblem(`a ${format}-format archive cannot be checked as a stream`);
    } catch (err) {
      sink.resume();
      return { ok: false, format, problem: describeError(err, label) };
    }
  };
  return { sink, result: run() };
}
