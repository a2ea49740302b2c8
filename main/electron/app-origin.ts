// The renderer is served from holdfast://app/ (see app-protocol.ts), never from file:// or the
// network, so "is this our own page?" is one exact check on scheme and host.
export const APP_SCHEME = 'holdfast';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The URL parsed when it is of the app's own origin (holdfast://app/…, no credentials); null otherwise. */
export function appUrl(url: string | undefined | null): URL | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // Node's URL gives custom schemes the origin "null", so compare the parts, not .origin.
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '' ? parsed : null;
}

/** True only for URLs of the app's own origin (holdfast://app/…). */
export function isAppUrl(url: string | undefined | null): boolean {
  return appUrl(url) !== null;
}
