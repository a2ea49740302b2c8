import { paintFirstScreenEarly } from './first-screen-store.ts';
import { asksBackupsFirst } from './lib/pages.ts';
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
if (asksBackupsFirst(window.location.hash)) useBackupPages.getState().prefetch();
else void useBackups.getState().loadOrJoin();

/**
 * How long React waits for the first answer before it loads and draws without it. Loading React's
 * chunk (evaluating it) and its first render hold the thread for as long as they take (~100 ms and
 * ~300 ms on two busy cores): started before the answer, they kept the painted first screen from
 * appearing until they were done. A slower answer than this gets React's own "Loading backups…"
 * instead, as before.
 */
const FIRST_ANSWER_WAIT_MS = 500;

const root = document.getElementById('root');
if (root) {
  // The first page's rows are drawn (first-screen.ts) as soon as they answer; React's first commit
  // then replaces them with the same rows (`npm run bench`, row 7). The modulepreload link in the
  // page has fetched and compiled React's chunk meanwhile; importing it runs it.
  const early = paintFirstScreenEarly(root);
  early
    .settled(FIRST_ANSWER_WAIT_MS)
    .then(() => {
      early.stop();
      return import('./mount.tsx');
    })
    .then(({ mount }) => mount(root))
    .catch((error: unknown) => {
      root.textContent = `Holdfast's interface could not load (${error instanceof Error ? error.message : String(error)}). Reload the page; if it persists, rebuild with npm run build.`;
    });
}
