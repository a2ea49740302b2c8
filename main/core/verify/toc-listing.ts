// pg_restore --list over an archive that streams by once (an encrypted backup being decrypted): the
// archive's head is kept while it passes, and pg_restore reads its table of contents from that after
// the pass. Starting pg_restore during the pass would fork this process in the middle of it, and after
// a fork every page the decryption writes faults again (bench row 10: +350 ms CPU on 100 MB).
import { PassThrough, Readable, Writable } from 'node:stream';
import type { EngineContext } from '../backup/backup.ts';
import { letGo, LETS_GO } from '../fsutil/lent-buffers.ts';
import type { BackupMetadata } from '../model/types.ts';
import { startChild, stderrTail, type ChildResult } from '../process/child.ts';
import { pickClientTools } from '../tools/discover.ts';
import type { AddCheck } from './check-types.ts';

/** Far more than any table of contents but a huge one's; a longer one is read from a second pass. */
export const LISTING_HEAD_BYTES = 16 * 1024 * 1024;

/** Keeps the first `limit` bytes written to it (copied: the writer may reuse its buffers) and drops the rest. */
export class HeadCapture extends Writable {
  /** It keeps copies, so it lets go of each chunk at once (fsutil/lent-buffers.ts). */
  readonly [LETS_GO] = true;
  readonly chunks: Buffer[] = [];
  overflowed = false;
  private kept = 0;

  constructor(private readonly limit = LISTING_HEAD_BYTES) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const room = this.limit - this.kept;
    if (chunk.length > room) this.overflowed = true;
    if (room > 0) {
      const kept = Buffer.from(chunk.subarray(0, Math.min(room, chunk.length)));
      this.chunks.push(kept);
      this.kept += kept.length;
    }
    letGo(chunk);
    done();
  }
}

/**
 * pg_restore --list from the kept head; when that fails and the archive was longer than the head,
 * from a second pass (`readAgain` writes the whole archive into the sink it is given), so a table of
 * contents past the head is read rather than reported broken.
 */
export async function listTableOfContents(pgRestore: string, head: HeadCapture, timeoutMs: number, readAgain: (sink: Writable) => Promise<unknown>): Promise<ChildResult> {
  const fromHead = await listFrom(pgRestore, Readable.from(head.chunks), timeoutMs);
  if (fromHead.exitCode === 0 || !head.overflowed) return fromHead;
  const archive = new PassThrough();
  const listing = listFrom(pgRestore, archive, timeoutMs);
  // A pass that fails ends the stream early; pg_restore then reports the archive short.
  await readAgain(archive).catch(() => archive.end());
  return listing;
}

function listFrom(pgRestore: string, archive: Readable, timeoutMs: number): Promise<ChildResult> {
  const child = startChild(pgRestore, ['--list'], { env: process.env, timeoutMs, stdin: archive });
  // pg_restore may stop after the table of contents: what it did not read is dropped.
  void child.done.then(() => archive.destroy());
  return child.done;
}

/**
 * The verify check "pg_restore reads the table of contents": `list` runs pg_restore --list (from the
 * file, or from a kept head) with the client tools that can read a dump of `clientMajor`.
 */
export async function checkListing(
  context: EngineContext,
  backup: Pick<BackupMetadata, 'filename'>,
  clientMajor: number,
  add: AddCheck,
  list: (pgRestore: string) => Promise<ChildResult>,
): Promise<void> {
  try {
    const tools = pickClientTools(await context.clientTools(context.config.pgBinDir), clientMajor, `Reading ${backup.filename}`, context.config.pgBinDir);
    const listed = await list(tools.paths.pg_restore);
    add(
      'pg_restore',
      listed.exitCode === 0 ? 'ok' : 'failed',
      listed.exitCode === 0 ? `pg_restore ${tools.version} reads the table of contents` : `pg_restore --list failed: ${stderrTail(listed.stderr)}`,
    );
  } catch (error) {
    add('pg_restore', 'skipped', (error as Error).message);
  }
}
