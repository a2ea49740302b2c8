// The Backups table's shape, stated once without React: its columns, its row height and its status
// filter. pages/Backups.tsx renders them, and so does the first screen painted before React loads
// (first-screen.ts), so the rows painted early have the same columns as the table that replaces them.
import type { RowFilter, SortKey } from './backup-rows.ts';
import { groupedCount } from './format.ts';

export const ROW_HEIGHT = 44;

/**
 * The table's scroll box (app.css, .vtable__scroll): the viewport's height less what the page puts
 * above and below it, never under a minimum. Stated here too, so the first screen drawn before React
 * counts the rows the virtualizer will render from the viewport's height alone, without reading the
 * layout (a read before the first paint forces it); a spec checks app.css says the same.
 */
export const TABLE_SCROLL = { besidePx: 270, minPx: 320 } as const;

/** The table's scroll box height, in CSS pixels, in a viewport this tall. */
export const tableScrollHeight = (viewportHeight: number) => Math.max(TABLE_SCROLL.minPx, viewportHeight - TABLE_SCROLL.besidePx);

// Columns give way when the details panel (or a small window) leaves the table little room (CSS):
// 'wide' ones first, then 'medium' ones; the scope then shows as a badge beside the profile.
export const COLUMNS: ReadonlyArray<{ key: SortKey; label: string; numeric?: boolean; shownFrom?: 'wide' | 'medium' }> = [
  { key: 'timestamp', label: 'Taken' },
  { key: 'profile', label: 'Profile' },
  { key: 'database', label: 'Database', shownFrom: 'medium' },
  { key: 'filename', label: 'File', shownFrom: 'wide' },
  { key: 'scope', label: 'Scope', shownFrom: 'medium' },
  { key: 'status', label: 'Status' },
  { key: 'format', label: 'Format', shownFrom: 'medium' },
  { key: 'size', label: 'Size', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true, shownFrom: 'wide' },
  { key: 'verified', label: 'Verified' },
];

export const columnClass = (shownFrom: 'wide' | 'medium' | undefined) => (shownFrom ? ` vtable__cell--${shownFrom}` : '');

/** The head cell's class: its key, when it gives way, and whether it is right-aligned. */
export const headCellClass = (column: (typeof COLUMNS)[number]) => `vtable__cell vtable__cell--${column.key}${columnClass(column.shownFrom)}${column.numeric ? ' num' : ''}`;

export const STATUS_FILTERS: ReadonlyArray<{ value: RowFilter['status']; label: string }> = [
  { value: 'all', label: 'Any status' },
  { value: 'good', label: 'Usable' },
  { value: 'problems', label: 'Needs attention' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'interrupted', label: 'Interrupted' },
  { value: 'partial', label: 'Partial set' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'missing', label: 'File missing' },
  { value: 'running', label: 'Running' },
];

export const SEARCH_PLACEHOLDER = 'Search file, profile, database, schema only, error…';

/** The count beside the filters: rows matching of all there are, named rows (a set is one row of several backups; the header counts backups). */
export const countText = (total: number, everything: number) => `${groupedCount(total)} of ${groupedCount(everything)} ${everything === 1 ? 'row' : 'rows'}`;

/** The profile filter's choices: the profiles configured here and those the catalogue lists, once each, sorted. */
export const profileChoices = (known: readonly string[], listed: readonly string[]) => [...new Set([...known, ...listed])].sort();
