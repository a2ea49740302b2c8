import { describe, expect, test } from 'vitest';
import { describeAclWriters, namedWriteEntries } from './acl-writers.ts';

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

describe('describeAclWriters', () => {
  test('a crafted user or group name (an LDAP group called $(…), with a ; and a quote) is one word of the setfacl a DBA copies, never a command of its own', () => {
    // getfacl escapes only whitespace, ":", "," and "\" in a name (\040 for a space); $ ( ) ; ' pass as they are.
    const entries = namedWriteEntries("group:ops$(touch\\040/tmp/x);echo'':rwx\nuser:nobody:rwx\n");
    expect(entries.map((entry) => entry.spec)).toEqual(["g:ops$(touch\\040/tmp/x);echo''", 'u:nobody']);
    const described = describeAclWriters(entries, "'/srv/my dir'");
    expect(described?.hint).toBe(`setfacl -x 'g:ops$(touch\\040/tmp/x);echo'\\'''\\'',u:nobody' '/srv/my dir' (or setfacl -b '/srv/my dir' to remove every ACL entry)`);
    expect(describeAclWriters([], "'/srv'")).toBeUndefined();
  });
});
