// HOLDFAST_HOME holds the catalogue, the keys and the credentials: a directory another local user owns
// or may write in lets that user swap files under Holdfast. BACKUP_DIR may be a shared volume, so only
// a directory anyone may rename files in (world-writable without the sticky bit), or one a user other
// than this one or root owns, is refused. Real directories; the other owner is `nobody` (root only).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { noKeychain } from '../../test/support/no-keychain.ts';
import { loadConfig } from './config/config.ts';
import { ensureBackupDir, ensureOwnHome } from './fsutil/dir-ownership.ts';
import { Holdfast } from './holdfast.ts';

const asRoot = process.getuid?.() === 0;
const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
const NOBODY = 65534;

let scratch: string;
const opened: Holdfast[] = [];

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'holdfast-owner-'));
});

afterEach(() => {
  for (const holdfast of opened.splice(0)) holdfast.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(home: string, backupDir?: string): Promise<Holdfast> {
  const { holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, ...(backupDir ? { BACKUP_DIR: backupDir } : {}) }), { secrets: noKeychain });
  opened.push(holdfast);
  return holdfast;
}

/** A directory of this user with the given mode (set after mkdir: the umask filters mkdir's). */
function dir(name: string, mode: number): string {
  const path = join(scratch, name);
  mkdirSync(path);
  chmodSync(path, mode);
  return path;
}

describe('HOLDFAST_HOME', () => {
  test('a new one is made 0700, and one of this user that no one else may write in is used', async () => {
    await open(join(scratch, 'new'));
    expect(statSync(join(scratch, 'new')).mode & 0o777).toBe(0o700);
    await open(dir('readable', 0o755));
  });

  // A service's home (/var/lib/holdfast, owned by the user its daemon runs as) opened by an admin as
  // root: chown would take it from the daemon, so the first step named is running as its owner.
  test.skipIf(!asRoot)("another user's is refused naming the path, its owner by name, running as that user or the chown, and is left as it was", async () => {
    const home = dir('theirs', 0o755);
    chownSync(home, NOBODY, NOBODY);
    const refused = open(home);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${home} is owned by nobody (uid ${NOBODY}), not this user (root, uid 0)`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`run Holdfast as nobody (sudo -u nobody env HOLDFAST_HOME=${home} holdfast …)`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`chown root ${home}`) });
    expect(statSync(home)).toMatchObject({ uid: NOBODY, mode: expect.any(Number) });
    expect(statSync(home).mode & 0o777).toBe(0o755);
  });

  // A group with another user in it (nogroup is nobody's primary group); its owner's private group is fine (below).
  test.each([
    ['its group, which has another user in it', 0o770, asRoot],
    ['others', 0o707, true],
  ])('one writable by %s is refused with the chmod to run', async (_who, mode, runs) => {
    if (!runs) return;
    const home = dir('open', mode);
    if (mode & 0o020) chownSync(home, 0, NOBODY);
    const refused = open(home);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`mode 0${mode.toString(8)}`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`chmod go-w ${home}`) });
    if (mode & 0o020) await expect(refused).rejects.toMatchObject({ message: expect.stringMatching(new RegExp(`\\(gid ${NOBODY}; members: [^)]*\\bnobody\\b`)) });
  });

  test('a symbolic link is refused, not followed', async () => {
    const real = dir('real', 0o700);
    const link = join(scratch, 'link');
    symlinkSync(real, link);
    await expect(open(link)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${link} is a symbolic link`) });
  });
});

describe('BACKUP_DIR', () => {
  test('world-writable without the sticky bit is refused; with it, or group-writable (a shared volume), it is used', async () => {
    const home = join(scratch, 'home');
    await expect(open(home, dir('anyone', 0o777))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('BACKUP_DIR') });
    await open(home, dir('sticky', 0o1777));
    await open(home, dir('group', 0o770));
  });

  test.skipIf(!asRoot)("another user's (not root's) is refused", async () => {
    const backups = dir('theirs', 0o755);
    chownSync(backups, NOBODY, NOBODY);
    await expect(open(join(scratch, 'home'), backups)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`owned by nobody (uid ${NOBODY}), neither this user nor root`) });
  });
});

