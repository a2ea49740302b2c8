// A child's passfile lives until the child has connected (libpq has read it by then), not until the
// operation ends; one this process did not write is never touched. Real children through startChild:
// `node` stands in for a libpq tool, connecting to a local TCP server when told to.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HoldfastError } from '../model/errors.ts';
import { startChild } from '../process/child.ts';
import { createPassfile, removeStalePassfiles, type Passfile } from './passfile.ts';

let server: Server;
let port = 0;
let runtime: string;
const saved = process.env.XDG_RUNTIME_DIR;

beforeAll(async () => {
  runtime = mkdtempSync(join(tmpdir(), 'holdfast-passfile-spec-'));
  process.env.XDG_RUNTIME_DIR = runtime;
  server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.close();
  if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = saved;
  rmSync(runtime, { recursive: true, force: true });
});

/** A child that connects (or not), then waits for its stdin to end: the test decides when it exits. */
function child(env: NodeJS.ProcessEnv, connect: boolean) {
  const source = connect ? `require('node:net').connect(${port}, '127.0.0.1').on('connect', () => console.error('connected'))` : `console.error('not connecting')`;
  const input = new PassThrough();
  const running = startChild(process.execPath, ['-e', `${source}; process.stdin.resume(); process.stdin.on('end', () => process.exit(0))`], { env, stdin: input });
  return { running, end: () => input.end() };
}

