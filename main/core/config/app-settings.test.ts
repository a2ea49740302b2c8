// Settings changed in the app (issue 17 item 1): stored in the catalogue, checked by the environment
// variable's own schema, audited with who changed what from what to what, in force for the next
// operation without a restart, and always second to an environment variable that is set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { noKeychain } from '../../../test/support/no-keychain.ts';
import { invoke } from '../../contract.ts';
import { Holdfast } from '../holdfast.ts';
import { loadConfig } from './config.ts';

let home: string;
const opened: Holdfast[] = [];

async function open(env: Record<string, string> = {}): Promise<Holdfast> {
  const { holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, ...env }), { secrets: noKeychain });
  opened.push(holdfast);
  return holdfast;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-settings-'));
});

afterEach(async () => {
  for (const holdfast of opened.splice(0)) holdfast.close();
  await rm(home, { recursive: true, force: true });
});

const settingAudits = (holdfast: Holdfast) => holdfast.catalogue.auditEntries(100).filter((entry) => entry.action.startsWith('setting.'));

describe('settings changed in the app', () => {
  test("a new backup directory is in force for the next operation, shown as the app's, and audited from → to", async () => {
    const holdfast = await open();
    const before = holdfast.config.backupDir;
    expect(holdfast.settings.entry('backup-dir')).toMatchObject({ value: join(home, 'backups'), source: 'default', editable: true });

    const elsewhere = join(home, 'elsewhere');
    const answer = await invoke(holdfast, 'config.set', { name: 'backup-dir', value: elsewhere });
    expect(answer).toMatchObject({ ok: true, value: { name: 'backup-dir', value: elsewhere, source: 'app', changed: { by: expect.any(String) } } });
    expect(holdfast.config.backupDir).toBe(elsewhere);
    expect(settingAudits(holdfast)).toEqual([expect.objectContaining({ action: 'setting.set', target: 'backup-dir', detail: { variable: 'BACKUP_DIR', from: before, to: elsewhere } })]);

    // Reset: back to the default, audited as such.
    expect(await invoke(holdfast, 'config.set', { name: 'BACKUP_DIR', value: null })).toMatchObject({ ok: true, value: { source: 'default', value: before } });
    expect(holdfast.config.backupDir).toBe(before);
    expect(settingAudits(holdfast)[0]).toMatchObject({ action: 'setting.reset', detail: { from: elsewhere, to: before } });
  });

  test('another process on the same home sees the change at its next operation, without a restart', async () => {
    const app = await open();
    const cli = await open();
    expect(app.config.retentionDays).toBe(30);
    await invoke(cli, 'config.set', { name: 'retention-days', value: '12' });
    expect(app.config.retentionDays).toBe(12);
    expect(app.retentionPolicyFor('any')).toEqual({ kind: 'days', keepDays: 12 });
    await invoke(cli, 'config.set', { name: 'daily-schedule', value: '15 1 * * *' });
    expect(app.config.presets).toEqual({ daily: '15 1 * * *', weekly: '0 3 * * 0', monthly: '0 4 1 * *' });
  });

  test('the same schema as the environment variable refuses a bad value, naming the setting; nothing is stored or audited', async () => {
    const holdfast = await open();
    for (const [name, value, reason] of [
      ['retention-days', 'soon', /Default retention \(days\) \(retention-days\) cannot be "soon"/],
      ['daily-schedule', '0 25 * * *', /daily-schedule.*"0 25 \* \* \*"/],
      ['compression', 'maybe', /compression/],
      ['backup-dir', 'relative/dir', /must be an absolute path/],
      ['max-size-mb', '', /it is empty/],
    ] as const) {
      const answer = await invoke(holdfast, 'config.set', { name, value });
      expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(reason) } });
    }
    expect(holdfast.settings.entries().filter((entry) => entry.source !== 'default')).toEqual([]);
    expect(settingAudits(holdfast)).toEqual([]);
    expect(await invoke(holdfast, 'config.set', { name: 'colour', value: 'blue' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: 'There is no setting "colour".' } });
  });

  test("a variable set in the environment wins: shown as the environment's, and the app cannot change it", async () => {
    const fromEnv = join(home, 'env-backups');
    const holdfast = await open({ BACKUP_DIR: fromEnv });
    expect(holdfast.settings.entry('backup-dir')).toMatchObject({ value: fromEnv, source: 'environment', editable: false, why: expect.stringContaining('BACKUP_DIR') });
    const answer = await invoke(holdfast, 'config.set', { name: 'backup-dir', value: join(home, 'other') });
    expect(answer).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('environment variable BACKUP_DIR') } });
    expect(holdfast.config.backupDir).toBe(fromEnv);
    expect(settingAudits(holdfast)).toEqual([]);
  });

  test('a value stored earlier stays second to an environment variable set later', async () => {
    const first = await open();
    await invoke(first, 'config.set', { name: 'timeout-seconds', value: '90' });
    expect(first.config.timeoutMs).toBe(90_000);
    const later = await open({ BACKUP_TIMEOUT_SECONDS: '30' });
    expect(later.config.timeoutMs).toBe(30_000);
    expect(later.settings.entry('timeout-seconds')).toMatchObject({ source: 'environment', value: '30' });
  });

  test('a setting read only at start is listed with where it comes from, and refused with why', async () => {
    const holdfast = await open();
    expect(holdfast.settings.entry('concurrency')).toMatchObject({ source: 'default', editable: false, why: expect.stringContaining('restart') });
    expect(await invoke(holdfast, 'config.set', { name: 'concurrency', value: '3' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });
  test('the default recipients (BACKUP_ENCRYPTION_KEY) are set in the app, checked as the variable is, and second to the environment', async () => {
    const holdfast = await open();
    expect(holdfast.settings.entry('encryption-key')).toMatchObject({ variable: 'BACKUP_ENCRYPTION_KEY', value: '', source: 'default', editable: true });
    const recipient = await identityToRecipient(await generateX25519Identity());
    expect(await invoke(holdfast, 'config.set', { name: 'encryption-key', value: ` ${recipient} ` })).toMatchObject({ ok: true, value: { value: recipient, source: 'app' } });
    expect(holdfast.config.encryptTo).toEqual([recipient]);

    const identity = await generateX25519Identity();
    for (const [value, reason] of [
      [identity, /identity \(AGE-SECRET-KEY-1…\), a secret/],
      ['age1notarecipient', /not an X25519 age recipient/],
      ['/nowhere/recipients.txt', /neither an age recipient .* nor a readable recipients file/],
    ] as const) {
      const answer = await invoke(holdfast, 'config.set', { name: 'encryption-key', value });
      expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(reason) } });
      // An identity pasted by mistake is a secret: the refusal never repeats it.
      expect(JSON.stringify(answer)).not.toContain(identity);
    }
    expect(holdfast.config.encryptTo).toEqual([recipient]);

    // Reset: backups are no longer encrypted by default.
    expect(await invoke(holdfast, 'config.set', { name: 'encryption-key', value: null })).toMatchObject({ ok: true, value: { value: '', source: 'default' } });
    expect(holdfast.config.encryptTo).toEqual([]);

    const other = await identityToRecipient(await generateX25519Identity());
    const fromEnv = await open({ BACKUP_ENCRYPTION_KEY: other });
    expect(fromEnv.settings.entry('encryption-key')).toMatchObject({ value: other, source: 'environment', editable: false });
    expect(await invoke(fromEnv, 'config.set', { name: 'encryption-key', value: recipient })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });
});
