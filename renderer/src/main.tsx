import { paintFirstScreenEarly } from './first-screen.ts';
import { useBackupPages } from './stores/backup-pages.ts';
import { useBackups } from './stores/backups.ts';
import { useProfiles } from './stores/profiles.ts';
import './styles/app.css';

// The entry is only the API client and the stores: it asks for the catalogue first, and React and
// the pages (mount.tsx, most of the code) load and run while the server answers. Asked before the
// first render, not from an effect after it; the page that opens joins this request instead of
// sending its own. With 10,000 backups this moved the request ~70 ms earlier (`npm run bench`, row 7).
// The Backups page needs only its first page of rows (backup.page), never the whole list.
void useProfiles.getState().load();
if (window.location.hash.startsWith('#/backups')) useBackupPages.getState().prefetch();
else void useBackups.getState().loadOrJoin();

const root = document.getElementById('root');
if (root) {
  // The first page's rows are drawn (first-screen.ts) as soon as they answer, before React has
  // compiled; React's first commit then replaces them with the same rows (`npm run bench`, row 7).
  let reactStarted = false;
  const stopWaiting = paintFirstScreenEarly(root, () => reactStarted);
  import('./mount.tsx').then(
    ({ mount }) => {
      reactStarted = true;
      stopWaiting();
      mount(root);
    },
    (error: unknown) => {
      stopWaiting();
      root.textContent = `Holdfast's interface could not load (${error instanceof Error ? error.message : String(error)}). Reload the page; if it persists, rebuild with npm run build.`;
    },
  );
}
