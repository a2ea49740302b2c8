// Restoring chosen tables or schemas of a backup (pg_restore -n/-t) into a new database: only those
// tables arrive, with the backup's row counts, and the preview speaks of those tables only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { closeShop, openShop, rowCount, type ShopFixture } from './support/holdfast-env.ts';

let shop: ShopFixture;
let backup: BackupMetadata;
const base = { noOwner: false, noAcl: false, create: true, clean: false, dryRun: false };

beforeAll(async () => {
  shop = await openShop(200);
  backup = await shop.holdfast.backup('shop', {});
}, 120_000);

afterAll(async () => {
  await closeShop(shop);
});

const tablesOf = async (database: string) =>
  (
    await shop.server.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      database,
    )
  ).map((row) => row.name);

describe('restore of chosen tables or schemas', () => {
  test('two tables into a new database: only those tables, with equal row counts; "app.v2".users stays out', async () => {
    const preview = await shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', dbname: 'two_tables', dryRun: true, tables: ['public.users', 'public.orders'] });
    expect(preview.impact.tables.map((t) => t.table).sort()).toEqual(['public.orders', 'public.users']);
    expect(preview.actions.join('\n')).toContain('2 chosen tables');

    const result = await shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', dbname: 'two_tables', tables: ['public.users', 'public.orders'] });
    expect([...result.tables].sort((a, b) => a.table.localeCompare(b.table))).toEqual([
      { table: 'public.orders', expected: 400, actual: 400 },
      { table: 'public.users', expected: 200, actual: 200 },
    ]);
    expect(await tablesOf('two_tables')).toEqual(['public.orders', 'public.users']);
    expect(await rowCount(shop.server, 'two_tables', 'orders')).toBe(backup.rowCounts['public.orders']);
  });

  test('a schema other than public into a new database: the schema is made first, and its tables arrive', async () => {
    const result = await shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', dbname: 'sales_only', schemas: ['Sales'] });
    expect(result.tables).toEqual([{ table: '"Sales"."Quarterly Totals"', expected: 4, actual: 4 }]);
    expect(await tablesOf('sales_only')).toEqual(['Sales.Quarterly Totals']);
  });

  test('a partitioned table chosen alone is refused: pg_restore would make it empty, and partitions restored beside it come unattached', async () => {
    // Its rows are in its partitions' data; --table restores the parent's definition only, and the
    // partitions' ATTACH entries are not tables, so no -t brings them: "events" would come back empty.
    expect(backup.rowCounts['public.events']).toBeUndefined();
    const refused = shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', dbname: 'events_only', tables: ['public.events'] });
    await expect(refused).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('public.events'), hint: expect.stringContaining('schema "public"') });
    const made = await shop.server.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_database WHERE datname = 'events_only'`);
    expect(made[0]!.n).toBe('0');
    // Its schema restores it whole: the partitions attached, the rows there.
    const whole = await shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', dbname: 'events_schema', schemas: ['public'] });
    expect(whole.tables.length).toBeGreaterThan(0);
    expect(await rowCount(shop.server, 'events_schema', 'events')).toBe(backup.rowCounts['public.events_2024']! + backup.rowCounts['public.events_2025']!);
  });

  test('a selection over a whole database is refused before anything changes', async () => {
    await expect(shop.holdfast.restore({ ...base, ref: backup.id, to: 'shop', clean: true, confirm: 'shop', tables: ['public.users'] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(await rowCount(shop.server, 'shop', 'orders')).toBe(400);
  });
});
