// What a program answered to a question that only depends on the program itself (`pg_dump
// --version`, `setpriv --help`), kept in HOLDFAST_HOME so the next process does not ask again. Every
// backup asked both, each a fork of this process and an exec (~20 ms of CPU on Node's side, and
// pg_dump's --version often finished after the connection was made, so the backup waited for it:
// issue 12, item 22).
//
// An answer is only reused for the very same file: the realpath's device, inode, size, mtime and
// ctime must all match (an upgrade by apt or a copied-in binary changes the inode or ctime, and ctime
// cannot be set back by touch). Only successful answers are kept; a file that cannot be read or
// parsed is ignored and written afresh. Nothing secret is in it: versions and help texts.
//
// And only a compiled program's answer (ELF, Mach-O or PE, by its first bytes) is kept. A script is a
// wrapper — Debian's pg_wrapper, an asdf shim, a shell script that execs pg_dump — whose answer comes
// from another file, chosen at run time, which can change while the script does not: its kept answer
// once read pg_dump 15 as the 17 it had been. A script is asked every time. So is a compiled program
// reached through a link of another name: a multi-call binary (busybox, mise's shims) answers by the
// name it was called by, and for a shim by a version chosen at run time, so one file has many answers.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { fileIdentity } from '../fsutil/file-identity.ts';

export interface ProgramAnswer {
  status: number;
  stdout: string;
}

const SavedAnswers = lazySchema(() => z.record(z.string(), z.object({ identity: z.string(), stdout: z.string() })));
type SavedAnswers = z.infer<typeof SavedAnswers>;

/** The first bytes of a compiled program: ELF; Mach-O 32/64-bit either byte order, and universal; PE ("MZ"). */
const COMPILED_MAGIC = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  [0x4d, 0x5a],
];

export function isCompiledProgram(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, head, 0, head.length, 0);
    return COMPILED_MAGIC.some((magic) => magic.length <= read && magic.every((byte, i) => head[i] === byte));
  } finally {
    closeSync(fd);
  }
}

/** The identity of a compiled program's file as described above; undefined for a script, a link of another name, or a file that cannot be read. */
function identityOf(program: string): { real: string; identity: string } | undefined {
  try {
    const real = realpathSync(program);
    if (basename(real) !== basename(program) || !isCompiledProgram(real)) return undefined;
    const identity = fileIdentity(real);
    return identity === undefined ? undefined : { real, identity };
  } catch {
    return undefined;
  }
}

function run(program: string, args: readonly string[], timeoutMs: number): Promise<ProgramAnswer> {
  return new Promise((resolve) => {
    execFile(program, [...args], { encoding: 'utf8', timeout: timeoutMs }, (error, stdout) => resolve({ status: error ? 1 : 0, stdout }));
  });
}

export class ProgramAnswers {
  private saved: SavedAnswers | undefined;

  /** `file`: where answers are kept (undefined: asked every time, as before). */
  constructor(private readonly file: string | undefined) {}

  private load(): SavedAnswers {
    if (this.saved) return this.saved;
    try {
      const parsed = SavedAnswers.safeParse(JSON.parse(readFileSync(this.file!, 'utf8')));
      this.saved = parsed.success ? parsed.data : {};
    } catch {
      this.saved = {};
    }
    return this.saved;
  }

  /** Runs `program args` (an argument array, never a shell) unless the same compiled file already answered it. */
  async ask(program: string, args: readonly string[], timeoutMs: number): Promise<ProgramAnswer> {
    const file = this.file === undefined ? undefined : identityOf(program);
    if (!file) return run(program, args, timeoutMs);
    const key = [file.real, ...args].join('\0');
    const known = this.load()[key];
    if (known?.identity === file.identity) return { status: 0, stdout: known.stdout };
    const answer = await run(program, args, timeoutMs);
    if (answer.status === 0) this.keep(key, { identity: file.identity, stdout: answer.stdout });
    return answer;
  }

  private keep(key: string, entry: SavedAnswers[string]): void {
    const saved = this.load();
    saved[key] = entry;
    // A temp name and a rename: a reader never sees half a file. Losing it costs only a question.
    const temp = `${this.file!}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(saved)}\n`, { mode: 0o600 });
      renameSync(temp, this.file!);
    } catch {
      // A read-only or full home, or something else at the file's name: the answer is simply asked
      // again next time, and the temp file (one per process otherwise) does not stay behind.
      try {
        rmSync(temp, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  }
}
