// What went wrong in a drill's restore, read from pg_restore's or psql's stderr (LC_MESSAGES=C) as it
// streams. A drill restores as an ordinary role, so objects that need a superuser (event triggers,
// functions in untrusted languages, untrusted extensions) are refused by the server; those are
// reported as restored without, not as a broken backup. Any other error fails the drill.

import { capLine } from '../process/child.ts';

export interface RestoreProblem {
  /** "EVENT TRIGGER ddl_watch", or "line 123" of a plain script. */
  object: string;
  /** The server's message, with its HINT when it gave one. */
  message: string;
}

export interface RestoreErrorReport {
  /** Objects the sandbox's ordinary role may not create, left out of the drill. */
  needsSuperuser: RestoreProblem[];
  /** Objects restored, but owned by the drill's role: the owner could not be given without a superuser. */
  ownerNotSet: RestoreProblem[];
  /** Everything else: these fail the drill. */
  failures: RestoreProblem[];
}

/** Errors a role without superuser gets for objects only a superuser may create. */
const NEEDS_SUPERUSER = [
  /must be superuser/i,
  /permission denied to create event trigger/i,
  /permission denied for language/i,
  /permission denied to create extension/i,
  /only superusers? can/i,
  /permission denied to (?:set|change) parameter/i,
  /must be owner of extension/i,
  /must have privileges of pg_/i,
];

/**
 * The kinds of object a superuser may have to create. A "needs a superuser" message counts only for
 * one of these: a dump's function can raise any text it likes, so a COPY, index or constraint that
 * failed with those words is a failure, not something a drill may restore without.
 */
const SUPERUSER_KINDS = String.raw`(?:EVENT TRIGGER|FUNCTION|PROCEDURE|AGGREGATE|EXTENSION|(?:TRUSTED\s+)?(?:PROCEDURAL\s+)?LANGUAGE|CAST|FOREIGN DATA WRAPPER|(?:FOREIGN\s+)?SERVER|USER MAPPING|PUBLICATION|SUBSCRIPTION|TYPE|OPERATOR(?:\s+CLASS|\s+FAMILY)?|TRANSFORM|ACCESS METHOD|TEXT SEARCH (?:PARSER|TEMPLATE)|CONVERSION|LARGE OBJECT|PARAMETER)`;
const KIND = `(${SUPERUSER_KINDS})`;
/** A statement about an object of those kinds; captures the kind and, where one follows, the object's name. */
const SUPERUSER_STATEMENT = new RegExp(
  String.raw`^(?:(?:CREATE|ALTER|COMMENT ON|SECURITY LABEL(?:\s+FOR\s+\S+)?\s+ON)\s+(?:OR\s+REPLACE\s+)?|(?:GRANT|REVOKE)\s[\s\S]*?\sON\s+)${KIND}\b(?:\s+(?:IF\s+NOT\s+EXISTS\s+)?([^\s(;]+))?`,
  'i',
);
/** pg_restore's TOC entry descriptions of those kinds ("EVENT TRIGGER x", "PROCEDURAL LANGUAGE plperlu", "COMMENT EXTENSION …", "ACL …"), captured the same way. */
const SUPERUSER_ENTRY = new RegExp(String.raw`^(?:(?:COMMENT|ACL|SECURITY LABEL)\s+)?${KIND}\b(?:\s+(\S+))?|^DEFAULT ACL\b`, 'i');

const MAX_PROBLEMS = 200;

/** A psql error read from stdin is named by its statement, which --echo-errors prints next. */
const STATEMENT_PENDING = 'a statement';

interface Entry {
  object: string;
  /** Named by pg_restore's TOC description, not by psql's statement. */
  fromToc: boolean;
  messages: string[];
  commands: string[];
}

/** Feeds on stderr lines; `report()` sorts what it saw. */
export class RestoreErrorCollector {
  private readonly entries: Entry[] = [];
  private current: Entry | undefined;
  /** The TOC entry pg_restore named last ("from TOC entry …"); its errors follow. */
  private tocObject = 'the archive';
  private collecting: 'message' | 'command' | undefined;

