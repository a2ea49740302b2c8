import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { isProcessAlive, PROCESS_TOKEN } from './liveness.ts';

test('our own pid counts as alive only with our token (a restarted PID 1 is not its predecessor)', () => {
  expect(isProcessAlive(process.pid, PROCESS_TOKEN)).toBe(true);
  expect(isProcessAlive(process.pid, 'deadbeef')).toBe(false);
  expect(isProcessAlive(process.pid, null)).toBe(false);
});

test('another process: alive while it runs, not after it exits', () => {
  const exited = spawnSync(process.execPath, ['-e', '0']);
  expect(isProcessAlive(exited.pid!, 'any')).toBe(false);
  expect(isProcessAlive(process.ppid, 'any')).toBe(true);
});
