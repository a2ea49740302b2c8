// How the CLI prints whole-server backup sets: a set as one block with a line per database.
import type { TakenBackup } from '../core/backup/take-backup.ts';
import type { ListEntry } from '../core/model/reports.ts';
import type { BackupMetadata } from '../core/model/types.ts';
import type { SetListEntry, SetVerifyResult } from '../core/sets/backup-sets.ts';
import type { BackupSet, SetMember } from '../core/sets/set-record.ts';
import { drillOutcomeLine, formatBackup, formatList, formatRestore, formatRestoreTest, formatVerify } from './format.ts';
import type { RestoreTestResult } from '../core/drill/test-restore.ts';
import type { SetDrillResult } from '../core/sets/drill-set.ts';
import type { RestoreResult } from '../core/restore/restore.ts';
import type { SetRestoreResult } from '../core/sets/restore-set.ts';
import type { VerifyResult } from '../core/verify/verify.ts';
import { humanBytes, humanDuration, plural } from '../core/model/human.ts';

function isSet(value: object): value is BackupSet {
  return 'kind' in value && value.kind === 'set';
}

export function formatSet(set: BackupSet): string {
  const held = set.databases.filter((member) => member.status === 'completed').length;
  const head =
    set.status === 'completed'
      ? `Backup set completed: ${held} of ${plural(set.expected.length, 'database')} and the roles (${set.id})`
      : `BACKUP SET ${set.status.toUpperCase()}: ${held} of ${plural(set.expected.length, 'database')} held (${set.id}); this is not a good whole-server backup`;
  const lines = [head, `  ${set.profile} · ${set.version ?? 'server version unknown'} · ${set.parallelDatabases} at once · ${humanDuration(set.durationMs)}`];
  for (const member of set.databases) {
    const rows = Object.values(member.rowCounts).reduce((sum, n) => sum + n, 0);
    lines.push(...(member.status === 'completed' ? [`  ✓ ${member.database}  ${humanBytes(member.size)}, ${plural(rows, 'row')}  ${member.filename}`] : failedMemberLines(member, '  ')));
  }
  lines.push(set.globals.filename ? `  roles: ${set.globals.filename}` : `  ✗ roles: ${set.globals.note}`);
  if (set.excluded.length) lines.push(`  excluded: ${set.excluded.join(', ')}`);
  if (set.added.length) lines.push(`  new since the last set: ${set.added.join(', ')}`);
  if (set.dropped.length) lines.push(`  gone since the last set: ${set.dropped.join(', ')}`);
  if (set.manifest) lines.push(`  manifest: ${set.manifest.filename} ${set.manifest.checksum}`);
  return lines.join('\n');
}

/** A database the set could not back up: why, then what to do about it. */
function failedMemberLines(member: SetMember, indent: string): string[] {
  return [`${indent}✗ ${member.database}  ${member.error ?? member.status}`, ...(member.hint ? [`${indent}  hint: ${member.hint}`] : [])];
}

export function formatBackupOrSet(taken: TakenBackup | BackupSet): string {
  return isSet(taken) ? formatSet(taken) : formatBackup(taken);
}

export function formatListWithSets(entries: Array<BackupMetadata | ListEntry | SetListEntry<BackupMetadata | ListEntry>>): string {
  const plain = entries.filter((entry): entry is BackupMetadata | ListEntry => !isSet(entry));
  if (plain.length === entries.length) return formatList(plain);
  return entries
    .map((entry) => {
      if (!isSet(entry)) return formatList([entry]);
      const members = entry.members.map((member) => `    ${formatList([member])}`);
      const held = entry.databases.filter((m) => m.status === 'completed');
      // Its size as the app's set row says it: the databases it holds, in the column a backup's size is in.
      const size = humanBytes(held.reduce((sum, m) => sum + m.size, 0)).padStart(9);
      return [
        `${entry.id}  ${entry.timestamp}  set ${entry.status}  ${entry.profile}  ${size}  ${held.length}/${plural(entry.expected.length, 'database')}`,
        ...members,
        ...entry.databases.filter((member) => member.status !== 'completed').flatMap((member) => failedMemberLines(member, '    ')),
      ].join('\n');
    })
    .join('\n');
}

/** What an incomplete set lacks, as verify's first line names it: its missing databases, then its roles file. */
function lacking(result: SetVerifyResult): string {
  const rolesMissing = result.checks.some((check) => check.name === 'globals' && check.status === 'skipped');
  return [...result.missing.map((m) => m.database), ...(rolesMissing ? ['the roles file'] : [])].join(', ') || 'nothing it names';
}

