// Human-readable output for the terminal; --json output is the contract's values as they are.
import { IMPORT_CHECK_WORDS } from '../core/model/import-check-words.ts';
import type { BackupCopy, BackupMetadata, CheckedCopy } from '../core/model/types.ts';
import type { CleanupSummary, ListEntry } from '../core/holdfast.ts';
import type { CleanupDecision } from '../core/retention/cleanup.ts';
import { humanBytes, humanDuration, plural } from '../core/model/human.ts';
import type { VerifyResult } from '../core/verify/verify.ts';
import type { BackupStats } from '../core/stats/stats.ts';
import type { RestoreTestResult } from '../core/drill/test-restore.ts';
import { DRILL_WORDS, drillWord } from '../core/model/drill-words.ts';
import type { RestoreResult } from '../core/restore/restore.ts';
import type { TableCount } from '../core/restore/table-counts.ts';
import { PROPERTY_NAMES } from '../core/restore/database-properties.ts';
import type { SwapRecovery } from '../core/restore/swap-journal.ts';
import { LIBPQ_PASSWORD_FILES, NO_PASSWORD_SOURCE, type ProfileTestReport } from '../core/profiles/profiles.ts';
import type { Profile } from '../core/model/types.ts';
import { SECRET_STORE_NAMES, type SecretStoreKind } from '../core/secrets/store-choice.ts';

/** A table's row count, or "? rows" where it is not known. */
const rowsOf = (rows: number | null): string => (rows === null ? '? rows' : plural(rows, 'row'));

/** "1 of 2 copies verified; bucket failed: …" for a backup with copies; undefined without. */
export function formatCopies(copies: readonly BackupCopy[] | undefined): string | undefined {
  if (!copies?.length) return undefined;
  const verified = copies.filter((copy) => copy.state === 'verified').length;
  const off = copies.filter((copy) => copy.state !== 'verified').map((copy) => `${copy.destination} ${copy.state}${copy.error ? `: ${copy.error}` : ''}`);
  return `${verified} of ${plural(copies.length, 'copy', 'copies')} verified${off.length ? `; ${off.join('; ')}` : ''}`;
}

/** verify --copies: one line per copy; an unreachable destination says its copy was not checked and what to do. */
export function formatCopiesCheck(result: { backup: { id: string; filename: string }; copies: readonly CheckedCopy[]; ok: boolean }): string {
  if (result.copies.length === 0) return `Backup ${result.backup.filename} has no copies on named destinations.`;
  const line = (copy: CheckedCopy) =>
    copy.checked === 'unreachable'
      ? `  ${copy.destination}  destination unreachable, copy not checked (still recorded as ${copy.state}): ${copy.problem ?? ''}`
      : `  ${copy.destination}  ${copy.checked}${copy.problem ? `: ${copy.problem}` : ''}`;
  const unreachable = result.copies.filter((copy) => copy.checked === 'unreachable').map((copy) => copy.destination);
  return [
    `${result.ok ? 'All copies intact' : 'COPIES NOT ALL INTACT'}: ${result.backup.filename}`,
    ...result.copies.map(line),
    ...unreachable.map(
      (name) => `  hint: nothing was changed for the copy on "${name}". Check the destination (holdfast destination test ${name}), then run holdfast verify ${result.backup.id} --copies again.`,
    ),
  ].join('\n');
}

export function formatBackup(backup: BackupMetadata & { copies?: BackupCopy[]; localFile?: { kept: boolean; reason: string | null } }): string {
  const rows = Object.values(backup.rowCounts).reduce((sum, n) => sum + n, 0);
  const copies = formatCopies(backup.copies);
  return [
    `Backup completed${copies ? `, ${copies.split(';')[0]}` : ''}: ${backup.filename}`,
    `  id ${backup.id} · ${backup.format} (${backup.compression}) · ${humanBytes(backup.size)} · ${plural(backup.tables.length, 'table')}, ${plural(rows, 'row')} · ${humanDuration(backup.duration)}`,
    `  ${backup.checksum}`,
    backup.localFile && !backup.localFile.kept ? `  local file removed (--no-local-copy): it is kept on its destinations only` : `  ${backup.path}`,
    ...(backup.localFile?.kept ? [`  local file kept: ${backup.localFile.reason ?? ''} (--no-local-copy removes it only once every copy is verified)`] : []),
    backup.globals.note ? `  note: ${backup.globals.note}` : `  roles: ${backup.globals.filename}`,
    ...(backup.encryption ? [`  encrypted (age) to ${backup.encryption.recipients.join(', ')}`] : []),
    ...(copies ? [`  copies: ${copies}`] : []),
  ].join('\n');
}