  readonly onLine = (raw: string): void => {
    const line = raw.replace(/\r$/, '');
    // "… EXTENSION file_fdw (no owner)" or "… TABLE t alice": the owner is left off the object's name.
    const toc = /^pg_restore: from TOC entry \d+; \d+ \d+ (.*?)(?: \(no owner\)| \S+)?$/.exec(line);
    if (toc) {
      this.tocObject = toc[1]!;
      this.current = undefined;
      this.collecting = undefined;
      return;
    }
    // psql refusing a meta-command of the script (restricted, see restore/psql-input.ts): pg_dump never writes one there.
    const refusedMeta = /^(?:psql:[^:]*:(\d+): )?(?:error: )?(backslash commands are restricted.*)$/.exec(line);
    if (refusedMeta) {
      this.current =
        this.entries.length < MAX_PROBLEMS
          ? { object: `a psql meta-command${refusedMeta[1] ? ` at line ${refusedMeta[1]}` : ''} of the script`, fromToc: false, messages: [refusedMeta[2]!], commands: [] }
          : undefined;
      if (this.current) this.entries.push(this.current);
      this.collecting = undefined;
      return;
    }
    const pgRestoreError = /^pg_restore: error: (?:could not execute query: )?(?:ERROR: {1,2})?(.*)$/.exec(line);
    // psql reading a file names its line; reading stdin (as a drill feeds it) it does not.
    const psqlError = /^(?:psql:[^:]*:(\d+): )?ERROR: {1,2}(.*)$/.exec(line);
    if (pgRestoreError || psqlError) {
      const object = psqlError ? (psqlError[1] ? `line ${psqlError[1]}` : STATEMENT_PENDING) : this.tocObject;
      const message = (psqlError ? psqlError[2] : pgRestoreError![1])!;
      // Several errors of one TOC entry (its CREATE, then its ALTER … OWNER) belong together.
      if (psqlError || !this.current) {
        this.current = this.entries.length < MAX_PROBLEMS ? { object, fromToc: !psqlError, messages: [], commands: [] } : undefined;
        if (this.current) this.entries.push(this.current);
      }
      this.current?.messages.push(message);
      this.collecting = 'message';
      return;
    }
    // psql --echo-errors names the statement that failed.
    const psqlStatement = /^(?:psql:[^:]*:\d+: )?STATEMENT: {1,2}(.*)$/.exec(line);
    if (psqlStatement && this.current) {
      this.current.commands.push(psqlStatement[1]!);
      if (this.current.object === STATEMENT_PENDING) this.current.object = psqlStatement[1]!.replace(/\s+/g, ' ').slice(0, 80);
      this.collecting = 'command';
      return;
    }
    if (line.startsWith('pg_restore: ') || line.startsWith('psql:') || line.trim() === '') {
      this.collecting = undefined;
      return;
    }
    if (!this.current || !this.collecting) return;
    // DETAIL and CONTEXT quote rows (a duplicate key's values, the COPY line that failed): plaintext of
    // the backup, which must not reach a drill's record. A HINT is the server's own advice.
    if (/^(?:DETAIL|CONTEXT): /.test(line)) return;
    if (/^HINT: /.test(line)) {
      this.current.messages[this.current.messages.length - 1] += ` ${line.trim()}`;
    } else if (line.startsWith('Command was: ')) {
      this.current.commands.push(line.slice('Command was: '.length));
      this.collecting = 'command';
    } else if (this.collecting === 'command') {
      this.current.commands[this.current.commands.length - 1] += ` ${line.trim()}`;
    }
  };

  sawErrors(): boolean {
    return this.entries.length > 0;
  }

  report(): RestoreErrorReport {
    const report: RestoreErrorReport = { needsSuperuser: [], ownerNotSet: [], failures: [] };
    const skipped: SkippedObject[] = [];
    for (const entry of this.entries) {
      // Capped: an error message may quote a value of the row that failed.
      const problem = { object: entry.object, message: capLine(entry.messages[0] ?? '') };
      const statement = entry.commands[0];
      const superuserKind = statement !== undefined ? SUPERUSER_STATEMENT.test(statement.trim()) : SUPERUSER_ENTRY.test(entry.object);
      const superuserMessage = superuserKind ? entry.messages.find((m) => NEEDS_SUPERUSER.some((pattern) => pattern.test(m))) : undefined;
      const owner = superuserMessage ? undefined : dependsOnSkipped(entry, skipped);
      const needed = superuserMessage || owner || !superuserKind ? undefined : needsSkipped(entry, skipped);
      if (superuserMessage) {
        report.needsSuperuser.push({ ...problem, message: capLine(superuserMessage) });
        skipped.push({ ...problem, subject: subjectOf(entry), root: undefined });
      } else if (owner !== undefined) report.needsSuperuser.push({ ...problem, message: `not restored: it belongs to ${owner.object}, which ${whyNotRestored(owner)}` });
      else if (needed !== undefined) {
        report.needsSuperuser.push({ ...problem, message: `not restored: it needs ${needed.object}, which ${whyNotRestored(needed)}` });
        skipped.push({ ...problem, subject: subjectOf(entry), root: needed.root ?? needed.object });
      } else if (entry.commands.length > 0 && entry.commands.every((command) => /^ALTER .* OWNER TO /is.test(command))) report.ownerNotSet.push(problem);
      else report.failures.push({ ...problem, message: capLine(entry.messages.join('; ')) });
    }
    return report;
  }
}