/**
 * Verify's verdict is on the files the set holds; an incomplete set says so on the same line and
 * lists each database it lacks with its next step, so "Valid" is never read as "a whole-server backup".
 */
function setVerifyHead(result: SetVerifyResult): string {
  if (result.complete) return `${result.valid ? 'Valid' : 'INVALID'}: backup set ${result.id}`;
  const held = result.databases.filter((d) => d.held).length;
  return result.valid
    ? `Valid: every file backup set ${result.id} holds is intact (${plural(held, 'database')}); the set is ${result.status.toUpperCase()}, it lacks ${lacking(result)}`
    : `INVALID: backup set ${result.id} (${result.status}, it lacks ${lacking(result)})`;
}

export function formatSetVerify(result: SetVerifyResult): string {
  const mark = { ok: '✓', failed: '✗', skipped: '-' } as const;
  const hintOf = (database: string) => result.missing.find((m) => m.database === database)?.hint;
  return [
    setVerifyHead(result),
    ...result.checks.map((check) => `  ${mark[check.status]} ${check.name}: ${check.detail}`),
    ...result.databases.flatMap((d) => {
      if (!d.held) {
        const hint = hintOf(d.database);
        return [`  - ${d.database}: not in this set (${d.error})`, ...(hint ? [`    hint: ${hint}`] : [])];
      }
      if (!d.result) return [`  ✗ ${d.database}: ${d.error}`];
      const failed = d.result.checks.filter((c) => c.status === 'failed').map((c) => c.detail);
      return [`  ${d.result.valid ? '✓' : '✗'} ${d.database}: ${d.result.filename}${d.result.valid ? '' : ` (${failed.join('; ')})`}`];
    }),
  ].join('\n');
}

export function formatCheck(result: VerifyResult | SetVerifyResult): string {
  return 'kind' in result ? formatSetVerify(result) : formatVerify(result);
}

export function formatRestoreOrSet(result: RestoreResult | SetRestoreResult): string {
  if (!('kind' in result)) return formatRestore(result);
  const head = result.dryRun
    ? `Dry run: nothing was changed. Restoring backup set ${result.id} to ${result.target}:`
    : `${result.ok ? 'Restored' : 'RESTORE INCOMPLETE:'} backup set ${result.id} to ${result.target}:`;
  const lines = [head];
  if (result.roles) {
    lines.push(`  roles: created ${result.roles.created.join(', ') || 'none'}; kept as they were ${result.roles.kept.join(', ') || 'none'}`);
    for (const failed of result.roles.failed) lines.push(`  ✗ role statement ${failed.statement}: ${failed.error}`);
  }
  if (result.rolesToCreate) lines.push(`  roles: the roles file creates ${result.rolesToCreate.join(', ') || 'none the target lacks'}, before any database`);
  for (const database of result.databases) {
    if (database.error) {
      lines.push(`  ✗ ${database.database}: ${database.error}`);
      // As a single restore's failure says them (runner.ts printError): what to do, and where the tools' output is.
      if (database.hint) lines.push(`    hint: ${database.hint}`);
      if (database.runId) lines.push(`    the tools' whole output: holdfast runs log ${database.runId}`);
    }
    // Each member's own --confirm is not what a set's restore asks for: the set's is said once, below.
    else if (database.result) lines.push(formatRestore({ ...database.result, impact: { ...database.result.impact, confirmation: null } }, { inSet: true }).replace(/^/gm, '  '));
  }
  if (result.dryRun && result.confirmation) lines.push(`  to go ahead: --confirm=${result.confirmation}`);
  return lines.join('\n');
}

export function formatDrill(result: RestoreTestResult | SetDrillResult): string {
  if (!('kind' in result)) return formatRestoreTest(result);
  const lines = [`${drillOutcomeLine(result)}: backup set ${result.id} on ${result.server ?? 'no server'} (${humanDuration(result.durationMs)})`];
  if (result.error) lines.push(`  ${result.error}`);
  lines.push(`  roles: ${plural(result.roles.applied, 'statement')} applied${result.roles.notes.length ? `; ${result.roles.notes.join('; ')}` : ''}`);
  for (const d of result.databases) lines.push(`  ${d.ok ? '✓' : '✗'} ${d.database}: ${plural(d.tables.length, 'table')}${d.error ? ` — ${d.error}` : ', every row count equal'}`);
  return lines.join('\n');
}
