// Encryption at rest with age, against a real PostgreSQL, the real `age` binary (Debian's 1.1.1) and
// the real OS keychain (gnome-keyring under test/with-keyring.sh). The rules under test: with
// BACKUP_ENCRYPTION_KEY set no plaintext of the dump reaches a disk; the standard tool decrypts what
// Holdfast writes and Holdfast reads what the standard tool writes; verify, restore and drills work
// with the key from the keychain, and refuse — naming the recipients — without it or on damage.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, seedDatabase, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';
import { asRoot, mountTmpfs } from './support/full-disk.ts';
import { mkdirSync } from 'node:fs';
import { filesUnderIfAny } from './support/files.ts';

const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);
// Under CI (.ci/setup installs age) a missing age binary fails the suite instead of skipping it.
const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);
const MARKER = 'HOLDFAST-PLAINTEXT-MARKER-7f3a9c';

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let keyDir: string;
let keyFile: string;
let recipient: string;

/** Files under HOLDFAST_HOME (BACKUP_DIR is inside it) and the temp dir that hold the marker in the clear. The source server's own data directory (holdfast-pg-*) is the database itself. */
function plaintextOnDisk(): string[] {
  const dirs = [home.home, privateTmp.dir];
  return dirs.flatMap(filesUnderIfAny).filter((file) => {
    if (file.startsWith(privateTmp.dir) && file.slice(privateTmp.dir.length + 1).startsWith('holdfast-pg-')) return false;
    try {
      return readFileSync(file).includes(MARKER);
    } catch {
      return false; // gone between the listing and the read
    }
  });
}

