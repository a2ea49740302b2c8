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
// backup took 1.09–1.72× (median 1.56) as long as a raw pg_dump in its own session, and 0.97–1.05×
// in the CLI's. On a quiet machine (README, bench rows 1 and 9): CLI/raw 1.040 → 1.012.
//
// A group of its own is still what the tool needs: a cancel or a timeout ends the tool and whatever it
// started (pg_dump's parallel workers) with one kill of the group, and Ctrl-C in a terminal, which goes
// to the foreground group, reaches Holdfast alone, which ends the tool itself and records why. Node can
// only make a session or nothing, so perl makes the group (setpgrp) and then execs the tool: the pid is
// still the tool's. perl is in every Debian and Ubuntu base system (perl-base) and in macOS; where it is
// missing, the tool starts in a session of its own as before.
//
// Sharing the session must not share the terminal: a tool in a background group that opens /dev/tty
// stops on SIGTTIN when it reads it, and on SIGTTOU when it writes under `stty tostop` — libpq asking
// for an encrypted sslkey's passphrase (OpenSSL prompts on /dev/tty, whatever --no-password says) hung
// a backup so, and wrote its prompt into the user's terminal without tostop. So the perl step gives up
// the controlling terminal (TIOCNOTTY, which in a process that does not lead its session touches no
// other process) before it execs the tool, which then finds no /dev/tty, as in a session of its own.
// perl's own environment variables are not passed (PERL5OPT=-d with PERL5DB runs code in the perl
// step; none of them means anything to a PostgreSQL tool), and `--` ends perl's options, so a tool
// path starting with '-' is the program, not a switch.
//
// Linux only: autogroups are Linux's, and elsewhere a session of its own costs nothing.
import { existsSync } from 'node:fs';

const PERL_PATHS = ['/usr/bin/perl', '/bin/perl'];

/** TIOCNOTTY where Linux numbers it so (asm-generic, and x86's own list); elsewhere the terminal is kept. */
const TIOCNOTTY: Partial<Record<NodeJS.Architecture, number>> = { x64: 0x5422, ia32: 0x5422, arm: 0x5422, arm64: 0x5422, riscv64: 0x5422, s390x: 0x5422, loong64: 0x5422 };

/** Give up the controlling terminal (when there is one), setpgrp, then exec: argv[0] is the program; 127 and a message when it cannot be run, as a shell says. */
function setGroupThenExec(tiocnotty: number | undefined): string {
  const dropTerminal = tiocnotty === undefined ? '' : `if (open(my $tty, '+<', '/dev/tty')) { ioctl($tty, ${tiocnotty}, 0); close($tty); } `;
  return `${dropTerminal}setpgrp(0, 0); exec { $ARGV[0] } @ARGV; print STDERR "cannot run $ARGV[0]: $!\\n"; exit 127;`;
}

/** Variables perl itself reads (PERL5OPT, PERL5LIB, PERL5DB, PERLIO, PERL_UNICODE, …): kept from the perl step, and so from the tool. */
const PERLS_OWN = /^PERL/;

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
  const env = Object.fromEntries(Object.entries(launch.env).filter(([name]) => !PERLS_OWN.test(name)));
  return { file: perl, args: ['-e', setGroupThenExec(TIOCNOTTY[process.arch]), '--', launch.file, ...launch.args], env: { ...env, PERL_BADLANG: '0' }, detached: false };
}
