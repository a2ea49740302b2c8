// A chunk that will not load because Holdfast was rebuilt or upgraded under this tab: `npm run build`
// replaces the hashed files in dist/renderer, so a page still running the old entry asks for chunk
// names that are gone (serve answers 404). Vite reports it as `vite:preloadError`, and the view's
// import() rejects. Then the page asks for index.html again: when it names another entry than the one
// running, the app was updated, and the tab says so and reloads, once per new build (sessionStorage
// remembers which one), so a build whose own chunks fail never reloads in a loop. When index.html
// names the same entry, nothing was updated (serve stopped, the network): the view's own notice,
// with its Reload button, is all that shows. The desktop app reloads only when asked: its window
// owns its calls, and a reload would cancel a running backup.
import { create } from 'zustand';
import { api } from '../api/client.ts';

const RELOADED_FOR = 'holdfast.reloadedForBuild';
/** Long enough to read the notice, short enough that nobody acts on the stale page meanwhile. */
const RELOAD_DELAY_MS = 1500;

interface AppUpdateState {
  /** 'reloading': a new build was found and the page reloads itself; 'ask': found, the user reloads. */
  status: 'current' | 'reloading' | 'ask';
}

export const useAppUpdate = create<AppUpdateState>()(() => ({ status: 'current' }));

/** The entry module a page of index.html runs: its module script's src, as written. */
export function entryOf(doc: Pick<Document, 'querySelector'>): string | null {
  return doc.querySelector<HTMLScriptElement>('script[type="module"][src]')?.getAttribute('src') ?? null;
}

/** What to do once a chunk failed, given the entry running, the one index.html names now, and the build last reloaded for. */
export function afterChunkFailure(running: string | null, served: string | null, reloadedFor: string | null, transport: string): AppUpdateState['status'] {
  if (served === null || running === null || served === running) return 'current';
  if (reloadedFor === served || transport !== 'http') return 'ask';
  return 'reloading';
}

let checking: Promise<void> | null = null;

/** After a chunk failed to load: find out whether the app was updated under this tab, and act once. */
export function checkForUpdate(): Promise<void> {
  if (useAppUpdate.getState().status !== 'current') return Promise.resolve();
  checking ??= (async () => {
    let served: string | null = null;
    try {
      const response = await fetch(new URL('./', location.href), { cache: 'no-store', credentials: 'same-origin' });
      // Read even when not ok: a browser holds a request open until its body is read.
      const page = await response.text();
      if (response.ok) served = entryOf(new DOMParser().parseFromString(page, 'text/html'));
    } catch {
      // Serve is not answering: nothing can be said about an update.
    }
    const status = afterChunkFailure(entryOf(document), served, sessionStorage.getItem(RELOADED_FOR), api.transport);
    useAppUpdate.setState({ status });
    if (status === 'reloading' && served !== null) {
      sessionStorage.setItem(RELOADED_FOR, served);
      setTimeout(() => location.reload(), RELOAD_DELAY_MS);
    }
  })().finally(() => {
    checking = null;
  });
  return checking;
}

/** Vite's event for a dynamic import (or its preloads) that failed; the import still rejects, so the view's notice shows too. */
export function watchChunkFailures(): () => void {
  const onPreloadError = () => void checkForUpdate();
  window.addEventListener('vite:preloadError', onPreloadError);
  return () => window.removeEventListener('vite:preloadError', onPreloadError);
}
