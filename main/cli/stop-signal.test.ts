import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

// A real process and real signals: what matters is Node's default action for a second Ctrl-C,
// which no in-process emit can show.
test('a second SIGINT during an orderly stop is ignored, not fatal', async () => {
  const module = join(import.meta.dirname, 'stop-signal.ts');
  const script = `
    const { untilStopSignal } = await import(${JSON.stringify(module)});
    const stop = untilStopSignal((signal) => console.log('repeat ' + signal));
    const server = setInterval(() => undefined, 1000); // what keeps serve or the daemon alive
    console.log('ready');
    const signal = await stop.stopped;
    console.log('stopping on ' + signal);
    await new Promise((r) => setTimeout(r, 400)); // the orderly stop: closing servers, waiting for backups
    clearInterval(server);
    stop.dispose();
    console.log('stopped cleanly');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  await expect.poll(() => out, { timeout: 10_000 }).toContain('ready');
  child.kill('SIGINT');
  await expect.poll(() => out).toContain('stopping on SIGINT');
  child.kill('SIGINT');
  expect(await exited).toEqual([0, null]);
  expect(out).toContain('repeat SIGINT');
  expect(out).toContain('stopped cleanly');
});
