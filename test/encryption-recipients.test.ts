// Who a backup is encrypted to, and keys over time, against a real PostgreSQL, the real `age` binary,
// the real OS keychain (test/with-keyring.sh) and s3rver on loopback. The rules under test: the backup's
// own choice beats its schedule's, which beats its profile's, which beats BACKUP_ENCRYPTION_KEY; a
// passphrase key makes files `age -d` opens with the passphrase, and cannot be mixed with other
// recipients; after a key rotation old backups still verify and restore with the old key and new ones
// use the new recipients, and `key list` counts each key's backups; retention removes an encrypted
// backup with its encrypted roles file; an encrypted backup's S3 copy verifies and restores.
import { ageKeygen as newAgeKey } from './support/age-keys.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { listKeys } from '../main/core/encryption/key-list.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, seedDatabase, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';
import { removeS3Server, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, startS3Server, type S3Server } from './support/s3-server.ts';

const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);
const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);
const hasScript = spawnSync('script', ['--version']).status === 0;
const PASSPHRASE = 'tide harbour lantern quarry';

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let keyDir: string;
let defaultKey: { file: string; recipient: string };

const ageKeygen = () => newAgeKey(keyDir);

/** The header's recipient stanzas ("-> X25519 …", "-> scrypt …"), by type. */
function stanzaTypes(path: string): string[] {
  const head = readFileSync(path).subarray(0, 4096).toString('latin1');
  return [...head.slice(0, head.indexOf('\n--- ')).matchAll(/\n-> (\S+)/g)].map((match) => match[1]!);
}

/** `age -d` on a pseudo-terminal (it reads a passphrase only from its terminal), the passphrase typed in. */
function ageDecryptWithPassphrase(file: string, passphrase: string): Buffer | undefined {
  const out = join(keyDir, 'by-age.out');
  rmSync(out, { force: true });
  const typed = spawnSync('script', ['-qec', `age -d -o ${out} ${file}`, '/dev/null'], { input: `${passphrase}\n`, timeout: 120_000 });
  return typed.status === 0 && existsSync(out) ? readFileSync(out) : undefined;
}

const restoreTo = (ref: string, dbname: string, from?: string) =>
  holdfast.restore({ ref, to: 'shop', dbname, create: true, clean: false, noOwner: false, noAcl: false, dryRun: false, ...(from ? { from } : {}) });

