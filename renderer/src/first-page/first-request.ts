// The Backups page's first request, sent as the parser reaches this classic script in the head
// (issue 17, bench row 7), built by renderer/first-page-bundle.ts into dist/renderer/first-request.js:
// a script from the page's own origin (the CSP stays script-src 'self', nothing inline). It only
// sends and parks; it draws nothing, so it stays a few kB that parse and run in a few ms and the
// request leaves that early. The entry module (main.tsx) draws the first screen from its answer
// (first-page/early-draw.ts) before it loads the rest of the app.
//
// On the Backups page in a browser it sends exactly what the store's first page would
// (lib/backup-page-query.ts through api/http.ts: same body, same-origin credentials, the CSRF
// cookie echoed as a header) and parks the response and a copy of it: the entry draws from the copy,
// the HTTP transport takes the original for the identical request (api/early-request.ts), so the
// page asks once. Electron (a bridge, holdfast://) and every other page send nothing here; they
// only preload React's chunk.
import { CSRF_COOKIE, readCookie } from '../api/csrf.ts';
import { EARLY_REQUEST_GLOBAL, type EarlyRequest } from '../api/early-request.ts';
import { FIRST_SORT, pageQuery } from '../lib/backup-page-query.ts';
import { NO_FILTER } from '../lib/backup-rows.ts';
import { asksBackupsFirst } from '../lib/pages.ts';
import { MOUNT_CHUNK_META } from './mount-chunk.ts';

/**
 * React's chunk, fetched and compiled while the entry loads — but not on the Backups page: its first
 * screen is drawn before React, and that compile held the entry back; the app imports the chunk
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

function sendFirstPage(): void {
  const path = '/api/rpc/backup.page';
  const body = JSON.stringify(pageQuery(0, FIRST_SORT, NO_FILTER));
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const csrf = readCookie(document.cookie, CSRF_COOKIE);
  if (csrf !== undefined) headers['x-csrf-token'] = csrf;
  const response = fetch(path, { method: 'POST', credentials: 'same-origin', headers, body });
  // Copied as it arrives, before anyone reads the original's body.
  const copy = response.then((answer) => answer.clone());
  copy.catch(() => undefined);
  const parked: EarlyRequest = { path, body, response, copy };
  (window as unknown as Record<string, unknown>)[EARLY_REQUEST_GLOBAL] = parked;
}

const onBackups = asksBackupsFirst(location.hash);
preloadReact(onBackups);
if (!window.holdfast && /^https?:$/.test(location.protocol) && onBackups) sendFirstPage();
