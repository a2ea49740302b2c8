// The only real pg_dump 16+ output these machines have: archives written by pg_dump 18.3 (archive
// format 1.16), kept in ../shared/fixtures/pg18 with a manifest of the dumped database's exact row
// counts. The reader must take them whole and refuse every truncated copy.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { tableKey } from '../pg/table-key.ts';
import { inspectArchive, inspectCustomWithChecksum } from './inspect.ts';

const FIXTURES = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'pg18');
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { rowCounts: Record<string, number> };
const work = mkdtempSync(join(tmpdir(), 'holdfast-pg18-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The tables with rows of their own in the manifest: a materialized view's rows come from its refresh, not a TABLE DATA item. */
const TABLES_WITH_DATA = Object.keys(manifest.rowCounts)
  .filter((key) => key !== 'public.order_totals')
  .sort();

describe('pg_dump 18.3 archives', () => {
  test('the fixtures are there (they live in shared/, beside the repository)', () => {
    expect(existsSync(join(FIXTURES, 'custom-gzip.dump')), FIXTURES).toBe(true);
  });

  test.each([
    ['custom-gzip.dump', 'gzip'],
    ['custom-none.dump', 'none'],
  ])('%s: format 1.16 is read whole — every table, every data item, the partition parent without data', async (file, compression) => {
    const inspection = await inspectArchive(join(FIXTURES, file), 'custom');
    expect(inspection).toMatchObject({ ok: true, archiveVersion: '1.16-0', compression });
    if (!inspection.ok) return;
    expect(
      inspection.tables
        .filter((t) => t.hasData)
        .map((t) => tableKey(t.schema, t.name))
        .sort(),
    ).toEqual(TABLES_WITH_DATA);
    expect(inspection.tables.find((t) => t.name === 'measurements')).toMatchObject({ schema: 'public', hasData: false });
    expect(inspection.dataItems?.map((item) => tableKey(item.schema, item.name)).sort()).toEqual(TABLES_WITH_DATA);
    expect(inspection.dataItems?.every((item) => item.intoItself)).toBe(true);
  });

  test("plain.sql.gz: every COPY block holds exactly the manifest's rows", async () => {
    const inspection = await inspectArchive(join(FIXTURES, 'plain.sql.gz'), 'plain', { gzip: true });
    expect(inspection.ok).toBe(true);
    if (!inspection.ok) return;
    const rows = Object.fromEntries(inspection.tables.filter((t) => t.hasData).map((t) => [tableKey(t.schema, t.name), t.rows]));
    expect(rows).toEqual(Object.fromEntries(TABLES_WITH_DATA.map((key) => [key, manifest.rowCounts[key]])));
  });

  test.each(['custom-none.dump', 'custom-gzip.dump'])("%s: the backup's one-read check counts exactly the manifest's rows from the COPY data (gzip inflated)", async (file) => {
    const inspection = await inspectCustomWithChecksum(join(FIXTURES, file));
    expect(inspection.ok).toBe(true);
    if (!inspection.ok) return;
    const rows = Object.fromEntries(inspection.tables.filter((t) => t.hasData).map((t) => [tableKey(t.schema, t.name), t.rows]));
    expect(rows).toEqual(Object.fromEntries(TABLES_WITH_DATA.map((key) => [key, manifest.rowCounts[key]])));
    // The partition parent has no data item of its own, so no count either.
    expect(inspection.tables.find((t) => t.name === 'measurements')?.rows).toBeUndefined();
  });

  test.each(['custom-gzip.dump', 'custom-none.dump'])('%s cut short anywhere is refused', async (file) => {
    const full = readFileSync(join(FIXTURES, file)).length;
    for (const keep of [16, 200, Math.floor(full / 3), Math.floor(full / 2), full - 4096, full - 1]) {
      const copy = join(work, `${keep}-${file}`);
      copyFileSync(join(FIXTURES, file), copy);
      truncateSync(copy, keep);
      const inspection = await inspectArchive(copy, 'custom');
      expect(inspection.ok, `${file} cut to ${keep} of ${full} bytes`).toBe(false);
    }
  });

  test('plain.sql.gz cut short is refused, both as a broken gzip stream and as a whole gzip of a cut script', async () => {
    const gz = readFileSync(join(FIXTURES, 'plain.sql.gz'));
    const cutStream = join(work, 'cut-stream.sql.gz');
    writeFileSync(cutStream, gz.subarray(0, Math.floor(gz.length / 2)));
    expect((await inspectArchive(cutStream, 'plain', { gzip: true })).ok).toBe(false);
    const sql = gunzipSync(gz);
    for (const keep of [Math.floor(sql.length / 2), sql.length - 200]) {
      const cutScript = join(work, `cut-script-${keep}.sql.gz`);
      writeFileSync(cutScript, gzipSync(sql.subarray(0, keep)));
      expect((await inspectArchive(cutScript, 'plain', { gzip: true })).ok, `script cut to ${keep} of ${sql.length} bytes`).toBe(false);
    }
  });
});
