// The first screen from the stores: where the entry did not draw it from the early answer (Electron,
// whose window sends no first-request.js request; a browser whose early answer was not drawable),
// the app draws it as soon as the store's first page has answered, before React's chunk is loaded
// (first-screen.ts draws).
import { api } from './api/client.ts';
import { drawBackupsFirstScreen, firstScreenIsTable, type FirstScreenView } from './first-screen.ts';
import { pageFromHash } from './lib/pages.ts';
import { useBackupPages } from './stores/backup-pages.ts';
import { useProfiles } from './stores/profiles.ts';

/** The first screen as the stores have it; undefined until the first page has answered, or when it is not a table (React's to draw). */
function viewFromStores(): FirstScreenView | undefined {
  const { total, counts, profiles, checkingFiles, error, sort, rowAt } = useBackupPages.getState();
  if (total === null || error) return undefined;
  const view: FirstScreenView = {
    transport: api.transport,
    total,
    counts,
    listedProfiles: profiles,
    knownProfiles: useProfiles.getState().profiles.map((profile) => profile.name),
    checkingFiles,
    sort,
    rowAt,
  };
  return firstScreenIsTable(view) ? view : undefined;
}

export interface EarlyPaint {
  /** Settles once the first answer has come and been painted (or left to React), or after waitMs, whichever is first. */
  settled(waitMs: number): Promise<void>;
  /** Stops waiting: React is about to draw, and a screen painted after its first commit would stand in its way. */
  stop(): void;
}

/**
 * On a load that opens the Backups page: paints its first screen as soon as the first page has
 * answered, while root is still empty (the early script may have drawn it already; React's first
 * commit fills it).
 */
export function paintFirstScreenEarly(root: HTMLElement): EarlyPaint {
  let done: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (done = resolve));
  let stop: () => void = () => undefined;
  const tryPaint = (): boolean => {
    if (root.childElementCount > 0) return true;
    const { total, error } = useBackupPages.getState();
    if (total === null && !error) return false;
    const view = viewFromStores();
    if (view) drawBackupsFirstScreen(root, view);
    return true;
  };
  if (pageFromHash(window.location.hash) !== 'backups' || tryPaint()) done();
  else {
    const unsubscribe = useBackupPages.subscribe(() => {
      if (!tryPaint()) return;
      unsubscribe();
      done();
    });
    stop = () => {
      unsubscribe();
      done();
    };
  }
  return {
    settled(waitMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      return Promise.race([answered, waited]).finally(() => clearTimeout(timer));
    },
    stop: () => stop(),
  };
}
