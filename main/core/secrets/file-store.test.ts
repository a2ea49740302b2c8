// The credentials file with real files and real crypto: what lands on disk, what a wrong key does,
// and where the key comes from.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CREDENTIALS_FILE, EncryptedFileSecretStore, readCredentialsKey, SYSTEMD_CREDENTIAL_NAME } from './file-store.ts';

let home: string;
const KEY = 'k'.repeat(32);
const PASSWORD = 'correct horse battery staple';

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-credfile-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

test('a stored password reads back, in another store over the same file too; the file is 0600 and holds no plaintext', async () => {
  const store = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  expect(await store.availability()).toEqual({ ok: true });
  expect(await store.get('p1')).toBeUndefined();
  await store.set('p1', PASSWORD);
  await store.set('p2', 'other');
  const path = join(home, CREDENTIALS_FILE);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const onDisk = readFileSync(path, 'utf8');
  expect(onDisk).not.toContain(PASSWORD);
  expect(onDisk).not.toContain('"p1"'); // quoted, as the plaintext JSON would hold it: base64 alone holds "p1" by chance (~3% of runs)
  expect(onDisk).not.toContain(KEY);
  const again = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  expect(await again.get('p1')).toBe(PASSWORD);
  expect(await again.delete('p1')).toBe(true);
  expect(await again.delete('p1')).toBe(false);
  expect(await store.get('p1')).toBeUndefined();
  expect(await store.get('p2')).toBe('other');
});

test('a wrong key is a clear error, and the file is never rewritten under it', async () => {
  await new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY }).set('p1', PASSWORD);
  const before = readFileSync(join(home, CREDENTIALS_FILE));
  const wrong = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'w'.repeat(32) });
  const availability = await wrong.availability();
  expect(availability).toEqual({ ok: false, reason: expect.stringContaining('does not open the credentials file'), hint: expect.stringContaining('the key the file was made with') });
  await expect(wrong.get('p1')).rejects.toMatchObject({ code: 'NO_KEYCHAIN', message: expect.stringContaining('HOLDFAST_CREDENTIALS_KEY') });
  await expect(wrong.set('p2', 'x')).rejects.toMatchObject({ code: 'NO_KEYCHAIN' });
  await expect(wrong.delete('p1')).rejects.toMatchObject({ code: 'NO_KEYCHAIN' });
  expect(readFileSync(join(home, CREDENTIALS_FILE)).equals(before)).toBe(true);
});

test('a changed file fails its authentication tag; a file that is not a credentials file is refused, not overwritten', async () => {
  const store = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  await store.set('p1', PASSWORD);
  const path = join(home, CREDENTIALS_FILE);
  const sealed = JSON.parse(readFileSync(path, 'utf8'));
  const data = Buffer.from(sealed.data, 'base64');
  data[0] = data[0]! ^ 1;
  writeFileSync(path, JSON.stringify({ ...sealed, data: data.toString('base64') }));
  await expect(new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY }).get('p1')).rejects.toThrow(/the file was changed/);
  writeFileSync(path, 'host:5432:*:app:secret\n');
  await expect(store.set('p1', PASSWORD)).rejects.toThrow(/is not a Holdfast credentials file/);
  expect(readFileSync(path, 'utf8')).toBe('host:5432:*:app:secret\n');
});

test('no key, or a short one, is reported as what to do, before anything is written', async () => {
  const none = new EncryptedFileSecretStore(home, {});
  expect(await none.availability()).toEqual({
    ok: false,
    reason: 'The credentials file needs a key, and this host was given none.',
    hint: expect.stringContaining(`LoadCredential=${SYSTEMD_CREDENTIAL_NAME}`),
  });
  await expect(none.set('p1', PASSWORD)).rejects.toMatchObject({ hint: expect.stringContaining(`LoadCredential=${SYSTEMD_CREDENTIAL_NAME}`) });
  await expect(readCredentialsKey({ HOLDFAST_CREDENTIALS_KEY: 'short' })).rejects.toThrow(/5 bytes; it must be at least 16/);
  expect(() => statSync(join(home, CREDENTIALS_FILE))).toThrow();
});

test("systemd's LoadCredential= directory wins over the variable; the key file's trailing newline is not key", async () => {
  const credentials = join(home, 'creds');
  rmSync(credentials, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(credentials));
  writeFileSync(join(credentials, SYSTEMD_CREDENTIAL_NAME), `${KEY}\n`);
  const key = await readCredentialsKey({ CREDENTIALS_DIRECTORY: credentials, HOLDFAST_CREDENTIALS_KEY: 'x'.repeat(32) });
  expect(key).toEqual({ material: Buffer.from(KEY), source: `systemd credential ${join(credentials, SYSTEMD_CREDENTIAL_NAME)}` });
  // The same key given either way opens the same file.
  await new EncryptedFileSecretStore(home, { CREDENTIALS_DIRECTORY: credentials }).set('p1', PASSWORD);
  expect(await new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY }).get('p1')).toBe(PASSWORD);
});

test('passwords stored at the same time are all kept: each change reads and writes the file alone, and no writer renames another half-written file', async () => {
  // Two stores over one file, as two processes (the CLI and serve) or two REST requests would be.
  const first = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  const second = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  await first.set('seed', 'x');
  const accounts = Array.from({ length: 12 }, (_, i) => `p${i}`);
  await Promise.all(accounts.map((account, i) => (i % 2 ? first : second).set(account, `secret-${account}`)));
  const reader = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  for (const account of accounts) expect(await reader.get(account)).toBe(`secret-${account}`);
  expect(await reader.get('seed')).toBe('x');
});

test("a lock left by a process that died does not block the next change; the lock and a killed writer's temp files are gone after it", async () => {
  writeFileSync(join(home, `${CREDENTIALS_FILE}.lock`), '999999999 gone:1\n');
  // What a writer killed mid-change leaves: its sealed temp file, and a waiter's temp of the lock.
  const left = [`.${CREDENTIALS_FILE}.999999999-0a0b0c0d.tmp`, `${CREDENTIALS_FILE}.lock.999999999-0a0b0c0d`];
  for (const name of left) writeFileSync(join(home, name), 'x');
  const store = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  await store.set('p1', PASSWORD);
  expect(await store.get('p1')).toBe(PASSWORD);
  expect(() => statSync(join(home, `${CREDENTIALS_FILE}.lock`))).toThrow();
  expect(readdirSync(home).sort()).toEqual([CREDENTIALS_FILE]);
});

test('two processes storing passwords at once keep all of them', async () => {
  // A writer as `holdfast profile edit --password-stdin` and serve are: another process over the same file.
  const script = join(home, 'writer.mts');
  writeFileSync(
    script,
    `import { EncryptedFileSecretStore } from ${JSON.stringify(resolve(import.meta.dirname, 'file-store.ts'))};
     const store = new EncryptedFileSecretStore(${JSON.stringify(home)}, { HOLDFAST_CREDENTIALS_KEY: ${JSON.stringify(KEY)} });
     for (let i = 0; i < 25; i++) await store.set(process.argv[2] + '-' + i, 'secret');`,
  );
  const tsx = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
  await Promise.all(['a', 'b'].map((tag) => promisify(execFile)(tsx, [script, tag], { cwd: home })));
  const reader = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: KEY });
  const missing: string[] = [];
  for (const tag of ['a', 'b']) for (let i = 0; i < 25; i++) if ((await reader.get(`${tag}-${i}`)) === undefined) missing.push(`${tag}-${i}`);
  expect(missing).toEqual([]);
}, 60_000);
