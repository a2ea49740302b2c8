// A tool's process group is its own, and its session and autogroup are this process's (own-group.ts says why).
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { startChild } from './child.ts';

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
