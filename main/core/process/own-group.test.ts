// A tool's process group is its own, and its session and autogroup are this process's (own-group.ts says why).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { startChild } from './child.ts';
import { inOwnGroup } from './own-group.ts';

/** /proc/<pid>/stat's process group and session (fields 5 and 6), read past the command name. */
function groupAndSession(pid: number | 'self'): { pgid: number; sid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgid: Number(fields[2]), sid: Number(fields[3]) };
}

const autogroupOf = (pid: number | 'self') => readFileSync(`/proc/${pid}/autogroup`, 'utf8').split(' ')[0];

test.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/perl') || !existsSync('/proc/self/autogroup'))(
  "Linux: a tool leads a process group of its own in this process's session and autogroup, so the CLI's lowered threads yield to pg_dump",
  async () => {
    // The tool reports its own pid once it runs: the perl step in front has exec'd it by then.
    const started = startChild('/bin/sh', ['-c', 'echo $$; exec sleep 600'], { env: process.env, streamStdout: true });
    try {
      const pid = await new Promise<number>((resolve) => started.child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      expect(pid, "the pid is the tool's own: every step in front execs it").toBe(started.child.pid);
      const mine = groupAndSession('self');
      const its = groupAndSession(pid);
      expect(its.pgid, 'a group of its own, which one kill ends').toBe(pid);
      expect(its.sid, 'this process’s session (Node’s detached would make a new one)').toBe(mine.sid);
      expect(autogroupOf(pid), 'so the scheduler weighs it against this process’s threads by nice value').toBe(autogroupOf('self'));
    } finally {
      started.stop('test over');
      await started.done;
    }
  },
  30_000,
);

test.skipIf(process.platform !== 'linux' || !existsSync('/usr/bin/perl'))(
  'Linux: stopping a tool ends what it started too (its group), and a program that cannot run is told as a shell tells it',
  async () => {
    const started = startChild('/bin/sh', ['-c', 'sleep 600 & echo $!; wait'], { env: process.env, streamStdout: true });
    const grandchild = await new Promise<number>((resolve) => started.child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(groupAndSession(grandchild).pgid).toBe(started.child.pid);
    started.stop('cancelled');
    const result = await started.done;
    expect(result.stoppedBecause).toBe('cancelled');
    // Killed with its group: gone, or a zombie until init reaps it.
    const state = existsSync(`/proc/${grandchild}/stat`) ? readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    expect(['gone', 'Z']).toContain(state);

    const missing = await startChild('/nonexistent/pg_dump', ['--version'], { env: process.env }).done;
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('/nonexistent/pg_dump');
  },
);

const onLinuxWithPerl = process.platform === 'linux' && existsSync('/usr/bin/perl');
/** The shell's quoting of one word: `script -c` takes a command line. */
const shellWord = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
const TERMINAL_PROBE = 'if (exec 3<>/dev/tty) 2>/dev/null; then echo has-terminal; else echo no-terminal; fi';

test.skipIf(!onLinuxWithPerl || !existsSync('/usr/bin/script'))(
  'Linux: a tool started from a terminal cannot open it (libpq asking for an encrypted sslkey’s passphrase would stop on SIGTTOU under `stty tostop`)',
  () => {
    // `; true`: the shell stays the session's leader, as Holdfast's shell is (a shell execs its last command).
    const inTerminal = (command: string[]) =>
      spawnSync('/usr/bin/script', ['-qec', `stty tostop; ${command.map(shellWord).join(' ')}; true`, '/dev/null'], { encoding: 'utf8', timeout: 20_000, env: process.env });
    const control = inTerminal(['/bin/sh', '-c', TERMINAL_PROBE]);
    expect(control.stdout, 'the probe sees the terminal script gives it').toContain('has-terminal');
    const launch = inOwnGroup({ file: '/bin/sh', args: ['-c', TERMINAL_PROBE], env: process.env });
    const tool = inTerminal([launch.file, ...launch.args]);
    expect(tool.stdout).toContain('no-terminal');
  },
  30_000,
);

test.skipIf(!onLinuxWithPerl)('Linux: a program whose path starts with a dash is the program perl execs, not an option of perl’s', () => {
  const launch = inOwnGroup({ file: '-v', args: [], env: process.env });
  const result = spawnSync(launch.file, launch.args, { encoding: 'utf8', env: launch.env, timeout: 10_000 });
  expect(result.stdout, 'perl -v would print its version').not.toContain('This is perl');
  expect(result.status).toBe(127);
});

test.skipIf(!onLinuxWithPerl)('Linux: PERL5OPT, PERL5DB, PERL5LIB and friends in the environment do not reach the perl step', () => {
  const env = { ...process.env, PERL5OPT: '-d', PERL5DB: 'BEGIN { print STDERR "perl-hijacked\\n" }', PERLIO_DEBUG: '/dev/stderr' };
  const launch = inOwnGroup({ file: '/bin/sh', args: ['-c', 'echo ran; env | grep ^PERL5 || true'], env });
  const result = spawnSync(launch.file, launch.args, { encoding: 'utf8', env: launch.env, timeout: 10_000 });
  expect(result.stderr).not.toContain('perl-hijacked');
  expect(result.stdout).toContain('ran');
  expect(result.stdout).not.toContain('PERL5');
});
