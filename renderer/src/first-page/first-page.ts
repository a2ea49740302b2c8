// What the first page needs before the entry module runs (issue 17, bench row 7), built by
// renderer/first-page-bundle.ts into dist/renderer/first-page.js: a classic script from the page's
// own origin (the CSP stays script-src 'self', nothing inline), run as the parser reaches it in the
// head. The entry module runs only at DOMContentLoaded, after its own compile and its top level,
// ~80–100 ms after the first answer is in; this script needs neither.
//
// On the Backups page in a browser it
//  1. sends exactly what the store's first page would (lib/backup-page-query.ts through
//     api/http.ts: same body, same-origin credentials, the CSRF cookie echoed as a header) and parks
//     the response; the HTTP transport takes it for the identical request (api/early-request.ts):
//     one request per load;
//  2. once that answer is in, and only if it is a 200 success envelope whose fields check out
//     (page-answer.ts: no session, no drawing), draws the page's first screen into #root with the
//     same code the entry uses (first-screen.ts), once the stylesheet has loaded so the rows on
//     screen are counted in the real layout. The entry finds it drawn; React's first commit replaces it.
// Electron (a bridge, file://) and every other page send and draw nothing here; they only preload
// React's chunk.
import { CSRF_COOKIE, readCookie } from '../api/csrf.ts';
import { EARLY_REQUEST_GLOBAL, type EarlyRequest } from '../api/early-request.ts';
import { drawBackupsFirstScreen, firstScreenIsTable, type FirstScreenView } from '../first-screen.ts';
import { FIRST_SORT, pageQuery } from '../lib/backup-page-query.ts';
import { NO_FILTER } from '../lib/backup-rows.ts';
import { asksBackupsFirst, pageFromHash } from '../lib/pages.ts';
import { pageItemToRow } from '../lib/set-rows.ts';
import { MOUNT_CHUNK_META } from './mount-chunk.ts';
import { readFirstScreenAnswer } from './page-answer.ts';

/**
 * React's chunk, fetched and compiled while the entry loads — but not on the Backups page: its first
 * screen is drawn before React, and that compile held the entry back; the entry imports the chunk
 * itself once the screen is drawn.
 */
function preloadReact(onBackups: boolean): void {
  const mountChunk = document.querySelector(`meta[name="${MOUNT_CHUNK_META}"]`);
  const href = mountChunk?.getAttribute('content');
  if (onBackups || !href) return;
  const preload = document.createElement('link');
  preload.rel = 'modulepreload';
  preload.crossOrigin = '';
  preload.href = href;
  document.head.appendChild(preload);
}

/** Calls back with #root once the parser has made it and the page's stylesheet has loaded (without it, layout counts no rows). */
function whenRootIsStyled(then: (root: HTMLElement) => void): void {
  const attempt = (): boolean => {
    const root = document.getElementById('root');
    if (!root) return false;
    const stylesheet = document.querySelector<HTMLLinkElement>('link[rel="stylesheet"]');
    if (stylesheet && !stylesheet.sheet) stylesheet.addEventListener('load', () => then(root), { once: true });
    else then(root);
    return true;
  };
  if (attempt()) return;
  const onChange = () => {
    if (attempt()) document.removeEventListener('readystatechange', onChange);
  };
  document.addEventListener('readystatechange', onChange);
}

function viewOf(body: unknown): FirstScreenView | undefined {
  const answer = readFirstScreenAnswer(body);
  if (!answer) return undefined;
  const rows = answer.items.map(pageItemToRow);
  const view: FirstScreenView = {
    transport: 'http',
    total: answer.total,
    counts: answer.counts,
    listedProfiles: answer.profiles,
    // profile.list is the entry's to ask; React's filter adds profiles without backups when it replaces this.
    knownProfiles: [],
    checkingFiles: answer.checkingFiles,
    sort: FIRST_SORT,
    rowAt: (index) => rows[index],
  };
  return firstScreenIsTable(view) ? view : undefined;
}

/** Draws the first screen from the early answer, unless something (the entry, React) has filled #root first. */
function drawFrom(response: Response): void {
  if (response.status !== 200) return;
  response
    .json()
    .then((body: unknown) => {
      const view = viewOf(body);
      if (!view) return;
      whenRootIsStyled((root) => {
        // The page React will show (the hash may have changed meanwhile), and nothing drawn yet.
        if (pageFromHash(location.hash) === 'backups' && root.childElementCount === 0) drawBackupsFirstScreen(root, view);
      });
    })
    .catch(() => undefined);
}

function sendFirstPage(): void {
  const path = '/api/rpc/backup.page';
  const body = JSON.stringify(pageQuery(0, FIRST_SORT, NO_FILTER));
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const csrf = readCookie(document.cookie, CSRF_COOKIE);
  if (csrf !== undefined) headers['x-csrf-token'] = csrf;
  const response = fetch(path, { method: 'POST', credentials: 'same-origin', headers, body }).then((answer) => {
    // A copy to draw from; the transport reads the original.
    drawFrom(answer.clone());
    return answer;
  });
  const parked: EarlyRequest = { path, body, response };
  (window as unknown as Record<string, unknown>)[EARLY_REQUEST_GLOBAL] = parked;
}

const onBackups = asksBackupsFirst(location.hash);
preloadReact(onBackups);
if (!window.holdfast && /^https?:$/.test(location.protocol) && onBackups) sendFirstPage();
