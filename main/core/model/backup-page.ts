// One page of the Backups list (backup.page): what the table may sort and filter by, and what a page
// answers. The list is the catalogue's backups and its failed, interrupted and running attempts in one
// order; a page holds at most PAGE_LIMIT_MAX of them, so the first screen never waits for the rest.
import type { BackupSet } from '../sets/set-record.ts';
import type { ListEntry } from './reports.ts';
import type { BackupCopy, BackupSummary } from './types.ts';

export const BACKUP_SORT_KEYS = ['timestamp', 'profile', 'database', 'filename', 'scope', 'status', 'format', 'size', 'duration', 'verified'] as const;
export type BackupSortKey = (typeof BACKUP_SORT_KEYS)[number];

/**
 * 'good': usable (completed, no failed check); 'problems': failed, interrupted, missing, a partial set or a
 * failed check; else one status ('partial': a whole-server set missing a database; 'cancelled': a run the user ended).
 */
export const BACKUP_STATUS_FILTERS = ['all', 'good', 'problems', 'completed', 'partial', 'missing', 'failed', 'interrupted', 'cancelled', 'running'] as const;
export type BackupStatusFilter = (typeof BACKUP_STATUS_FILTERS)[number];

export const PAGE_LIMIT_MAX = 500;

export type BackupPageSummary = BackupSummary & { copies?: BackupCopy[] };
/** A whole-server set is one item: its record, and its members' summaries to expand to (never loose items of the page). */
export type BackupPageSet = BackupSet & { members: BackupPageSummary[] };
export type BackupPageItem = BackupPageSummary | ListEntry | BackupPageSet;

export interface BackupPage {
  /** The rows from `offset` on, in the asked order: the same items backup.list answers with fields 'summary'. */
  items: BackupPageItem[];
  offset: number;
  /** How many rows match the filter (the table's length). */
  total: number;
  /**
   * The whole list, unfiltered: single backups, failed, cancelled or unfinished attempts, backups running
   * now (an attempt that has not failed, counted apart), whole-server sets, and the backups those sets
   * hold (a row each in the table is the set, but each is a backup), and those sets' members that failed
   * or were left unfinished (not among the attempts: the set's row lists them).
   */
  counts: { backups: number; attempts: number; running: number; sets: number; setMembers: number; failedInSets: number };
  /** Every profile that has a row in the list, sorted: the profile filter's choices. */
  profiles: string[];
  /**
   * True while the start-up check of which backup files are still there has not finished: a
   * "completed" row then says what the catalogue last knew, not that its file is there now.
   */
  checkingFiles: boolean;
}
