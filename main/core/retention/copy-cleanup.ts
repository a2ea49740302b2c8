// Retention per destination: e.g. 7 days locally and gfs:7d,4w,12m on S3. The same policy engine as
// local retention decides over the copies one destination holds, profile by profile; what it lets go
// is removed from that destination only (the backup, its other copies and its local file stay).
// The newest verified copy of each profile on the destination is never deleted, whatever the policy
// says: a destination must never be emptied of a profile by retention. Nor is a copy that is its
// backup's only one (kept on destinations only, or its local file missing, with no other verified
// copy): removing it from one destination would delete the backup itself, which only local retention
// (or a delete) may do.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { clearCopy } from '../storage/copies.ts';
import type { Offsite } from '../storage/offsite.ts';
import { retentionCandidate } from './cleanup.ts';
import { formatRetentionPolicy, planRetention, type RetentionDecision, type RetentionPolicy } from './policy.ts';
import { parseRetentionPolicy } from './policy-text.ts';

export const NEWEST_VERIFIED_COPY = 'the newest verified copy of its profile on this destination';
export const ONLY_COPY = 'the only copy of this backup (no local file, no other verified copy)';

/** Whether this destination's copy is all there is of the backup: no local file is meant to be there, and no other destination holds a verified copy. */
function isOnlyCopy(backup: BackupMetadata, destination: string, rows: Pick<Offsite, 'rows'>['rows']): boolean {
  const noLocalFile = backup.status === 'missing' || backup.options?.noLocalCopy === true;
  return noLocalFile && !rows.of(backup.id).some((copy) => copy.destination !== destination && copy.state === 'verified');
}

export interface CopyCleanupReport {
  destination: string;
  policy: string;
  dryRun: boolean;
  decisions: Array<RetentionDecision & { filename: string; state: string }>;
  /** Backup ids whose copy on the destination was removed (on a dry run: would be). */
  deleted: string[];
  errors: Array<{ id: string; message: string }>;
}

export async function cleanupCopies(
  engine: { catalogue: Catalogue; offsite: Pick<Offsite, 'rows' | 'destinations'> },
  input: { destination: string; policy: RetentionPolicy; profile?: string | undefined; dryRun: boolean; actor: string },
  now: Date,
): Promise<CopyCleanupReport> {
  engine.offsite.destinations.show(input.destination);
  const policy = formatRetentionPolicy(input.policy);
  const report: CopyCleanupReport = { destination: input.destination, policy, dryRun: input.dryRun, decisions: [], deleted: [], errors: [] };
  // A copy-only backup (adopted from the destination, its local file gone) is 'missing' locally and still the destination's.
  const held = new Map<string, { backup: BackupMetadata; state: string }>();
  for (const backup of engine.catalogue.listBackups({ profile: input.profile, statuses: ['completed', 'missing'] })) {
    const copy = engine.offsite.rows.of(backup.id).find((entry) => entry.destination === input.destination);
    if (copy) held.set(backup.id, { backup, state: copy.state });
  }
  const newestVerified = new Map<string, { id: string; timestamp: string }>();
  for (const { backup, state } of held.values()) {
    const current = newestVerified.get(backup.profile);
    if (state === 'verified' && (!current || backup.timestamp > current.timestamp)) newestVerified.set(backup.profile, { id: backup.id, timestamp: backup.timestamp });
  }
  const decisions = planRetention(
    [...held.values()].map(({ backup }) => retentionCandidate(backup)),
    input.policy,
    now,
  ).map((decision) => {
    const { backup, state } = held.get(decision.id)!;
    const protectedBy = newestVerified.get(decision.profile)?.id === decision.id ? NEWEST_VERIFIED_COPY : isOnlyCopy(backup, input.destination, engine.offsite.rows) ? ONLY_COPY : undefined;
    const kept = protectedBy && decision.action === 'delete' ? { action: 'keep' as const, reasons: [protectedBy] } : {};
    return { ...decision, ...kept, filename: backup.filename, state };
  });
  report.decisions = decisions;
  const doomed = decisions.filter((decision) => decision.action === 'delete');
  if (input.dryRun || doomed.length === 0) {
    report.deleted = doomed.map((decision) => decision.id);
    return report;
  }
  const destination = await engine.offsite.destinations.open(input.destination);
  try {
    for (const decision of doomed) {
      const { backup } = held.get(decision.id)!;
      try {
        await clearCopy(destination, backup);
        engine.catalogue.db.transaction(() => {
          engine.offsite.rows.forget(backup.id, input.destination);
          engine.catalogue.audit(input.actor, 'retention.deleteCopy', backup.filename, {
            id: backup.id,
            profile: backup.profile,
            destination: input.destination,
            policy,
            rule: decision.reasons.join('; '),
          });
        })();
        report.deleted.push(backup.id);
      } catch (error) {
        report.errors.push({ id: backup.id, message: `Cannot remove the copy of ${backup.filename} on "${input.destination}": ${toErrorInfo(error).message}` });
      }
    }
  } finally {
    (destination as { destroy?: () => void }).destroy?.();
  }
  return report;
}

/**
 * Every destination's stored policy over the copies it holds (`holdfast cleanup` and the scheduled
 * cleanup run it after local retention); a destination that cannot be reached is an error in its
 * report, never a stop for the others.
 */
export async function cleanupStoredPolicies(
  engine: { catalogue: Catalogue; offsite: Pick<Offsite, 'rows' | 'destinations'> },
  input: { profile?: string | undefined; dryRun: boolean; actor: string },
  now: Date,
): Promise<CopyCleanupReport[]> {
  const reports: CopyCleanupReport[] = [];
  for (const destination of engine.offsite.destinations.list()) {
    if (!destination.retention) continue;
    try {
      reports.push(await cleanupCopies(engine, { destination: destination.name, policy: parseRetentionPolicy(destination.retention), ...input }, now));
    } catch (error) {
      reports.push({ destination: destination.name, policy: destination.retention, dryRun: input.dryRun, decisions: [], deleted: [], errors: [{ id: '', message: toErrorInfo(error).message }] });
    }
  }
  return reports;
}

/** --destination takes its policy from --policy, else the destination's stored one. */
export function requirePolicyText(policy: string | undefined, destination: string): string {
  if (policy) return policy;
  throw new HoldfastError(
    'BAD_INPUT',
    `Cleaning up destination "${destination}" needs a policy, and it has none stored.`,
    `Give one with --policy, e.g. holdfast cleanup --destination ${destination} --policy gfs:7d,4w,12m, or store one: holdfast destination edit ${destination} --retention gfs:7d,4w,12m.`,
  );
}
