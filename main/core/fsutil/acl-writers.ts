// Who a POSIX ACL lets write in a directory. With an ACL the mode's group bits are the ACL's mask, so
// a directory that `setfacl -m u:nobody:rwx` opened shows group-writable though its group may not
// write: the refusal must name the entry, and the fix is setfacl, not chmod (chmod g-w only narrows
// the mask; the entry writes again once the mask is widened).
import { execFile } from 'node:child_process';
import { shellWord } from '../model/shell-word.ts';

/** The named users and groups an ACL lets write, as `getfacl` prints them, and the setfacl that removes them. */
export interface AclWriters {
  /** "an ACL entry that grants write to user nobody" or "ACL entries that grant write to user nobody, group staff". */
  text: string;
  /** `setfacl -x u:nobody,g:staff PATH` (or -b): what a DBA runs. */
  hint: string;
}

/**
 * The ACL entries of `getfacl --omit-header` output that name a user or group and grant write
 * (effective, after the mask), as `user nobody` / `group staff` with their setfacl spec (`u:nobody`).
 */
export function namedWriteEntries(getfaclOutput: string): { who: string; spec: string }[] {
  const entries: { who: string; spec: string }[] = [];
  for (const line of getfaclOutput.split('\n')) {
    const [entry = '', effective] = line.split('#effective:');
    const [kind, qualifier, perms = ''] = entry.trim().split(':');
    if ((kind !== 'user' && kind !== 'group') || !qualifier) continue;
    if (!(effective ?? perms).includes('w')) continue;
    entries.push({ who: `${kind} ${qualifier}`, spec: `${kind[0]}:${qualifier}` });
  }
  return entries;
}

/**
 * The writers as a refusal names them, and the setfacl that removes them; undefined when there are none.
 * The entries are one shell word: getfacl escapes only whitespace, ":", "," and "\" in a name, so a
 * group an LDAP admin named `x$(cmd)` or `x;cmd` was a command of its own in the line a DBA copies.
 */
export function describeAclWriters(entries: { who: string; spec: string }[], quoted: string): AclWriters | undefined {
  if (entries.length === 0) return undefined;
  return {
    text: `${entries.length === 1 ? 'an ACL entry that grants' : 'ACL entries that grant'} write to ${entries.map((entry) => entry.who).join(', ')}`,
    hint: `setfacl -x ${shellWord(entries.map((entry) => entry.spec).join(','))} ${quoted} (or setfacl -b ${quoted} to remove every ACL entry)`,
  };
}

/** Runs getfacl on one path; undefined when the ACL names no writer, or getfacl is missing (no ACL tools, so no ACLs set by them). */
export function aclWriters(path: string, quoted: string): Promise<AclWriters | undefined> {
  return new Promise((resolve) => {
    execFile('getfacl', ['--omit-header', '--absolute-names', '--', path], { timeout: 2000 }, (error, stdout) => {
      resolve(describeAclWriters(error ? [] : namedWriteEntries(stdout), quoted));
    });
  });
}