describe.skipIf(!keyring || !hasAge)('who a backup is encrypted to, and keys over time', () => {
  beforeAll(async () => {
    server = await startPgServer();
    await seedDatabase(server, 'shop', 200);
    keyDir = mkdtempSync(join(tmpdir(), 'holdfast-agekeys-'));
    defaultKey = ageKeygen();
    home = makeHome({ BACKUP_ENCRYPTION_KEY: defaultKey.recipient });
    holdfast = await home.open();
    await holdfast.keyring.import(readFileSync(defaultKey.file, 'utf8'), 'default');
    await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  }, 120_000);

  afterAll(async () => {
    holdfast?.close();
    home?.cleanup();
    await server?.stop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    privateTmp.remove();
  });

  test('precedence: the backup flag beats the profile, the profile beats BACKUP_ENCRYPTION_KEY, --no-encrypt writes plaintext; unknown keys are refused before the dump', async () => {
    const profileKey = await holdfast.keyring.generate('profile-key');
    const flagKey = ageKeygen();

    expect((await holdfast.backup('shop', {})).encryption?.recipients).toEqual([defaultKey.recipient]);
    await holdfast.editProfile('shop', { encryptTo: ['profile-key'] });
    expect(holdfast.showProfile('shop').encryptTo).toEqual(['profile-key']);
    const byProfile = await holdfast.backup('shop', {});
    expect(byProfile.encryption?.recipients).toEqual([profileKey.recipient]);
    const byFlag = await holdfast.backup('shop', { encryptTo: [flagKey.recipient, 'default'] });
    expect(byFlag.encryption?.recipients).toEqual([flagKey.recipient, defaultKey.recipient]);
    expect(stanzaTypes(byFlag.path)).toEqual(['X25519', 'X25519']);
    // Either recipient opens it: the flag's key with the standard tool.
    expect(spawnSync('age', ['-d', '-i', flagKey.file, '-o', '/dev/null', byFlag.path]).status).toBe(0);

    const plain = await holdfast.backup('shop', { encryptTo: 'none' });
    expect(plain).toMatchObject({ encrypted: false });
    expect(plain.filename).toMatch(/\.dump$/);
    expect(readFileSync(plain.path).subarray(0, 5).toString()).toBe('PGDMP');

    // The profile says "none": BACKUP_ENCRYPTION_KEY no longer applies to it; a backup flag still does.
    await holdfast.editProfile('shop', { encryptTo: 'none' });
    expect((await holdfast.backup('shop', {})).encrypted).toBe(false);
    expect((await holdfast.backup('shop', { encryptTo: ['default'] })).encryption?.recipients).toEqual([defaultKey.recipient]);
    await holdfast.editProfile('shop', { encryptTo: null });

    const before = holdfast.catalogue.listBackups({}).length;
    await expect(holdfast.backup('shop', { encryptTo: ['no-such-key'] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('"no-such-key"') });
    await expect(holdfast.backup('shop', { encryptTo: ['AGE-SECRET-KEY-1QQQ'] })).rejects.toThrow(/identity/);
    expect(holdfast.catalogue.listBackups({})).toHaveLength(before);
  }, 240_000);

  test("a schedule's --encrypt-to is its backups' own: it beats the profile's", async () => {
    const scheduleKey = await holdfast.keyring.generate('schedule-key');
    await holdfast.editProfile('shop', { encryptTo: ['profile-key'] });
    const clock = { value: new Date('2025-03-01T00:00:00Z') };
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'daily', timeZone: 'UTC', options: { encryptTo: ['schedule-key'] } }, clock.value);
    expect(holdfast.listSchedules().find((entry) => entry.id === schedule.id)?.options).toMatchObject({ encryptTo: ['schedule-key'] });
    try {
      const scheduler = holdfast.createScheduler({ now: () => clock.value });
      clock.value = new Date('2025-03-01T03:00:00Z');
      expect(scheduler.tick()).toHaveLength(1);
      await scheduler.whenIdle();
      const taken = holdfast.catalogue.listBackups({ profile: 'shop' }).at(-1)!;
      expect(taken.filename).toMatch(/-daily\.dump\.age$/);
      expect(taken.encryption?.recipients).toEqual([scheduleKey.recipient]);
    } finally {
      holdfast.removeSchedule(schedule.id);
      await holdfast.editProfile('shop', { encryptTo: null });
    }
  }, 240_000);

  test('a passphrase key: one scrypt stanza, `age -d` opens the dump and the roles file with the passphrase, Holdfast verifies and restores; mixing it with a recipient is refused', async () => {
    await expect(holdfast.keyring.addPassphrase('short', 'pass')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('too short') });
    const entry = await holdfast.keyring.addPassphrase(PASSPHRASE, 'pass');
    expect(entry).toMatchObject({ name: 'pass', kind: 'passphrase', recipient: 'passphrase:pass' });
    expect(JSON.stringify(await holdfast.keyring.entries())).not.toContain(PASSPHRASE);
    await expect(holdfast.keyring.addPassphrase('another long passphrase', 'pass')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(holdfast.keyring.export('pass')).rejects.toMatchObject({ code: 'BAD_INPUT' });

    await expect(holdfast.backup('shop', { encryptTo: ['pass', 'default'] })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('age allows a passphrase only') });
    const backup = await holdfast.backup('shop', { encryptTo: ['pass'] });
    expect(backup).toMatchObject({ encrypted: true, encryption: { recipients: ['passphrase:pass'] } });
    expect(stanzaTypes(backup.path)).toEqual(['scrypt']);
    const rolesPath = join(home.home, 'backups', backup.globals.filename!);
    expect(stanzaTypes(rolesPath)).toEqual(['scrypt']);
    expect(readFileSync(home.home + '/backups/' + backup.filename).includes(Buffer.from(PASSPHRASE))).toBe(false);

    if (hasScript) {
      const plain = ageDecryptWithPassphrase(backup.path, PASSPHRASE);
      expect(plain?.subarray(0, 5).toString()).toBe('PGDMP');
      expect(ageDecryptWithPassphrase(rolesPath, PASSPHRASE)?.toString()).toContain('CREATE ROLE');
      expect(ageDecryptWithPassphrase(backup.path, 'not the passphrase')).toBeUndefined();
    }

    const verified = await holdfast.verify(backup.id);
    expect(verified).toMatchObject({ valid: true });
    expect(verified.checks.find((check) => check.name === 'decrypt')?.detail).toContain('key "pass"');
    expect((await restoreTo(backup.id, 'from_passphrase')).ok).toBe(true);
    expect(await rowCount(server, 'from_passphrase', 'users')).toBe(200);
    const listed = (await listKeys(holdfast.keyring, holdfast.catalogue.listBackups({}))).find((key) => key.name === 'pass');
    expect(listed).toMatchObject({ kind: 'passphrase', secretHere: true, backups: 1 });
  }, 300_000);

  test('rotation: old backups still verify and restore with the old key, new ones use the new recipient, key list counts each', async () => {
    const oldKeyBackups = holdfast.catalogue.listBackups({}).filter((backup) => backup.encryption?.recipients.includes(defaultKey.recipient));
    const old = await holdfast.backup('shop', {});
    expect(old.encryption?.recipients).toEqual([defaultKey.recipient]);

    // Rotate: a new key, BACKUP_ENCRYPTION_KEY points at it (a new engine reads the setting).
    const rotated = ageKeygen();
    await holdfast.keyring.import(readFileSync(rotated.file, 'utf8'), 'rotated-2026');
    holdfast.close();
    holdfast = await home.open({ BACKUP_ENCRYPTION_KEY: rotated.recipient });
    const fresh = await holdfast.backup('shop', {});
    expect(fresh.encryption?.recipients).toEqual([rotated.recipient]);
    expect(spawnSync('age', ['-d', '-i', defaultKey.file, '-o', '/dev/null', fresh.path]).status, 'the old key must not open a new backup').not.toBe(0);
    expect(spawnSync('age', ['-d', '-i', rotated.file, '-o', '/dev/null', fresh.path]).status).toBe(0);

    const oldVerified = await holdfast.verify(old.id);
    expect(oldVerified.valid).toBe(true);
    expect(oldVerified.checks.find((check) => check.name === 'decrypt')?.detail).toContain('key "default"');
    expect((await holdfast.verify(fresh.id)).checks.find((check) => check.name === 'decrypt')?.detail).toContain('key "rotated-2026"');
    expect((await restoreTo(old.id, 'after_rotation')).ok).toBe(true);
    expect(await rowCount(server, 'after_rotation', 'users')).toBe(200);

    const keys = await listKeys(holdfast.keyring, holdfast.catalogue.listBackups({}));
    const count = (name: string) => keys.find((key) => key.name === name)?.backups;
    expect(count('default')).toBe(oldKeyBackups.length + 1);
    expect(count('rotated-2026')).toBe(1);
    expect(count('profile-key')).toBe(1);
    expect(count('schedule-key')).toBe(1);
  }, 300_000);

  test('retention removes an encrypted backup with its encrypted roles file and sidecar', async () => {
    const doomed = await holdfast.backup('shop', { suffix: 'doomed' });
    const keeper = await holdfast.backup('shop', { suffix: 'keeper' });
    const dir = join(home.home, 'backups');
    const companions = (backup: typeof doomed) => [backup.filename, backup.globals.filename!, `${backup.filename}.json`];
    expect(companions(doomed).filter((name) => readdirSync(dir).includes(name))).toHaveLength(3);
    expect(doomed.globals.filename).toMatch(/\.globals\.sql\.age$/);
    // Ten days on, "1d, at least 1" keeps only the newest.
    const summary = await holdfast.cleanup({ profile: 'shop', policy: '1d,min:1', dryRun: false }, new Date(Date.now() + 10 * 86_400_000));
    expect(summary.errors).toBe(0);
    const left = readdirSync(dir);
    for (const name of companions(doomed)) expect(left).not.toContain(name);
    for (const name of companions(keeper)) expect(left).toContain(name);
    // Nothing encrypted is left without its backup.
    expect(left.filter((name) => name.includes('.age')).sort()).toEqual(companions(keeper).sort());
  }, 240_000);

  describe('an encrypted backup on S3', () => {
    let s3: S3Server;

    beforeAll(async () => {
      s3 = await startS3Server();
      await holdfast.offsite.destinations.add({
        name: 'bucket',
        spec: { type: 's3', settings: { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, pathStyle: true, prefix: 'enc', accessKeyId: S3_ACCESS_KEY_ID } },
        secretAccessKey: S3_SECRET_ACCESS_KEY,
      });
    }, 120_000);

    afterAll(async () => {
      if (s3) await removeS3Server(s3);
    });

    test('the copy is the encrypted file; verify --copies reads it back; restore --from decrypts the checked download and leaves no plaintext behind', async () => {
      const backup = await holdfast.backup('shop', { suffix: 'offsite' }, { copyTo: ['bucket'] });
      expect(backup.encrypted).toBe(true);
      expect(backup.copies?.map((copy) => copy.state)).toEqual(['verified']);
      const bucket = await holdfast.offsite.destinations.open('bucket');
      const stored: Buffer[] = [];
      for await (const chunk of await bucket.open(backup.filename)) stored.push(chunk as Buffer);
      expect(Buffer.concat(stored).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
      expect((await holdfast.offsite.recheck(backup)).map((copy) => copy.state)).toEqual(['verified']);

      // The local file is gone: the copy is all there is.
      rmSync(backup.path);
      const restored = await restoreTo(backup.id, 'from_bucket', 'bucket');
      expect(restored.ok).toBe(true);
      expect(await rowCount(server, 'from_bucket', 'users')).toBe(200);
      expect(readdirSync(join(home.home, 'decrypted')).length).toBe(0);
    }, 240_000);
  });
});
