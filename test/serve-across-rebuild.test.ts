// A `holdfast serve` or `holdfast daemon` runs for weeks; an upgrade rebuilds the CLI bundle under it,
// and the build removes the previous build's chunks (build/bundle-cli.mjs). Operations a one-shot
// command loads on first use (core/on-demand.ts: verify, drills, restores, imports, deletes, retention,
// whole-server sets) must not be first loaded by such a process after that: a verify asked of a serve
// started before the rebuild failed with "Cannot find module …/on-demand-….mjs … This is a bug".
// Run against the built bundle (npm run build), copied as an installed Holdfast would be.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { buildArchive, copyData, ENCODING } from '../main/core/archive/test-support.ts';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, projectRoot } from './support/holdfast-env.ts';

const installed = mkdtempSync(join(tmpdir(), 'holdfast-installed-'));
const home = makeHome();
let serve: ChildProcess | undefined;

afterAll(() => {
  serve?.kill('SIGKILL');
  home.cleanup();
  rmSync(installed, { recursive: true, force: true });
});

/** The CLI as installed: its bin, its bundle and its dependencies, no sources (so the bundle runs). */
function install(): string {
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(projectRoot, part), join(installed, part), { recursive: true });
  mkdirSync(join(installed, 'main'));
  symlinkSync(join(projectRoot, 'node_modules'), join(installed, 'node_modules'));
  return join(installed, 'dist', 'cli-chunks');
}

test('a serve started before a rebuild still verifies once the build removed the chunks it would have loaded', async () => {
  const chunks = install();
  const onDemand = readdirSync(chunks).filter((name) => /^on-demand-.*\.mjs$/.test(name));
  expect(onDemand, 'dist/ holds no on-demand chunk: run npm run build first').toHaveLength(1);

  const holdfast = await home.open();
  const { token } = holdfast.addUser('alice', 'admin');
  await holdfast.addProfile({ name: 'shop', host: '127.0.0.1', port: 1, user: 'postgres', dbname: 'shop' });
  const dump = join(installed, 'shop.dump');
  const data = deflateSync(copyData(['a', 'b']));
  writeFileSync(
    dump,
    buildArchive({
      format: 'custom',
      compression: 1,
      items: [
        ENCODING,
        { dumpId: 10, desc: 'TABLE', tag: 't', namespace: 'public' },
        { dumpId: 11, desc: 'TABLE DATA', tag: 't', namespace: 'public', copyStmt: 'COPY public.t (v) FROM stdin;\n', chunks: [data] },
      ],
    }),
  );
  const imported = await holdfast.importDump({ file: dump, profile: 'shop' });
  holdfast.close();

  serve = spawn(process.execPath, [join(installed, 'bin', 'holdfast.mjs'), 'serve', '--no-schedules'], { env: cleanEnv(home.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  serve.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    serve!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /Holdfast UI: (\S+)/.exec(stdout);
      if (found) resolve(new URL(found[1]!));
    });
    serve!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const api = (path: string, method = 'GET') => fetch(new URL(path, url.origin), { method, headers: { authorization: `Bearer ${token}` } });
  // Its first answer starts its chores; the rebuild comes after that, as an upgrade days later would.
  expect((await api('/api/backup/list')).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const name of onDemand) rmSync(join(chunks, name));
  expect(existsSync(join(chunks, onDemand[0]!))).toBe(false);

  const answer = (await (await api(`/api/backup/${imported.filename}/verify`, 'POST')).json()) as { success: boolean; error?: { message: string } };
  expect(answer.error?.message).toBeUndefined();
  expect(answer.success).toBe(true);
}, 60_000);
