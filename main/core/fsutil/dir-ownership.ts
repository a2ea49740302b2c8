// Who may change what Holdfast keeps. HOLDFAST_HOME holds the catalogue, the keys' list, the
// credentials file and the passfiles: a user who owns it, or may write in it, can swap any of them
// under Holdfast, so it must be this user's own and writable by no one else, or Holdfast does not
// start (a group only its owner is in, a user-private group, is no one else: private-group.ts).
// BACKUP_DIR may sit on a shared backup volume, so less is asked of it: no owner but this
// user or root, and not world-writable without the sticky bit (anyone could rename a backup away and
// put another file under its name). Its group may write (Holdfast then leaves its mode alone: see
// ensureBackupDir); a file swapped meanwhile fails the checksum the catalogue recorded.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { userInfo } from 'node:os';
import { HoldfastError } from '../model/errors.ts';
import { aclWriters } from './acl-writers.ts';
import { directoryGroup, SYSTEM_ACCOUNTS, type AccountFiles } from './private-group.ts';
import { hintText } from '../model/hint-actions.ts';
import { shellWord } from '../model/shell-word.ts';
import { ensurePrivateDir, PRIVATE_DIR_MODE } from './durable.ts';

const GROUP_OR_OTHERS_WRITE = 0o022;
const GROUP_WRITE = 0o020;
const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;

/** Why a directory is not this user's own, for its caller to say with its own words. */
type NotOwn = { kind: 'symlink'; target: string } | { kind: 'not-directory' } | { kind: 'other-owner'; uid: number };

const modeText = (mode: number) => `mode 0${(mode & 0o7777).toString(8)}`;
const currentUser = () => ({ uid: process.getuid?.(), name: userInfo().username });
const userText = () => `${currentUser().name}, uid ${currentUser().uid ?? '?'}`;

/** A uid's user name from the system's user database (getent: /etc/passwd, LDAP…); undefined where it has none, or no getent. */
function userNameOf(uid: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('getent', ['passwd', String(uid)], { timeout: 2000 }, (error, stdout) => {
      const name = error ? undefined : stdout.split(':')[0]?.trim();
      resolve(name ? name : undefined);
    });
  });
}

/** Another user who owns a directory, as a refusal names them: by name and uid, and how sudo names them. */
async function otherOwner(uid: number): Promise<{ name: string; text: string; sudoUser: string }> {
  const name = await userNameOf(uid);
  return name ? { name, text: `${name} (uid ${uid})`, sudoUser: name } : { name: `uid ${uid}`, text: `uid ${uid}`, sudoUser: `#${uid}` };
}

/**
 * Opens a directory without following a final symlink (a link planted there is neither used nor has
 * what it names chmod'ed) and checks it is this user's; the caller checks and changes it through the
 * handle, which stays the directory that was checked.
 */
