// Runs the restore tool itself against one database: psql for a plain dump (its input checked on the
// way, psql-input.ts), pg_restore for an archive. Shared by restores and drills; a drill hands over a
// collector and judges the errors itself.
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { EngineContext } from '../backup/backup.ts';
import type { RestoreErrorCollector } from '../drill/restore-errors.ts';
import { HoldfastError } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import { shellWord } from '../model/shell-word.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { dbnameConninfo } from '../pg/connection.ts';
import { toolApplicationName } from '../pg/lock-wait.ts';
import type { ServerSession } from '../pg/session.ts';
import { runChild, stderrTail, type ChildRecord } from '../process/child.ts';
import { crashPoint } from '../process/crash-point.ts';
import type { ToolStderr } from '../process/tool-output.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import { psqlKnowsRestrict, restrictedPsqlInput } from './psql-input.ts';
import { rolesFileCommand } from './roles-file-command.ts';

export interface RestoreToolOptions {
  jobs?: number | undefined;
  noOwner: boolean;
  noAcl: boolean;
  /** pg_restore's selection of chosen tables or schemas (selection.ts); archives only. */
  select?: readonly string[] | undefined;
  signal?: AbortSignal;
  /** Archives only: runs pg_restore --verbose (its messages untranslated) and hands over each stderr line as it comes. */
  onStderrLine?: (line: string) => void;
  /**
   * A drill's restore into its sandbox: errors do not stop it (no --exit-on-error, no single
   * transaction, no ON_ERROR_STOP); each goes to the collector, and the caller judges them.
   */
  collectErrors?: RestoreErrorCollector;
  /** Where the tool's stderr goes, whatever its end, for the run to keep (catalogue/tool-output-rows.ts). */
  toolStderr?: ToolStderr[];
  /** The tool as soon as it exists, for its run to record: where no lifeline ties it to Holdfast, the next start ends it from that record (process/child.ts). */
  onStart?: (child: ChildRecord) => void;
  /** A restore's run, whose name its tools' connections carry. */
  runId?: string;
}

