// The app behind the entry (main.tsx), loaded once the first screen is drawn or there is none to
// draw early: the API client and the stores ask for the catalogue, then React and the pages
// (mount.tsx, most of the code) load and run while the server answers.
import { paintFirstScreenEarly } from './first-screen-store.ts';
import { asksBackupsFirst } from './lib/pages.ts';
import { useBackupPages } from './stores/backup-pages.ts';
import { useBackups } from './stores/backups.ts';
import { useProfiles } from './stores/profiles.ts';

/** Asks for the catalogue, draws the first screen from the store if nothing drew it yet, then mounts React (after waitMs at most for the first answer). */
export async function boot(root: HTMLElement, waitMs: number): Promise<void> {
  // Asked before the first render, not from an effect after it; the page that opens joins this
  // request instead of sending its own. The Backups page needs only its first page of rows
  // (backup.page, which the transport answers from the early request when the page sent one).
  void useProfiles.getState().load();
  if (asksBackupsFirst(window.location.hash)) useBackupPages.getState().prefetch();
  else void useBackups.getState().loadOrJoin();

  // Where the entry drew nothing (Electron, whose window sends no early request; a browser whose
  // early answer was not drawable), the first screen is drawn from the store as soon as its first
  // page has answered, before React's chunk is loaded (first-screen.ts draws); React's first commit
  // then replaces it with the same rows (`npm run bench`, row 7).
  const early = paintFirstScreenEarly(root);
  await early.settled(waitMs);
  early.stop();
  const { mount } = await import('./mount.tsx');
  mount(root);
}