async function openOwnDirectory(path: string, refuse: (why: NotOwn) => HoldfastError | Promise<HoldfastError>): Promise<{ handle: FileHandle; mode: number; gid: number }> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Linux says ENOTDIR for a symlink opened O_DIRECTORY | O_NOFOLLOW, others ELOOP: lstat says which it is.
    if (code !== 'ELOOP' && code !== 'ENOTDIR') throw error;
    if (!(await lstat(path)).isSymbolicLink()) throw await refuse({ kind: 'not-directory' });
    throw await refuse({ kind: 'symlink', target: await readlink(path).catch(() => '?') });
  }
  try {
    const info = await handle.stat();
    const { uid } = currentUser();
    if (uid !== undefined && info.uid !== uid) throw await refuse({ kind: 'other-owner', uid: info.uid });
    return { handle, mode: info.mode, gid: info.gid };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Whose write bit on a directory above refuses it: group and others' for HOLDFAST_HOME; only others'
 * for BACKUP_DIR, whose group is trusted as it is for BACKUP_DIR itself (a shared volume).
 */
type AncestorWriters = 'group' | 'others';

/** A directory above, or a symbolic link on the way, that someone but this user and root may change: why, and what to do. */
interface OpenAncestor {
  why: string;
  hint: string;
}

const notThere = (error: NodeJS.ErrnoException) => {
  if (error.code === 'ENOENT') return undefined;
  throw error;
};

/** More links than this on one path is a loop (Linux's own limit): the path's use fails on it anyway. */
const MAX_LINKS = 40;

/**
 * The first directory on the way to `path` that another user may rename entries in, or a link on
 * the way that another user owns (and may point elsewhere): either lets that user put another
 * directory under `path`'s name, between two starts or between a check and a use. The path is
 * resolved one name at a time, as the kernel does, so a link's target is walked too: every
 * directory an entry is looked up in (links' own directories included, and those above a link's
 * target) must be this user's or root's, and not writable by `writers` unless sticky (in /tmp only
 * an entry's owner may rename it); every link must be this user's or root's. A last name that is a
 * link is followed only when `followLast` (BACKUP_DIR; HOLDFAST_HOME refuses one itself). What is
 * not there yet would be made in the nearest directory there is, which is checked.
 */
async function openAncestor(path: string, writers: AncestorWriters, followLast: boolean, accounts: AccountFiles = SYSTEM_ACCOUNTS): Promise<OpenAncestor | undefined> {
  const { uid, name } = currentUser();
  if (uid === undefined) return undefined;
  const mine = (owner: number) => owner === uid || owner === 0;
  const writeBits = writers === 'group' ? GROUP_OR_OTHERS_WRITE : OTHERS_WRITE;
  const links: string[] = [];
  const checked = new Set<string>();
  const pending = resolve(path).split(sep).filter(Boolean);
  let dir = resolve(sep);
  for (let part = pending.shift(); part !== undefined; part = pending.shift()) {
    if (part === '.') continue;
    if (part === '..') {
      dir = dirname(dir);
      continue;
    }
    const entry = join(dir, part);
    const info = await lstat(entry).catch(notThere);
    const isLink = info?.isSymbolicLink() === true && (pending.length > 0 || followLast);
    if (!checked.has(dir)) {
      const dirInfo = await stat(dir);
      const chain = [...links, ...(isLink ? [entry] : [])];
      const where = chain.length === 0 ? `is inside ${dir}` : `is reached through ${chain.join(' → ')}, by way of ${dir}`;
      const move = `or keep it where only you and root may change the directories on the way (as under your home directory)`;
      if (!mine(dirInfo.uid)) return { why: `${where}, which uid ${dirInfo.uid} owns`, hint: `If ${dir} is yours: chown ${shellWord(name)} ${shellWord(dir)}; ${move}.` };
      if (dirInfo.mode & writeBits && !(dirInfo.mode & STICKY)) {
        const othersWrite = (dirInfo.mode & OTHERS_WRITE) !== 0;
        const acl = othersWrite ? undefined : await aclWriters(dir, shellWord(dir));
        if (acl) return { why: `${where}, which is writable through ${acl.text} (${modeText(dirInfo.mode)})`, hint: `${acl.hint}, ${move}.` };
        // Only the group may write (HOLDFAST_HOME's ancestors): fine when no one but the owner is in it.
        const group = othersWrite ? undefined : await directoryGroup(dirInfo.uid, dirInfo.gid, accounts);
        if (!group?.ownersPrivate)
          return {
            why: `${where}, which ${group ? `its group ${group.text}` : 'everyone'} may write in (${modeText(dirInfo.mode)})`,
            hint: `chmod ${writers === 'group' ? 'go-w' : 'o-w'} ${shellWord(dir)} (or chmod +t ${shellWord(dir)}), ${move}.`,
          };
      }
      checked.add(dir);
    }
    if (info === undefined) return undefined;
    if (isLink) {
      if (!mine(info.uid))
        return {
          why: `is reached through ${entry}, a symbolic link of uid ${info.uid}, who may point it elsewhere${links.length > 0 ? ` (by way of ${links.join(' → ')})` : ''}`,
          hint: `Give the path without that link (${shellWord(await realpath(entry).catch(() => entry))}) once you have checked it is yours.`,
        };
      if (links.push(entry) > MAX_LINKS) return undefined;
      const target = await readlink(entry);
      pending.unshift(...target.split(sep).filter(Boolean));
      if (isAbsolute(target)) dir = resolve(sep);
      continue;
    }
    if (!info.isDirectory()) return undefined;
    dir = entry;
  }
  return undefined;
}

/**
 * HOLDFAST_HOME: made if missing; else a directory of this user (not a symlink to one) that no one
 * else may write in, or refused saying what to run. Then 0700, set through the checked handle.
 */
export async function ensureOwnHome(path: string, accounts: AccountFiles = SYSTEM_ACCOUNTS): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  const refuse = (why: string, hint: string) =>
    new HoldfastError('CONFLICT', `HOLDFAST_HOME ${path} ${why}; another local user could replace Holdfast's catalogue, keys and credentials there.`, hintText(hint));
  const above = await openAncestor(path, 'group', false, accounts);
  if (above) throw refuse(above.why, above.hint);
  const { handle, mode, gid } = await openOwnDirectory(path, async (notOwn) => {
    if (notOwn.kind === 'symlink')
      return refuse(`is a symbolic link (to ${notOwn.target})`, `Set HOLDFAST_HOME to the directory itself (HOLDFAST_HOME=${shellWord(notOwn.target)}) once you have checked it is yours.`);
    if (notOwn.kind === 'not-directory') return refuse('is not a directory', 'Set HOLDFAST_HOME to a directory of your own.');
    // A service's home (the daemon's user owns it) opened by an admin: chown would take it from the service.
    const owner = await otherOwner(notOwn.uid);
    return refuse(
      `is owned by ${owner.text}, not this user (${userText()})`,
      `If it is the home of a service that runs as that user, run Holdfast as ${owner.name} (sudo -u ${shellWord(owner.sudoUser)} env HOLDFAST_HOME=${shellWord(path)} holdfast …); if it is yours: chown ${shellWord(currentUser().name)} ${shellWord(path)}; otherwise set HOLDFAST_HOME to a directory of your own.`,
    );
  });
  try {
    const acl = mode & GROUP_WRITE && !(mode & OTHERS_WRITE) ? await aclWriters(path, shellWord(path)) : undefined;
    if (acl) throw refuse(`is writable through ${acl.text} (${modeText(mode)})`, `Check that nothing in it was put there by someone else, then ${acl.hint} (Holdfast makes it 0700).`);
    const group = mode & GROUP_WRITE && !(mode & OTHERS_WRITE) ? await directoryGroup(currentUser().uid ?? -1, gid, accounts) : undefined;
    if (mode & OTHERS_WRITE || (group && !group.ownersPrivate))
      throw refuse(
        `is writable by ${group ? `its group ${group.text}` : 'other users'} (${modeText(mode)})`,
        `Check that nothing in it was put there by someone else, then chmod go-w ${shellWord(path)} (Holdfast makes it 0700).`,
      );
    await handle.chmod(PRIVATE_DIR_MODE);
  } finally {
    await handle.close();
  }
}

