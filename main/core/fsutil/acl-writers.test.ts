import { describe, expect, test } from 'vitest';
import { namedWriteEntries } from './acl-writers.ts';

describe('namedWriteEntries', () => {
  test('names the users and groups an entry lets write, not the owner, owning group, mask or others', () => {
    const getfacl = ['user::rwx', 'user:nobody:rwx', 'user:reader:r-x', 'group::rwx', 'group:staff:-w-', 'mask::rwx', 'other::r-x', ''].join('\n');
    expect(namedWriteEntries(getfacl)).toEqual([
      { who: 'user nobody', spec: 'u:nobody' },
      { who: 'group staff', spec: 'g:staff' },
    ]);
  });

  test('an entry whose write the mask takes away is not a writer', () => {
    expect(namedWriteEntries('user:nobody:rwx\t#effective:r-x\nmask::r-x\n')).toEqual([]);
  });
});
