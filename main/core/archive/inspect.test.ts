// The dispatcher: each format goes to its reader, and nothing it meets escapes as an exception.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectArchive, type DumpFormat } from './inspect.ts';
import { buildArchive, table, tarArchive, copyData } from './test-support.ts';

const work = mkdtempSync(join(tmpdir(), 'holdfast-inspect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('inspectArchive', () => {
  test('sends each format to its reader and says which format it checked', async () => {
    const items = table('public', 'people', 10);
    writeFileSync(join(work, 'x.dump'), buildArchive({ format: 'custom', items }));
    writeFileSync(
      join(work, 'x.tar'),
      tarArchive([
        ['toc.dat', buildArchive({ format: 'tar', items })],
        ['1010.dat', copyData(['1'])],
      ]),
    );
    writeFileSync(join(work, 'x.sql'), '-- PostgreSQL database dump complete\n');
    expect(await inspectArchive(join(work, 'x.dump'), 'custom')).toMatchObject({ ok: true, format: 'custom', entryCount: 2 });
    expect(await inspectArchive(join(work, 'x.tar'), 'tar')).toMatchObject({ ok: true, format: 'tar', entryCount: 2 });
    expect(await inspectArchive(join(work, 'x.sql'), 'plain')).toEqual({ ok: true, format: 'plain', compression: 'none', tables: [], entryCount: 0 });
    expect(await inspectArchive(join(work, 'x.sql'), 'plain', { gzip: true })).toMatchObject({ ok: false, format: 'plain' });
    expect(await inspectArchive(join(work, 'x.dump'), 'directory')).toMatchObject({ ok: false, format: 'directory', problem: expect.stringContaining('is a file, not a directory') });
  });

  test('an unknown format, a missing file or a folder come back as sentences, never as exceptions', async () => {
    expect(await inspectArchive(join(work, 'x.dump'), 'zip' as DumpFormat)).toEqual({ ok: false, format: 'zip', problem: 'unknown dump format "zip"' });
    const missing = join(work, 'gone.dump');
    expect(await inspectArchive(missing, 'custom')).toEqual({
      ok: false,
      format: 'custom',
      problem: `${missing} does not exist: the dump was never written or has been removed`,
    });
    expect(await inspectArchive(work, 'tar')).toEqual({ ok: false, format: 'tar', problem: `${work} is a directory, not a tar archive file` });
  });
});
