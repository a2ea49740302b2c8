import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFirstRequest } from '../../first-page-bundle.ts';
import { NO_FILTER } from '../lib/backup-rows.ts';
import { PAGE_SIZE } from '../stores/backup-pages.ts';
import { EARLY_REQUEST_GLOBAL, earlyResponseCopy, takeEarlyResponse, type EarlyRequest } from './early-request.ts';
import { CSRF_COOKIE, readCookie } from './http.ts';

/** The early script as the build writes it to dist/renderer/first-request.js. */
let SCRIPT = '';
beforeAll(async () => {
  SCRIPT = await bundleFirstRequest();
});
/** The store's first page (backup-pages.ts fetchPage(0) with the default sort and no filter), as http.ts sends it. */
const STORE_FIRST_PAGE = JSON.stringify({ offset: 0, limit: PAGE_SIZE, sort: 'timestamp', direction: 'desc', profile: NO_FILTER.profile, text: NO_FILTER.text, status: NO_FILTER.status });

/** Runs the built early script as a page would; returns what it parked and what it fetched. */
function runScript(hash: string, options: { bridge?: boolean; protocol?: string; cookie?: string } = {}) {
  const fetched: { url: string; init: RequestInit }[] = [];
  /** Intl formatters built while the script ran, by kind. */
  const formatters: string[] = [];
  const counted = (kind: 'DateTimeFormat' | 'NumberFormat') =>
    new Proxy(Intl[kind], {
      construct(target, args: unknown[]) {
        formatters.push(kind);
        return Reflect.construct(target, args) as object;
      },
    });
  const window: Record<string, unknown> = options.bridge ? { holdfast: {} } : {};
  const preloads: { rel: string; href: string; crossOrigin: string | null }[] = [];
  const context = {
    Intl: { ...Intl, DateTimeFormat: counted('DateTimeFormat'), NumberFormat: counted('NumberFormat') },
    window,
    location: { protocol: options.protocol ?? 'http:', hash },
    // The two things the script reads and writes in the head: the build's meta tag naming React's chunk, and link elements.
    document: {
      cookie: options.cookie ?? '',
      querySelector: (selector: string) => (selector === 'meta[name="holdfast-mount-chunk"]' ? { getAttribute: (name: string) => (name === 'content' ? './assets/mount-X.js' : null) } : null),
      createElement: () => ({ rel: '', href: '', crossOrigin: null }),
      head: { appendChild: (link: (typeof preloads)[number]) => preloads.push(link) },
    },
    fetch: (url: string, init: RequestInit) => {
      fetched.push({ url, init });
      return Promise.resolve(new Response('{}'));
    },
  };
  runInNewContext(SCRIPT, context);
  return { parked: window[EARLY_REQUEST_GLOBAL] as EarlyRequest | undefined, fetched, preloads, formatters };
}

describe('the early script (first-request.js)', () => {
  it('is small: it runs parser-blocking in the head, and its request leaves only once it has been fetched, parsed and run', () => {
    // The whole first screen's drawing code in it (19 kB) held the request ~60 ms (bench row 7); the entry draws.
    expect(SCRIPT.length).toBeLessThan(4_000);
  });

  it('parks a copy of the answer for the entry to draw from, leaving the original for the transport', async () => {
    const { parked } = runScript('#/backups');
    const [original, copy] = await Promise.all([parked!.response, parked!.copy]);
    expect(copy).not.toBe(original);
    expect(await copy.text()).toBe('{}');
    expect(await original.text()).toBe('{}');
  });

  it("sends the store's first page of the Backups page, with the CSRF cookie as its header", () => {
    const { parked, fetched } = runScript('#/backups', { cookie: 'a=b; holdfast_csrf=x%2By' });
    expect(parked?.path).toBe('/api/rpc/backup.page');
    expect(parked?.body).toBe(STORE_FIRST_PAGE);
    expect(fetched).toHaveLength(1);
    expect(fetched[0]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: STORE_FIRST_PAGE });
    expect(fetched[0]!.init.headers).toMatchObject({ 'x-csrf-token': 'x+y', 'content-type': 'application/json' });
  });

  it('echoes the same CSRF cookie the HTTP transport would when the page sees two of that name (another Path, another app on the host)', () => {
    const cookie = 'holdfast_csrf=from-longer-path; a=b; holdfast_csrf=other';
    const { fetched } = runScript('#/backups', { cookie });
    expect(fetched[0]!.init.headers).toMatchObject({ 'x-csrf-token': readCookie(cookie, CSRF_COOKIE) });
  });

  it("skips a cookie of that name whose value is not URI-encoded (another app's), in the script and the transport alike", () => {
    const cookie = 'holdfast_csrf=%; holdfast_csrf=ours%2B1';
    expect(readCookie(cookie, CSRF_COOKIE)).toBe('ours+1');
    expect(runScript('#/backups', { cookie }).fetched[0]!.init.headers).toMatchObject({ 'x-csrf-token': 'ours+1' });
  });

  it('builds no Intl formatter before its request leaves (the first one in a fresh renderer held the request 45–85 ms, bench row 7)', () => {
    for (const hash of ['#/backups', '#/dashboard']) expect(runScript(hash).formatters).toEqual([]);
  });

  it('sends nothing for another page, in Electron (a bridge), or from file://', () => {
    for (const run of [runScript('#/dashboard'), runScript(''), runScript('#/backups', { bridge: true }), runScript('#/backups', { protocol: 'file:' })]) {
      expect(run.parked).toBeUndefined();
      expect(run.fetched).toHaveLength(0);
    }
  });
});

