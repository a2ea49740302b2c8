import { describe, expect, test } from 'vitest';
import { defaultAcl, describeAcl, describeCollation, normalAcl, sortedSettings } from './database-property-values.ts';

describe('database property values', () => {
  test('privileges compare in one form: PUBLIC first, grantees by code point, privileges in a fixed order, empty entries gone', () => {
    const acl = normalAcl([
      { grantee: 'b', privileges: ['TEMPORARY', 'CONNECT'], grantable: ['TEMPORARY'] },
      { grantee: 'Z', privileges: [], grantable: [] },
      { grantee: 'A', privileges: ['CREATE'], grantable: [] },
      { grantee: 'PUBLIC', privileges: ['CONNECT'], grantable: [] },
    ]);
    expect(acl.map((e) => e.grantee)).toEqual(['PUBLIC', 'A', 'b']);
    expect(describeAcl(acl)).toBe('PUBLIC: CONNECT; A: CREATE; b: CONNECT, TEMPORARY (grantable)');
    expect(describeAcl(normalAcl(defaultAcl('o')))).toBe('PUBLIC: CONNECT, TEMPORARY; o: CONNECT, CREATE, TEMPORARY');
    expect(describeAcl([])).toBe('(no one)');
  });

  test('a later setting of the same name and role replaces the earlier one', () => {
    const settings = sortedSettings([
      { role: null, name: 'work_mem', values: ['1MB'] },
      { role: 'r', name: 'a', values: ['x'] },
      { role: null, name: 'work_mem', values: ['2MB'] },
    ]);
    expect(settings).toEqual([
      { role: null, name: 'work_mem', values: ['2MB'] },
      { role: 'r', name: 'a', values: ['x'] },
    ]);
  });

  test('collation is shown once when collate and ctype agree', () => {
    expect(describeCollation({ encoding: 'UTF8', collate: 'C', ctype: 'C', provider: 'libc', icuLocale: null })).toBe('C');
    expect(describeCollation({ encoding: 'UTF8', collate: 'C', ctype: 'en_US', provider: 'icu', icuLocale: 'und' })).toBe('icu und (C / ctype en_US)');
    expect(describeCollation(null)).toBe('?');
  });
});
