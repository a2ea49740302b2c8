// The HTTP transport against a real `holdfast serve` (startServer over a real engine in a temp
// home): the browser's cookie session with the CSRF header, envelopes for errors, progress streamed
// as Server-Sent Events, cancellation, and a backup that outlives the page that started it.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../main/core/config/config.ts';
import { HoldfastError } from '../../../main/core/model/errors.ts';
import { Holdfast } from '../../../main/core/holdfast.ts';
import { noKeychain } from '../../../test/support/no-keychain.ts';
import { DETACHED_CHANNELS } from '../../../main/serve/operations.ts';
import { startServer, type RunningServer } from '../../../main/serve/server.ts';
import { HttpTransport, readCookie, STREAMING_CHANNELS } from './http.ts';
import type { ProgressEvent } from './types.ts';

let home: string;
let holdfast: Holdfast;
let server: RunningServer;
let closedPort: number;
let session: { cookie: string; csrf: string };

async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-renderer-http-'));
  ({ holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_CONNECT_TIMEOUT_SECONDS: '3' }), { secrets: noKeychain }));
  closedPort = await freePort();
  await holdfast.addProfile({ name: 'closed', host: '127.0.0.1', port: closedPort, user: 'nobody', dbname: 'nothing' });
  await holdfast.addProfile({ name: 'slow', host: '127.0.0.1', port: closedPort, user: 'nobody', dbname: 'nothing' });
  server = await startServer(holdfast);
  // What the browser does: open the printed URL, keep the cookies it is given.
  const opened = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`, { redirect: 'manual' });
  const cookies = opened.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = readCookie(cookies.join('; '), 'holdfast_csrf');
  if (!csrf) throw new Error(`no CSRF cookie in ${JSON.stringify(opened.headers.getSetCookie())}`);
  session = { cookie: cookies.join('; '), csrf: `holdfast_csrf=${csrf}` };
});

afterAll(async () => {
  // Node's fetch opens a spare connection after an aborted request and never sends on it; the
  // server's close ends it (forceCloseConnections) instead of waiting for its request timeout.
  await server?.close();
  holdfast?.close();
  await rm(home, { recursive: true, force: true });
});

/** As in a browser tab: the session cookie rides along, the page reads the CSRF cookie. */
const browserTransport = (csrfCookie = session.csrf, fetchFn?: typeof fetch) =>
  new HttpTransport({ baseUrl: `http://127.0.0.1:${server.port}`, cookies: () => csrfCookie, headers: { cookie: session.cookie }, ...(fetchFn ? { fetch: fetchFn } : {}) });

/**
 * A fetch that keeps every response it hands out. A browser holds a request open until its body is
 * read or cancelled (Chromium never reports it finished), so the transport must do one or the other.
 */
function keepingResponses(): { fetch: typeof fetch; unread: () => string[] } {
  const responses: Array<{ url: string; response: Response }> = [];
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      responses.push({ url: String(input), response });
      return response;
    },
    unread: () => responses.filter(({ response }) => !response.bodyUsed && response.body !== null && !response.body.locked).map(({ url }) => url),
  };
}

