// `holdfast import` of a hostile dump can be stopped. The attacker review of stop 28 imported a custom
// archive whose one table is a zlib bomb (a MiB of compressed newlines is a GiB of COPY rows): the walk
// that counts its rows took 12–19 s of CPU, and Ctrl-C did nothing, since the CLI's signal never reached
// the import. Cancelled, an import leaves what a refused one leaves: nothing (no file in BACKUP_DIR, no
// catalogue row, no run), and says CANCELLED as a cancelled backup does.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bombArchive } from '../main/core/archive/test-support.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, projectRoot, waitFor, type TestHome } from './support/holdfast-env.ts';

/** 2 GiB of newlines in ~2 MB: ~20 s of CPU to count whole, so a cancel lands long before the walk ends. */
const BOMB_MIB = 2048;

let home: TestHome;
let elsewhere: string;
let bomb: string;
let backupDir: string;

beforeAll(async () => {
  home = makeHome();
  const holdfast = await home.open();
  // The import never connects: a profile pointing nowhere is enough.
  await holdfast.addProfile({ name: 'shop', host: '127.0.0.1', port: 1, user: 'app', dbname: 'shop' });
  backupDir = holdfast.config.backupDir;
  holdfast.close();
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-bomb-'));
  bomb = join(elsewhere, 'bomb.dump');
  writeFileSync(bomb, await bombArchive(BOMB_MIB));
}, 60_000);

afterAll(() => {
  rmSync(elsewhere, { recursive: true, force: true });
  home.cleanup();
});

/** Everything a cancelled import could leave: BACKUP_DIR's names, the backups and the runs. */
async function traces(): Promise<{ files: string[]; backups: number; runs: unknown }> {
  const holdfast: Holdfast = await home.open();
  try {
    return {
      files: existsSync(backupDir) ? readdirSync(backupDir).sort() : [],
      backups: holdfast.catalogue.listBackups({}).length,
      runs: holdfast.catalogue.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(),
    };
  } finally {
    holdfast.close();
  }
}

/** The import's copy, once it holds every byte of the dump: the walk over it has begun (pg_restore --list comes after it). */
function wholeCopy(): string | undefined {
  if (!existsSync(backupDir)) return undefined;
  const size = statSync(bomb).size;
  return readdirSync(backupDir).find((name) => name.endsWith('.tmp') && statSync(join(backupDir, name), { throwIfNoEntry: false })?.size === size);
}

test('Ctrl-C during the walk of a zlib-bomb dump ends `holdfast import` with CANCELLED and leaves nothing behind', async () => {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'import', bomb, '--profile', 'shop'], { env: cleanEnv(home.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await waitFor('the import to copy the whole dump and walk it', wholeCopy, 60_000);
  child.kill('SIGINT');
  const code = await exited;
  // Not an import that ran to its end: it would have printed "Imported …" and kept a pinned backup.
  expect(stdout).toBe('');
  expect(stderr).toMatch(/^holdfast: The import of .*bomb\.dump was cancelled; nothing was kept\./m);
  expect(code).toBe(1);
  expect(await traces()).toEqual({ files: [], backups: 0, runs: 0 });
}, 120_000);

test('the engine: an import whose signal is aborted mid-walk rejects with CANCELLED and leaves nothing', async () => {
  const holdfast = await home.open();
  try {
    const abort = new AbortController();
    const importing = holdfast.importDump({ file: bomb, profile: 'shop', signal: abort.signal });
    const settled = importing.then(
      () => 'imported',
      () => 'refused',
    );
    await waitFor('the import to copy the whole dump and walk it', async () => wholeCopy() ?? (await Promise.race([settled, undefined])), 60_000);
    abort.abort();
    await expect(importing).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/was cancelled; nothing was kept/), hint: expect.any(String) });
  } finally {
    holdfast.close();
  }
  expect(await traces()).toEqual({ files: [], backups: 0, runs: 0 });
}, 120_000);

test('the engine: an import whose signal is already aborted copies nothing and says CANCELLED', async () => {
  const holdfast = await home.open();
  try {
    await expect(holdfast.importDump({ file: bomb, profile: 'shop', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  } finally {
    holdfast.close();
  }
  expect(await traces()).toEqual({ files: [], backups: 0, runs: 0 });
});

// A closed terminal (tmux kill-session, an ssh session that drops) sends SIGHUP, whose default action
// ended Holdfast on the spot: the tools went with their lifeline, but the run was left for the next
// start to call "interrupted by an earlier crash" and its .tmp lay in BACKUP_DIR until then.
test('a hangup during `holdfast import` is a cancel like Ctrl-C: CANCELLED, nothing left behind', async () => {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'import', bomb, '--profile', 'shop'], { env: cleanEnv(home.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  await waitFor('the import to copy the whole dump and walk it', wholeCopy, 60_000);
  child.kill('SIGHUP');
  expect(await exited).toEqual([1, null]);
  expect(stderr).toMatch(/^holdfast: The import of .*bomb\.dump was cancelled; nothing was kept\./m);
  expect(await traces()).toEqual({ files: [], backups: 0, runs: 0 });
}, 120_000);