/** pg_restore can leave ownership and privileges out (--no-owner, --no-acl); psql runs a plain dump as it was written. */
export function skipsOwnership(format: BackupMetadata['format']): boolean {
  return format !== 'plain';
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/**
 * The step that makes the roles a backup names exist: its roles file (on a restore's target, the
 * command that applies it), or for one without (an imported dump), creating them by hand.
 */
export function rolesFirstStep(backup: Pick<BackupMetadata, 'globals' | 'path' | 'encrypted'>, target?: Profile): string {
  const command = target ? rolesFileCommand(backup, target) : null;
  if (command) return `create them from the backup's roles file first: ${hintText(command)}`;
  return backup.globals.filename ? `restore the backup's roles file (${hintText(backup.globals.filename)}) first` : 'create the roles it names on the target first (this backup has no roles file)';
}

/** A database restored as one of a set's restore: its member backup, and the set restore's target, database and mode. */
export interface SetMemberRestore {
  backupId: string;
  target: string;
  /** The member's own database, which the set restores it into (a profile's dbname is only where it connects). */
  database: string;
  create: boolean;
  clean: boolean;
  /** The target is tagged production: a replace is confirmed with profile/database. */
  production: boolean;
}

/**
 * The member's own restore as the set would have done it, for a hint's command: into its own
 * database (without --dbname it would go into the target profile's, e.g. postgres), in the set's
 * mode, with the confirmation a --clean asks for.
 */
function memberAloneCommand(member: SetMemberRestore): string {
  const confirm = member.production ? `${member.target}/${member.database}` : member.database;
  const words = [
    member.backupId,
    '--to',
    shellWord(member.target),
    '--dbname',
    shellWord(member.database),
    ...(member.create ? ['--create'] : []),
    ...(member.clean ? ['--clean', shellWord(`--confirm=${confirm}`)] : []),
  ];
  return hintText(words.join(' '));
}

/** Which of skipping ownership (--no-owner) and privileges (--no-acl) lift what stops a restore. */
export interface SkipNeeds {
  owner: boolean;
  acl: boolean;
}

/** A hint's step for leaving ownership and privileges out, asking only for what `needs` says. */
export type SkipStep = (needs: SkipNeeds) => string;

/** Both flags: where it is not known that one alone does. */
export const SKIP_BOTH: SkipNeeds = { owner: true, acl: true };

/**
 * The step a hint offers for leaving ownership and privileges out, as a hint template for the flags
 * needed; null where the restore cannot (a plain dump). A set's restore takes no --no-owner (each
 * member is restored as the set took it, after the set's roles): there the step is that member
 * restored on its own, which does.
 */
export function skipOwnershipStep(format: BackupMetadata['format'], setMember?: SetMemberRestore): SkipStep | null {
  if (!skipsOwnership(format)) return null;
  const which = (needs: SkipNeeds) => (needs.owner && needs.acl ? 'both' : needs.owner ? 'owner' : 'acl');
  if (!setMember) return (needs) => ({ both: '{{no-owner}}', owner: '{{skip-ownership}}', acl: '{{skip-privileges}}' })[which(needs)];
  const command = memberAloneCommand(setMember);
  return (needs) => `{{${({ both: 'restore-member-alone', owner: 'restore-member-skip-ownership', acl: 'restore-member-skip-privileges' } as const)[which(needs)]}:${command}}}`;
}

/** The step that restores beside the database instead: a new one, which the restoring role owns. A set's member: on its own, as the set's restore names no database. */
export function restoreBesideStep(setMember?: Pick<SetMemberRestore, 'backupId' | 'target'>): string {
  return setMember ? `{{restore-member-beside:${hintText(`${setMember.backupId} --to ${setMember.target}`)}}}` : '{{restore-beside}}';
}

/** pg_restore --verbose's progress lines ("pg_restore: processing item …"), left out of error messages. */
const progressLine = /^(?:pg_restore: )+(?!error:|warning:|detail:|hint:)/;

export async function runRestoreTool(context: EngineContext, session: ServerSession, tools: ClientToolSet, backup: BackupMetadata, request: RestoreToolOptions, database: string): Promise<void> {
  const collector = request.collectErrors;
  // A collector needs --verbose too: only then does pg_restore name the TOC entry an error belongs to.
  const verbose = (request.onStderrLine !== undefined || collector !== undefined) && backup.format !== 'plain';
  // LC_ALL would override LC_MESSAGES; progress lines and errors are read by their English text.
  // A restore's tools carry its run's name, so the start after a crash can find what they left on the server (pg/run-backends.ts).
  const named = request.runId ? { ...session.childEnv(), PGAPPNAME: toolApplicationName(request.runId) } : session.childEnv();
  const env = verbose || collector ? { ...named, LC_ALL: undefined, LC_MESSAGES: 'C' } : named;
  const lineReaders = [request.onStderrLine, collector?.onLine].filter((reader): reader is (line: string) => void => reader !== undefined);
  const onSpawn = (child: ChildProcess) => {
    crashPoint('restore:tool-started');
    if (lineReaders.length > 0 && child.stderr) createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => lineReaders.forEach((read) => read(line)));
  };
  let result;
  if (backup.format === 'plain') {
    // psql runs a script's meta-commands on this host: it must know \restrict, and gets the script only through the check of psql-input.ts.
    if (!psqlKnowsRestrict(tools.version)) {
      throw new HoldfastError(
        'TOOL_MISSING',
        `psql ${tools.version} (${tools.paths.psql}) cannot be kept from running a plain dump's psql meta-commands on this host: \\restrict came with psql 13.22, 14.19, 15.14, 16.10 and 17.6.`,
        'Update the PostgreSQL client tools to the latest minor release of their major (or set HOLDFAST_PG_BIN to newer ones).',
      );
    }
    const file = createReadStream(backup.path, { highWaterMark: 1024 * 1024 });
    const input: Readable = restrictedPsqlInput(backup.compression.startsWith('gzip') ? file.pipe(createGunzip()) : file);
    const stopOnError = collector ? ['--echo-errors'] : ['--set=ON_ERROR_STOP=1', '--single-transaction'];
    result = await runChild(tools.paths.psql, ['--no-psqlrc', '--quiet', '--no-password', ...stopOnError, `--dbname=${dbnameConninfo(database)}`], {
      env,
      stdin: input,
      signal: request.signal,
      timeoutMs: context.config.timeoutMs,
      onSpawn,
      ...(request.onStart ? { onStart: request.onStart } : {}),
    });
  } else {
    const args = [`--dbname=${dbnameConninfo(database)}`, '--no-password'];
    if (!collector) args.push('--exit-on-error');
    if (request.jobs && request.jobs > 1) args.push(`--jobs=${request.jobs}`);
    else if (!collector) args.push('--single-transaction');
    if (request.noOwner) args.push('--no-owner');
    if (request.noAcl) args.push('--no-acl');
    if (request.select) args.push(...request.select);
    if (verbose) args.push('--verbose');
    args.push(backup.path);
    result = await runChild(tools.paths.pg_restore, args, { env, signal: request.signal, timeoutMs: context.config.timeoutMs, onSpawn, ...(request.onStart ? { onStart: request.onStart } : {}) });
    if (verbose)
      result = {
        ...result,
        stderr: result.stderr
          .split('\n')
          .filter((line) => !progressLine.test(line))
          .join('\n'),
      };
  }
  const tool = backup.format === 'plain' ? 'psql' : 'pg_restore';
  request.toolStderr?.push({ tool, stderr: result.stderr, restoresContent: true });
  if (result.stoppedBecause === 'cancelled') throw new HoldfastError('CANCELLED', 'The restore was cancelled.');
  // With a collector, errors the tool got past are the caller's to judge; an exit it gave no error for is not.
  const judgedByCaller = collector !== undefined && !result.stoppedBecause && !result.signal && (result.exitCode === 0 || collector.sawErrors());
  if (!judgedByCaller && (result.exitCode !== 0 || result.stoppedBecause)) {
    const why = result.stoppedBecause ?? (result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`);
    // A drill's sandbox (it has a collector) is no place a DBA applies a roles file to.
    const rolesTarget = collector ? undefined : session.profile;
    throw new HoldfastError(
      'RESTORE_FAILED',
      `${tool} failed (${why}): ${stderrTail(result.stderr) || '(no message)'}`,
      skipsOwnership(backup.format)
        ? `Roles missing on the target? {{no-owner}}, or ${rolesFirstStep(backup, rolesTarget)}.`
        : `Roles missing on the target? ${capitalized(rolesFirstStep(backup, rolesTarget))}.`,
    );
  }
}
