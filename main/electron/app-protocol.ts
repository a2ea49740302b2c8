// holdfast://app/… serves the built renderer (dist/renderer) and nothing else: no file:// pages (which
// get extra privileges), no remote URL, no path outside the renderer directory.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { APP_SCHEME, appUrl } from './app-origin.ts';
import { CSP } from './security.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The file a holdfast://app/ URL names inside `root`, or null when the URL is not ours or tries to
 * leave the directory (`..`, encoded slashes or dots, backslashes, NUL).
 */
export function appFilePath(root: string, url: string): string | null {
  const parsed = appUrl(url);
  if (!parsed) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((segment) => segment === '..')) return null;
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const full = resolve(root, `.${path}`);
  return isInside(resolve(root), full) ? full : null;
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CSP } });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Answers one request for the renderer: the file, with the CSP on it, or 403/404. */
export async function serveAppRequest(root: string, url: string): Promise<Response> {
  let path = appFilePath(root, url);
  if (!path) return textResponse(403, 'Refused: not a file of the Holdfast app.');
  // A client-side route (no extension) that is not a file gets the app's page.
  if (!(await isFile(path)) && extname(path) === '') path = join(root, 'index.html');
  if (!(await isFile(path))) {
    return textResponse(404, path === join(root, 'index.html') ? 'The Holdfast UI is not built: run npm run build.' : 'Not found.');
  }
  // A symlink inside the renderer directory must not lead out of it.
  const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
  if (!isInside(realRoot, realPath)) return textResponse(403, 'Refused: not a file of the Holdfast app.');
  const body = await readFile(realPath);
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': CONTENT_TYPES[extname(realPath).toLowerCase()] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}

export interface ProtocolHandlerRegistry {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/**
 * Answers the one link the app follows beyond its own files, a backup's download
 * (electron/backup-download.ts); undefined until the engine is open, or for any other URL.
 */
export type DownloadRoute = (url: string) => Promise<Response> | undefined;

/** After app 'ready': holdfast:// answers from `root` (read-only: GET and HEAD), and download links through `downloads`. */
export function registerAppProtocol(protocol: ProtocolHandlerRegistry, root: string, downloads: DownloadRoute = () => undefined): void {
  protocol.handle(APP_SCHEME, (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'The Holdfast app is read-only.');
    return downloads(request.url) ?? serveAppRequest(root, request.url);
  });
}
