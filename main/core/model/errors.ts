// Errors cross every shell (CLI, IPC, HTTP) as typed values: a stable code, a message saying what
// failed, and a hint saying what to do next. A hint is a template (model/hint-actions.ts): the CLI
// reads it with flags, the app with the names of its own controls, and `action` names the step.
import { hintActions, hintText, renderHint, type HintAction } from './hint-actions.ts';

export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOOL_MISSING'
  | 'VERSION_MISMATCH'
  | 'CONNECTION_FAILED'
  | 'BACKUP_FAILED'
  | 'VERIFY_FAILED'
  | 'RESTORE_REFUSED'
  | 'RESTORE_FAILED'
  | 'CANCELLED'
  | 'NO_KEYCHAIN'
  /** An encrypted backup whose key is not on this machine. */
  | 'NO_KEY'
  /** An encrypted backup that does not decrypt: damaged, truncated, or for another key. */
  | 'DECRYPT_FAILED'
  | 'INTERNAL';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** What to do next, as the CLI (and the REST API) says it. */
  hint?: string;
  /** The same hint as the app says it, when it differs: its controls instead of flags. */
  appHint?: string;
  /** The step the hint names first, for the app to offer as a control. */
  action?: HintAction;
  /** The failed run whose tools' stderr is kept (run.toolOutput): a failure's whole tool message. */
  runId?: string;
}

/** An ErrorInfo's hint fields from a template: the CLI's words, the app's when different, the first action. */
export function hintFields(template: string | undefined): Pick<ErrorInfo, 'hint' | 'appHint' | 'action'> {
  if (template === undefined) return {};
  const hint = renderHint(template, 'cli');
  const appHint = renderHint(template, 'app');
  const [action] = hintActions(template);
  return { hint, ...(appHint === hint ? {} : { appHint }), ...(action ? { action } : {}) };
}

export class HoldfastError extends Error {
  readonly code: ErrorCode;
  /** As the CLI says it; hintTemplate keeps the {{action}} placeholders for the app's words. */
  readonly hint: string | undefined;
  readonly hintTemplate: string | undefined;
  /** Set by the operation that ran the tools, once it has kept their stderr with its run. */
  runId: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'HoldfastError';
    this.code = code;
    this.hintTemplate = hint;
    this.hint = hint === undefined ? undefined : renderHint(hint, 'cli');
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...hintFields(this.hintTemplate), ...(this.runId ? { runId: this.runId } : {}) };
  }
}

/** An error's hint template with `text` after it, said as written: re-thrown, the app keeps its words. */
export function hintFollowedBy(error: HoldfastError, text: string): string {
  return error.hintTemplate === undefined ? hintText(text) : `${error.hintTemplate} ${hintText(text)}`;
}

export const DISK_FULL_HINT = 'The disk is full (HOLDFAST_HOME or the backup directory): free space there, then run it again.';

/** The OS's ENOSPC or EDQUOT, SQLite's "database or disk is full": the disk, not Holdfast, needs fixing. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

/**
 * A tool's stderr saying its write failed for want of space: pg_dump writing its own file reports
 * ENOSPC only as text ("could not write to output file: No space left on device"), the C library's
 * strerror in English, as pg_dump prints it where no translation is installed.
 */
export function toolSaysDiskFull(stderr: string): boolean {
  return /No space left on device|Disk quota exceeded/.test(stderr);
}

/**
 * Code loaded on first use (dist/cli-chunks, main/core/on-demand.ts) that is not there: a build or an
 * upgrade replaced the chunks under a process started before it (serve, the daemon), or the install
 * lacks a package.
 */
export const CODE_MISSING_HINT =
  'A file of Holdfast or of a package it uses is missing. If Holdfast was rebuilt or upgraded since this process started, restart it (holdfast serve, holdfast daemon or the desktop app); otherwise reinstall its packages (npm ci).';

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof HoldfastError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  if (isDiskFull(error)) return { code: 'INTERNAL', message, hint: DISK_FULL_HINT };
  if ((error as { code?: unknown } | null | undefined)?.code === 'ERR_MODULE_NOT_FOUND') return { code: 'INTERNAL', message, hint: CODE_MISSING_HINT };
  return { code: 'INTERNAL', message, hint: 'This is a bug in Holdfast; please report it with the command you ran.' };
}

/** Exit codes shared by every CLI command: 0 ok, 1 operation failed, 2 bad usage. */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return code === 'BAD_INPUT' ? 2 : 1;
}