describe('BACKUP_DIR when a backup is written there', () => {
  test("one made now, or this user's own, is made 0700, as before", async () => {
    const made = join(scratch, 'made', 'backups');
    const umask = process.umask(0o002);
    try {
      await ensureBackupDir(made);
    } finally {
      process.umask(umask);
    }
    expect(statSync(made).mode & 0o7777).toBe(0o700);
    const own = dir('own', 0o755);
    await ensureBackupDir(own);
    expect(statSync(own).mode & 0o7777).toBe(0o700);
  });

  test.each([
    ['sticky and open to all (like /tmp)', 0o1777],
    ['group-writable (a shared volume)', 0o2770],
  ])('one %s keeps its mode: 0700 would lock its other users out', async (_what, mode) => {
    const shared = dir('shared', mode);
    await ensureBackupDir(shared);
    expect(statSync(shared).mode & 0o7777).toBe(mode);
  });

  test.skipIf(!asRoot)("root's group-writable one is written into by a member of its group, who may not chmod it", () => {
    chmodSync(scratch, 0o755);
    const shared = dir('rootshared', 0o2770);
    chownSync(shared, 0, NOBODY);
    const module = join(import.meta.dirname, 'fsutil', 'dir-ownership.ts');
    const asNobody = spawnSync(
      'runuser',
      ['-u', 'nobody', '-g', 'nogroup', '--', process.execPath, '--import', 'tsx', '-e', `await (await import(${JSON.stringify(module)})).ensureBackupDir(${JSON.stringify(shared)})`],
      { encoding: 'utf8' },
    );
    expect(asNobody.stderr).toBe('');
    expect(asNobody.status).toBe(0);
    expect(statSync(shared).mode & 0o7777).toBe(0o2770);
  });
});

// The directories above: a user who may rename entries in one can move HOLDFAST_HOME (or BACKUP_DIR)
// away and put another in its place, between two starts or between the check and the use, and the
// checks on the directory itself then look at a directory Holdfast no longer uses.
describe('the directories above HOLDFAST_HOME and BACKUP_DIR', () => {
  test.skipIf(!asRoot)("HOLDFAST_HOME inside another user's directory is refused, naming that directory, its owner and what to do", async () => {
    const theirs = dir('theirs', 0o755);
    chownSync(theirs, NOBODY, NOBODY);
    const home = join(theirs, 'home');
    mkdirSync(home, { mode: 0o700 });
    const refused = open(home);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${theirs}, which uid ${NOBODY} owns`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`chown root ${theirs}`) });
  });

  test.skipIf(!asRoot)('HOLDFAST_HOME inside a directory its group (with another user in it) may write in, no sticky bit, is refused; inside a sticky one, used', async () => {
    const open775 = dir('group', 0o775);
    chownSync(open775, 0, NOBODY);
    await expect(open(join(open775, 'home'))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(new RegExp(`${open775}, which its group \\S+ \\(gid ${NOBODY}; members: [^)]*\\bnobody\\b[^)]*\\) may write in \\(mode 0775\\)`)),
    });
    await open(join(dir('sticky', 0o1777), 'home'));
  });

  test.skipIf(!asRoot)("HOLDFAST_HOME reached through another user's symbolic link is refused: that user may point it elsewhere", async () => {
    const real = dir('real', 0o755);
    const link = join(scratch, 'link');
    symlinkSync(real, link);
    lchownSync(link, NOBODY, NOBODY);
    await expect(open(join(link, 'home'))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`is reached through ${link}, a symbolic link of uid ${NOBODY}`) });
  });

  test.skipIf(!asRoot)("BACKUP_DIR inside another user's directory is refused; inside a group-writable one (a shared volume), used", async () => {
    const theirs = dir('theirs', 0o755);
    chownSync(theirs, NOBODY, NOBODY);
    const backups = join(theirs, 'backups');
    mkdirSync(backups, { mode: 0o700 });
    await expect(open(join(scratch, 'home'), backups)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${theirs}, which uid ${NOBODY} owns`) });
    // One not made yet would be made there.
    await expect(open(join(scratch, 'home'), join(theirs, 'not-yet', 'backups'))).rejects.toMatchObject({ message: expect.stringContaining(`${theirs}, which uid ${NOBODY} owns`) });
    const volume = dir('volume', 0o2775);
    mkdirSync(join(volume, 'backups'), { mode: 0o700 });
    await open(join(scratch, 'home'), join(volume, 'backups'));
  });
});

