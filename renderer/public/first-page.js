// What the first page needs before the entry module runs (issue 17, bench row 7). A classic script
// from the page's own origin (the CSP stays script-src 'self'), run as the parser reaches it: the
// entry's module graph runs only at DOMContentLoaded, ~100 ms later on a busy machine.
// On the Backups page it sends exactly what the store's first page would
// (renderer/src/stores/backup-pages.ts through renderer/src/api/http.ts: same body, same-origin
// credentials, the CSRF cookie echoed as a header) and parks the response; the HTTP transport takes it
// for the identical request (renderer/src/api/early-request.ts) and sends its own when it is absent,
// failed or different. Electron (a bridge, file://) and every other page send nothing here.
(function () {
  'use strict';
  var onBackups = location.hash.indexOf('#/backups') === 0;
  // React's chunk (named by the build in a meta tag, renderer/vite.config.ts), fetched and compiled
  // while the entry loads — but not on the Backups page: its first screen is drawn before React, and
  // that compile held the entry back; the entry imports the chunk itself once the screen is drawn.
  var mountChunk = document.querySelector('meta[name="holdfast-mount-chunk"]');
  if (!onBackups && mountChunk) {
    var preload = document.createElement('link');
    preload.rel = 'modulepreload';
    preload.crossOrigin = '';
    preload.href = mountChunk.getAttribute('content');
    document.head.appendChild(preload);
  }
  if (window.holdfast || !/^https?:$/.test(location.protocol) || !onBackups) return;
  var path = '/api/rpc/backup.page';
  var body = JSON.stringify({ offset: 0, limit: 100, sort: 'timestamp', direction: 'desc', profile: '', text: '', status: 'all' });
  var headers = { 'content-type': 'application/json', accept: 'application/json' };
  var cookies = document.cookie.split(';');
  // The first cookie of that name, as http.ts's readCookie takes it: the same header, or the same refusal.
  for (var index = 0; index < cookies.length; index += 1) {
    var pair = cookies[index].trim().split('=');
    if (pair[0] !== 'holdfast_csrf') continue;
    // As http.ts's readCookie: the first of that name that decodes (another app's may not).
    try {
      headers['x-csrf-token'] = decodeURIComponent(pair.slice(1).join('='));
      break;
    } catch (notOurs) {
      continue;
    }
  }
  window.__holdfastEarlyRequest = {
    path: path,
    body: body,
    response: fetch(path, { method: 'POST', credentials: 'same-origin', headers: headers, body: body }),
  };
})();