/**
 * A 0700 directory of this user's own, for secrets (passwords): made if missing. One that is there
 * must be a directory itself — a symlink is refused, not followed, so a link planted there neither
 * gets the secrets nor has what it names chmod'ed — and this user's; it is made 0700 through the
 * handle that was checked.
 */
export async function ensureOwnPrivateDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await mkdir(path, { mode: PRIVATE_DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const { handle } = await openOwnDirectory(
    path,
    (notOwn) =>
      new HoldfastError(
        'CONFLICT',
        `${path} ${notOwn.kind === 'symlink' ? `is a symbolic link (to ${notOwn.target})` : notOwn.kind === 'not-directory' ? 'is not a directory' : `is owned by uid ${notOwn.uid}, not this user (uid ${currentUser().uid})`}; Holdfast writes passwords there, so it uses only a directory of its own.`,
        `Remove it (rm ${path}; for a directory, what it holds first) and run again: Holdfast makes it a 0700 directory of this user. If you did not put it there, find out who did.`,
      ),
  );
  try {
    await handle.chmod(PRIVATE_DIR_MODE);
  } finally {
    await handle.close();
  }
}

/** BACKUP_DIR: refused when anyone may rename files in it or in a directory above, or another user (not root) owns it or one above; one not made yet is fine where it would be made. */
export async function checkBackupDir(path: string): Promise<void> {
  // Followed: a backup volume is often reached through a link, and what is written into is its target.
  const info = await stat(path).catch(notThere);
  const refuse = (why: string, hint: string) => new HoldfastError('CONFLICT', `BACKUP_DIR ${path} ${why}; another local user could swap backups there.`, hintText(hint));
  const above = await openAncestor(path, 'others', true);
  if (above) throw refuse(above.why, above.hint);
  if (!info) return;
  if (!info.isDirectory()) throw refuse('is not a directory', 'Set BACKUP_DIR to a directory.');
  const { uid, name } = currentUser();
  if (uid !== undefined && info.uid !== uid && info.uid !== 0)
    throw refuse(
      `is owned by ${(await otherOwner(info.uid)).text}, neither this user nor root (Holdfast runs as ${userText()})`,
      `If it is yours: chown ${shellWord(name)} ${shellWord(path)}; otherwise set BACKUP_DIR to a directory of this user (on a shared volume, one of its own inside it).`,
    );
  if (info.mode & OTHERS_WRITE && !(info.mode & STICKY))
    throw refuse(`is writable by everyone without the sticky bit (${modeText(info.mode)})`, `chmod o-w ${shellWord(path)} (or chmod +t ${shellWord(path)} if it must stay open to all).`);
}

/**
 * Where a backup is written: checked each time, since BACKUP_DIR can be changed while Holdfast runs.
 * One made now, or this user's own that nobody else may write in, is made 0700 (as before). A shared
 * one keeps its mode: a group-writable or sticky directory is shared on purpose, 0700 would lock its
 * other users out (on /tmp, every user), and root's cannot be chmod'ed by anyone else. Holdfast's
 * files in it are 0600 whatever the directory's mode.
 */
export async function ensureBackupDir(path: string): Promise<void> {
  await checkBackupDir(path);
  if ((await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE })) !== undefined) return ensurePrivateDir(path);
  const info = await stat(path);
  if (info.uid === currentUser().uid && !(info.mode & (GROUP_OR_OTHERS_WRITE | STICKY))) await chmod(path, PRIVATE_DIR_MODE);
}
