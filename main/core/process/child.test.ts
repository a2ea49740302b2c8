// A child must not outlive the Holdfast that started it (see child.ts): the lifeline on Linux, and the
// recorded child ended at the next start, with its process group, and only if it is still the same process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { childRecordOf, endRecordedChild, runChild, startChild, stderrTail } from './child.ts';
import { isSameProcessAlive, processStartToken } from './liveness.ts';

const childModule = join(import.meta.dirname, 'child.ts');

test.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/setpriv'))(
  'Linux: a child started through startChild dies with the process that started it, however it dies',
  async () => {
    // A stand-in Holdfast: starts a long child through startChild, prints its record, then waits to be killed.
    const script = `import { startChild, childRecordOf } from ${JSON.stringify(childModule)};
    const running = startChild('/bin/sleep', ['600'], { env: {} });
    process.stdout.write(JSON.stringify(childRecordOf(running.child.pid)) + '\\n');
    setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    const record = JSON.parse(line) as ReturnType<typeof childRecordOf>;
    expect(isSameProcessAlive(record)).toBe(true);
    parent.kill('SIGKILL');
    await new Promise((resolve) => parent.once('close', resolve));
    // No clock: the kernel sends the signal as the parent dies; wait until the child is gone.
    while (isSameProcessAlive(record)) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isSameProcessAlive(record)).toBe(false);
    // Room for a stand-in that starts Node and tsx on a loaded machine (it took over 5 s once, beside a full unit run).
  },
  30_000,
);

test.skipIf(process.platform === 'win32')('endRecordedChild ends the recorded process and its group, and leaves a process whose start does not match', async () => {
  const orphan = spawn('/bin/sh', ['-c', 'sleep 600 & wait'], { detached: true, stdio: 'ignore' });
  const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  try {
    const exited = new Promise((resolve) => orphan.once('exit', (_code, signal) => resolve(signal)));
    expect(await endRecordedChild({ ...childRecordOf(bystander.pid!), startToken: 'boot:1' })).toBe('gone');
    expect(bystander.exitCode === null && bystander.signalCode === null).toBe(true);
    expect(await endRecordedChild(childRecordOf(orphan.pid!))).toBe('ended');
    expect(await exited).toBe('SIGKILL');
  } finally {
    orphan.kill('SIGKILL');
    bystander.kill('SIGKILL');
  }
});

test("a child's environment carries none of Holdfast's secrets: not the credentials key or where systemd keeps it, not a webhook URL", async () => {
  const result = await runChild('/usr/bin/env', [], {
    env: {
      PATH: '/usr/bin:/bin',
      PGPASSFILE: '/run/x/pgpass',
      HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32),
      CREDENTIALS_DIRECTORY: '/run/credentials/holdfast.service',
      BACKUP_SLACK_WEBHOOK: 'https://hooks.slack.com/services/T0/B0/secret',
      HOLDFAST_WEBHOOK_URL: 'https://user:secret@example.com/hook',
    },
    captureStdout: true,
    timeoutMs: 10_000,
  });
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain('PGPASSFILE=/run/x/pgpass');
  expect(result.stdout).not.toMatch(/CREDENTIALS|WEBHOOK|secret/);
});

test.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/prlimit'))(
  "Linux: when this process's soft core limit is already 0, the child inherits it without a prlimit exec in front (a backup's start-up pays for each exec)",
  async () => {
    const hard = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('Max core file size'))!
      .trim()
      .split(/\s+/)[5];
    expect(hard, 'this check needs a hard core limit above 0, which prlimit would lower').not.toBe('0');
    const lowered = spawnSync('/usr/bin/prlimit', ['--pid', String(process.pid), '--core=0:']);
    expect(lowered.status, lowered.stderr.toString()).toBe(0);
    const started = startChild('/bin/sh', ['-c', 'echo "$$ $(ulimit -c) $(ulimit -H -c)"'], { env: process.env, captureStdout: true });
    const result = await started.done;
    // prlimit would have lowered the hard limit too; inherited, only the soft one is 0.
    expect(result.stdout.trim()).toBe(`${started.child.pid} 0 ${hard}`);
  },
);

test.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/prlimit'))(
  "Linux: a child can never write a core dump (pg_restore, psql and pg_dump hold plaintext of a decrypted backup), and its pid is still the tool's own",
  async () => {
    // Let this process dump core, so a child that merely inherited the limit would too.
    const raised = spawnSync('/usr/bin/prlimit', ['--pid', String(process.pid), '--core=unlimited:unlimited']);
    expect(raised.status, raised.stderr.toString()).toBe(0);
    try {
      const started = startChild('/bin/sh', ['-c', 'echo "$$ $(ulimit -c) $(ulimit -H -c)"'], { env: process.env, captureStdout: true });
      const result = await started.done;
      expect(result.stdout.trim()).toBe(`${started.child.pid} 0 0`);
    } finally {
      spawnSync('/usr/bin/prlimit', ['--pid', String(process.pid), '--core=0']);
    }
  },
);

test("stderrTail keeps only the lines a tool marks as its own messages, each capped: a dump's row data echoed on stderr is not quoted", () => {
  const row = 'SECRET-ROW-DATA '.repeat(40);
  const stderr = [
    'pg_restore: error: could not execute query: ERROR:  duplicate key value violates unique constraint "users_pkey"',
    `DETAIL:  Key (id)=(1) already exists.`,
    `CONTEXT:  COPY users, line 1: "${row}"`,
    `1\t${row}`,
    `pg_restore: error: ${'x'.repeat(5000)}`,
    'psql:/tmp/backup.sql:12: ERROR:  relation "t" already exists',
    'pg_restore: warning: errors ignored on restore: 2',
  ].join('\n');
  const tail = stderrTail(stderr);
  expect(tail).not.toContain('SECRET-ROW-DATA');
  expect(tail).toContain('duplicate key value violates unique constraint "users_pkey"');
  expect(tail).toContain('relation "t" already exists');
  expect(tail).toContain('errors ignored on restore: 2');
  for (const line of tail.split('\n')) expect(line.length).toBeLessThanOrEqual(500);
});

test.skipIf(process.platform !== 'linux')(
  "endRecordedChild ends a parallel tool's workers when their leader is already gone (pg_dump -j after Holdfast was SIGKILLed: the leader dies with it, its forked workers do not)",
  async () => {
    // A worker is a fork of pg_dump: its name is pg_dump. A link named so gives sleep that name.
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-workers-'));
    symlinkSync('/bin/sleep', join(dir, 'pg_dump'));
    const leader = startChild('/bin/sh', ['-c', '"$0" 600 >/dev/null 2>&1 & echo $!', join(dir, 'pg_dump')], { env: process.env, captureStdout: true });
    const record = childRecordOf(leader.child.pid!);
    const worker = Number((await leader.done).stdout.trim());
    const workerIdentity = { pid: worker, startToken: processStartToken(worker) };
    try {
      expect(isSameProcessAlive(workerIdentity), 'the worker outlives its leader').toBe(true);
      expect(await endRecordedChild(record)).toBe('ended');
      expect(isSameProcessAlive(workerIdentity)).toBe(false);
    } finally {
      if (isSameProcessAlive(workerIdentity)) process.kill(worker, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
