// The CLI's helper threads yield to the tools it starts, and the tools keep their own priority: in a
// fresh Node process (vitest's own threads must not be lowered), every thread but the main one ends
// at nice 19, the main thread stays where it was, and a child started afterwards is not lowered.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const SCRIPT = `
import { readdirSync, readFileSync, readFile } from 'node:fs';
import { execFileSync } from 'node:child_process';
const { lowerHelperThreads } = await import(${JSON.stringify(join(import.meta.dirname, 'helper-threads.ts'))});
// Start libuv's pool, as a command's first file reads do.
await new Promise((resolve) => readFile('/proc/self/stat', resolve));
lowerHelperThreads();
const niceOf = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const threads = readdirSync('/proc/self/task').map(Number);
process.stdout.write(JSON.stringify({
  main: niceOf(process.pid),
  helpers: threads.filter((tid) => tid !== process.pid).map(niceOf),
  child: Number(execFileSync('nice', [], { encoding: 'utf8' }).trim()),
}));
`;

test.runIf(process.platform === 'linux')('every helper thread is lowered to nice 19; the main thread and a child started after keep nice 0', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
  const { main, helpers, child } = JSON.parse(out) as { main: number; helpers: number[]; child: number };
  expect(main).toBe(0);
  expect(helpers.length).toBeGreaterThanOrEqual(4); // libuv's pool alone has 4
  expect(new Set(helpers)).toEqual(new Set([19]));
  expect(child).toBe(0);
});

const PACING_SCRIPT = `
import { readdirSync, readFileSync, readFile } from 'node:fs';
import { Worker } from 'node:worker_threads';
const { lowerHelperThreads } = await import(${JSON.stringify(join(import.meta.dirname, 'helper-threads.ts'))});
const { markPacing, threadsStartedBy } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'core', 'process', 'pacing-threads.ts'))});
await new Promise((resolve) => readFile('/proc/self/stat', resolve));
const { value: worker, threads } = threadsStartedBy(() => new Worker('setInterval(() => {}, 1000)', { eval: true }));
const done = markPacing(threads);
lowerHelperThreads();
const niceOf = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const others = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid && !threads.includes(tid));
process.stdout.write(JSON.stringify({ pacing: threads.map(niceOf), others: others.map(niceOf) }));
done();
await worker.terminate();
`;

test.runIf(process.platform === 'linux')("a thread that paces a child (the one reading pg_dump's FIFO) keeps its priority; the other helpers are lowered", () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PACING_SCRIPT], { encoding: 'utf8' });
  const { pacing, others } = JSON.parse(out) as { pacing: number[]; others: number[] };
  expect(pacing).toEqual([0]);
  expect(others.length).toBeGreaterThanOrEqual(4);
  expect(new Set(others)).toEqual(new Set([19]));
});