// A link on the way leads through directories and links the literal path does not name: each of them
// can be changed to send Holdfast elsewhere, so each is checked, and the refusal names the one.
describe('the links and directories a symbolic link on the way leads through', () => {
  test('BACKUP_DIR reached through a link whose target passes a link in a world-writable directory is refused, naming that directory and the links', async () => {
    const anyone = dir('open', 0o777);
    const real = dir('real', 0o755);
    symlinkSync(real, join(anyone, 'mid'));
    const entry = join(scratch, 'entry');
    symlinkSync(join(anyone, 'mid'), entry);
    const refused = open(join(scratch, 'home'), join(entry, 'backups'));
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${anyone}, which everyone may write in (mode 0777)`) });
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`reached through ${entry} → ${join(anyone, 'mid')}`) });
  });

  test.skipIf(!asRoot)("HOLDFAST_HOME reached through a link whose target passes another user's link is refused, naming that link", async () => {
    const real = dir('real', 0o755);
    const middle = dir('middle', 0o755);
    const mid = join(middle, 'mid');
    symlinkSync(real, mid);
    lchownSync(mid, NOBODY, NOBODY);
    const entry = join(scratch, 'entry');
    symlinkSync(mid, entry);
    await expect(open(join(entry, 'home'))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`is reached through ${mid}, a symbolic link of uid ${NOBODY}`) });
  });

  test('BACKUP_DIR that is itself a link is judged by the directories above its target', async () => {
    const anyone = dir('open', 0o777);
    mkdirSync(join(anyone, 'backups'), { mode: 0o700 });
    const link = join(scratch, 'backups');
    symlinkSync(join(anyone, 'backups'), link);
    await expect(open(join(scratch, 'home'), link)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${anyone}, which everyone may write in`) });
  });

  test('a chain of this user’s links through directories no one else may write in is used', async () => {
    const real = dir('real', 0o755);
    const middle = dir('middle', 0o755);
    symlinkSync('../real', join(middle, 'mid'));
    symlinkSync(join(middle, 'mid'), join(scratch, 'entry'));
    await open(join(scratch, 'entry', 'home'), join(scratch, 'entry', 'backups'));
    expect(statSync(join(real, 'home')).isDirectory()).toBe(true);
  });
});

