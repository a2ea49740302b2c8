// `holdfast schedule edit` in process against a real catalogue in a throwaway home: what is given
// changes, what is not stays, and --inherit-encryption clears the schedule's own encryption choice.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { holdfast as cli, throwawayHome } from '../../test/support/cli-in-process.ts';

const RECIPIENT = 'age1aa9h7vld60sx4yvw46v7w8ppxjacjsakfthqudffwlm7kf65x9xqpznwr8';
throwawayHome('schedule-edit', (home) => ({ BACKUP_DIR: join(home, 'backups'), HOLDFAST_VERIFY_SCHEDULE: 'off' }));

async function scheduleWithOwnEncryption(...flags: string[]): Promise<string> {
  expect((await cli('profile', 'add', 'shop', '--host', '127.0.0.1', '--port', '1', '--user', 'app', '--dbname', 'shop')).code).toBe(0);
  const added = await cli('schedule', 'add', 'shop', '--daily', '--format', 'tar', ...flags, '--json');
  expect(added.code, added.stderr).toBe(0);
  return JSON.parse(added.stdout).id as string;
}

test("--inherit-encryption clears the schedule's --encrypt-to: its backups follow the profile again; its other options stay", async () => {
  const id = await scheduleWithOwnEncryption('--encrypt-to', RECIPIENT);
  const edited = await cli('schedule', 'edit', id, '--inherit-encryption');
  expect(edited.code, edited.stderr).toBe(0);
  expect(edited.stdout).toContain("encryption: the profile's choice, then BACKUP_ENCRYPTION_KEY");
  const [schedule] = JSON.parse((await cli('schedule', 'list', '--json')).stdout);
  expect(schedule.options).not.toHaveProperty('encryptTo');
  expect(schedule.options.format).toBe('tar');
});

test('--inherit-encryption clears a --no-encrypt too; timing, retention and drills change only when given', async () => {
  const id = await scheduleWithOwnEncryption('--no-encrypt');
  const edited = await cli('schedule', 'edit', id, '--weekly', '--retention', '30d', '--test-restore', '--inherit-encryption', '--json');
  expect(edited.code, edited.stderr).toBe(0);
  const view = JSON.parse(edited.stdout);
  expect(view).toMatchObject({ type: 'weekly', retention: '30d', testRestore: true });
  expect(view.options).not.toHaveProperty('encryptTo');
  const again = JSON.parse((await cli('schedule', 'edit', id, '--default-retention', '--json')).stdout);
  expect(again).toMatchObject({ type: 'weekly', retention: null, testRestore: true });
});

test('an edit with nothing to change, or with contradicting flags, is refused as bad usage', async () => {
  const id = await scheduleWithOwnEncryption();
  const nothing = await cli('schedule', 'edit', id);
  expect(nothing.code).toBe(2);
  expect(nothing.stderr).toContain('Nothing to change');
  const both = await cli('schedule', 'edit', id, '--retention', '7d', '--default-retention');
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('--retention and --default-retention contradict each other');
});