/**
 * A comment, privilege, owner or security label on an object the drill restored without ("COMMENT
 * EXTENSION file_fdw" after "EXTENSION file_fdw", or psql's "COMMENT ON EXTENSION file_fdw …" after
 * "CREATE EXTENSION … file_fdw") fails only because that object is not there: it goes with it.
 */
function dependsOnSkipped(entry: Entry, skipped: readonly SkippedObject[]): SkippedObject | undefined {
  const subject = subjectOf(entry);
  return subject === undefined ? undefined : skipped.find((problem) => problem.subject === subject);
}

/** An object the drill restored without; `root` names the one that needed a superuser when this one only depended on it. */
interface SkippedObject extends RestoreProblem {
  subject: string | undefined;
  root: string | undefined;
}

function whyNotRestored(skipped: SkippedObject): string {
  return skipped.root === undefined ? 'needs a superuser' : `was not restored either (${skipped.root} needs a superuser)`;
}

/** "does not exist" errors naming what an object is built on, and the kinds of object that provide it. */
const MISSING_DEPENDENCY: ReadonlyArray<{ pattern: RegExp; providers: readonly string[] }> = [
  // An extension provides the wrapper of its own name (postgres_fdw, file_fdw).
  { pattern: /^foreign-data wrapper "((?:[^"]|"")+)" does not exist$/, providers: ['FOREIGN DATA WRAPPER', 'EXTENSION'] },
  { pattern: /^server "((?:[^"]|"")+)" does not exist$/, providers: ['SERVER'] },
];

/**
 * A foreign server on the wrapper of an extension the drill restored without, or a user mapping for
 * such a server, fails only because what it is built on is not there: every one of its errors names
 * a skipped object (or the entry's own object, as its ALTER … OWNER does), so it goes with it.
 */
function needsSkipped(entry: Entry, skipped: readonly SkippedObject[]): SkippedObject | undefined {
  const own = subjectOf(entry);
  let needed: SkippedObject | undefined;
  for (const message of entry.messages) {
    const found = MISSING_DEPENDENCY.map(({ pattern, providers }) => {
      const name = pattern.exec(message.trim())?.[1]?.replace(/""/g, '"');
      return name === undefined ? undefined : providers.map((kind) => `${kind} ${name}`);
    }).find((subjects) => subjects !== undefined);
    if (found === undefined) return undefined;
    const provider = skipped.find((problem) => problem.subject !== undefined && found.includes(problem.subject));
    if (provider) needed ??= provider;
    else if (own === undefined || !found.includes(own)) return undefined;
  }
  return needed;
}

/** The object an entry is about, as "KIND name", from pg_restore's TOC description or psql's statement. */
function subjectOf(entry: Entry): string | undefined {
  const statement = entry.commands[0];
  const match = entry.fromToc ? SUPERUSER_ENTRY.exec(entry.object) : statement === undefined ? null : SUPERUSER_STATEMENT.exec(statement.trim());
  if (!match?.[1] || !match[2]) return undefined;
  // CREATE TRUSTED PROCEDURAL LANGUAGE x and the TOC's PROCEDURAL LANGUAGE x; GRANT … ON FOREIGN SERVER s and the TOC's SERVER s.
  const kind = match[1]
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .replace(/^(?:TRUSTED )?(?:PROCEDURAL )?(?=LANGUAGE)/, '')
    .replace(/^FOREIGN SERVER$/, 'SERVER');
  return `${kind} ${unquoted(match[2])}`;
}

/** A name as the server's messages print it: `"My Server"` → `My Server`. */
function unquoted(name: string): string {
  return /^"(.*)"$/.test(name) ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** "event trigger ddl_watch — must be superuser to create …" */
export function describeProblem(problem: RestoreProblem): string {
  return `${problem.object} — ${problem.message}`;
}