describe("the early script and React's chunk", () => {
  it('preloads the chunk the build named on every page but Backups, whose first screen is drawn before React', () => {
    for (const hash of ['#/dashboard', '', '#/settings']) expect(runScript(hash).preloads).toEqual([{ rel: 'modulepreload', href: './assets/mount-X.js', crossOrigin: '' }]);
    expect(runScript('#/dashboard', { bridge: true, protocol: 'file:' }).preloads).toHaveLength(1);
    expect(runScript('#/backups').preloads).toHaveLength(0);
    expect(runScript('#/backups?profile=x').preloads).toHaveLength(0);
  });
});

describe('takeEarlyResponse', () => {
  const parkedIn = (body: string) => {
    const response = Promise.resolve(new Response('{"ok":true,"value":1}'));
    return { scope: { [EARLY_REQUEST_GLOBAL]: { path: '/api/rpc/backup.page', body, response, copy: response.then((answer) => answer.clone()) } }, response };
  };

  it('hands the parked response to the identical request, once', () => {
    const { scope, response } = parkedIn(STORE_FIRST_PAGE);
    expect(takeEarlyResponse('/api/rpc/backup.page', STORE_FIRST_PAGE, scope)).toBe(response);
    expect(takeEarlyResponse('/api/rpc/backup.page', STORE_FIRST_PAGE, scope)).toBeUndefined();
  });

  it('forgets it at a different body for its path, and leaves it for other paths', () => {
    const { scope } = parkedIn(STORE_FIRST_PAGE);
    expect(takeEarlyResponse('/api/rpc/profile.list', '{}', scope)).toBeUndefined();
    expect(scope[EARLY_REQUEST_GLOBAL]).toBeDefined();
    expect(takeEarlyResponse('/api/rpc/backup.page', '{"offset":100}', scope)).toBeUndefined();
    expect(scope[EARLY_REQUEST_GLOBAL]).toBeUndefined();
  });

  it('gives the entry the parked copy to draw from and leaves the request parked for the transport', async () => {
    const { scope, response } = parkedIn(STORE_FIRST_PAGE);
    const copy = earlyResponseCopy(scope);
    expect(await (await copy!).json()).toEqual({ ok: true, value: 1 });
    expect(takeEarlyResponse('/api/rpc/backup.page', STORE_FIRST_PAGE, scope)).toBe(response);
    expect(await (await response).json()).toEqual({ ok: true, value: 1 });
    expect(earlyResponseCopy(scope)).toBeUndefined();
  });

  it('ignores anything else on the window under its name', () => {
    expect(takeEarlyResponse('/api/rpc/backup.page', '{}', { [EARLY_REQUEST_GLOBAL]: 'hello' })).toBeUndefined();
    expect(takeEarlyResponse('/api/rpc/backup.page', '{}', undefined)).toBeUndefined();
  });
});
