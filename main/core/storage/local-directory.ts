// A destination on a local (or mounted) directory: BACKUP_DIR, or the folder a backup was adopted in.
// Writes follow the house rule for files that must not lie: a temporary name beside the final one,
// hashed while written, fsync, rename, fsync of the directory; a crash or a mismatch leaves at most
// a hidden ".<name>.put-<random>.tmp", never a half file under the real name.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exists, listTree, pathSize, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, renameDurably, sealTree } from '../fsutil/durable.ts';
import { HoldfastError } from '../model/errors.ts';
import { crashPoint } from '../process/crash-point.ts';
import { checkKey, keyName, type Destination, type LocalCopy, type ObjectInfo, type ObjectKind, type TreeEntry } from './destination.ts';

export class LocalDirectoryDestination implements Destination {
  /** put hashes the bytes as it writes them; the stored file is read back by whoever needs it read (copies.ts). */
  readonly putReadsBack = false;
  /** `root` is absolute; nothing outside it is ever read, written or removed through this destination. */
  constructor(
    readonly name: string,
    readonly root: string,
  ) {}

  describe(key: string): string {
    return this.pathOf(key);
  }

  async put(key: string, source: Readable, expected: { sha256: string; size: number }): Promise<void> {
    const final = await this.claim(key);
    const temporary = tempBeside(final);
    try {
      const written = await writeHashed(source, temporary);
      if (written.sha256 !== expected.sha256 || written.size !== expected.size) {
        throw mismatch(this.describe(key), `${written.size} bytes with SHA-256 ${written.sha256}, expected ${expected.size} bytes with ${expected.sha256}`);
      }
      crashPoint('storage:put-before-rename');
      await renameDurably(temporary, final);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async putTree(key: string, sourceDir: string, expected: readonly TreeEntry[]): Promise<void> {
    const final = await this.claim(key);
    const temporary = tempBeside(final);
    try {
      const present = (await listTree(sourceDir)).files.map((path) => path.split(/[\\/]/).join('/'));
      const wanted = new Set(expected.map((entry) => checkKey(entry.path)));
      const extra = present.filter((path) => !wanted.has(path));
      const absent = [...wanted].filter((path) => !present.includes(path));
      if (extra.length || absent.length)
        throw mismatch(this.describe(key), `the tree's files differ from the expected list (extra: ${extra.join(', ') || 'none'}; missing: ${absent.join(', ') || 'none'})`);
      for (const entry of expected) {
        const target = join(temporary, ...entry.path.split('/'));
        await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
        const written = await writeHashed(createReadStream(join(sourceDir, ...entry.path.split('/'))), target);
        if (written.sha256 !== entry.sha256 || written.size !== entry.size)
          throw mismatch(this.describe(key), `${entry.path} has ${written.size} bytes with SHA-256 ${written.sha256}, expected ${entry.size} bytes with ${entry.sha256}`);
      }
      await mkdir(temporary, { recursive: true, mode: PRIVATE_DIR_MODE });
      await sealTree(temporary);
      await renameDurably(temporary, final);
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }

  async open(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    // Opened before it is handed out, so a missing file fails here rather than at the first read.
    const handle = await open(path, 'r');
    return handle.createReadStream({ highWaterMark: 1024 * 1024 });
  }

  /** The stored file itself, whether or not anything is there now: the reader's own checks say so. */
  async localFile(key: string): Promise<LocalCopy> {
    return { path: this.pathOf(key), release: async () => undefined };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    let info;
    try {
      info = await lstat(path);
    } catch {
      return undefined;
    }
    return info.isDirectory() ? { kind: 'tree', size: await pathSize(path) } : { kind: 'file', size: info.size };
  }

  async list(prefix: string): Promise<Array<{ key: string; kind: ObjectKind }>> {
    checkKey(prefix, { allowRoot: true });
    const dir = prefix === '' ? this.root : this.pathOf(prefix);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .map((entry) => ({ key: prefix === '' ? entry.name : `${prefix}/${entry.name}`, kind: (entry.isDirectory() ? 'tree' : 'file') as ObjectKind }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { recursive: true, force: true });
  }

  /** The key's own put temp files (".<name>.put-<random>.tmp" beside it); nothing else in the folder is touched. */
  async clearAbandonedPut(key: string): Promise<{ cleared: string[]; problems: string[] }> {
    const final = this.pathOf(key);
    const name = keyName(checkKey(key));
    const folder = dirname(final);
    const result = { cleared: [] as string[], problems: [] as string[] };
    let entries: string[];
    try {
      entries = await readdir(folder);
    } catch {
      return result;
    }
    for (const entry of entries) {
      if (!entry.startsWith(`.${name}.put-`) || !entry.endsWith('.tmp')) continue;
      try {
        await rm(join(folder, entry), { recursive: true, force: true });
        result.cleared.push(join(folder, entry));
      } catch (error) {
        result.problems.push(`${join(folder, entry)}: ${(error as Error).message}`);
      }
    }
    return result;
  }

  async durableRename(from: string, to: string): Promise<void> {
    const target = this.pathOf(to);
    await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    await renameDurably(this.pathOf(from), target);
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  /** The final path for a new object: its folder made, and nothing already stored there. */
  private async claim(key: string): Promise<string> {
    const final = this.pathOf(key);
    if (await exists(final)) {
      throw new HoldfastError('CONFLICT', `${final} already exists; it was left as it is.`, 'Remove or rename what is there, or store the backup under another name.');
    }
    await mkdir(dirname(final), { recursive: true, mode: PRIVATE_DIR_MODE });
    return final;
  }
}

function tempBeside(final: string): string {
  return join(dirname(final), `.${keyName(final.split(/[\\/]/).join('/'))}.put-${randomBytes(4).toString('hex')}.tmp`);
}

function mismatch(where: string, detail: string): HoldfastError {
  return new HoldfastError(
    'VERIFY_FAILED',
    `What was written for ${where} does not match what was expected: ${detail}; nothing was stored under that name.`,
    'The source changed or is damaged while it was copied: check it (holdfast verify) and store it again.',
  );
}

/** Copies the stream into a new 0600 file, fsyncs it, and says what was written. */
async function writeHashed(source: Readable, target: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(target, 'wx', PRIVATE_FILE_MODE);
  try {
    await pipeline(source, async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        for (let offset = 0; offset < chunk.length;) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
      }
    });
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}
