import { spawn, spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { isProcessAlive, isSameProcessAlive, processStartToken, PROCESS_TOKEN } from './liveness.ts';

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

test.skipIf(process.platform === 'win32')('a recorded process is itself only while it runs: not after it exits, not as another process given its pid', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const recorded = { pid: child.pid!, startToken: processStartToken(child.pid!) };
  expect(recorded.startToken).not.toBeNull();
  expect(isSameProcessAlive(recorded)).toBe(true);
  // The same pid with another start: what a reused pid looks like.
  expect(isSameProcessAlive({ pid: child.pid!, startToken: 'boot:1' })).toBe(false);
  expect(isSameProcessAlive({ pid: child.pid!, startToken: null })).toBe(false);
  child.kill('SIGKILL');
  await exited;
  expect(isSameProcessAlive(recorded)).toBe(false);
});
