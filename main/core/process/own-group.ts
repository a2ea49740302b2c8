// A tool gets a process group of its own inside this process's session, not a session of its own.
//
// Why not Node's `detached` (setsid): on Linux a new session is a new autogroup, and while autogroups
// are on (the default: /proc/sys/kernel/sched_autogroup_enabled) the scheduler shares a CPU first
// between autogroups and only then, by nice value, between the threads of one autogroup. pg_dump in a
// session of its own met this process as an equal, however low its threads were set: the CLI lowers
// them to nice 19 while a backup runs (cli/helper-threads.ts) so that the check of pg_dump's output
// (read, inflate, count, hash: ~1.7 s of CPU beside a 10 s dump) waits for pg_dump and its server
// backend, and across autogroups that lowering counted for nothing. Measured on the bench's database
// with the machine loaded by other sessions (4 alternated pairs each, stop 32): pg_dump inside a CLI
// backup took 1.46–1.72× as long as a raw pg_dump in its own session, and 0.97–1.05× in the CLI's.
//
// A group of its own is still what the tool needs: a cancel or a timeout ends the tool and whatever it
// started (pg_dump's parallel workers) with one kill of the group, and Ctrl-C in a terminal, which goes
// to the foreground group, reaches Holdfast alone, which ends the tool itself and records why. Node can
// only make a session or nothing, so perl makes the group (setpgrp) and then execs the tool: the pid is
// still the tool's. perl is in every Debian and Ubuntu base system (perl-base) and in macOS; where it is
// missing, the tool starts in a session of its own as before. Every tool started so never reads the
// terminal: the PostgreSQL tools run with --no-password, and their stdin is a pipe or /dev/null.
//
// Linux only: autogroups are Linux's, and elsewhere a session of its own costs nothing.
import { existsSync } from 'node:fs';

const PERL_PATHS = ['/usr/bin/perl', '/bin/perl'];

/** setpgrp, then exec: argv[0] is the program; 127 and a message when it cannot be run, as a shell says. */
const SET_GROUP_THEN_EXEC = 'setpgrp(0, 0); exec { $ARGV[0] } @ARGV; print STDERR "cannot run $ARGV[0]: $!\\n"; exit 127;';

export interface Launch {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

let perl: string | null | undefined;

/** How to start `launch` in a group of its own: through perl in this session (Linux), else detached. */
export function inOwnGroup(launch: Launch): Launch & { detached: boolean } {
  if (process.platform !== 'linux') return { ...launch, detached: true };
  perl ??= PERL_PATHS.find((path) => existsSync(path)) ?? null;
  if (!perl) return { ...launch, detached: true };
  // A locale the machine lacks would have perl warn on stderr, read as the tool's own words.
  return { file: perl, args: ['-e', SET_GROUP_THEN_EXEC, launch.file, ...launch.args], env: { ...launch.env, PERL_BADLANG: '0' }, detached: false };
}
