// The audit log as the Activity page shows it: a run of sign-ins by the same user (holdfast serve
// records one per session) is one row saying how many and over what time, so the rows that changed
// something are not buried under them.
import type { AuditEntry } from '../stores/overview.ts';

export type AuditRow = AuditEntry & { sessions?: { count: number; first: string; last: string } };

const SIGN_IN = 'session.login';

/** Entries newest first, as audit.list answers them; consecutive sign-ins of one user become one row. */
export function groupSignIns(entries: readonly AuditEntry[]): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const entry of entries) {
    const previous = rows[rows.length - 1];
    if (entry.action === SIGN_IN && previous?.action === SIGN_IN && previous.actor === entry.actor) {
      const sessions = previous.sessions ?? { count: 1, first: previous.at, last: previous.at };
      rows[rows.length - 1] = { ...previous, sessions: { count: sessions.count + 1, first: entry.at, last: sessions.last } };
      continue;
    }
    rows.push(entry);
  }
  return rows;
}
