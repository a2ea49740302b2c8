// A destination's last test (issue 17): `destination test` used to say how it went once, and the
// Destinations page kept it only for the browser tab. Each outcome is now kept in the catalogue, so
// the next process — `destination show`/`list`, the page after a reload — says when it was last
// tested and whether it worked, and why not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeHome, runCli, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
let home: TestHome;
let nas: string;

beforeAll(() => {
  home = makeHome();
  nas = mkdtempSync(join(tmpdir(), 'holdfast-nas-'));
});

afterAll(() => {
  home?.cleanup();
  rmSync(nas, { recursive: true, force: true });
  privateTmp.remove();
});

interface Shown {
  lastTest: { at: string; ok: boolean; message: string | null } | null;
}

test("a destination's last test is kept: never, then passed, then failed with why, in show, list and their JSON", async () => {
  expect((await runCli(['destination', 'add', 'nas', '--type', 'directory', '--path', nas], home.env)).code).toBe(0);
  const never = JSON.parse((await runCli(['destination', 'show', 'nas', '--json'], home.env)).stdout) as Shown;
  expect(never.lastTest).toBeNull();
  expect((await runCli(['destination', 'show', 'nas'], home.env)).stdout).toContain('last test: never (holdfast destination test nas)');

  const before = Date.now();
  expect((await runCli(['destination', 'test', 'nas'], home.env)).code).toBe(0);
  const passed = JSON.parse((await runCli(['destination', 'show', 'nas', '--json'], home.env)).stdout) as Shown;
  expect(passed.lastTest).toMatchObject({ ok: true, message: null });
  expect(Date.parse(passed.lastTest!.at)).toBeGreaterThanOrEqual(before - 1000);
  expect((await runCli(['destination', 'list'], home.env)).stdout).toContain(`last test: passed ${passed.lastTest!.at}`);

  rmSync(nas, { recursive: true, force: true });
  const failing = await runCli(['destination', 'test', 'nas'], home.env);
  expect(failing.code).not.toBe(0);
  const failed = JSON.parse((await runCli(['destination', 'show', 'nas', '--json'], home.env)).stdout) as Shown;
  expect(failed.lastTest).toMatchObject({ ok: false, message: expect.stringContaining(nas) });
  expect((await runCli(['destination', 'show', 'nas'], home.env)).stdout).toContain(`last test: FAILED ${failed.lastTest!.at}: `);
  const listed = JSON.parse((await runCli(['destination', 'list', '--json'], home.env)).stdout) as Array<Shown & { name: string }>;
  expect(listed.find((d) => d.name === 'nas')?.lastTest).toEqual(failed.lastTest);
}, 120_000);

test('a test result is of the settings it tested: pointing the destination elsewhere forgets it, a retention change keeps it', async () => {
  const first = mkdtempSync(join(tmpdir(), 'holdfast-nas-a-'));
  const second = mkdtempSync(join(tmpdir(), 'holdfast-nas-b-'));
  try {
    expect((await runCli(['destination', 'add', 'moving', '--type', 'directory', '--path', first], home.env)).code).toBe(0);
    expect((await runCli(['destination', 'test', 'moving'], home.env)).code).toBe(0);
    expect((await runCli(['destination', 'edit', 'moving', '--retention', '7d'], home.env)).code).toBe(0);
    const kept = JSON.parse((await runCli(['destination', 'show', 'moving', '--json'], home.env)).stdout) as Shown;
    expect(kept.lastTest).toMatchObject({ ok: true });

    expect((await runCli(['destination', 'edit', 'moving', '--path', second], home.env)).code).toBe(0);
    const moved = JSON.parse((await runCli(['destination', 'show', 'moving', '--json'], home.env)).stdout) as Shown;
    expect(moved.lastTest).toBeNull();
  } finally {
    rmSync(first, { recursive: true, force: true });
    rmSync(second, { recursive: true, force: true });
  }
}, 120_000);
