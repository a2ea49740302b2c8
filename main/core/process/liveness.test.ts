import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

// The attack review: a process that has exited but whose parent has not waited for it yet (a zombie,
// state Z) answered kill(pid, 0) as alive, so its run claims and lock files held forever — in a
// container whose PID 1 reaps nothing, a killed Holdfast stays a zombie until the container ends.
test.skipIf(process.platform !== 'linux')('a zombie (exited, not yet waited for by its parent) is not alive', async () => {
  // sh starts a child that exits a little later, and meanwhile becomes sleep, which never waits for it.
  const parent = spawn('/bin/sh', ['-c', '(sleep 0.2; exit 0) & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const parentGone = new Promise((resolve) => parent.once('exit', resolve));
  try {
    const zombie = Number((await new Promise<Buffer>((resolve) => parent.stdout.once('data', resolve))).toString().trim());
    const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0];
    for (let tries = 0; state() !== 'Z' && tries < 500; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state()).toBe('Z');
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(isProcessAlive(zombie, 'any')).toBe(false);
    expect(isProcessAlive(parent.pid!, 'any')).toBe(true);
  } finally {
    parent.kill('SIGKILL');
    await parentGone;
  }
});
