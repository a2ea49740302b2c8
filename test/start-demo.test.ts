// `npm start` (bin/start.mjs) with nothing configured runs the UI on a demo: a throwaway PostgreSQL 15
// and a temporary HOLDFAST_HOME with a "demo" profile and one backup, all removed when it ends. The
// user's own home is only read. With a profile configured, no demo starts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, processesMatching, projectRoot, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';

function electronInstalled(): boolean {
  try {
    return existsSync(createRequire(import.meta.url)('electron') as string);
  } catch {
    return false;
  }
}

let tmp: ReturnType<typeof usePrivateTmpdir>;
beforeAll(() => {
  tmp = usePrivateTmpdir();
});
afterAll(() => tmp.remove());

const demoDirs = () => readdirSync(tmp.dir).filter((name) => name.startsWith('holdfast-demo-'));

/** `npm start -- --no-open` on a headless machine, with `home` as the user's HOLDFAST_HOME. */
function start(home: TestHome): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  // No DISPLAY or WAYLAND_DISPLAY: a headless machine.
  const env = cleanEnv({ HOLDFAST_HOME: home.home });
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'start.mjs'), '--no-open'], { cwd: projectRoot, env, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function rpc<T>(url: string, channel: string, input: object = {}): Promise<T> {
  const { origin, searchParams } = new URL(url);
  const response = await fetch(`${origin}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${searchParams.get('token')}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value: T };
  expect(body.ok).toBe(true);
  return body.value;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(electronInstalled())('npm start', () => {
  test('with no profiles: the UI runs on a demo, the user home stays untouched, and SIGTERM removes the demo', async () => {
    const home = makeHome();
    const run = start(home);
    try {
      const url = await waitFor('the UI URL', () => /Holdfast UI: (\S+)/.exec(run.output())?.[1], 60_000);
      const dir = /Everything lives in (\S+) /.exec(run.output())![1]!;
      const port = Number(/PostgreSQL 15 on 127\.0\.0\.1:(\d+)/.exec(run.output())![1]);
      expect(run.output()).toContain('npm start -- --no-demo');
      expect(dir.startsWith(tmp.dir)).toBe(true);

      const profiles = await rpc<Array<{ name: string; port: number }>>(url, 'profile.list');
      expect(profiles.map((p) => [p.name, p.port])).toEqual([['demo', port]]);
      const backups = await rpc<Array<{ profile: string; status: string; rowCounts: Record<string, number> }>>(url, 'backup.list');
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatchObject({ profile: 'demo', status: 'completed', rowCounts: { 'public.customers': 5000, 'public.invoices': 50000 } });
      // No catalogue (nor anything else) was made in the user's home to look for profiles.
      expect(readdirSync(home.home)).toEqual([]);
      expect(await portOpen(port)).toBe(true);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(await portOpen(port)).toBe(false);
      expect(existsSync(dir)).toBe(false);
      expect(processesMatching(dir)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      home.cleanup();
    }
  }, 90_000);

  test('SIGTERM during the demo start-up stops it and removes what it made', async () => {
    const home = makeHome();
    const run = start(home);
    try {
      // The server's directory exists: initdb or the server is running, the UI not yet.
      const dir = join(tmp.dir, await waitFor('the demo directory', () => demoDirs()[0], 60_000));
      await waitFor('the demo server directory', () => existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('postgres-')), 60_000);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(143);
      expect(run.output()).not.toContain('Holdfast UI:');
      expect(existsSync(dir)).toBe(false);
      expect(processesMatching(dir)).toEqual([]);
      expect(readdirSync(home.home)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      home.cleanup();
    }
  }, 90_000);

  test('with a profile configured: no demo, the user home as it is', async () => {
    const home = makeHome();
    const holdfast = await home.open();
    await holdfast.addProfile({ name: 'mine', host: '127.0.0.1', port: 1, user: 'me', dbname: 'app' });
    holdfast.close();
    const run = start(home);
    try {
      const url = await waitFor('the UI URL', () => /Holdfast UI: (\S+)/.exec(run.output())?.[1], 60_000);
      expect(run.output()).not.toContain('Holdfast demo');
      expect(demoDirs()).toEqual([]);
      const profiles = await rpc<Array<{ name: string }>>(url, 'profile.list');
      expect(profiles.map((p) => p.name)).toEqual(['mine']);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
      home.cleanup();
    }
  }, 60_000);
});
