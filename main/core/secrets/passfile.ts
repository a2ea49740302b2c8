// How a stored password reaches pg_dump, pg_restore, psql and pg_dumpall: a passfile (0600, in a
// fresh 0700 directory) named by PGPASSFILE in that child's environment only, removed when the
// operation ends, also on failure. Never argv, never PGPASSWORD: both are readable from /proc.
// A profile that may not use libpq's own password files gets an empty one the same way, so no line
// of ~/.pgpass or the inherited PGPASSFILE (a wildcard one least of all) answers for it.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadProcessDirs, processDirPrefix } from '../process/liveness.ts';
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
  const dir = await mkdtemp(join(passfileRoot(), processDirPrefix(PREFIX)));
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
  const removed: string[] = [];
  for (const { path } of deadProcessDirs(passfileRoot(), PREFIX)) {
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
