// A real SSH/SFTP server for the offsite suites: Debian's openssh-server run by the suite as a
// non-daemon (sshd -D) with its own config, host key and authorized_keys, on a free port of 127.0.0.1
// only, serving internal-sftp. The user is the one running the suite (root under CI: then root's
// logins are key-only, so any password is wrong, which is all the password case needs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './azurite-server.ts';

export const SSHD = '/usr/sbin/sshd';

export interface SshServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** A private key the server accepts for `user` (no passphrase). */
  clientKeyFile: string;
  /** The server's host key as OpenSSH fingerprints it (ssh-keygen -lf). */
  hostKeyFingerprint(): string;
  /** A fresh directory for a destination's root, writable by `user`. */
  directory: string;
  /** Replaces the host key and restarts on the same port: what a changed (or impostor) server looks like. */
  changeHostKey(): Promise<void>;
  /** SIGKILL to the listener and every session it forked: the server gone mid-transfer; its files stay. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same host key (after kill). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'holdfast-test', '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
}

export async function startSshd(): Promise<SshServer> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-sshd-'));
  const user = userInfo().username;
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  keygen(hostKey);
  keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const directory = join(dir, 'store');
  mkdirSync(directory, { mode: 0o700 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      `PermitRootLogin ${user === 'root' ? 'prohibit-password' : 'no'}`,
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  // sshd insists on its privilege-separation directory.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let child: ChildProcess;
  const start = async () => {
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const poll = () => {
        if (child.exitCode !== null) return reject(new Error(`sshd exited (${child.exitCode}): ${output}`));
        const probe = spawnSync('ssh-keyscan', ['-p', String(port), '-T', '2', '127.0.0.1'], { encoding: 'utf8' });
        if (probe.stdout.includes('ssh-ed25519')) return resolve();
        if (Date.now() > deadline) return reject(new Error(`sshd did not answer: ${output}`));
        setTimeout(poll, 100);
      };
      poll();
    });
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Each connection is served by a process of its own (in a session of its own), which outlives
    // the listener: those are found as the listener's descendants, by pid, and killed first.
    for (const pid of descendantsOf(child.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    clientKeyFile: clientKey,
    directory,
    hostKeyFingerprint() {
      const result = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' });
      return result.stdout.split(' ')[1]!;
    },
    async changeHostKey() {
      await stop();
      rmSync(hostKey);
      rmSync(`${hostKey}.pub`);
      keygen(hostKey);
      await start();
    },
    kill,
    start,
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every process below `root` (children, their children, …), deepest first, from /proc. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, after the command name in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while listed.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent !== pid) continue;
      visit(child);
      found.push(child);
    }
  };
  visit(root);
  return found;
}
