// Verify reads a backup back: size and SHA-256 against the catalogue, then structure (the archive's
// data blocks or the plain dump's trailer), then whether pg_restore itself can read its table of
// contents. A backup that was never read back is not trusted.
import { inspectArchive, type ArchiveInspection } from '../archive/inspect.ts';
import type { EngineContext } from '../backup/backup.ts';
import { HoldfastError } from '../model/errors.ts';
import { checksumTree, sha256File } from '../fsutil/durable.ts';
import { backupStorage } from '../storage/storage.ts';
import { runChild } from '../process/child.ts';
import { tableKey } from '../pg/table-key.ts';
import type { BackupMetadata } from '../model/types.ts';
import { checkEncryptedContents } from './encrypted-contents.ts';
import { checkListing } from './toc-listing.ts';
import type { Offsite } from '../storage/offsite.ts';

import type { AddCheck, CheckStatus, VerifyCheck } from './check-types.ts';
export type { CheckStatus, VerifyCheck } from './check-types.ts';

export interface VerifyResult {
  id: string;
  filename: string;
  valid: boolean;
  checks: VerifyCheck[];
  /** The destination whose copy was read (downloaded, checked, removed after), when there is no local file. */
  from?: string;
}

/** The dump's major client version, e.g. 15 from "pg_dump 15.18". */
export function dumpClientMajor(backup: BackupMetadata): number {
  return Number(/(\d+)/.exec(backup.clientVersion)?.[1] ?? backup.serverMajor);
}

export async function checkBackupFiles(
  context: EngineContext,
  backup: BackupMetadata,
  /** onInspected: the archive's contents as the structure check read them (a restore drill plans its counts from them). */
  options: { pgRestoreList?: boolean; onInspected?: (inspection: ArchiveInspection) => void } = {},
): Promise<VerifyCheck[]> {
  const checks: VerifyCheck[] = [];
  const add = (name: VerifyCheck['name'], status: CheckStatus, detail: string) => checks.push({ name, status, detail });

  const stored = backupStorage(context.config).locate(backup);
  const where = stored.destination.describe(stored.key);
  const found = await stored.destination.stat(stored.key);
  if (!found) {
    add('exists', 'failed', `${where} is gone.`);
    return checks;
  }
  add('exists', 'ok', where);
  add(
    'size',
    found.size === backup.size ? 'ok' : 'failed',
    found.size === backup.size ? `${found.size} bytes` : `${found.size} bytes on disk, ${backup.size} recorded: the file was changed or truncated`,
  );

  const copy = await stored.destination.localFile(stored.key);
  try {
    await checkContents(context, backup, copy.path, add, options);
  } finally {
    await copy.release();
  }

  if (stored.globalsKey !== null) {
    let actual: string | undefined;
    if (await stored.destination.stat(stored.globalsKey)) {
      const globals = await stored.destination.localFile(stored.globalsKey);
      try {
        actual = `sha256:${await sha256File(globals.path)}`;
      } finally {
        await globals.release();
      }
    }
    add(
      'globals',
      actual === backup.globals.checksum ? 'ok' : 'failed',
      actual === undefined
        ? `${stored.destination.describe(stored.globalsKey)} is gone: the roles and tablespaces this backup's objects need cannot be restored with it`
        : actual === backup.globals.checksum
          ? 'roles file intact'
          : 'the roles file does not match its checksum',
    );
  }
  return checks;
}

