// Encrypted backups through the real `holdfast` command: the key commands against the real keychain
// (test/with-keyring.sh), and a Holdfast killed (SIGKILL) mid-backup and mid-restore: no plaintext of
// the dump on disk after the backup's kill, and the restore's private decrypted copy gone with the next start.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, startCli, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';
import { filesUnderIfAny } from './support/files.ts';

const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);
// Under CI (.ci/setup installs age) a missing age binary fails the suite instead of skipping it.
const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);
const MARKER = 'HOLDFAST-CLI-PLAINTEXT-MARKER-51c0';

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;
let keyDir: string;
let env: Record<string, string>;

/**
 * Holdfast's files and the temp dir, but not the source server's own data directory (holdfast-pg-*);
 * with `changedSince`, only files written since then (a scan while a backup runs must be quick, or
 * the backup ends before it can be killed).
 */
function plaintextOnDisk(changedSince = 0): string[] {
  return [home.home, privateTmp.dir].flatMap(filesUnderIfAny).filter((file) => {
    if (file.startsWith(privateTmp.dir) && file.slice(privateTmp.dir.length + 1).startsWith('holdfast-pg-')) return false;
    try {
      if (statSync(file).mtimeMs < changedSince) return false;
      return readFileSync(file).includes(MARKER);
    } catch {
      return false;
    }
  });
}

