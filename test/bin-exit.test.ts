// bin/holdfast.mjs exits as soon as the command's work has settled, skipping Node's teardown of the
// heap (issue 12, item 22). What must not change with it: work the command left running (a
// notification still being sent) finishes first, 'exit' listeners run, every byte written reaches
// the reader, and the exit code is the command's. Checked on a copy of the bin whose bundle does each.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { binCopy } from './support/bin-copy.ts';

const root = binCopy('holdfast-bin-exit-');

/** Runs the bin with a bundle whose main() is `body`; the bundle is newer than the (absent) sources. */
function runWithMain(body: string) {
  writeFileSync(join(root, 'dist', 'cli.mjs'), `export async function main() {\n${body}\n}\n`);
  return spawnSync(process.execPath, [join(root, 'bin', 'holdfast.mjs')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

test('work the command left pending (a notification being sent) finishes before the process exits', () => {
  const result = runWithMain("setTimeout(() => process.stdout.write('sent late'), 150);\nprocess.stdout.write('done; ');\nreturn 0;");
  expect(result.stdout).toBe('done; sent late');
  expect(result.status).toBe(0);
});

test("the exit code is the command's, and 'exit' listeners still run", () => {
  const result = runWithMain("process.on('exit', (code) => process.stderr.write(`exit listener saw ${code}`));\nreturn 3;");
  expect(result.status).toBe(3);
  expect(result.stderr).toBe('exit listener saw 3');
});

test('a large output reaches a reader through a pipe whole', () => {
  const result = runWithMain("process.stdout.write('x'.repeat(8 * 1024 * 1024));\nprocess.stdout.write('end');\nreturn 0;");
  expect(result.stdout.length).toBe(8 * 1024 * 1024 + 3);
  expect(result.stdout.endsWith('end')).toBe(true);
});

// `holdfast backup prod 2>&1 | head -1` killed the backup: the progress line after the one head read
// hit a closed pipe (EPIPE), Node threw it as an unhandled 'error', and the run was left for the next
// start to mark interrupted. A reader that goes away ends the output, never the command's work.
test('a reader that closes its end of the pipe does not end the command: its work and exit code stand', async () => {
  const marker = join(root, 'finished');
  writeFileSync(
    join(root, 'dist', 'cli.mjs'),
    `import { writeFileSync } from 'node:fs';
export async function main() {
  for (let step = 0; step < 20; step += 1) {
    process.stderr.write('progress ' + step + '\\n');
    process.stdout.write('line ' + step + '\\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  writeFileSync(${JSON.stringify(marker)}, 'done');
  return 0;
}
`,
  );
  const child = spawn(process.execPath, [join(root, 'bin', 'holdfast.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Like `| head -1`: read the first chunk of each, then close the pipe.
  child.stdout.once('data', () => child.stdout.destroy());
  child.stderr.once('data', () => child.stderr.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  expect(readFileSync(marker, 'utf8')).toBe('done');
});
