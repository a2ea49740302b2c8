import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { discoverClientTools, parseToolVersion, pickClientTools, type ClientToolSet } from './discover.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-tools-'));
  made.push(dir);
  return dir;
}

function fakeToolDir(version: string): string {
  const dir = tempDir();
  for (const tool of ['pg_dump', 'pg_restore', 'psql', 'pg_dumpall']) {
    writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} (PostgreSQL) ${version}"\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

const set = (major: number, dir = `/pg/${major}`): ClientToolSet => ({
  dir,
  major,
  version: `${major}.1`,
  source: 'test',
  paths: { pg_dump: `${dir}/pg_dump`, pg_restore: `${dir}/pg_restore`, psql: `${dir}/psql`, pg_dumpall: `${dir}/pg_dumpall` },
});

describe('client tool versions', () => {
  test('parse what pg_dump --version prints', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toEqual({ major: 15, version: '15.18' });
    expect(parseToolVersion('pg_dump (PostgreSQL) 17beta1')).toEqual({ major: 17, version: '17' });
    expect(parseToolVersion('pg_dump (PostgreSQL) 9.6.24')).toEqual({ major: 9, version: '9.6.24' });
    expect(parseToolVersion('something else')).toBeUndefined();
  });

  test('the newest client at least as new as the server wins', () => {
    expect(pickClientTools([set(17), set(16), set(15)], 16, 'x').major).toBe(17);
    expect(pickClientTools([set(16), set(15)], 15, 'x').major).toBe(16);
  });

  test('no client new enough: the error names both versions and what to install', () => {
    expect(() => pickClientTools([set(15)], 17, 'Backing up "prod" (PostgreSQL 17.2)')).toThrow(
      expect.objectContaining({
        code: 'VERSION_MISMATCH',
        message: expect.stringContaining('PostgreSQL 17.2) needs PostgreSQL client tools 17 or newer, but the newest found is 15.1'),
        hint: expect.stringContaining('postgresql-client-17'),
      }),
    );
    expect(() => pickClientTools([], 15, 'x')).toThrow(expect.objectContaining({ code: 'TOOL_MISSING' }));
  });
});

describe('discovery', () => {
  test('an explicit directory is the only one considered', async () => {
    const dir = fakeToolDir('14.9');
    const found = await discoverClientTools({ explicitDir: dir, env: { PATH: '/usr/bin' } });
    expect(found.map((f) => [f.major, f.source])).toEqual([[14, 'explicit']]);
  });

  test('bundled and PATH directories are read, sorted newest first, duplicates dropped', async () => {
    const old = fakeToolDir('13.2');
    const fresh = fakeToolDir('18.1');
    const incomplete = tempDir();
    mkdirSync(join(incomplete, 'x'));
    writeFileSync(join(incomplete, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 19.0"\n');
    chmodSync(join(incomplete, 'pg_dump'), 0o755);
    const found = await discoverClientTools({ bundledDirs: [old], env: { PATH: [fresh, old, incomplete].join(':') }, platform: 'freebsd' as NodeJS.Platform });
    expect(found.map((f) => [f.version, f.source])).toEqual([
      ['18.1', 'PATH'],
      ['13.2', 'bundled'],
    ]);
  });
});
