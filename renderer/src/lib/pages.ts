// The app's pages and their names, stated once without a store: the navigation (stores/nav.ts,
// App.tsx), the first screen the entry draws before the app loads (first-screen.ts, which must not
// pull in zustand or React) and the classic script first-request.js read the same list.
export const PAGES = ['dashboard', 'connections', 'backups', 'schedules', 'destinations', 'activity', 'settings'] as const;
export type Page = (typeof PAGES)[number];

/** Each page's name in the navigation and the window title. */
export const PAGE_LABELS: Record<Page, string> = {
  dashboard: 'Overview',
  connections: 'Connections',
  backups: 'Backups',
  schedules: 'Schedules',
  destinations: 'Destinations',
  activity: 'Activity',
  settings: 'Settings',
};

/** The sidebar's footer: where this app runs. */
export const transportLabel = (transport: 'ipc' | 'http') => (transport === 'ipc' ? 'Desktop' : 'Browser · holdfast serve');

export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'dashboard';
}

/**
 * Whether a load asks for the Backups page's first rows before React (main.tsx's prefetch and the
 * early script's request alike, so the two match and the page asks once). Looser than pageFromHash:
 * a hash with more after the page's name still asks.
 */
export const asksBackupsFirst = (hash: string) => hash.startsWith('#/backups');
