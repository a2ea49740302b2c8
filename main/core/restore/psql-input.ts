// A plain dump is fed to psql on the Holdfast host, and psql runs its meta-commands there, as the
// Holdfast user: `\! cmd`, `\o |cmd`, `\copy … to program`, and backquoted arguments (`\echo `cmd``).
// That is outside any sandbox a drill gives the server. pg_dump (13.22/14.19/15.14/16.10/17.6 and
// later) fences its script with `\restrict KEY` … `\unrestrict KEY`, and psql in between refuses every
// meta-command but `\unrestrict` — yet psql still expands backquotes in `\unrestrict`'s argument
// before it compares the key (psql 15.18: `\unrestrict `id > /tmp/x`` runs `id`), and a NUL byte
// splices lines (psql reads lines in 1 KB pieces and drops what follows a NUL in each piece, so
// `\unre<NUL>…strict` reaches it as `\unrestrict`). Text a source server chose reaches the script
// unescaped in places (a view definition is whatever pg_get_viewdef answers; a superuser of the
// source, or any server an admin points a profile at, answers what it likes), and a backup file can
// be altered along with its checksum. So what psql reads is checked on its way there:
//
// - psql starts restricted: the script's own `\restrict KEY` when that is how it begins (after
//   comment and blank lines only, as pg_dump writes it), else one with a key of Holdfast's own.
// - `\unrestrict` appears nowhere but as the script's last line, with the key it began with: no other
//   `\unrestrict` ever reaches psql, so every meta-command in between stays refused by psql itself.
// - No NUL byte (pg_dump never writes one).
//
// The check is a byte search over everything, data included, so it cannot disagree with psql's own
// reading of quotes or COPY data. Only an `\unrestrict` right after a backslash is let through (text
// "\unrestrict" in COPY data or an E'' string is written `\\unrestrict`); one in a dollar-quoted body,
// a standard string, a name or a comment is refused although psql would not run it.
import { randomBytes } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/** psql releases whose `\restrict` keeps a script's meta-commands from running (per major, the first minor). */
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };

/** Whether this psql version (e.g. "15.18", "18.1", "18beta2") knows `\restrict`. */
export function psqlKnowsRestrict(version: string): boolean {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  if (major >= 18) return true;
  const since = RESTRICT_SINCE[major];
  return since !== undefined && match[2] !== undefined && Number(match[2]) >= since;
}

export class PsqlInputRefused extends Error {}

const UNRESTRICT = Buffer.from('\\unrestrict');
/** How far the script's opening comments may run before its `\restrict` line. */
const HEADER_LIMIT = 64 * 1024;
/** The closing `\unrestrict KEY` line and the blank lines after it. */
const TAIL_LIMIT = 1024;

/**
 * The script as psql may read it: starting restricted, never unrestricted before its last line, no
 * NUL. A script that breaks either rule makes the stream fail (psql is then stopped) before the
 * offending bytes are passed on.
 */
export function restrictedPsqlInput(source: Readable): Readable {
  const guard = new RestrictGuard();
  source.on('error', (error) => guard.destroy(error));
  return source.pipe(guard);
}

class RestrictGuard extends Transform {
  private state: 'header' | 'body' | 'tail' = 'header';
  private held: Buffer = Buffer.alloc(0);
  /** The script's own key; undefined when Holdfast restricted psql with a key of its own. */
  private key: string | undefined;
  private offset = 0;
  private lastPassed = 0x0a;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const nul = chunk.indexOf(0);
      if (nul !== -1) throw new PsqlInputRefused(`the plain dump holds a NUL byte (at byte ${this.offset + this.held.length + nul}), which pg_dump never writes and which makes psql join lines`);
      this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
      if (this.state === 'header') this.readHeader(false);
      if (this.state === 'body') this.scanBody(false);
      if (this.state === 'tail' && this.held.length > TAIL_LIMIT) this.refuseTail();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.state === 'header') this.readHeader(true);
      if (this.state === 'body') this.scanBody(true);
      if (this.state === 'tail') {
        const line = /^\\unrestrict ([A-Za-z0-9]+)[ \t\r\n]*$/.exec(this.held.toString('latin1'));
        if (!line || line[1] !== this.key) this.refuseTail();
        this.pass(this.held);
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  /** Decides how psql starts once the first line that is not a comment or blank is in (or the script ends). */
  private readHeader(atEnd: boolean): void {
    const text = this.held.toString('latin1');
    let at = 0;
    for (;;) {
      const newline = text.indexOf('\n', at);
      if (newline === -1 && !atEnd && this.held.length <= HEADER_LIMIT) return;
      const line = text.slice(at, newline === -1 ? text.length : newline).replace(/\r$/, '');
      if (newline !== -1 && (line.trim() === '' || line.startsWith('--'))) {
        at = newline + 1;
        continue;
      }
      this.key = /^\\restrict ([A-Za-z0-9]+)$/.exec(line)?.[1];
      break;
    }
    if (this.key === undefined) this.pass(Buffer.from(`\\restrict ${randomBytes(24).toString('hex')}\n`), false);
    this.state = 'body';
  }

  /** Passes everything before a `\unrestrict`; from one on, holds the rest for the end. */
  private scanBody(atEnd: boolean): void {
    for (let from = 0; ;) {
      const found = this.held.indexOf(UNRESTRICT, from);
      if (found === -1) break;
      const before = found === 0 ? this.lastPassed : this.held[found - 1]!;
      // Right after a backslash it is no command: either both are inside a quoted string, or psql
      // took that backslash as a command of its own, refused it and skipped the rest of the line.
      // This is how text "\unrestrict" looks in COPY data and E'' strings (psql 15.18 checked).
      if (before === 0x5c) {
        from = found + 1;
        continue;
      }
      if (this.key === undefined || before !== 0x0a) this.refuse(this.offset + found);
      this.pass(this.held.subarray(0, found));
      this.held = Buffer.from(this.held.subarray(found));
      this.state = 'tail';
      return;
    }
    // Keep enough back to see a `\unrestrict` split across chunks.
    const keep = atEnd ? 0 : Math.min(this.held.length, UNRESTRICT.length - 1);
    this.pass(this.held.subarray(0, this.held.length - keep));
    this.held = Buffer.from(this.held.subarray(this.held.length - keep));
  }

  private refuseTail(): never {
    // Either more follows the closing line, or this `\unrestrict` is not it.
    this.refuse(this.offset);
  }

  private refuse(at: number): never {
    throw new PsqlInputRefused(
      `the plain dump has a psql \\unrestrict at byte ${at} that is not pg_dump's closing line${this.key === undefined ? ' (the script does not begin with \\restrict)' : ''}; psql would run the meta-commands that follow it (or a command in its argument) on this host, so it was not restored`,
    );
  }

  private pass(bytes: Buffer, counts = true): void {
    if (bytes.length === 0) return;
    if (counts) {
      this.offset += bytes.length;
      this.lastPassed = bytes[bytes.length - 1]!;
    }
    this.push(bytes);
  }
}