function isBackup(entry: BackupMetadata | ListEntry): entry is BackupMetadata {
  return 'checksum' in entry;
}

export function formatList(entries: Array<BackupMetadata | ListEntry>): string {
  if (entries.length === 0) return 'No backups yet. Take one with `holdfast backup <profile>`.';
  const lines = entries.map((entry) => {
    if (isBackup(entry)) {
      const verified = [
        entry.lastVerified ? (entry.lastVerified.valid ? 'verified' : 'VERIFY FAILED') : entry.imported ? IMPORT_CHECK_WORDS.cli : '',
        entry.restoreTest ? (entry.restoreTest.status === 'passed' ? DRILL_WORDS.passed : DRILL_WORDS.failed.toUpperCase()) : '',
        entry.pinned ? 'pinned' : '',
        // Said before a restore is tried: none of its recipients' secrets is here (encryption/key-here.ts).
        'keyHere' in entry && entry.keyHere === false ? 'KEY NOT HERE (holdfast key import)' : '',
      ]
        .filter(Boolean)
        .join(', ');
      return [entry.id, entry.timestamp, entry.status, entry.profile, humanBytes(entry.size).padStart(9), entry.filename, verified].join('  ');
    }
    const attempt = [entry.id, entry.timestamp, entry.status, entry.profile ?? '-', ''.padStart(9), entry.filename ?? '-', entry.error ?? ''].join('  ');
    return entry.hint ? `${attempt}\n  hint: ${entry.hint}` : attempt;
  });
  return lines.join('\n');
}

/**
 * `holdfast stats`: the backups kept and the backup runs are two counts (retention deletes backups whose
 * runs succeeded; an imported dump is a backup and no run), each said as itself; the backups' parts,
 * taken by Holdfast and imported, add up to their total.
 */
export function formatStats(stats: BackupStats): string {
  const parts = stats.importedBackups > 0 ? ` (${stats.totalBackups - stats.importedBackups} taken by Holdfast, ${stats.importedBackups} imported)` : '';
  return [
    `${plural(stats.totalBackups, 'backup')}, ${humanBytes(stats.totalSize)}${parts}; backup runs: ${stats.successfulBackups} succeeded, ${stats.failedBackups} failed`,
    `newest ${stats.newestBackup ?? '-'}, oldest ${stats.oldestBackup ?? '-'}; last 24 h: ${stats.backupsLast24Hours}, last 7 days: ${stats.backupsLast7Days}`,
    `roles files: ${stats.rolesFiles.count}, ${humanBytes(stats.rolesFiles.bytes)} (beside the backups; not in the total above)`,
    ...stats.profiles.map((p) => `  ${p.profile}: ${plural(p.totalBackups, 'backup')}, ${humanBytes(p.totalSize)}, last run ${p.lastRunStatus ?? '-'}`),
  ].join('\n');
}

export function formatVerify(result: VerifyResult): string {
  const mark = { ok: '✓', failed: '✗', skipped: '-' } as const;
  // Without the key only the stored file's checksum could be checked: the headline says so, not just a line below it.
  const contentsUnchecked = result.checks.some((check) => check.name === 'decrypt' && check.status === 'skipped');
  return [
    `${result.valid ? (contentsUnchecked ? 'Valid, checksum only (the contents could not be checked)' : 'Valid') : 'INVALID'}: ${result.filename} (${result.id})`,
    ...(result.from ? [`  read from its copy on "${result.from}" (no local file; downloaded, checked, removed after)`] : []),
    ...result.checks.map((check) => `  ${mark[check.status]} ${check.name}: ${check.detail}`),
  ].join('\n');
}

