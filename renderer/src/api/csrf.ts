// The CSRF double submit's cookie, read as both the HTTP transport (http.ts) and the early script
// (first-page/first-request.ts) read it: one rule, so the two send the same header or refuse alike.
export const CSRF_COOKIE = 'holdfast_csrf';

export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    // One another app on this host set under the same name, not URI-encoded, is not ours: the next may be.
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      continue;
    }
  }
  return undefined;
}
