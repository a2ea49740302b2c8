// Which OS user a scratch server runs as, and how it is kept away from the network. PostgreSQL
// refuses to run as root, so under root a server runs as another user: test and demo servers as the
// distribution's `postgres`, restore drills as a dedicated `holdfast-sandbox` user that owns nothing
// and so cannot read HOLDFAST_HOME, the backups or the keychain (all root's, 0700/0600). Under root a
// drill's server also gets a network namespace of its own (no interfaces but a downed loopback), so
// nothing it runs can reach another host even if it escaped the database's own privilege checks.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { HoldfastError } from '../model/errors.ts';

const run = promisify(execFile);

export const runningAsRoot = process.getuid?.() === 0;

/** The distribution's server user: test and demo servers. */
export const SHARED_SERVER_USER = 'postgres';
/** Restore drills' own user, created on first use. */
export const SANDBOX_USER = 'holdfast-sandbox';

export function osUserIds(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

export function requireOsUser(name: string): { uid: number; gid: number } {
  const ids = osUserIds(name);
  if (!ids)
    throw new HoldfastError(
      'TOOL_MISSING',
      `Running as root, a scratch server needs the OS user "${name}".`,
      name === SHARED_SERVER_USER
        ? 'apt-get install postgresql (which creates it), or run Holdfast as a normal user.'
        : `Create it: useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${name}`,
    );
  return ids;
}

let sandboxUser: Promise<{ uid: number; gid: number }> | undefined;

/** The sandbox user, created (system account, no home, no login shell) the first time a drill runs as root. */
export function ensureSandboxUser(): Promise<{ uid: number; gid: number }> {
  sandboxUser ??= (async () => {
    const existing = osUserIds(SANDBOX_USER);
    if (existing) return existing;
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--comment', 'Holdfast restore drills', SANDBOX_USER]);
    } catch (error) {
      // Another Holdfast may have made it meanwhile.
      if (!osUserIds(SANDBOX_USER))
        throw new HoldfastError(
          'TOOL_MISSING',
          `Could not create the OS user "${SANDBOX_USER}" that restore drills run their server as: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
          `Create it yourself: useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${SANDBOX_USER}`,
        );
    }
    return requireOsUser(SANDBOX_USER);
  })();
  sandboxUser.catch(() => (sandboxUser = undefined));
  return sandboxUser;
}

let namespaces: Promise<boolean> | undefined;

/** Whether this process may give a child a network namespace of its own (root, and a kernel that allows it). */
export function networkNamespacesWork(): Promise<boolean> {
  namespaces ??= runningAsRoot
    ? run('unshare', ['--net', '--', 'true']).then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
  return namespaces;
}

/** `bin args` as `osUser` (when root), optionally in a fresh network namespace. */
export function asOsUser(osUser: string | undefined, bin: string, args: readonly string[], isolateNetwork = false): [string, string[]] {
  const asUser: [string, string[]] = osUser === undefined ? [bin, [...args]] : ['runuser', ['-u', osUser, '--', bin, ...args]];
  return isolateNetwork ? ['unshare', ['--net', '--', asUser[0], ...asUser[1]]] : asUser;
}
