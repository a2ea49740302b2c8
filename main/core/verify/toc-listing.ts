// pg_restore --list over an archive that streams by once (an encrypted backup being decrypted):
// pg_restore is started as the pass starts and reads the archive from its stdin as the plaintext
// arrives, so its start and its reading overlap the pass instead of following it (bench row 10). It
// is handed the bytes through the end of the table of contents, which is all --list reads (the walk
// says where it ends), then its stdin ends: the pass never waits for it, and copies nothing more.
import { crashPoint } from '../process/crash-point.ts';
import { PassThrough, Writable } from 'node:stream';
import type { EngineContext } from '../backup/backup.ts';
import { letGo, LETS_GO } from '../fsutil/lent-buffers.ts';
import type { BackupMetadata } from '../model/types.ts';
import { stderrTail, type ChildResult } from '../process/child.ts';
import { startChildAway } from '../process/spawner.ts';
import { pickClientTools } from '../tools/discover.ts';
import type { AddCheck } from './check-types.ts';

/** How far the pass may run ahead of a pg_restore that is still starting, before it waits for it. */
export const LISTING_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * A sink of the pass that hands copies of what it is given to pg_restore (so the pass frees its own
 * buffers: fsutil/lent-buffers.ts), until pg_restore has stopped reading; then it drops everything.
 */
export class ListingFeed extends Writable {
  readonly [LETS_GO] = true;
  /** What pg_restore reads: at most `buffered` bytes ahead of it. */
  readonly archive: PassThrough;

  /** Bytes handed over so far, and where the table of contents ends once the walk knows. */
  private handed = 0;
  private tocEnd = Number.POSITIVE_INFINITY;

  constructor(buffered = LISTING_BUFFER_BYTES) {
    super();
    this.archive = new PassThrough({ highWaterMark: buffered });
  }

  /** The table of contents ends at byte `offset`: pg_restore --list is given nothing past the chunk that holds it. */
  endAt(offset: number): void {
    this.tocEnd = offset;
    if (this.handed >= offset && !this.archive.destroyed && !this.archive.writableEnded) this.archive.end();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.archive.destroyed || this.archive.writableEnded) {
      letGo(chunk);
      done();
      return;
    }
    const copy = Buffer.from(chunk);
    letGo(chunk);
    this.handed += copy.length;
    const more = this.archive.write(copy);
    if (this.handed >= this.tocEnd) {
      this.archive.end();
      done();
      return;
    }
    if (more) {
      done();
      return;
    }
    const go = () => {
      this.archive.off('drain', go);
      this.archive.off('close', go);
      done();
    };
    this.archive.on('drain', go);
    this.archive.on('close', go);
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.archive.destroyed) this.archive.end();
    done();
  }

  /** pg_restore is done (or never started): drop what is still buffered and whatever comes. */
  stop(): void {
    this.archive.destroy();
  }
}

/**
 * pg_restore --list reading `feed`; the feed is stopped when it exits (it reads only the table of
 * contents). Started by the spawner's helper, not by this process: a fork here would make the whole
 * decrypting pass fault on every page it writes (process/spawner.ts).
 */
export function listFrom(pgRestore: string, feed: ListingFeed, timeoutMs: number): Promise<ChildResult> {
  const child = startChildAway(pgRestore, ['--list'], { env: process.env, timeoutMs, stdin: feed.archive });
  void child.done.then(() => feed.stop());
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
    crashPoint('verify:listing');
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