describe.skipIf(!keyring || !hasAge)('holdfast key and encrypted backups from the command line', () => {
  beforeAll(async () => {
    server = await startPgServer();
    await server.query('CREATE DATABASE big');
    await server.query(
      `CREATE TABLE secrets (v text); INSERT INTO secrets SELECT '${MARKER}-' || g || md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || md5((g * 17)::text) FROM generate_series(1, 150000) g;`,
      'big',
    );
    keyDir = mkdtempSync(join(tmpdir(), 'holdfast-agekeys-'));
    home = makeHome();
    env = { ...home.env, TMPDIR: privateTmp.dir, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '' };
    const added = await runCli(['profile', 'add', 'big', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'big'], env);
    expect(added.code, added.stderr).toBe(0);
  });

  afterAll(async () => {
    home?.cleanup();
    await server?.stop();
    rmSync(keyDir, { recursive: true, force: true });
    privateTmp.remove();
  });

  test('key generate prints the recipient and the offline-copy warning; export gives a file `age` decrypts with; import and list', async () => {
    const generated = await runCli(['key', 'generate', '--name', 'main', '--json'], env);
    expect(generated.code, generated.stderr).toBe(0);
    const { recipient } = JSON.parse(generated.stdout) as { recipient: string };
    expect(recipient).toMatch(/^age1/);
    const human = await runCli(['key', 'generate', '--name', 'spare'], env);
    expect(human.stdout).toContain('Keep an offline copy');
    expect(human.stdout).not.toContain('AGE-SECRET-KEY');

    const backup = await runCli(['backup', 'big', '--json', '--table', 'public.secrets'], { ...env, BACKUP_ENCRYPTION_KEY: recipient });
    expect(backup.code, backup.stderr + backup.stdout).toBe(0);
    const made = JSON.parse(backup.stdout) as { path: string; encrypted: boolean; encryption: { recipients: string[] } };
    expect(made).toMatchObject({ encrypted: true, encryption: { recipients: [recipient] } });

    const exported = await runCli(['key', 'export', 'main'], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`# public key: ${recipient}`);
    const keyFile = join(keyDir, 'main.txt');
    writeFileSync(keyFile, exported.stdout, { mode: 0o600 });
    const decrypted = spawnSync('age', ['-d', '-i', keyFile, made.path], { maxBuffer: 1 << 30 });
    expect(decrypted.status, decrypted.stderr.toString()).toBe(0);
    expect(decrypted.stdout.subarray(0, 5).toString()).toBe('PGDMP');

    // An identity made by age-keygen comes in through stdin, never argv.
    const outside = join(keyDir, 'outside.txt');
    execFileSync('age-keygen', ['-o', outside], { stdio: 'pipe' });
    const imported = await runCli(['key', 'import', '--name', 'outside', '--json'], env, { input: readFileSync(outside, 'utf8') });
    expect(imported.code, imported.stderr).toBe(0);
    const again = await runCli(['key', 'import', '--name', 'bad'], env, { input: 'not a key\n' });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not an age identity file');
    expect(again.stderr).not.toContain('not a key');

    const listed = JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; secretHere: boolean; backups: number }>;
    expect(listed.map((key) => [key.name, key.secretHere, key.backups])).toEqual([
      ['main', true, 1],
      ['spare', true, 0],
      ['outside', true, 0],
    ]);
    // Secrets are in the keychain, not in HOLDFAST_HOME.
    for (const file of filesUnderIfAny(home.home)) expect(readFileSync(file).includes('AGE-SECRET-KEY-1'), file).toBe(false);
  });

  test('backup --encrypt-to KEY and --no-encrypt, profile --encrypt-to / --no-encrypt / --encrypt-default, key add-passphrase from stdin; contradictory flags are bad usage', async () => {
    const withDefault = { ...env, BACKUP_ENCRYPTION_KEY: JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout)[0].recipient as string };
    const backupJson = async (args: string[], useEnv = withDefault) => {
      const result = await runCli(['backup', 'big', '--json', '--table', 'public.secrets', ...args], useEnv);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      return JSON.parse(result.stdout) as { filename: string; encrypted: boolean; encryption?: { recipients: string[] } };
    };
    const spare = (JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; recipient: string }>).find((key) => key.name === 'spare')!;

    expect((await backupJson(['--encrypt-to', 'spare'])).encryption?.recipients).toEqual([spare.recipient]);
    const plain = await backupJson(['--no-encrypt']);
    expect(plain).toMatchObject({ encrypted: false });
    expect(plain.filename).toMatch(/\.dump$/);
    const both = await runCli(['backup', 'big', '--encrypt-to', 'spare', '--no-encrypt'], withDefault);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('contradict');

    expect((await runCli(['profile', 'edit', 'big', '--no-encrypt'], env)).code).toBe(0);
    expect((await runCli(['profile', 'show', 'big'], env)).stdout).toMatch(/encrypt to\s+not encrypted/);
    expect((await backupJson([])).encrypted).toBe(false);
    expect((await runCli(['profile', 'edit', 'big', '--encrypt-to', 'spare'], env)).code).toBe(0);
    expect((await backupJson([])).encryption?.recipients).toEqual([spare.recipient]);
    expect((await runCli(['profile', 'edit', 'big', '--encrypt-default'], env)).code).toBe(0);
    expect((await backupJson([])).encryption?.recipients).toEqual([withDefault.BACKUP_ENCRYPTION_KEY]);

    const passphrase = 'a long passphrase typed once';
    const added = await runCli(['key', 'add-passphrase', '--name', 'vault'], env, { input: `${passphrase}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout + added.stderr).not.toContain(passphrase);
    const short = await runCli(['key', 'add-passphrase', '--name', 'weak'], env, { input: 'short\n' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('too short');
    expect((await runCli(['key', 'list'], env)).stdout).toMatch(/vault\s+passphrase\s+secret here/);
    const sealed = await backupJson(['--encrypt-to', 'vault']);
    expect(sealed.encryption?.recipients).toEqual(['passphrase:vault']);
    const mixed = await runCli(['backup', 'big', '--encrypt-to', 'vault', '--encrypt-to', 'spare'], withDefault);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('age allows a passphrase only');
    for (const file of filesUnderIfAny(home.home)) expect(readFileSync(file).includes(passphrase), file).toBe(false);
  }, 300_000);

  test('SIGKILL mid-backup leaves no plaintext; SIGKILL mid-restore leaves a private copy the next start removes', async () => {
    const recipient = (JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; recipient: string }>).find((key) => key.name === 'main')!.recipient;
    const encEnv = { ...env, BACKUP_ENCRYPTION_KEY: recipient };
    const backupsDir = join(home.home, 'backups');
    const started = Date.now() - 1000;
    const child = startCli(['backup', 'big', '--suffix', 'killed'], encEnv);
    await waitFor('the encrypted temp file to grow', () => filesUnderIfAny(backupsDir).find((file) => file.includes('killed') && file.endsWith('.tmp') && statSync(file).size > 256 * 1024), 60_000);
    expect(plaintextOnDisk(started)).toEqual([]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    expect(plaintextOnDisk()).toEqual([]);
    const next = await runCli(['list', '--json'], encEnv);
    expect(next.code, next.stderr).toBe(0);
    expect(filesUnderIfAny(backupsDir).filter((file) => file.includes('killed'))).toEqual([]);
    expect(plaintextOnDisk()).toEqual([]);

    // A whole backup, then a restore killed while it runs: its decrypted copy is in HOLDFAST_HOME/decrypted (0700/0600) until the next start.
    const made = JSON.parse((await runCli(['backup', 'big', '--json', '--suffix', 'whole'], encEnv)).stdout) as { id: string };
    const restore = startCli(['restore', made.id, '--to', 'big', '--dbname', 'restored_then_killed', '--create'], encEnv);
    const copy = await waitFor('the private decrypted copy', () => filesUnderIfAny(join(home.home, 'decrypted'))[0], 60_000);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    restore.kill('SIGKILL');
    await new Promise((resolve) => restore.once('close', resolve));
    await runCli(['list'], encEnv);
    expect(filesUnderIfAny(join(home.home, 'decrypted'))).toEqual([]);
    expect(plaintextOnDisk()).toEqual([]);
  });
});
