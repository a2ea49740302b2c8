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
import { execFile } from 'node:child_process';
import { readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { fileIdentity } from '../fsutil/file-identity.ts';

export interface ProgramAnswer {
  status: number;
  stdout: string;
}

const SavedAnswers = z.record(z.string(), z.object({ identity: z.string(), stdout: z.string() }));
type SavedAnswers = z.infer<typeof SavedAnswers>;

/** The file's identity as described above, or undefined when it cannot be stat'ed. */
function identityOf(program: string): { real: string; identity: string } | undefined {
  try {
    const real = realpathSync(program);
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

  /** Runs `program args` (an argument array, never a shell) unless the same file already answered it. */
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
