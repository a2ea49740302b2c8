// Whether a directory's group is its owner's own. Debian, Ubuntu and Fedora give each user a group
// of their own (user-private groups) with a umask of 002, so a home directory is often 0775 with
// group alice: a group only alice is in writes nothing alice could not. That is known from the
// account files alone: the group lists no one else, and no other user has it as primary group. A
// group the files do not hold (LDAP, or none) cannot be shown private, so it is not.
import { readFile } from 'node:fs/promises';

/** Where the accounts are read from; the system's unless a test writes its own. */
export interface AccountFiles {
  passwd: string;
  group: string;
}

export const SYSTEM_ACCOUNTS: AccountFiles = { passwd: '/etc/passwd', group: '/etc/group' };

/** A directory's group as a refusal names it, and whether only its owner is in it. */
export interface DirectoryGroup {
  /** "alice (gid 1000; members: alice, bob)": its name, and everyone listed in it or with it as primary group. */
  text: string;
  /** The owner's primary group, with no one else listed in it or having it as primary group. */
  ownersPrivate: boolean;
}

const readLines = async (path: string) =>
  (await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error))))
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));

export async function directoryGroup(ownerUid: number, gid: number, files: AccountFiles = SYSTEM_ACCOUNTS): Promise<DirectoryGroup> {
  const [users, groups] = await Promise.all([readLines(files.passwd), readLines(files.group)]);
  // Every line with the gid: the kernel gives a member of any of them that gid, whatever it is called
  // (a second line `ops:x:1000:bob` makes bob a member of alice's group 1000 as well).
  const entries = groups.filter((fields) => fields[2] === String(gid));
  const entry = entries[0];
  const owner = users.find((fields) => fields[2] === String(ownerUid));
  const listed = entries.flatMap((fields) => (fields[3] ?? '').split(',')).filter((name) => name !== '');
  const primaryOf = users.filter((fields) => fields[3] === String(gid)).map((fields) => fields[0] ?? '');
  const members = [...new Set([...listed, ...primaryOf])];
  const ownersPrivate = entry !== undefined && owner !== undefined && owner[3] === String(gid) && members.every((name) => name === owner[0]);
  const listedText = members.length > 0 ? `members: ${members.join(', ')}` : 'no members listed';
  const otherNames = entries.slice(1).map((fields) => fields[0]);
  const alsoNamed = otherNames.length > 0 ? `, also named ${otherNames.join(', ')}` : '';
  return { text: entry ? `${entry[0]} (gid ${gid}${alsoNamed}; ${listedText})` : `gid ${gid} (not in ${files.group}; ${listedText})`, ownersPrivate };
}
