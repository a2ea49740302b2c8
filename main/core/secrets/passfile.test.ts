// A child's passfile lives until the child has connected (libpq has read it by then), not until the
// operation ends; one this process did not write is never touched. Real children through startChild:
// `node` stands in for a libpq tool, connecting to a local TCP server when told to.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startChild } from '../process/child.ts';
import { createPassfile } from './passfile.ts';

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
    const passfile = await createPassfile({ user: 'app' }, 'pw');
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
    const passfile = await createPassfile({ user: 'app' }, 'pw');
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
