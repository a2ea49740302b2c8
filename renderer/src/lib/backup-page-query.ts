// The Backups table's question to the catalogue (backup.page), stated once: the store asks it for
// every page (stores/backup-pages.ts), and the early script asks its first page before the entry
// module runs (first-page/first-request.ts). The two bodies must be byte for byte the same, or the
// transport would not take the early answer and the page would ask twice.
import type { ChannelInput } from '../api/types.ts';
import type { RowFilter, SortDirection, SortKey } from './backup-rows.ts';

export const PAGE_SIZE = 100;

/** The order the table opens in: newest first. */
export const FIRST_SORT: { key: SortKey; direction: SortDirection } = { key: 'timestamp', direction: 'desc' };

export function pageQuery(page: number, sort: { key: SortKey; direction: SortDirection }, filter: RowFilter): ChannelInput<'backup.page'> {
  return { offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort: sort.key, direction: sort.direction, profile: filter.profile, text: filter.text, status: filter.status };
}