function ageKeygen(dir: string): { file: string; recipient: string } {
  const file = join(dir, `key-${Math.random().toString(16).slice(2)}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('# public key: '))!;
  return { file, recipient: line.slice('# public key: '.length) };
}

const pgBin = (tool: string) => join(server.binDir, tool);

describe.skipIf(!keyring || !hasAge)('age encryption at rest', () => {
  beforeAll(async () => {
    server = await startPgServer();
    await seedDatabase(server, 'shop', 300);
    await server.query(`CREATE TABLE secrets (v text); INSERT INTO secrets SELECT '${MARKER}-' || g FROM generate_series(1, 20000) g;`, 'shop');
    keyDir = mkdtempSync(join(tmpdir(), 'holdfast-agekeys-'));
    ({ file: keyFile, recipient } = ageKeygen(keyDir));
    home = makeHome({ BACKUP_ENCRYPTION_KEY: recipient });
    holdfast = await home.open();
    await holdfast.keyring.import(readFileSync(keyFile, 'utf8'), 'at-rest-offline'); // a name no other suite uses: test/suite-key-names.test.ts says why
    await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  });

  afterAll(async () => {
    holdfast?.close();
    home?.cleanup();
    await server?.stop();
    rmSync(keyDir, { recursive: true, force: true });
    privateTmp.remove();
  });

  test('a custom backup is an age file, no plaintext reaches the disk during or after it, and `age -d | pg_restore` restores it', async () => {
    const seen: string[] = [];
    // pg_dump writes a FIFO (backup/dump-pipe.ts): seen while it runs, gone after; it holds no byte on disk.
    const fifos = new Set<string>();
    const fifoDirs = () => readdirSync(privateTmp.dir).filter((name) => name.startsWith('holdfast-pipe-'));
    let running = true;
    const watcher = (async () => {
      while (running) {
        seen.push(...plaintextOnDisk());
        for (const dir of fifoDirs()) fifos.add(dir);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Every read of the table, as the server's statistics have them: pg_dump's COPY alone, the rows counted from the plaintext on its way to the encryptor (row-counts.ts), not by a second scan.
    const reads = async () =>
      Number((await server.query<{ n: string }>(`SELECT pg_stat_clear_snapshot(), (seq_scan + coalesce(idx_scan, 0))::text AS n FROM pg_stat_user_tables WHERE relname = 'secrets'`, 'shop'))[0]!.n);
    const readsBefore = await reads();
    const backup = await holdfast.backup('shop', { format: 'custom' }).finally(() => (running = false));
    await watcher;
    await new Promise((resolve) => setTimeout(resolve, 600)); // the backends' last statistics are sent as they exit
    expect(await reads()).toBe(readsBefore + 1);
    expect(seen).toEqual([]);
    expect(plaintextOnDisk()).toEqual([]);
    expect(fifos.size).toBe(1);
    expect(fifoDirs()).toEqual([]);
    expect(backup.filename).toMatch(/\.dump\.age$/);
    expect(backup).toMatchObject({ encrypted: true, encryption: { recipients: [recipient], plaintextChecksum: expect.stringMatching(/^sha256:/) } });
    expect(backup.rowCounts['public.secrets']).toBe(20000);
    expect(readFileSync(backup.path).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(backup.globals.filename).toMatch(/\.dump\.globals\.sql\.age$/);
    expect(statSync(backup.path).mode & 0o777).toBe(0o600);

    // The standard tool decrypts it to an archive pg_restore reads, from stdin and from a file.
    const plain = execFileSync('age', ['-d', '-i', keyFile, backup.path], { maxBuffer: 1 << 30 });
    const list = spawnSync(pgBin('pg_restore'), ['--list'], { input: plain });
    expect(list.status, list.stderr.toString()).toBe(0);
    expect(list.stdout.toString()).toContain('TABLE DATA public secrets');
    const archive = join(keyDir, 'decrypted.dump');
    writeFileSync(archive, plain);
    await server.query('CREATE DATABASE by_age_tool');
    const restored = spawnSync(pgBin('pg_restore'), ['--no-owner', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', 'by_age_tool', archive]);
    expect(restored.status, restored.stderr.toString()).toBe(0);
    expect(await rowCount(server, 'by_age_tool', 'secrets')).toBe(20000);
    expect(await rowCount(server, 'by_age_tool', 'users')).toBe(300);
    rmSync(archive);
    const roles = execFileSync('age', ['-d', '-i', keyFile, join(home.home, 'backups', backup.globals.filename!)]).toString();
    expect(roles).toContain('CREATE ROLE');

    // Holdfast reads it back with the key from the keychain: verify, restore, drill.
    const verified = await holdfast.verify(backup.id);
    expect(verified.checks.find((c) => c.name === 'decrypt')).toMatchObject({ status: 'ok', detail: expect.stringContaining('key "at-rest-offline"') });
    expect(verified).toMatchObject({ valid: true });
    expect(verified.checks.map((c) => [c.name, c.status])).toEqual(
      expect.arrayContaining([
        ['structure', 'ok'],
        ['pg_restore', 'ok'],
        ['checksum', 'ok'],
        ['globals', 'ok'],
      ]),
    );
    const restore = await holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'by_holdfast', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
    expect(restore.ok).toBe(true);
    expect(await rowCount(server, 'by_holdfast', 'secrets')).toBe(20000);
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.error).toBeNull();
    expect(drill).toMatchObject({ ok: true, decryptedWith: 'at-rest-offline', notes: expect.arrayContaining(['Decrypted with key "at-rest-offline".']) });
    expect(drill.tables.every((t) => t.actual === t.expected)).toBe(true);
    // Its checks name the stored backup, as verify's do, not the private decrypted copy it restored
    // (a DBA's review: "exists: …/decrypted/holdfast-decrypted-…/…dump", a path gone when they read it).
    expect(drill.checks.filter((c) => ['exists', 'size', 'checksum', 'decrypt'].includes(c.name))).toEqual([
      { name: 'exists', status: 'ok', detail: backup.path },
      { name: 'size', status: 'ok', detail: `${backup.size} bytes` },
      { name: 'checksum', status: 'ok', detail: `${backup.checksum} (the encrypted file)` },
      { name: 'decrypt', status: 'ok', detail: `decrypted with key "at-rest-offline"; every chunk authenticates, so the content is the one recorded (${backup.encryption?.plaintextChecksum})` },
    ]);
    // The private decrypted copies are gone with the operations.
    expect(filesUnderIfAny(join(home.home, 'decrypted'))).toEqual([]);
    expect(plaintextOnDisk()).toEqual([]);
  });

  test('the impact preview (dry run) and a --swap restore of an encrypted backup read its decrypted copy', async () => {
    const backup = await holdfast.backup('shop', { format: 'custom', suffix: 'swap' });
    const base = { ref: backup.id, to: 'shop', create: true, clean: false, noOwner: false, noAcl: false };
    const preview = await holdfast.restore({ ...base, dbname: 'swap_target', dryRun: true });
    expect(preview).toMatchObject({ dryRun: true, ok: true });
    expect(preview.impact).toBeDefined();
    await server.query('CREATE DATABASE swap_target');
    await server.query('CREATE TABLE stale (a int)', 'swap_target');
    const swapped = await holdfast.restore({ ...base, dbname: 'swap_target', create: false, swap: true, confirm: 'swap_target', dryRun: false });
    expect(swapped.ok).toBe(true);
    expect(await rowCount(server, 'swap_target', 'secrets')).toBe(20000);
    expect(filesUnderIfAny(join(home.home, 'decrypted'))).toEqual([]);
  });

  test('a restore refused before it starts (no --confirm, --no-owner on a plain backup) leaves no decrypted copy behind', async () => {
    const backup = await holdfast.backup('shop', { format: 'custom', suffix: 'refused' });
    const base = { ref: backup.id, to: 'shop', dbname: 'shop', create: false, noOwner: false, noAcl: false, dryRun: false };
    await expect(holdfast.restore({ ...base, clean: true })).rejects.toMatchObject({ code: 'RESTORE_REFUSED' });
    expect(filesUnderIfAny(join(home.home, 'decrypted'))).toEqual([]);
    const plain = await holdfast.backup('shop', { format: 'plain', suffix: 'refused-plain' });
    await expect(holdfast.restore({ ...base, ref: plain.id, dbname: 'never_made', create: true, clean: false, noOwner: true })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(filesUnderIfAny(join(home.home, 'decrypted'))).toEqual([]);
    expect(plaintextOnDisk()).toEqual([]);
  });

  test.each([{ compress: 'gzip:6' }, { compress: 'none' }])('a plain backup (%o) is encrypted, checked as it streams, verified and drilled', async ({ compress }) => {
    const backup = await holdfast.backup('shop', { format: 'plain', compression: compress === 'none' ? { method: 'none' } : { method: 'gzip', level: 6 } });
    expect(backup.filename).toMatch(compress === 'none' ? /\.sql\.age$/ : /\.sql\.gz\.age$/);
    expect(plaintextOnDisk()).toEqual([]);
    const plain = execFileSync('age', ['-d', '-i', keyFile, backup.path], { maxBuffer: 1 << 30 });
    expect(`sha256:${createHash('sha256').update(plain).digest('hex')}`).toBe(backup.encryption?.plaintextChecksum);
    const verified = await holdfast.verify(backup.id);
    expect(verified.valid).toBe(true);
    expect(verified.checks.find((c) => c.name === 'rowCounts')?.status).toBe('ok');
    const drill = await holdfast.testRestore(backup.id);
    expect(drill.error).toBeNull();
    expect(drill.ok).toBe(true);
  });

  // A plain dump cannot carry its database's own settings, so the backup records them beside it; the
  // record (sidecar, catalogue) is plaintext, and a setting may be a secret (PostgREST's app.jwt_secret).
  test("an encrypted plain backup records its database's settings by name only: no value in the clear, none offered to set", async () => {
    await server.query(`ALTER DATABASE shop SET app.jwt_secret TO '${MARKER}-jwt'`);
    await server.query(`ALTER DATABASE shop SET app.api_key TO '${MARKER}-key'`);
    try {
      const backup = await holdfast.backup('shop', { format: 'plain', suffix: 'settings' });
      expect(plaintextOnDisk()).toEqual([]);
      expect(backup.databaseSettings).toEqual([
        { role: null, name: 'app.api_key', values: [], withheld: true },
        { role: null, name: 'app.jwt_secret', values: [], withheld: true },
      ]);
      const preview = await holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'settings_copy', create: true, clean: false, noOwner: false, noAcl: false, dryRun: true });
      const [leftOut] = preview.impact.leftOut;
      // Named together, with why their values are missing said once (the DBA review found it said per setting).
      expect(leftOut!.message).toContain('app.api_key and app.jwt_secret (their values are not recorded');
      expect(leftOut!.message.match(/not recorded/g)).toHaveLength(1);
      expect(leftOut!.settings.map((s) => s.statement)).toEqual([null, null]);
      expect(JSON.stringify(preview)).not.toContain(MARKER);
    } finally {
      await server.query('ALTER DATABASE shop RESET app.jwt_secret; ALTER DATABASE shop RESET app.api_key');
    }
  });

  test.skipIf(!asRoot)('a full disk while encrypting: the error names the disk, not a broken pipe, and no temp file stays', async () => {
    const small = join(home.home, 'small');
    mkdirSync(small);
    const unmount = mountTmpfs(small, '256k');
    const other = makeHome({ BACKUP_ENCRYPTION_KEY: recipient, BACKUP_DIR: small });
    const full = await other.open();
    try {
      await full.addProfile(profileFor(server, 'shop', 'shop'));
      await expect(full.backup('shop', { format: 'custom', compression: { method: 'none' } })).rejects.toMatchObject({
        code: 'BACKUP_FAILED',
        message: expect.stringMatching(/Encrypting pg_dump's output failed: .*(ENOSPC|no space left)/i),
      });
      expect(readdirSync(small).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      full.close();
      other.cleanup();
      unmount();
    }
  });

  test('a directory or tar backup with encryption on is refused with a clear error, and nothing is written', async () => {
    for (const format of ['directory', 'tar'] as const) {
      await expect(holdfast.backup('shop', { format })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`a ${format}-format backup cannot be encrypted`) });
    }
  });

  test('a flipped ciphertext byte fails verify and refuses restore; a truncated file is refused too', async () => {
    for (const damage of ['flip', 'truncate-at-chunk', 'truncate-mid'] as const) {
      const backup = await holdfast.backup('shop', { format: 'custom', suffix: damage });
      const size = statSync(backup.path).size;
      if (damage === 'flip') {
        const bytes = readFileSync(backup.path);
        bytes[Math.floor(size / 2)]! ^= 0x01;
        writeFileSync(backup.path, bytes);
      } else {
        // age's header, then 64 KiB + 16 sealed chunks: cut at a chunk boundary or inside one.
        const header = readFileSync(backup.path).indexOf('\n--- ') + 1 + 48 + 16;
        truncateSync(backup.path, damage === 'truncate-at-chunk' ? header - 1 + 65552 : size - 100);
      }
      const verified = await holdfast.verify(backup.id);
      expect(verified.valid).toBe(false);
      // The stored file's checksum is said too: it tells a file changed since it was written from one written damaged.
      expect(verified.checks.filter((c) => c.status === 'failed').map((c) => c.name)).toEqual(expect.arrayContaining(damage === 'flip' ? ['checksum', 'decrypt'] : ['size', 'checksum', 'decrypt']));
      await expect(
        holdfast.restore({ ref: backup.id, to: 'shop', dbname: `damaged_${damage.replace(/-/g, '_')}`, create: true, clean: false, noOwner: false, noAcl: false, dryRun: false }),
      ).rejects.toMatchObject({
        message: expect.stringMatching(/could not be decrypted|failed verification/),
      });
      const drill = await holdfast.testRestore(backup.id);
      expect(drill).toMatchObject({ ok: false, verdict: 'failed', error: expect.stringContaining('failed verification') });
      expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest?.status).toBe('failed');
    }
  });

  test('without the key: verify checks the stored checksum and says why the content was not checked; restore names the recipients', async () => {
    const backup = await holdfast.backup('shop', { format: 'custom', suffix: 'nokey' });
    const other = makeHome({ BACKUP_DIR: join(home.home, 'backups') });
    const { file: wrongKey } = ageKeygen(keyDir);
    const stranger = await other.open();
    try {
      await stranger.addProfile(profileFor(server, 'shop', 'shop'));
      await stranger.adopt({ dir: join(home.home, 'backups') });
      const row = stranger.catalogue.listBackups({}).find((b) => b.filename === backup.filename)!;
      expect(row).toMatchObject({ encrypted: true, encryption: { recipients: [recipient] } });
      await stranger.keyring.import(readFileSync(wrongKey, 'utf8'), 'wrong');
      const verified = await stranger.verify(row.id);
      expect(verified.checks.find((c) => c.name === 'checksum')?.status).toBe('ok');
      expect(verified.checks.find((c) => c.name === 'decrypt')).toMatchObject({ status: 'skipped', detail: expect.stringContaining(recipient) });
      // Recorded as what it was: the stored file intact, its content not checked here (not a green "Verified").
      expect(stranger.catalogue.findBackup(row.id)?.lastVerified).toMatchObject({ valid: true, contentChecked: false });
      expect(stranger.list({ profile: 'shop', fields: 'summary' }).find((b) => b.id === row.id)).toMatchObject({ lastVerified: { valid: true, contentChecked: false } });
      await expect(stranger.restore({ ref: row.id, to: 'shop', dbname: 'nokey', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false })).rejects.toMatchObject({
        code: 'NO_KEY',
        message: expect.stringContaining(recipient),
      });
      const drill = stranger.testRestore(row.id);
      await expect(drill).rejects.toMatchObject({ code: 'NO_KEY' });
    } finally {
      stranger.close();
      other.cleanup();
    }
  });

  test('an archive Holdfast made, encrypted by `age`, is verified by Holdfast', async () => {
    const unencryptedHome = makeHome();
    const plainHoldfast = await unencryptedHome.open();
    try {
      await plainHoldfast.addProfile(profileFor(server, 'shop', 'shop'));
      const made = await plainHoldfast.backup('shop', { format: 'custom' });
      const target = join(home.home, 'backups', `${made.filename}.age`);
      execFileSync('age', ['-e', '-r', recipient, '-o', target, made.path]);
      const checksum = `sha256:${createHash('sha256').update(readFileSync(target)).digest('hex')}`;
      const adopted = {
        ...made,
        id: 'abcdefabcdef',
        filename: `${made.filename}.age`,
        path: target,
        location: undefined,
        encrypted: true,
        checksum,
        size: statSync(target).size,
        globals: { filename: null, checksum: null, note: 'not copied' },
      };
      delete (adopted as Record<string, unknown>).location;
      const runId = holdfast.catalogue.startRun({ kind: 'backup', profile: 'shop', detail: {} });
      holdfast.catalogue.db.transaction(() => {
        holdfast.catalogue.insertBackup(adopted, runId);
        holdfast.catalogue.finishRun(runId, 'completed', {});
      })();
      const verified = await holdfast.verify(adopted.id);
      expect(verified.checks.map((c) => [c.name, c.status])).toEqual(
        expect.arrayContaining([
          ['decrypt', 'ok'],
          ['structure', 'ok'],
          ['pg_restore', 'ok'],
        ]),
      );
      expect(verified.valid).toBe(true);
    } finally {
      plainHoldfast.close();
      unencryptedHome.cleanup();
    }
  });
});
