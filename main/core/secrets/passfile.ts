// How a stored password reaches pg_dump, pg_restore, psql and pg_dumpall: a passfile (0600, in a
// fresh 0700 directory) named by PGPASSFILE in that child's environment only, removed when the
// operation ends, also on failure. Never argv, never PGPASSWORD: both are readable from /proc.
// A profile that may not use libpq's own password files gets an empty one the same way, so no line
// of ~/.pgpass or the inherited PGPASSFILE (a wildcard one least of all) answers for it.
import { chmod, lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, PROCESS_TOKEN } from '../process/liveness.ts';
import { formatPgpassLine } from '../profiles/libpq-files.ts';

const PREFIX = 'holdfast-pass-';

/** tmpfs when the session has one, so the file never reaches a disk. */
function passfileRoot(): string {
  return process.env.XDG_RUNTIME_DIR ?? tmpdir();
}

export interface Passfile {
  /** Extra environment for a child: PGPASSFILE, and PGPASSWORD removed. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  remove(): Promise<void>;
}

/** `password` undefined: an empty file, which libpq reads as "no password here". */
export async function createPassfile(target: { user: string }, password: string | undefined): Promise<Passfile> {
  const dir = await mkdtemp(join(passfileRoot(), `${PREFIX}${process.pid}-${PROCESS_TOKEN}-`));
  await chmod(dir, 0o700);
  const path = join(dir, 'pgpass');
  // Wildcards for host and port: the file serves this one profile only, and libpq looks a Unix-socket
  // connection up as "localhost", which a literal socket path would never match.
  const content = password === undefined ? '' : `${formatPgpassLine({ host: '*', port: '*', database: '*', user: target.user, password })}\n`;
  await writeFile(path, content, { mode: 0o600, flag: 'wx' });
  return {
    env(base) {
      const env: NodeJS.ProcessEnv = { ...base, PGPASSFILE: path };
      delete env.PGPASSWORD;
      return env;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Passfile directories left by a Holdfast process that died (SIGKILL skips every finally). */
export async function removeStalePassfiles(): Promise<string[]> {
  const root = passfileRoot();
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = new RegExp(`^${PREFIX}(\\d+)-([0-9a-f]{8})-`).exec(name);
    if (!match || isProcessAlive(Number(match[1]), match[2]!)) continue;
    // Ours only: in a shared /tmp another user can make a directory of that name, and removing its
    // tree as root would follow a symlink swapped in while it is walked.
    const info = await lstat(join(root, name)).catch(() => undefined);
    if (!info?.isDirectory() || (process.getuid !== undefined && info.uid !== process.getuid())) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed.push(join(root, name));
  }
  return removed;
}
