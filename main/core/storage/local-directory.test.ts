// The local-directory destination against real files: what put stores is exactly what was expected
// or nothing, trees behave as one object, and no key reaches outside the root.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HoldfastError } from '../model/errors.ts';
import { LocalDirectoryDestination } from './local-directory.ts';

let dir: string;
let root: string;
let local: LocalDirectoryDestination;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-storage-'));
  root = join(dir, 'backups');
  mkdirSync(root);
  local = new LocalDirectoryDestination('local', root);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');
const expected = (content: string) => ({ sha256: sha256(content), size: Buffer.byteLength(content) });

/** Everything under the root, hidden temporaries included. */
function everything(): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).sort();
}

async function refusal(promise: Promise<unknown>): Promise<HoldfastError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HoldfastError);
  return error as HoldfastError;
}

describe('files', () => {
  test('put stores a file 0600 under its key; open, localFile, stat and list find it; remove takes it', async () => {
    await local.put('shop/backup-a.dump', Readable.from([Buffer.from('dump '), Buffer.from('bytes')]), expected('dump bytes'));
    const path = join(root, 'shop', 'backup-a.dump');
    expect(readFileSync(path, 'utf8')).toBe('dump bytes');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(everything()).toEqual(['shop', join('shop', 'backup-a.dump')]);
    expect(await text(await local.open('shop/backup-a.dump'))).toBe('dump bytes');
    expect((await local.localFile('shop/backup-a.dump')).path).toBe(path);
    expect(local.describe('shop/backup-a.dump')).toBe(path);
    expect(await local.stat('shop/backup-a.dump')).toEqual({ kind: 'file', size: 10 });
    expect(await local.list('')).toEqual([{ key: 'shop', kind: 'tree' }]);
    expect(await local.list('shop')).toEqual([{ key: 'shop/backup-a.dump', kind: 'file' }]);
    await local.remove('shop/backup-a.dump');
    expect(await local.stat('shop/backup-a.dump')).toBeUndefined();
    await local.remove('shop/backup-a.dump');
  });

  test('a put whose bytes differ from the expected checksum is refused and leaves nothing under the key, nor a temporary', async () => {
    const error = await refusal(local.put('backup-a.dump', Readable.from(['what arrived']), expected('what was sent')));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toContain('nothing was stored');
    expect(everything()).toEqual([]);
  });

  test('a put whose size differs is refused too', async () => {
    await refusal(local.put('backup-a.dump', Readable.from(['abc']), { sha256: sha256('abc'), size: 4 }));
    expect(everything()).toEqual([]);
  });

  test('a put never replaces what is stored', async () => {
    await local.put('backup-a.dump', Readable.from(['first']), expected('first'));
    const error = await refusal(local.put('backup-a.dump', Readable.from(['second']), expected('second')));
    expect(error.code).toBe('CONFLICT');
    expect(readFileSync(join(root, 'backup-a.dump'), 'utf8')).toBe('first');
    expect(everything()).toEqual(['backup-a.dump']);
  });

  test('open of a missing key fails at open', async () => {
    await expect(local.open('backup-none.dump')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('durableRename moves a file, making the target folder', async () => {
    writeFileSync(join(root, 'backup-a.dump.tmp'), 'sealed');
    await local.durableRename('backup-a.dump.tmp', 'shop/backup-a.dump');
    expect(readFileSync(join(root, 'shop', 'backup-a.dump'), 'utf8')).toBe('sealed');
    expect(existsSync(join(root, 'backup-a.dump.tmp'))).toBe(false);
  });
});

describe('trees', () => {
  function sourceTree(files: Record<string, string>): string {
    const source = join(dir, 'source');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(source, path, '..'), { recursive: true });
      writeFileSync(join(source, path), content);
    }
    return source;
  }
  const entries = (files: Record<string, string>) => Object.entries(files).map(([path, content]) => ({ path, ...expected(content) }));

  test('putTree stores a directory as one object: stat totals it, list shows its files, remove takes it whole', async () => {
    const files = { 'toc.dat': 'table of contents', '3001.dat.gz': 'rows', 'sub/extra.dat': 'more' };
    await local.putTree('backup-a.dir', sourceTree(files), entries(files));
    expect(await local.stat('backup-a.dir')).toEqual({ kind: 'tree', size: 'table of contents'.length + 'rows'.length + 'more'.length });
    expect(await local.list('backup-a.dir')).toEqual([
      { key: 'backup-a.dir/3001.dat.gz', kind: 'file' },
      { key: 'backup-a.dir/sub', kind: 'tree' },
      { key: 'backup-a.dir/toc.dat', kind: 'file' },
    ]);
    expect(await text(await local.open('backup-a.dir/sub/extra.dat'))).toBe('more');
    expect(statSync(join(root, 'backup-a.dir')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'backup-a.dir', 'toc.dat')).mode & 0o777).toBe(0o600);
    await local.remove('backup-a.dir');
    expect(everything()).toEqual([]);
  });

  test('a tree with one file changed, or a file more or less than expected, is refused and leaves nothing', async () => {
    const files = { 'toc.dat': 'table of contents', '3001.dat.gz': 'rows' };
    const source = sourceTree(files);
    const changed = await refusal(local.putTree('backup-a.dir', source, entries({ ...files, '3001.dat.gz': 'other rows' })));
    expect(changed.message).toContain('3001.dat.gz');
    expect(everything()).toEqual([]);
    const short = await refusal(local.putTree('backup-a.dir', source, entries({ 'toc.dat': 'table of contents' })));
    expect(short.message).toContain('extra: 3001.dat.gz');
    const long = await refusal(local.putTree('backup-a.dir', source, entries({ ...files, 'more.dat': 'x' })));
    expect(long.message).toContain('missing: more.dat');
    expect(everything()).toEqual([]);
  });
});

describe('keys', () => {
  const outside = ['../escape.dump', 'shop/../../escape.dump', '/etc/passwd', 'C:/Windows/x', 'a\\..\\b', 'a//b', './a', ''];

  test.each(outside)('%j is refused by every operation, and nothing outside the root is touched', async (key) => {
    writeFileSync(join(dir, 'escape.dump'), 'not ours');
    for (const attempt of [
      () => local.put(key, Readable.from(['x']), expected('x')),
      () => local.putTree(key, dir, []),
      () => local.open(key),
      () => local.localFile(key),
      () => local.stat(key),
      () => local.remove(key),
      () => local.durableRename('a', key),
    ]) {
      const error = await refusal(attempt());
      expect(error.code).toBe('BAD_INPUT');
    }
    if (key !== '') expect((await refusal(local.list(key))).code).toBe('BAD_INPUT');
    expect(readFileSync(join(dir, 'escape.dump'), 'utf8')).toBe('not ours');
  });

  test('a tree file whose path climbs out is refused', async () => {
    const error = await refusal(local.putTree('backup-a.dir', dir, [{ path: '../escape.dump', ...expected('x') }]));
    expect(error.code).toBe('BAD_INPUT');
  });
});