const waitUntil = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe.runIf(process.platform === 'linux')("a child's passfile", () => {
  test('is private (0600 in a 0700 directory), one per child, and removed once the child has connected, while it still runs', async () => {
    const passfile = await createPassfile({ user: 'app' }, 'pw', runtime);
    const env = passfile.env({ PATH: process.env.PATH });
    const path = env.PGPASSFILE!;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(passfile.env({}).PGPASSFILE).not.toBe(path);
    const { running, end } = child(env, true);
    await waitUntil('the passfile to go', () => !existsSync(path));
    expect(running.child.exitCode).toBeNull();
    end();
    expect((await running.done).exitCode).toBe(0);
    await passfile.remove();
  });

  test('a child that never connects keeps it until it exits', async () => {
    const passfile = await createPassfile({ user: 'app' }, 'pw', runtime);
    const env = passfile.env({ PATH: process.env.PATH });
    const { running, end } = child(env, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(env.PGPASSFILE!)).toBe(true);
    end();
    await running.done;
    await waitUntil('the passfile to go after the exit', () => !existsSync(env.PGPASSFILE!));
  });

  test('a PGPASSFILE this process did not write (libpq files allowed) is never removed', async () => {
    const own = join(runtime, 'users-own-pgpass');
    writeFileSync(own, '*:*:*:app:pw\n', { mode: 0o600 });
    const { running, end } = child({ PATH: process.env.PATH, PGPASSFILE: own }, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    end();
    await running.done;
    expect(existsSync(own)).toBe(true);
  });
});

/** Runs `body` with XDG_RUNTIME_DIR unset, as under a service manager or a container without a login session. */
async function withoutRuntimeDir<T>(body: () => Promise<T>): Promise<T> {
  delete process.env.XDG_RUNTIME_DIR;
  try {
    return await body();
  } finally {
    process.env.XDG_RUNTIME_DIR = runtime;
  }
}

describe('without XDG_RUNTIME_DIR', () => {
  test('the passfile goes in a private directory under HOLDFAST_HOME, never the shared temp directory', async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-pass-'));
    try {
      const path = await withoutRuntimeDir(async () => {
        const passfile = await createPassfile({ user: 'app' }, 'pw', home);
        const written = passfile.env({}).PGPASSFILE!;
        expect(readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-pass-'))).toEqual(before);
        await passfile.remove();
        return written;
      });
      expect(dirname(dirname(path))).toBe(join(home, 'passfiles'));
      expect(statSync(join(home, 'passfiles')).mode & 0o777).toBe(0o700);
      expect(readdirSync(join(home, 'passfiles'))).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  // The attack review: a symlink planted at HOLDFAST_HOME/passfiles was followed: the directory it
  // names was made 0700 (chmod follows links) and every password written into it.
  test('a symlink at HOLDFAST_HOME/passfiles is refused, saying what to do; what it points at is not touched', async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-passfile-elsewhere-'));
    chmodSync(elsewhere, 0o755);
    symlinkSync(elsewhere, join(home, 'passfiles'));
    try {
      const refused = await withoutRuntimeDir(() => createPassfile({ user: 'app' }, 'pw', home).catch((error: unknown) => error));
      expect(refused).toBeInstanceOf(HoldfastError);
      expect((refused as HoldfastError).message).toMatch(new RegExp(`${join(home, 'passfiles')} is a symbolic link`));
      expect((refused as HoldfastError).hint).toMatch(/Remove it .*rm .*passfiles/);
      expect(statSync(elsewhere).mode & 0o777).toBe(0o755);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      for (const dir of [home, elsewhere]) rmSync(dir, { recursive: true, force: true });
    }
  });

  test.runIf(process.getuid?.() === 0)('a HOLDFAST_HOME/passfiles another user owns is refused, and its mode left as it is', async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    const theirs = join(home, 'passfiles');
    mkdirSync(theirs, { mode: 0o755 });
    chmodSync(theirs, 0o755);
    chownSync(theirs, 65534, 65534);
    try {
      const refused = await withoutRuntimeDir(() => createPassfile({ user: 'app' }, 'pw', home).catch((error: unknown) => error));
      expect((refused as HoldfastError).message).toMatch(/is owned by uid 65534, not this user \(uid 0\)/);
      expect(statSync(theirs).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("an XDG_RUNTIME_DIR that is not this user's private directory is not used: gone (removed at logout under a daemon that runs on), shared, or another user's (left by su)", async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    const shared = mkdtempSync(join(tmpdir(), 'holdfast-passfile-shared-'));
    chmodSync(shared, 0o1777);
    const others = mkdtempSync(join(tmpdir(), 'holdfast-passfile-others-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(others, 65534, 65534);
    const cases = [join(home, 'gone'), shared, ...(asRoot ? [others] : [])];
    try {
      for (const runtimeDir of cases) {
        process.env.XDG_RUNTIME_DIR = runtimeDir;
        const passfile = await createPassfile({ user: 'app' }, 'pw', home).catch((error: Error) => error);
        expect(passfile).not.toBeInstanceOf(Error);
        const path = (passfile as Passfile).env({}).PGPASSFILE!;
        expect(dirname(dirname(path))).toBe(join(home, 'passfiles'));
        await (passfile as Passfile).remove();
        expect(readdirSync(shared)).toEqual([]);
      }
    } finally {
      process.env.XDG_RUNTIME_DIR = runtime;
      for (const dir of [home, shared, others]) rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a dead Holdfast's passfile directory under HOLDFAST_HOME is removed at the next start; a live one's is not", async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    try {
      // A pid that has exited, as a SIGKILLed Holdfast's is.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      const left = join(home, 'passfiles', `holdfast-pass-${dead}-0badc0de-x1`);
      mkdirSync(left, { recursive: true, mode: 0o700 });
      writeFileSync(join(left, 'pgpass'), '*:*:*:app:pw\n', { mode: 0o600 });
      const live = await withoutRuntimeDir(async () => {
        const passfile = await createPassfile({ user: 'app' }, 'pw', home);
        return { passfile, path: passfile.env({}).PGPASSFILE! };
      });
      const removed = await withoutRuntimeDir(() => removeStalePassfiles(home));
      expect(removed).toEqual([left]);
      expect(existsSync(left)).toBe(false);
      expect(existsSync(live.path)).toBe(true);
      await live.passfile.remove();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('what a process leaves when it exits before the child connects is removed by the exit', () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-passfile-home-'));
    try {
      const script = `
        const { createPassfile } = await import(${JSON.stringify(join(import.meta.dirname, 'passfile.ts'))});
        const passfile = await createPassfile({ user: 'app' }, 'pw', ${JSON.stringify(home)});
        process.stdout.write(passfile.env({}).PGPASSFILE);
        process.exit(0);`;
      const env = { ...process.env };
      delete env.XDG_RUNTIME_DIR;
      const ran = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdout).toContain(join(home, 'passfiles'));
      expect(existsSync(ran.stdout)).toBe(false);
      expect(readdirSync(join(home, 'passfiles'))).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
