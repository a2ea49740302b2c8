// A lock held across processes by a file created exclusively beside what it guards ("<path>.lock"),
// naming its holder by pid and kernel start time, so a holder that died (SIGKILL skips every finally)
// is recognised and its lock taken over instead of blocking every later writer. For read–change–write
// of one small file (the credentials file) that two processes may change at once: the CLI and serve.
import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import { isProcessAlive, isSameProcessAlive, processStartToken } from '../process/liveness.ts';
import { PRIVATE_FILE_MODE } from './durable.ts';

const RETRY_MS = 25;

/** In this process the holders queue here first, so concurrent calls never race for the file at all. */
const queues = new Map<string, Promise<unknown>>();

function holderIsGone(content: string): boolean {
  const [pid, ...start] = content.trim().split(' ');
  const identity = { pid: Number(pid), startToken: start.join(' ') || null };
  // Not a lock this module wrote (it is never seen half-written): nobody holds it.
  return !Number.isInteger(identity.pid) || identity.pid <= 0 || !isSameProcessAlive(identity);
}

async function acquire(lockPath: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // The lock appears with its holder already written in it (a temp file hard-linked to the lock's
  // name, which fails if the name exists): a waiter never reads a lock with no holder yet and takes
  // it for a dead one's.
  const mine = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(mine, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(`${process.pid} ${processStartToken(process.pid) ?? ''}\n`);
  } finally {
    await handle.close();
  }
  try {
    for (;;) {
      try {
        await link(mine, lockPath);
        await removeDeadWaiters(lockPath, mine);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (held !== undefined && holderIsGone(held)) {
        // Taken over only if it is still the dead holder's lock (another waiter may have done so first).
        if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === held) await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new HoldfastError(
          'CONFLICT',
          `${what} is being changed by another Holdfast process (${lockPath}, held by pid ${held?.split(' ')[0] ?? '?'}).`,
          'Try again when that change is done; if no Holdfast process is running, remove the .lock file.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  } finally {
    await rm(mine, { force: true });
  }
}

/** The temp files of waiters that were killed (`<lock>.<pid>-<random>`), whose process is gone. */
async function removeDeadWaiters(lockPath: string, mine: string): Promise<void> {
  const prefix = `${basename(lockPath)}.`;
  for (const name of await readdir(dirname(lockPath)).catch(() => [] as string[])) {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length))?.[1]);
    if (!name.startsWith(prefix) || !pid || join(dirname(lockPath), name) === mine || pid === process.pid || isProcessAlive(pid, null)) continue;
    await rm(join(dirname(lockPath), name), { force: true });
  }
}

/** Runs `work` while holding `<path>.lock`, alone among this process's callers and other processes. */
export async function withLockFile<T>(path: string, what: string, work: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const lockPath = `${path}.lock`;
      await acquire(lockPath, what, timeoutMs);
      try {
        return await work();
      } finally {
        await rm(lockPath, { force: true });
      }
    });
  const settled = run.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return run;
}
