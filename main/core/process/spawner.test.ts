import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { expect, test } from 'vitest';
import { startChildAway, warmSpawner } from './spawner.ts';

/** Pids whose parent is `parent` (Linux /proc). */
function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

/** The helper: the one child of this process running the spawner's source. */
function helperPid(): number {
  const pid = childrenOf(process.pid).find((candidate) => {
    try {
      return readFileSync(`/proc/${candidate}/cmdline`, 'utf8').includes('running.values()');
    } catch {
      return false;
    }
  });
  if (pid === undefined) throw new Error('no spawner helper among this process’s children');
  return pid;
}

const node = process.execPath;
/** Counts its stdin, then says how much and who its parent is, on stderr; exits 3. */
const COUNTER = "let n = 0; process.stdin.on('data', (c) => (n += c.length)).on('end', () => { console.error('read ' + n + ' parent ' + process.ppid); process.exit(3); });";
const FOREVER = 'setInterval(() => {}, 1000); // spawner-test-forever';

test.skipIf(process.platform !== 'linux')('a child started away reads its stdin, reports its exit and stderr, and was not forked by this process', async () => {
  const input = Readable.from([Buffer.alloc(3 * 1024 * 1024, 1), Buffer.alloc(2 * 1024 * 1024, 2)]);
  const result = await startChildAway(node, ['-e', COUNTER], { env: process.env, stdin: input, timeoutMs: 30_000 }).done;
  expect(result.exitCode).toBe(3);
  const [, read, parent] = /read (\d+) parent (\d+)/.exec(result.stderr) ?? [];
  expect(Number(read)).toBe(5 * 1024 * 1024);
  expect(Number(parent)).not.toBe(process.pid);
  expect(Number(parent)).toBe(helperPid());
});

test.skipIf(process.platform !== 'linux')('stop() and a timeout kill the child, and say why', async () => {
  const stopped = startChildAway(node, ['-e', FOREVER], { env: process.env, stdin: new Readable({ read() {} }) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  stopped.stop('cancelled');
  expect(await stopped.done).toMatchObject({ signal: 'SIGKILL', stoppedBecause: 'cancelled' });
  const timedOut = await startChildAway(node, ['-e', FOREVER], { env: process.env, stdin: new Readable({ read() {} }), timeoutMs: 300 }).done;
  expect(timedOut).toMatchObject({ signal: 'SIGKILL', stoppedBecause: 'timed out after 0 s' });
  expect(childrenOf(helperPid())).toEqual([]);
});

test.skipIf(process.platform !== 'linux')('a helper that dies fails its running child clearly, takes the child with it, and the next start gets a new helper', async () => {
  warmSpawner();
  const running = startChildAway(node, ['-e', FOREVER], { env: process.env, stdin: new Readable({ read() {} }) });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const first = helperPid();
  const [child] = childrenOf(first);
  expect(child).toBeDefined();
  process.kill(first, 'SIGKILL');
  const result = await running.done;
  expect(result.exitCode).toBeNull();
  expect(result.stderr).toMatch(/the helper that starts tools ended \(SIGKILL\)/);
  // The child's lifeline (setpriv --pdeathsig) ended it with the helper.
  for (let tries = 0; tries < 50 && childrenOf(1).concat(childrenOf(first)).includes(child!); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(() => process.kill(child!, 0)).toThrow();
  const next = await startChildAway(node, ['-e', COUNTER], { env: process.env, stdin: Readable.from([Buffer.from('abc')]) }).done;
  expect(next.stderr).toMatch(/read 3 parent/);
  expect(helperPid()).not.toBe(first);
});