/** A restored table's rows against the backup's, for a restore and a drill alike: "✓ public.t: 1,200 / 1,200 rows". */
export function tableCountLine(count: TableCount): string {
  return `  ${count.actual === count.expected ? '✓' : '✗'} ${count.table}: ${count.actual === null ? 'missing' : count.actual.toLocaleString('en-US')} / ${plural(count.expected, 'row')}`;
}

/** A set's member is printed under the set's own head, which says once that it is a dry run. */
export function formatRestore(result: RestoreResult, { inSet = false }: { inSet?: boolean } = {}): string {
  // Which bytes were read: a copy on a destination is named, so a DBA knows what the database now holds.
  const source = result.from ? `${result.backup.filename} (read from its copy on destination "${result.from}")` : result.backup.filename;
  const head = result.dryRun
    ? `${inSet ? '' : 'Dry run: nothing was changed. '}Restoring ${source} to ${result.target.profile}/${result.target.database} would:`
    : `Restored ${source} to ${result.target.profile}/${result.target.database} in ${humanDuration(result.durationMs)}:`;
  const lines = [head, ...result.actions.map((action) => `  - ${action}`)];
  if (result.dryRun) {
    lines.push(
      `  target database ${result.target.exists ? `exists (${plural(result.target.relations, 'relation')})` : 'does not exist yet'} on ${result.impact.targetServer}; client ${result.client}`,
    );
    const verbs = { replace: 'replaced', create: 'created', lost: 'LOST', kept: 'kept' } as const;
    for (const table of result.impact.tables) {
      const rows = table.partitioned
        ? 'partitioned: rows in its partitions'
        : table.action === 'replace'
          ? `${rowsOf(table.targetRows)} now → ${table.backupRows?.toLocaleString('en-US') ?? '?'} from the backup`
          : rowsOf(table.action === 'create' ? table.backupRows : table.targetRows);
      lines.push(`  ${verbs[table.action].padEnd(8)} ${table.table}: ${rows}`);
    }
    for (const line of result.impact.databaseProperties ?? []) {
      // A new database has no current value to change from: it gets what the line says.
      const what = line.changes && line.current !== null ? `${line.current} → ${line.restored}` : line.restored;
      lines.push(
        `  ${line.current === null ? 'gets   ' : line.changes ? 'changes' : 'keeps  '}  database ${PROPERTY_NAMES[line.property]}: ${what} (${line.from === 'backup' ? 'from the backup' : line.from === 'default' ? "a new database's default" : `as "${result.target.database}" has it`})`,
      );
    }
    const role = result.impact.targetRole;
    lines.push(`  runs as ${role.superuser ? 'superuser' : 'role'} "${role.name}"${!role.superuser && role.privileged ? ` (${role.via.join(', ')})` : ''}`);
    const functions = result.impact.executedFunctions ?? [];
    if (functions.length) lines.push(`  functions from the backup that the restore runs or installs (${functions.length}):`);
    for (const f of functions) lines.push(`    ${f.function}${f.securityDefiner ? ' (SECURITY DEFINER)' : ''} — ${f.usedBy.join('; ')}`);
    for (const warning of result.impact.warnings) lines.push(`  ! ${warning}`);
    const { blockers } = result.impact;
    if (blockers.length) lines.push(`  would be refused (${blockers.length}):`, ...blockers.map((blocker) => `  ✗ ${blocker.message}${blocker.hint ? ` ${blocker.hint}` : ''}`));
    if (result.impact.confirmation) lines.push(`  to go ahead: --confirm=${result.impact.confirmation}`);
  }
  // A real run prints none of the preview's warnings, but what the database did not get stands.
  if (!result.dryRun)
    for (const item of result.impact.leftOut) {
      lines.push(`  ! ${item.message}`);
      // Only the statements the engine hands over: a setting that loads code or shadows pg_catalog has none.
      for (const { statement } of item.settings) if (statement !== null) lines.push(`      ${statement};`);
    }
  if (result.keptAs) lines.push(`  the previous database is kept as "${result.keptAs}"; drop it when you no longer need it`);
  for (const table of result.tables) lines.push(tableCountLine(table));
  if (result.runId) lines.push(`  run ${result.runId} (what pg_restore or psql said: holdfast runs log ${result.runId})`);
  return lines.join('\n');
}