/** Checksum, structure and pg_restore's reading of a readable local copy of the backup at `path`. */
async function checkContents(
  context: EngineContext,
  backup: BackupMetadata,
  path: string,
  add: AddCheck,
  options: { pgRestoreList?: boolean; onInspected?: (inspection: ArchiveInspection) => void },
): Promise<void> {
  if (backup.encrypted) {
    await checkEncryptedContents(context, backup, path, add, { ...options, clientMajor: dumpClientMajor(backup) });
    return;
  }
  if (backup.format === 'directory') {
    let tree;
    try {
      tree = await checksumTree(path);
    } catch (error) {
      // A symlink or device in the tree: reported as a failed check, like any other alteration.
      if (!(error instanceof HoldfastError && error.code === 'VERIFY_FAILED')) throw error;
      add('checksum', 'failed', error.message);
      return;
    }
    const recorded = new Map((backup.files ?? []).map((file) => [file.path, file.sha256]));
    const changed = tree.files.filter((file) => recorded.get(file.path) !== file.sha256).map((file) => file.path);
    const missing = [...recorded.keys()].filter((name) => !tree.files.some((file) => file.path === name));
    const ok = `sha256:${tree.checksum}` === backup.checksum;
    add('checksum', ok ? 'ok' : 'failed', ok ? backup.checksum : `checksum differs: changed ${changed.join(', ') || 'none'}; missing ${missing.join(', ') || 'none'}`);
  } else {
    const actual = `sha256:${await sha256File(path)}`;
    add('checksum', actual === backup.checksum ? 'ok' : 'failed', actual === backup.checksum ? actual : `${actual} does not match the recorded ${backup.checksum}: the file is corrupt`);
  }

  const inspection = await inspectArchive(path, backup.format, { gzip: backup.format === 'plain' && backup.compression.startsWith('gzip') });
  options.onInspected?.(inspection);
  if (!inspection.ok) {
    add('structure', 'failed', inspection.problem);
  } else {
    add('structure', 'ok', `${inspection.tables.length} tables, complete`);
    const fileRows = inspection.tables.filter((table) => table.rows !== undefined);
    if (fileRows.length > 0) {
      const wrong = fileRows.filter((table) => backup.rowCounts[tableKey(table.schema, table.name)] !== table.rows);
      add(
        'rowCounts',
        wrong.length === 0 ? 'ok' : 'failed',
        wrong.length === 0 ? `${fileRows.length} tables match the manifest` : `rows differ from the manifest for ${wrong.map((t) => tableKey(t.schema, t.name)).join(', ')}`,
      );
    }
  }

  // A restore drill skips this: the restore itself is the stronger proof that pg_restore reads it.
  if (backup.format !== 'plain' && options.pgRestoreList !== false) {
    await checkListing(context, backup, dumpClientMajor(backup), add, (pgRestore) => runChild(pgRestore, ['--list', path], { env: process.env, timeoutMs: context.config.timeoutMs }));
  }
}

/**
 * The checks run on the backup's copy on `from`, downloaded into a private directory (removed after
 * in every path); a download that does not match the recorded checksum is a failed check, not an error.
 */
async function checkCopyFiles(context: EngineContext, offsite: Pick<Offsite, 'readable'>, backup: BackupMetadata, from: string): Promise<VerifyCheck[]> {
  let copy;
  try {
    copy = await offsite.readable(backup, from);
  } catch (error) {
    if (error instanceof HoldfastError && error.code === 'RESTORE_REFUSED') return [{ name: 'checksum', status: 'failed', detail: error.message }];
    throw error;
  }
  try {
    return await checkBackupFiles(context, copy.backup);
  } finally {
    await copy.release();
  }
}

export async function verifyBackup(context: EngineContext & { offsite?: Pick<Offsite, 'readable' | 'sourceFor'> }, ref: string): Promise<VerifyResult> {
  const { catalogue } = context;
  const backup = catalogue.requireBackup(ref);
  const runId = catalogue.startRun({ kind: 'verify', profile: backup.profile, backupId: backup.id });
  try {
    // No local file (kept on its destinations only, or a lost disk): its first verified copy is read instead.
    const from = await context.offsite?.sourceFor(backup);
    const checks = from && context.offsite ? await checkCopyFiles(context, context.offsite, backup, from) : await checkBackupFiles(context, backup);
    const valid = checks.every((check) => check.status !== 'failed');
    const missing = checks.some((check) => check.name === 'exists' && check.status === 'failed');
    catalogue.db.transaction(() => {
      // An encrypted backup without its key here: the stored file held, but its content was not read.
      catalogue.recordVerification(backup.id, valid, !checks.some((check) => check.name === 'decrypt' && check.status === 'skipped'));
      // Read from a copy, the local status stays as it is: a copy-only backup adopted after a disaster
      // must not become a local one that local retention would then count and delete.
      if (!from && missing) catalogue.setBackupStatus(backup.id, 'missing');
      else if (!from && backup.status === 'missing') catalogue.setBackupStatus(backup.id, 'completed');
      catalogue.finishRun(
        runId,
        valid ? 'completed' : 'failed',
        valid
          ? {}
          : {
              error: checks
                .filter((c) => c.status === 'failed')
                .map((c) => c.detail)
                .join('; '),
            },
      );
    })();
    return { id: backup.id, filename: backup.filename, valid, checks, ...(from ? { from } : {}) };
  } catch (error) {
    catalogue.finishRun(runId, 'failed', { error: (error as Error).message });
    throw error instanceof HoldfastError ? error : new HoldfastError('VERIFY_FAILED', (error as Error).message);
  }
}
