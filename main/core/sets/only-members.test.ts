import { describe, expect, test } from 'vitest';
import { chosenMembers } from './only-members.ts';
import type { BackupSet } from './set-record.ts';

const member = (database: string, status: 'completed' | 'failed' = 'completed') => ({
  database,
  id: status === 'completed' ? `id-${database}` : null,
  filename: null,
  checksum: null,
  status,
  error: null,
  rowCounts: {},
  size: 0,
});
const set = { id: 'abcdefabcdef', databases: [member('crm'), member('shop'), member('a,b'), member('secret', 'failed')] } as unknown as BackupSet;
const names = (only: string[] | undefined) => chosenMembers(set, only).map((m) => m.database);

describe('--only', () => {
  test('every database the set holds when left out', () => {
    expect(names(undefined)).toEqual(['crm', 'shop', 'a,b']);
  });

  test('comma-separated names, repeated flags, or both', () => {
    expect(names(['crm,shop'])).toEqual(['crm', 'shop']);
    expect(names(['crm', 'shop'])).toEqual(['crm', 'shop']);
    expect(names(['crm, shop', 'crm'])).toEqual(['crm', 'shop']);
  });

  test('a value that is itself the name of a database is that database, commas and all', () => {
    expect(names(['a,b'])).toEqual(['a,b']);
    expect(names(['a,b', 'crm'])).toEqual(['crm', 'a,b']);
  });

  test("a name the set does not hold is refused, naming the set's databases", () => {
    expect(() => names(['crm,nope'])).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('"nope"'), hint: expect.stringContaining('"crm", "shop", "a,b"') }));
    // A database the set failed to back up is not one it holds.
    expect(() => names(['secret'])).toThrow(expect.objectContaining({ message: expect.stringContaining('"secret"') }));
  });
});