export function formatRecoveries(recoveries: SwapRecovery[]): string {
  if (!recoveries.length) return 'No interrupted restore to recover.';
  const verbs = { 'rolled-back': 'rolled back', 'rolled-forward': 'rolled forward', 'nothing-to-do': 'nothing to do', 'needs-attention': 'NEEDS ATTENTION', 'not-reached': 'NOT SETTLED' } as const;
  return recoveries.map((r) => `${verbs[r.action]}: ${r.profile}/${r.database} (run ${r.runId}): ${r.message}`).join('\n');
}

/**
 * Where a profile points, in one line, as the Connections page writes it: a whole-server profile's
 * dbname is only the maintenance database it connects to first, so it is not shown as its target.
 */
export function profileTarget(profile: Pick<Profile, 'user' | 'host' | 'port' | 'dbname' | 'service' | 'wholeServer'>): string {
  if (profile.service) return `service ${profile.service}`;
  return `${profile.user}@${profile.host}:${profile.port}/${profile.wholeServer ? '* (every database)' : profile.dbname}`;
}

/** `store`: this host's secret store (HOLDFAST_SECRET_STORE), where a password Holdfast holds is. */
export function formatProfile(profile: Profile, store: SecretStoreKind): string {
  const rows: Array<[string, string | null]> = [
    ['name', profile.name],
    ['server', `${profile.host}:${profile.port}`],
    ['user', profile.user],
    ['database', profile.wholeServer ? `every database (connects to ${profile.dbname})` : profile.dbname],
    [
      'whole server',
      profile.wholeServer
        ? `excluding ${profile.wholeServer.excludeDatabases.join(', ') || 'none'}; ${profile.wholeServer.parallelDatabases === null ? 'default databases' : plural(profile.wholeServer.parallelDatabases, 'database')} at once`
        : null,
    ],
    ['sslmode', profile.sslmode],
    ['sslrootcert', profile.sslrootcert],
    ['sslcert', profile.sslcert],
    ['sslkey', profile.sslkey],
    ['service', profile.service],
    ['client tools', profile.pgBinDir],
    ['password', profile.keychainPassword ? `in ${SECRET_STORE_NAMES[store]}` : profile.libpqPasswordFiles ? LIBPQ_PASSWORD_FILES : NO_PASSWORD_SOURCE],
    ['tags', profile.tags.join(', ') || null],
    ['copy to', profile.copyTo?.join(', ') || null],
    ['local copy', profile.noLocalCopy ? 'none: its backups are kept on their destinations only (--no-local-copy)' : null],
    ['encrypt to', profile.encryptTo === 'none' ? 'not encrypted (--no-encrypt)' : profile.encryptTo ? profile.encryptTo.join(', ') : null],
    ['notes', profile.notes],
  ];
  return rows
    .filter(([, value]) => value)
    .map(([key, value]) => `${key.padEnd(13)}${value}`)
    .join('\n');
}

