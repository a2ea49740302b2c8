import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { fileLogger } from './log.ts';
import { readLog } from './read-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'holdfast-readlog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the app log newest first, across the rotated file, by level and text; a line that is not JSON is skipped; secrets were never written', async () => {
  const logger = fileLogger(dir, { maxBytes: 300, keep: 2 });
  logger.log('info', 'backup completed', { profile: 'shop' });
  logger.log('error', 'backup failed', { profile: 'shop', error: 'password authentication failed', password: 'hunter2' });
  logger.log('warn', 'notification: retrying', { target: 'slack' });
  logger.log('info', 'setting changed', { setting: 'backup-dir' });

  const everything = await readLog(dir, { limit: 10 });
  expect(everything.map((entry) => entry.message)).toEqual(['setting changed', 'notification: retrying', 'backup failed', 'backup completed']);
  expect((await readLog(dir, { level: 'warn', limit: 10 })).map((entry) => entry.level)).toEqual(['warn', 'error']);
  expect((await readLog(dir, { search: 'AUTHENTICATION', limit: 10 })).map((entry) => entry.message)).toEqual(['backup failed']);
  expect(JSON.stringify(everything)).not.toContain('hunter2');
  expect(await readLog(dir, { limit: 1 })).toHaveLength(1);
  expect(await readLog(join(dir, 'none'), { limit: 5 })).toEqual([]);
});