// With a POSIX ACL the group bits of the mode are the ACL's mask: a directory that user nobody may
// write in through `setfacl -m u:nobody:rwx` shows 0775, and "its group" would send the DBA to the
// wrong fix (chmod g-w leaves the entry, which then writes again once the mask is widened).
describe('a directory writable through a POSIX ACL entry', () => {
  test.skipIf(!hasSetfacl)('HOLDFAST_HOME is refused naming the entry and the setfacl that removes it', async () => {
    const home = dir('acl', 0o700);
    expect(spawnSync('setfacl', ['-m', 'u:nobody:rwx', home]).status).toBe(0);
    const refused = open(home);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${home} is writable through an ACL entry that grants write to user nobody`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`setfacl -x u:nobody ${home}`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`setfacl -b ${home}`) });
  });

  test.skipIf(!hasSetfacl)('a directory above HOLDFAST_HOME is refused naming the entry', async () => {
    const above = dir('acl', 0o755);
    expect(spawnSync('setfacl', ['-m', 'u:nobody:rwx,g:nogroup:rwx', above]).status).toBe(0);
    const refused = open(join(above, 'home'));
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`inside ${above}, which is writable through ACL entries that grant write to user nobody, group nogroup`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining(`setfacl -x u:nobody,g:nogroup ${above}`) });
  });
});

// Debian, Fedora and Ubuntu give each user a group of their own (user-private groups) and a umask of
// 002, so a home directory is often 0775 with group alice: writable by no one but alice. Such a group
// is accepted when the account files show no one else in it; any other group that may write is
// refused, naming the group and who is in it. The account files here are written for the test.
describe('a directory writable by its group, when that group is its owner’s private group', () => {
  const PRIVATE_GID = 4242;
  function accounts(passwd: string[], group: string[]) {
    const files = { passwd: join(scratch, 'passwd'), group: join(scratch, 'group') };
    writeFileSync(files.passwd, `${passwd.join('\n')}\n`);
    writeFileSync(files.group, `${group.join('\n')}\n`);
    return files;
  }
  const ROOT_WITH_PRIVATE_GROUP = `root:x:0:${PRIVATE_GID}:root:/root:/bin/bash`;

  function groupDir(name: string, mode: number): string {
    const path = dir(name, mode);
    chownSync(path, 0, PRIVATE_GID);
    return path;
  }

  test.skipIf(!asRoot)('one whose group has no other member and is no other user’s primary group is used, above HOLDFAST_HOME and as HOLDFAST_HOME', async () => {
    const files = accounts([ROOT_WITH_PRIVATE_GROUP, 'nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin'], [`root:x:${PRIVATE_GID}:`, 'nogroup:x:65534:']);
    const above = groupDir('alice', 0o775);
    await ensureOwnHome(join(above, 'home'), files);
    const home = groupDir('home', 0o770);
    await ensureOwnHome(home, files);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  test.skipIf(!asRoot)('one whose group lists another member is refused, naming the group and its members', async () => {
    const files = accounts([ROOT_WITH_PRIVATE_GROUP], [`root:x:${PRIVATE_GID}:root,bob`]);
    const above = groupDir('alice', 0o775);
    await expect(ensureOwnHome(join(above, 'home'), files)).rejects.toMatchObject({
      message: expect.stringContaining(`inside ${above}, which its group root (gid ${PRIVATE_GID}; members: root, bob) may write in (mode 0775)`),
    });
    const home = groupDir('home', 0o770);
    await expect(ensureOwnHome(home, files)).rejects.toMatchObject({ message: expect.stringContaining(`is writable by its group root (gid ${PRIVATE_GID}; members: root, bob) (mode 0770)`) });
  });

  test.skipIf(!asRoot)('one whose group is another user’s primary group, or not the owner’s own, is refused', async () => {
    const sharedPrimary = accounts([ROOT_WITH_PRIVATE_GROUP, `carol:x:1003:${PRIVATE_GID}::/home/carol:/bin/sh`], [`root:x:${PRIVATE_GID}:`]);
    const above = groupDir('alice', 0o775);
    await expect(ensureOwnHome(join(above, 'home'), sharedPrimary)).rejects.toMatchObject({ message: expect.stringContaining(`its group root (gid ${PRIVATE_GID}; members: root, carol)`) });
    const notOwn = accounts(['root:x:0:0:root:/root:/bin/bash'], [`staff:x:${PRIVATE_GID}:`]);
    await expect(ensureOwnHome(join(above, 'home'), notOwn)).rejects.toMatchObject({ message: expect.stringContaining(`its group staff (gid ${PRIVATE_GID}; no members listed) may write in`) });
  });

  test.skipIf(!asRoot)('a second group line with the same gid (the kernel gives its members that gid too) counts: its members make the group not private', async () => {
    const files = accounts([ROOT_WITH_PRIVATE_GROUP], [`root:x:${PRIVATE_GID}:`, `backupops:x:${PRIVATE_GID}:bob`]);
    const above = groupDir('alice', 0o775);
    await expect(ensureOwnHome(join(above, 'home'), files)).rejects.toMatchObject({
      message: expect.stringContaining(`inside ${above}, which its group root (gid ${PRIVATE_GID}, also named backupops; members: bob, root) may write in (mode 0775)`),
    });
  });
});
