// The one way a URL leaves the app: links the renderer opens (window.open, target=_blank, or a
// navigation away from the app) go to the system browser, and only when they are https.
import type { Shell } from 'electron';

export type OpenExternal = Pick<Shell, 'openExternal'>;

/** Opens https URLs in the default browser; refuses everything else (file:, javascript:, custom schemes, http). */
export function safeOpenExternal(shell: OpenExternal, url: string, log: (message: string) => void = () => {}): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    log(`refused to open a malformed URL`);
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') {
    log(`refused to open ${parsed.protocol} URL externally`);
    return false;
  }
  shell.openExternal(parsed.href).catch((error: unknown) => log(`could not open ${parsed.origin}: ${(error as Error).message}`));
  return true;
}
