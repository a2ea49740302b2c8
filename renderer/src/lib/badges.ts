// What each badge says, in which tone, and its tooltip, stated once without React: the components
// (components/ui.tsx, pages/BackupDetails.tsx) render these, and so does the first screen painted
// before React loads (first-screen.ts), so the two cannot word a row differently.
import { DRILL_WORDS } from '../../../main/core/model/drill-words.ts';
import { IMPORT_CHECK_WORDS } from '../../../main/core/model/import-check-words.ts';
import type { BackupSummary } from '../../../main/core/model/types.ts';
import { proofBadge, scopeLabel, type BackupRow } from './backup-rows.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export interface BadgeLook {
  tone: Tone;
  label: string;
  title?: string;
  /** A status badge: a coloured dot before the words. */
  dot?: true;
}

const STATUS_TONES: Record<string, { tone: Tone; label: string }> = {
  completed: { tone: 'ok', label: 'Completed' },
  healthy: { tone: 'ok', label: 'Healthy' },
  passed: { tone: 'ok', label: 'Passed' },
  valid: { tone: 'ok', label: 'Verified' },
  // Verified without its key here: the stored file held, its content was not read (not green).
  'checksum-only': { tone: 'warn', label: 'Checksum only' },
  scheduled: { tone: 'info', label: 'Scheduled' },
  running: { tone: 'info', label: 'Running' },
  degraded: { tone: 'warn', label: 'Degraded' },
  interrupted: { tone: 'warn', label: 'Interrupted' },
  partial: { tone: 'bad', label: 'Partial' },
  cancelled: { tone: 'muted', label: 'Cancelled' },
  missing: { tone: 'warn', label: 'File missing' },
  paused: { tone: 'muted', label: 'Paused' },
  // A completed backup whose file the start-up check has not looked for yet: not shown as fine.
  checking: { tone: 'muted', label: 'Checking file…' },
  never: { tone: 'muted', label: 'Not verified' },
  deleted: { tone: 'muted', label: 'Deleted' },
  failed: { tone: 'bad', label: 'Failed' },
  unhealthy: { tone: 'bad', label: 'Unhealthy' },
  invalid: { tone: 'bad', label: 'Verify failed' },
  'drill-failed': { tone: 'bad', label: DRILL_WORDS.failed },
  // A drill's own result, as the details' "Restore drill" row shows it: the same words as the Backups list.
  'drill-passed': { tone: 'ok', label: DRILL_WORDS.passed },
};

/** A run's or a check's state as a badge; an unknown state shows as itself, muted. */
export function statusBadge(status: string): BadgeLook {
  const known = STATUS_TONES[status] ?? { tone: 'muted', label: status };
  return { ...known, dot: true };
}

/** The Backups list's Verified column: the strongest proof a backup has. */
export function verifiedBadge(row: Pick<BackupRow, 'verified' | 'restoreTest'>): BadgeLook {
  const proof = proofBadge(row);
  if (proof === 'restore-tested') return { tone: 'ok', label: DRILL_WORDS.passed, title: 'A restore drill restored it and every row count matched', dot: true };
  if (proof === 'checked-at-import') return { tone: 'muted', label: IMPORT_CHECK_WORDS.label, title: IMPORT_CHECK_WORDS.title, dot: true };
  if (proof === 'checksum-only') {
    return {
      tone: 'warn',
      label: 'Checksum only',
      title: "The stored file's checksum matched, but its content could not be checked here: the key it is encrypted to is not on this machine",
      dot: true,
    };
  }
  return statusBadge(proof);
}

export const KEY_NOT_HERE_BADGE: BadgeLook = {
  tone: 'bad',
  label: 'Key not here',
  title: 'Encrypted to keys whose secret is not on this machine: it cannot be restored here until you import one (Settings › Keys)',
};
export const ENCRYPTED_BADGE: BadgeLook = { tone: 'info', label: 'Encrypted', title: 'Encrypted with age (a .age file); a key that opens it is on this machine' };
/**
 * A list row's mark for an age file: whether this machine holds a key that opens it (keyHere), said
 * before anyone opens the row or tries a restore. None for a backup that is not encrypted.
 */
export function encryptionBadge(backup: Pick<BackupSummary, 'encryptedTo' | 'keyHere'> | null | undefined): BadgeLook | null {
  if (!backup?.encryptedTo) return null;
  return backup.keyHere === false ? KEY_NOT_HERE_BADGE : ENCRYPTED_BADGE;
}
export const IMPORTED_BADGE: BadgeLook = { tone: 'muted', label: 'Imported', title: 'A dump made elsewhere and imported, not a backup Holdfast took' };
export const PINNED_BADGE: BadgeLook = { tone: 'info', label: 'Pinned', title: 'Pinned: retention keeps it whatever the policy' };
export const SET_BADGE: BadgeLook = { tone: 'info', label: 'Set' };

const SCOPE_TITLES: Record<string, string> = {
  'schema-only': 'Table definitions only, no rows: restoring it gives empty tables',
  'data-only': 'Rows only, no table definitions: it restores into a database that already has the schema',
  partial: 'Some tables or schemas were included or left out: the details list which',
};

/** Nothing for a full backup: the badge is there so half a database never passes for a whole one. */
export function scopeBadge(row: Pick<BackupRow, 'scope'>): BadgeLook | null {
  const label = scopeLabel(row.scope);
  if (!label || !row.scope) return null;
  return { tone: 'warn', label, ...(SCOPE_TITLES[row.scope] ? { title: SCOPE_TITLES[row.scope] } : {}) };
}
