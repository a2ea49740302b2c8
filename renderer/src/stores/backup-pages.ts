// The Backups table a page at a time (backup.page): the rows it shows and those around them, never
// the whole catalogue. The table asks for the index range it renders; a page comes once, and pages
// far from what is on screen are dropped again, so memory stays flat at 100,000 backups. A new sort
// or filter, or a change to the catalogue, starts a new generation: answers to older ones are ignored.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { FIRST_SORT, PAGE_SIZE, pageQuery } from '../lib/backup-page-query.ts';
import { NO_FILTER, type BackupRow, type RowFilter, type SortDirection, type SortKey } from '../lib/backup-rows.ts';
import { findRow as findIn, pageItemToRow } from '../lib/set-rows.ts';

export { PAGE_SIZE };
/** Pages kept around the range on screen: a long scroll back and forth reloads, it never piles up. */
const KEPT_PAGES = 12;

type PageAnswer = ChannelOutput<'backup.page'>;

interface BackupPagesState {
  sort: { key: SortKey; direction: SortDirection };
  filter: RowFilter;
  /** Loaded pages by number: PAGE_SIZE rows each (the last one fewer). */
  pages: Record<number, BackupRow[]>;
  /** Rows matching the filter: the table's length. null until the first page answers. */
  total: number | null;
  counts: PageAnswer['counts'];
  profiles: string[];
  /** The start-up check of which files are still there is running: "completed" is only the last known state. */
  checkingFiles: boolean;
  error: ErrorInfo | null;
  /** The table's rows on screen, [first, last] index: what loads first and what eviction keeps. */
  ensure(first: number, last: number): void;
  /** Drops every page and asks again for those on screen: after a change, or a new sort or filter. */
  refresh(): Promise<void>;
  /** What main.tsx does before React loads when the app opens on the Backups page: the first page, early. */
  prefetch(): void;
  /** What the page does when it opens: takes the start-up prefetch (answered or not) or joins a refresh in flight, else starts one. */
  openOrJoin(): Promise<void>;
  setSort(key: SortKey): void;
  setFilter(change: Partial<RowFilter>): void;
  rowAt(index: number): BackupRow | undefined;
}

/** A loaded row by id (the selected one, a set member's included), or undefined once its page is dropped or before it loads. */
export function findRow(pages: Record<number, BackupRow[]>, id: string | null): BackupRow | undefined {
  if (id === null) return undefined;
  for (const rows of Object.values(pages)) {
    const row = findIn(rows, id);
    if (row) return row;
  }
  return undefined;
}

/** How often to ask again while the start-up file check runs, so rows leave "checking" on their own. */
const CHECKING_POLL_MS = 1500;

export const useBackupPages = create<BackupPagesState>()((set, get) => {
  let generation = 0;
  let inFlight = new Map<number, Promise<void>>();
  let onScreen: [number, number] = [0, 0];
  let poll: ReturnType<typeof setTimeout> | undefined;
  let refreshing: Promise<void> | null = null;
  let prefetched: Promise<void> | null = null;

  function fetchPage(page: number): Promise<void> {
    const known = inFlight.get(page);
    if (known) return known;
    const asked = generation;
    const { sort, filter } = get();
    const loading = api.call('backup.page', pageQuery(page, sort, filter)).then((result) => {
      if (asked !== generation) return;
      inFlight.delete(page);
      if (!result.ok) {
        set({ error: result.error });
        return;
      }
      const answer = result.value;
      set((state) => ({
        pages: keepNear({ ...state.pages, [page]: answer.items.map(pageItemToRow) }, onScreen),
        total: answer.total,
        counts: answer.counts,
        profiles: answer.profiles,
        checkingFiles: answer.checkingFiles,
        error: null,
      }));
      if (answer.checkingFiles && poll === undefined)
        poll = setTimeout(() => {
          poll = undefined;
          void get().refresh();
        }, CHECKING_POLL_MS);
    });
    inFlight.set(page, loading);
    return loading;
  }

  function pagesOf([first, last]: [number, number]): number[] {
    const pages: number[] = [];
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(Math.max(first, last) / PAGE_SIZE); page += 1) pages.push(page);
    return pages;
  }

  return {
    sort: FIRST_SORT,
    filter: NO_FILTER,
    pages: {},
    total: null,
    counts: { backups: 0, attempts: 0, running: 0, sets: 0, setMembers: 0, failedInSets: 0 },
    profiles: [],
    checkingFiles: false,
    error: null,
    ensure(first, last) {
      onScreen = [first, last];
      const { pages, total } = get();
      for (const page of pagesOf(onScreen)) {
        if (pages[page] || (total !== null && page * PAGE_SIZE >= total)) continue;
        void fetchPage(page);
      }
    },
    refresh() {
      generation += 1;
      const asked = generation;
      inFlight = new Map();
      // The rows already shown stay until their new answer replaces them: no flash of empty rows.
      const wanted = pagesOf(onScreen);
      const done = Promise.all(wanted.map(fetchPage)).then(() => {
        if (asked !== generation) return;
        const kept = get().pages;
        set({ pages: Object.fromEntries(wanted.filter((page) => kept[page]).map((page) => [page, kept[page]!])) });
      });
      refreshing = done;
      const forget = () => {
        if (refreshing === done) refreshing = null;
      };
      done.then(forget, forget);
      return done;
    },
    prefetch() {
      prefetched = get().refresh();
    },
    openOrJoin() {
      const early = prefetched;
      prefetched = null;
      return early ?? refreshing ?? get().refresh();
    },
    setSort(key) {
      const { sort } = get();
      // A new column starts with the order people want first: biggest, slowest, newest.
      const direction: SortDirection = sort.key === key ? (sort.direction === 'asc' ? 'desc' : 'asc') : key === 'profile' || key === 'format' || key === 'status' ? 'asc' : 'desc';
      set({ sort: { key, direction }, pages: {} });
      onScreen = [0, 0];
      void get().refresh();
    },
    setFilter(change) {
      set((state) => ({ filter: { ...state.filter, ...change }, pages: {} }));
      onScreen = [0, 0];
      void get().refresh();
    },
    rowAt(index) {
      return get().pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
    },
  };
});

/** Drops the pages farthest from the range on screen once more than KEPT_PAGES are held. */
function keepNear(pages: Record<number, BackupRow[]>, [first, last]: [number, number]): Record<number, BackupRow[]> {
  const numbers = Object.keys(pages).map(Number);
  if (numbers.length <= KEPT_PAGES) return pages;
  const from = Math.floor(first / PAGE_SIZE);
  const to = Math.floor(last / PAGE_SIZE);
  const distance = (page: number) => (page < from ? from - page : page > to ? page - to : 0);
  const kept = numbers.sort((a, b) => distance(a) - distance(b)).slice(0, KEPT_PAGES);
  return Object.fromEntries(kept.map((page) => [page, pages[page]!]));
}
