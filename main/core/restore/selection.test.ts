import { describe, expect, test } from 'vitest';
import { restoreSelection } from './selection.ts';

const backup = {
  format: 'custom' as const,
  filename: 'shop.dump',
  tables: ['public.users', 'public.orders', '"app.v2".users', '"Sales"."Quarterly Totals"', 'public.events', 'public.events_2024'],
  // public.events is partitioned: its rows are its partition's, so it has no count of its own.
  rowCounts: { 'public.users': 200, 'public.orders': 400, '"app.v2".users': 3, '"Sales"."Quarterly Totals"': 4, 'public.events_2024': 500 },
  options: { schemaOnly: false },
};
const pick = (request: Parameters<typeof restoreSelection>[1]) => restoreSelection(backup, request);

describe('restoreSelection: pg_restore -n/-t for chosen tables or schemas', () => {
  test('nothing chosen: a whole restore', () => {
    expect(pick({ replacing: false })).toBeUndefined();
    expect(pick({ tables: [], schemas: [], replacing: true })).toBeUndefined();
  });

  test('tables of one schema: that schema and the table names, so a same-named table elsewhere stays out', () => {
    expect(pick({ tables: ['public.users', 'public.orders'], replacing: false })).toEqual({
      args: ['--schema=public', '--table=users', '--table=orders'],
      schemas: ['public'],
      tables: ['public.users', 'public.orders'],
    });
  });

  test('tables of two schemas whose names match another table of the backup are refused, naming it', () => {
    expect(() => pick({ tables: ['public.users', '"Sales"."Quarterly Totals"'], replacing: false })).toThrow(/"app\.v2"\.users/);
  });

  test('tables of two schemas without a clash: names only', () => {
    expect(pick({ tables: ['public.orders', '"Sales"."Quarterly Totals"'], replacing: false })?.args).toEqual(['--table=orders', '--table=Quarterly Totals']);
  });

  test('schemas: each -n, with the tables whose rows are checked afterwards', () => {
    expect(pick({ schemas: ['Sales'], replacing: false })).toEqual({ args: ['--schema=Sales'], schemas: ['Sales'], tables: ['"Sales"."Quarterly Totals"'] });
  });

  test('refused: unknown tables or schemas, both at once, a replace, a plain dump', () => {
    expect(() => pick({ tables: ['public.nope'], replacing: false })).toThrow(/no table public\.nope/);
    expect(() => pick({ schemas: ['nope'], replacing: false })).toThrow(/no tables in schema "nope"/);
    expect(() => pick({ tables: ['public.users'], schemas: ['Sales'], replacing: false })).toThrow(/not both/);
    expect(() => pick({ tables: ['public.users'], replacing: true })).toThrow(/does not replace a database/);
    expect(() => restoreSelection({ ...backup, format: 'plain' }, { tables: ['public.users'], replacing: false })).toThrow(/plain SQL backup/);
  });

  test("a refusal's hint names the app's control to the app and the flag to the CLI", () => {
    try {
      pick({ tables: ['public.users'], replacing: true });
      expect.unreachable();
    } catch (error) {
      const info = (error as import('../model/errors.ts').HoldfastError).toInfo();
      expect(info.hint).toContain('--dbname');
      expect(info.appHint).toContain('Create a new database');
      expect(info.appHint).not.toMatch(/--[a-z]/);
    }
  });

  test('a table with no rows of its own (partitioned) is refused: it would come back empty, its partitions unattached; its partition alone is fine', () => {
    expect(() => pick({ tables: ['public.events', 'public.events_2024'], replacing: false })).toThrow(/no rows of public\.events itself/);
    expect(pick({ tables: ['public.events_2024'], replacing: false })?.args).toEqual(['--schema=public', '--table=events_2024']);
    // A schema-only backup has no rows of any table: choosing its tables restores definitions, as asked.
    expect(restoreSelection({ ...backup, rowCounts: {}, options: { schemaOnly: true } }, { tables: ['public.events'], replacing: false })?.tables).toEqual(['public.events']);
  });
});
