// What an error Holdfast did not type tells a DBA: the next step where one is known, else "a bug".
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { toErrorInfo } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('toErrorInfo', () => {
  test("a chunk of Holdfast's own code that is gone (a build or an upgrade under a running serve or daemon) says to restart it, not that it is a bug", async () => {
    // As dist/cli.mjs loads a chunk on first use, after a newer build removed the one it was built with.
    mkdirSync(join(dir, 'cli-chunks'));
    writeFileSync(join(dir, 'cli.mjs'), "export const onDemand = () => import('./cli-chunks/on-demand-OLDHASH.mjs');\n");
    const entry = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'cli.mjs')).href)) as { onDemand: () => Promise<unknown> };
    const error: unknown = await entry.onDemand().catch((failure: unknown) => failure);
    const info = toErrorInfo(error);
    expect(info.code).toBe('INTERNAL');
    expect(info.message).toContain('on-demand-OLDHASH.mjs');
    expect(info.hint).toMatch(/restart/i);
    expect(info.hint).not.toMatch(/bug in Holdfast/);
  });

  test('any other error of no known kind is still reported as a bug', () => {
    expect(toErrorInfo(new TypeError("Cannot read properties of undefined (reading 'x')")).hint).toMatch(/bug in Holdfast/);
  });
});