describe('HttpTransport against holdfast serve', () => {
  test('a cookie session with the CSRF header gets the envelope; without the header, a FORBIDDEN envelope', async () => {
    const listed = await browserTransport().call('profile.list', {});
    expect(listed.ok && listed.value.map((p) => p.name).sort()).toEqual(['closed', 'slow']);
    const forged = await browserTransport('').call('profile.list', {});
    expect(forged).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', hint: expect.stringContaining('X-CSRF-Token') } });
  });

  test('engine errors arrive as envelopes with their hint, whatever the HTTP status', async () => {
    const missing = await browserTransport().call('profile.show', { name: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const bad = await browserTransport().call('backup.create', { profile: 'closed', options: { suffix: '../x' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('suffix') } });
  });

  test('a long call streams its progress, then its result (a real backup that cannot connect)', async () => {
    const events: ProgressEvent[] = [];
    const result = await browserTransport().call('backup.create', { profile: 'closed', options: {} }, { onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ operation: 'backup', progress: { phase: 'connecting', bytes: 0 } });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECTION_FAILED' } });
  });

  test('progress arrives while the call runs, and aborting it cancels the operation on the server', async () => {
    // The engine's backup stands in for a long dump: progress every 20 ms until its signal aborts.
    let serverSawAbort = false;
    const original = holdfast.backup.bind(holdfast);
    holdfast.backup = (async (_profile: string, _options: unknown, hooks: { signal?: AbortSignal; onProgress?: (p: never) => void } = {}) => {
      let bytes = 0;
      while (!hooks.signal?.aborted) {
        bytes += 1024;
        hooks.onProgress?.({ phase: 'dumping', bytes, elapsedMs: bytes / 50, expectedBytes: 1024 * 1024 } as never);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      serverSawAbort = true;
      throw new HoldfastError('CANCELLED', 'Cancelled.');
    }) as typeof holdfast.backup;
    try {
      const controller = new AbortController();
      const seen: number[] = [];
      const started = Date.now();
      const kept = keepingResponses();
      const result = await browserTransport(session.csrf, kept.fetch).call(
        'backup.create',
        { profile: 'slow', options: {} },
        {
          signal: controller.signal,
          onProgress: (event) => {
            if (event.operation === 'backup') seen.push(event.progress.bytes);
            if (seen.length === 5) controller.abort();
          },
        },
      );
      expect(result).toEqual({ ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } });
      expect(seen.slice(0, 5)).toEqual([1024, 2048, 3072, 4096, 5120]);
      expect(Date.now() - started).toBeLessThan(5000);
      await expect.poll(() => serverSawAbort, { timeout: 3000 }).toBe(true);
      // The cancel's own answer was read too: an unread one is a request the page never finishes.
      expect(kept.unread()).toEqual([]);
    } finally {
      holdfast.backup = original;
    }
  });

  test('a backup outlives the page that started it: the next page finds it, follows its progress and gets its result', async () => {
    // The engine's backup stands in for a long dump: progress every 20 ms until told to finish, or cancelled.
    let finish = false;
    let serverSawAbort = false;
    const original = holdfast.backup.bind(holdfast);
    holdfast.backup = (async (_profile: string, _options: unknown, hooks: { signal?: AbortSignal; onProgress?: (p: never) => void } = {}) => {
      let bytes = 0;
      while (!finish && !hooks.signal?.aborted) {
        bytes += 1024;
        hooks.onProgress?.({ phase: 'dumping', bytes, elapsedMs: bytes / 50, expectedBytes: undefined } as never);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      serverSawAbort = Boolean(hooks.signal?.aborted);
      if (serverSawAbort) throw new HoldfastError('CANCELLED', 'Cancelled.');
      return { id: 'b-detached', bytes } as never;
    }) as typeof holdfast.backup;
    try {
      // The first page: its connections all end when it goes away, as a reload ends them.
      const pageGone = new AbortController();
      const first = new HttpTransport({
        baseUrl: `http://127.0.0.1:${server.port}`,
        cookies: () => session.csrf,
        headers: { cookie: session.cookie },
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.any([...(init?.signal ? [init.signal] : []), pageGone.signal]) }),
      });
      let progressed = 0;
      const abandoned = first.call('backup.create', { profile: 'slow', options: {} }, { onProgress: () => (progressed += 1) });
      await expect.poll(() => progressed).toBeGreaterThan(2);
      pageGone.abort();
      expect(await abandoned).toMatchObject({ ok: false, error: { message: expect.stringContaining('Cannot reach Holdfast') } });

      const next = browserTransport();
      const listed = await next.operations();
      const running = listed.ok ? listed.value.filter((operation) => operation.state === 'running') : [];
      expect(running).toEqual([
        expect.objectContaining({ channel: 'backup.create', input: expect.objectContaining({ profile: 'slow' }), startedBy: 'owner', progress: expect.objectContaining({ operation: 'backup' }) }),
      ]);
      const seen: number[] = [];
      const followed = next.attach(running[0]!, {
        onProgress: (event) => {
          if (event.operation === 'backup') seen.push(event.progress.bytes);
          if (seen.length === 3) finish = true;
        },
      });
      expect(await followed).toMatchObject({ ok: true, value: { id: 'b-detached' } });
      expect(serverSawAbort).toBe(false);
      // Steps replayed first: the bytes reported while nobody watched are the first seen, not 1024.
      expect(seen[0]).toBeGreaterThan(1024);
    } finally {
      finish = true;
      holdfast.backup = original;
    }
  });

  test('the channels the page streams are the ones the server runs detached', () => {
    expect([...STREAMING_CHANNELS].sort()).toEqual([...DETACHED_CHANNELS].sort());
  });

  test('a server that is gone is a readable error, not a throw', async () => {
    const gone = new HttpTransport({ baseUrl: `http://127.0.0.1:${closedPort}`, cookies: () => '' });
    const result = await gone.call('profile.list', {});
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining('Cannot reach Holdfast'), hint: expect.stringContaining('holdfast serve') } });
  });
});