export function formatProfileTest(report: ProfileTestReport, store: SecretStoreKind): string {
  const lines = [
    `Connected to ${report.profile}: ${report.serverVersion} as ${report.currentUser}${report.superuser ? ' (superuser)' : report.readAllData ? ' (pg_read_all_data)' : ''}`,
    `  ${report.wholeServer ? '' : `database size ${humanBytes(report.databaseSize)} · `}SSL ${report.ssl ? 'in use' : 'not in use'} · password from ${report.passwordSource === 'keychain' ? SECRET_STORE_NAMES[store] : report.passwordSource}`,
    report.clientTools.compatible ? `  ✓ pg_dump ${report.clientTools.version} (${report.clientTools.dir})` : `  ✗ ${report.clientTools.problem}`,
  ];
  const whole = report.wholeServer;
  if (whole) {
    lines.push(`  every database (${whole.databases.length}), ${humanBytes(whole.totalBytes)} in all${whole.excluded.length ? `; left out: ${whole.excluded.join(', ')}` : ''}`);
    for (const d of whole.databases) {
      const size = d.sizeBytes === null ? '' : `  ${humanBytes(d.sizeBytes)}`;
      lines.push(d.problem ? `    ✗ ${d.database}${size}  ${d.problem}` : `    ✓ ${d.database}${size}`);
    }
  }
  if (whole) {
    // The maintenance database's own check is one of the lines above; a ✓ for the server only when every database has one.
    if (whole.databases.every((d) => !d.problem)) lines.push('  ✓ every table in every database is readable');
  } else if (report.unreadable.length > 0) {
    lines.push(
      `  ✗ ${plural(report.unreadable.length, 'table or large object', 'tables or large objects')} this role cannot read (a backup would fail): ${report.unreadable.slice(0, 10).join(', ')}${report.unreadable.length > 10 ? ', …' : ''}`,
    );
  } else {
    lines.push('  ✓ every table is readable');
  }
  return lines.join('\n');
}

export function formatCleanup(summary: CleanupSummary): string {
  const verb = summary.dryRun ? 'Would delete' : 'Deleted';
  const lines = [`${verb} ${plural(summary.deleted, 'backup')}, freeing ${humanBytes(summary.freedBytes)}${summary.errors ? `; ${summary.errors} could not be removed` : ''}.`];
  for (const profile of summary.profiles) {
    lines.push(`${profile.profile} (policy ${profile.policy}):`);
    for (const decision of profile.decisions) lines.push(formatDecision(decision));
    for (const error of profile.errors) lines.push(`  ✗ ${error.id}: ${error.message}`);
  }
  for (const destination of summary.destinations ?? []) {
    lines.push(`Destination ${destination.destination} (its policy ${destination.policy}): ${summary.dryRun ? 'would remove' : 'removed'} ${plural(destination.deleted.length, 'copy', 'copies')}`);
    for (const error of destination.errors) lines.push(`  ✗ ${error.message}`);
  }
  return lines.join('\n');
}

/** One backup of a retention plan: what happens to which file, and why. */
export function formatDecision(decision: CleanupDecision): string {
  return `  ${decision.action === 'keep' ? 'keep  ' : 'delete'} ${decision.timestamp}  ${decision.filename} (${humanBytes(decision.size)})  ${decision.reasons.join('; ')}`;
}

export { humanBytes, humanDuration };

/** Failures shout, as the CLI's other failures do; a drill that could not run says its verdict stands. */
export function drillOutcomeLine(result: { ok: boolean; verdict?: string | undefined }): string {
  const word = drillWord(result);
  if (result.ok) return word;
  return result.verdict === 'not-run' ? `${word.toUpperCase()} (the backup's last drill result stands)` : word.toUpperCase();
}

export function formatRestoreTest(result: RestoreTestResult): string {
  const mark = { ok: '✓', failed: '✗', skipped: '-' } as const;
  return [
    `${drillOutcomeLine(result)}: ${result.filename} (${result.id}) in ${humanDuration(result.durationMs)}${result.server ? ` on ${result.server}` : ''}`,
    ...result.checks.map((check) => `  ${mark[check.status]} ${check.name}: ${check.detail}`),
    ...result.tables.map(tableCountLine),
    ...(result.sandbox
      ? [
          `  sandbox: restored as the ordinary role ${result.sandbox.restoredAs}; server ran as OS user ${result.sandbox.osUser}, ${result.sandbox.network === 'none' ? 'with no network' : 'with no TCP port'}`,
        ]
      : []),
    ...result.restoredWithout.map((problem) => `  - restored without: ${problem.object} — needs a superuser (${problem.message})`),
    ...result.notes.map((note) => `  note: ${note}`),
    ...(result.error ? [`  error: ${result.error}`] : []),
    `  run ${result.runId} (what pg_restore or psql said: holdfast runs log ${result.runId})`,
  ].join('\n');
}
