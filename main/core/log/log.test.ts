import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { fileLogger, redact } from './log.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('JSON lines, 0600, secrets dropped at any depth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-log-'));
  dirs.push(dir);
  const logger = fileLogger(join(dir, 'logs'));
  logger.log('warn', 'backup failed', { profile: 'prod', password: 'hunter2', nested: { slackWebhook: 'https://hooks.example/x', size: 3 } });
  const file = join(dir, 'logs', 'holdfast.log');
  const line = JSON.parse(readFileSync(file, 'utf8').trim());
  expect(line).toMatchObject({ level: 40, msg: 'backup failed', profile: 'prod', nested: { size: 3 } });
  expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
  expect(readFileSync(file, 'utf8')).not.toContain('hooks.example');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(redact({ PGPASSWORD: 'x', token: 'y', ok: 1 })).toEqual({ ok: 1 });
});

test('rotates by size and keeps a bounded number of files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-log-'));
  dirs.push(dir);
  const logger = fileLogger(dir, { maxBytes: 200, keep: 2 });
  for (let i = 0; i < 40; i += 1) logger.log('info', `line ${i} ${'x'.repeat(40)}`);
  expect(readdirSync(dir).sort()).toEqual(['holdfast.log', 'holdfast.log.1', 'holdfast.log.2']);
  expect(readFileSync(join(dir, 'holdfast.log'), 'utf8')).toContain('line 39');
});
