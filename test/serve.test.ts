// `holdfast serve` against a real server: the token, the Host check, body limits, the contract over
// HTTP, progress streamed as Server-Sent Events, and operations that outlive the request that started them.
import { request as httpRequest, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import { SseParser, type SseEvent } from '../renderer/src/api/sse.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, runCli, startCli, waitFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let http: RunningServer;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(100));
  http = await startServer(holdfast);
});
afterAll(async () => {
  await http?.close();
  await closeShop({ server, home, holdfast });
});

const base = () => `http://127.0.0.1:${http.port}`;
const rpc = (channel: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${base()}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${http.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

/** The events of a Server-Sent Events response, one at a time, as they arrive. */
function sseEvents(response: Response): { next(): Promise<{ event: string; data: any }> } {
  const reader = response.body!.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const queued: SseEvent[] = [];
  return {
    async next() {
      while (queued.length === 0) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the stream ended');
        queued.push(...parser.push(decoder.decode(value, { stream: true })));
      }
      const event = queued.shift()!;
      return { event: event.event, data: JSON.parse(event.data) };
    },
  };
}

/** Reads events until the result, which it answers. */
async function resultOf(events: ReturnType<typeof sseEvents>): Promise<any> {
  for (;;) {
    const { event, data } = await events.next();
    if (event === 'result') return data;
  }
}

/** pg_dump's connection, waiting for the table lock a test holds. */
function dumpWaitingOnLock(): Promise<number> {
  return waitFor('pg_dump to wait on the lock', async () => {
    const rows = await server.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'shop' AND query ILIKE 'LOCK TABLE%'`);
    return rows[0]?.pid;
  });
}

/** The server side of the next request to `path`, to see when the server has noticed it closed. */
function nextServerResponse(path: string): Promise<ServerResponse> {
  return new Promise((resolve) => {
    const onRequest = (request: { url?: string }, response: ServerResponse) => {
      if (request.url !== path) return;
      http.app.server.off('request', onRequest);
      resolve(response);
    };
    http.app.server.on('request', onRequest);
  });
}

function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: http.port, path, headers: { host, authorization: `Bearer ${http.token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the printed URL, as a browser would: the answer, and the session cookies it set as a Cookie header. */
async function logIn(): Promise<{ login: Response; cookie: string }> {
  const login = await fetch(`${base()}/?token=${http.token}`, { redirect: 'manual' });
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return { login, cookie };
}

/** A GET sent with its path exactly as written: fetch() would resolve %2e and .. before sending. */
function rawAnswer(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; cacheControl: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: http.port, path, headers: { host: `127.0.0.1:${http.port}`, ...headers } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), cacheControl: res.headers['cache-control'] });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('holdfast serve', () => {
  test('the contract over HTTP with the token; 401 without; the envelope on errors', async () => {
    const listed = await rpc('profile.list', {});
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await listed.json()).toMatchObject({ ok: true, value: [expect.objectContaining({ name: 'shop' })] });
    expect((await fetch(`${base()}/api/rpc/profile.list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await rpc('profile.list', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    const bad = await rpc('backup.create', { profile: 'shop', options: { suffix: '../x' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('suffix') } });
    expect((await rpc('no.such', {})).status).toBe(404);
  });

  test('an error has the same HTTP status on /api/rpc as on the REST routes: CONFLICT is 409 (it was 422 here)', async () => {
    const first = await rpc('schedule.add', { profile: 'shop', type: 'daily' });
    expect(first.status).toBe(200);
    const again = await rpc('schedule.add', { profile: 'shop', type: 'daily' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const { value } = (await first.json()) as { value: { id: string } };
    expect((await rpc('schedule.remove', { id: value.id })).status).toBe(200);
  });

  test('settings.get only reads: visiting Settings writes no audit entry (it was audited as a change)', async () => {
    const before = holdfast.catalogue.auditEntries(10_000).length;
    expect((await rpc('settings.get', {})).status).toBe(200);
    expect(holdfast.catalogue.auditEntries(10_000).length).toBe(before);
  });

  test('malformed JSON is 400, a body over 1 MB is 413, a foreign Host header is 403', async () => {
    expect((await rpc('profile.list', '{nope')).status).toBe(400);
    expect((await rpc('profile.list', JSON.stringify({ pad: 'x'.repeat(1_100_000) }))).status).toBe(413);
    expect(await rawGet('/', 'evil.example:80')).toBe(403);
    expect(await rawGet('/', `localhost:${http.port}`)).toBe(200);
  });

  test('a deeply nested body is refused before it is parsed, with or without a token; a login body is small', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      // POST /api/session needs no token, so its body is the one anybody can make the server read.
      expect((await post('/api/session', nested(400_000))).status).toBe(413);
      const deepLogin = await post('/api/session', nested(1000));
      expect(deepLogin.status).toBe(400);
      expect(await deepLogin.json()).toMatchObject({ success: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('deeper than 32 levels') } });
      // With a token, and on a path no route serves, the same refusal.
      const deepRpc = await rpc('profile.list', nested(400_000));
      expect(deepRpc.status).toBe(400);
      expect(await deepRpc.json()).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('deeper than 32 levels') } });
      expect((await post('/no-such-page', nested(400_000))).status).toBe(400);
      // Without a token the API refuses before it reads the body at all.
      expect((await post('/api/rpc/profile.list', nested(400_000))).status).toBe(401);
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 100_000)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
    // A body as deep as Holdfast's own inputs is parsed and judged by the schema as before.
    expect(await (await rpc('profile.list', { nested: { as: [{ deep: ['as inputs go'] }] } })).json()).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('unknown field nested') },
    });
    expect((await rpc('profile.list', {})).status).toBe(200);
  });

  test('an input error names the first problems and counts the rest; it does not echo the input back', async () => {
    const tables = await rpc('backup.create', { profile: 'shop', options: { tables: Array(300_000).fill(1) } });
    expect(tables.status).toBe(400);
    const tablesText = await tables.text();
    expect(tablesText.length).toBeLessThan(2000);
    expect(JSON.parse(tablesText)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('options.tables: Too big') } });
    const wrongTables = await rpc('backup.create', { profile: 'shop', options: { tables: Array(1000).fill(1) } });
    const wrongText = await wrongTables.text();
    expect(wrongText.length).toBeLessThan(2000);
    expect(JSON.parse(wrongText)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('and 995 more problems') } });
    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`field${i}`, 1]));
    const unknown = await fetch(`${base()}/api/backup/create`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${http.token}` }, body: JSON.stringify(keys) });
    expect(unknown.status).toBe(400);
    const unknownText = await unknown.text();
    expect(unknownText.length).toBeLessThan(2000);
    expect(JSON.parse(unknownText)).toMatchObject({ success: false, error: { message: expect.stringContaining('and 49,995 more') } });
  });

  test('opening the printed URL trades the token for an HttpOnly SameSite=Strict cookie that works for the API', async () => {
    const opened = await fetch(`${base()}/?token=${http.token}`, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    const cookies = opened.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('holdfast_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    const csrf = cookies.find((c) => c.startsWith('holdfast_csrf='))!;
    expect(csrf).not.toMatch(/HttpOnly/);
    const csrfToken = csrf.split(';')[0]!.split('=')[1]!;
    const viaCookie = (headers: Record<string, string>) =>
      fetch(`${base()}/api/rpc/profile.list`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: session.split(';')[0]!, ...headers }, body: '{}' });
    // A cookie alone is what a cross-site form would carry: refused without the CSRF header.
    const forged = await viaCookie({});
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: { message: expect.stringContaining('X-CSRF-Token') } });
    expect((await viaCookie({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await viaCookie({ 'x-csrf-token': csrfToken })).status).toBe(200);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
  });

  test('a percent-encoded path reaches no protected route without a token (the router decodes %xx, the check must too)', async () => {
    for (const path of ['/%6detrics', '/%61pi/openapi.json', '/%61pi/backup/stats', '/%61pi/session']) {
      const response = await fetch(`${base()}${path}`);
      expect(response.status, path).toBe(401);
    }
    for (const channel of ['profile.list', 'backup.create']) {
      const response = await fetch(`${base()}/%61pi/rpc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status, channel).toBe(401);
    }
    // With a token, the encoded spelling is the same route.
    expect((await fetch(`${base()}/%61pi/rpc/profile.list`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${http.token}` }, body: '{}' })).status).toBe(200);
  });

  test('paths that climb out of the renderer directory are refused (403/404), never served or a 500', async () => {
    for (const path of ['/..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fetc/passwd', '/..%5c..%5cetc%5cpasswd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const response = await fetch(`${base()}${path}`);
      expect([403, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toContain('root:');
    }
  });

  // A tab left open across `npm run build` asks for chunk names the build removed: an answer of the
  // index page would reach import() as a script of the wrong type instead of telling it the file is gone.
  test('a file the renderer build does not have is 404, never the index page, logged in or not', async () => {
    const { cookie } = await logIn();
    for (const path of ['/assets/Schedules-gone0000.js', '/assets/index-gone0000.css', '/first-page-gone.js', '/schedules']) {
      for (const headers of [{}, { cookie }] as Array<Record<string, string>>) {
        const response = await fetch(`${base()}${path}`, { headers });
        expect(response.status, path).toBe(404);
        expect(response.headers.get('content-type') ?? '', path).not.toContain('text/html');
        expect(await response.text(), path).not.toMatch(/<!doctype html|<script/i);
      }
    }
  });

  // The index page is where a session starts (the token traded for cookies, then the first request it
  // makes): a cached copy could be replayed from disk or a shared cache. Hashed assets may be kept.
  test('the index page, at / and at /index.html, is never stored; hashed assets keep their caching', async () => {
    const { login, cookie } = await logIn();
    expect(login.headers.get('cache-control')).toBe('no-store');
    for (const path of ['/', '/index.html']) {
      const page = await fetch(`${base()}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      expect(await page.text(), path).toMatch(/<!doctype html/i);
      expect(page.headers.get('cache-control'), path).toBe('no-store');
    }
    const index = await (await fetch(`${base()}/`, { headers: { cookie } })).text();
    const asset = /(?:src|href)="\.?(\/assets\/[^"]+)"/.exec(index)?.[1];
    expect(asset, 'the built index names a hashed asset').toBeDefined();
    const answer = await fetch(`${base()}${asset}`, { headers: { cookie } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).not.toContain('no-store');
  });

  // The static files' route decodes %xx and resolves . and .. before it reads a file, so the index page
  // answers under many spellings; each must be as unstored as /index.html itself, and so must the API.
  test('the index page under an encoded or climbing path, and the API under any spelling, is never stored', async () => {
    const { cookie } = await logIn();
    const spellings = [
      '/%69ndex.html',
      '/index%2ehtml',
      '/%2e/index.html',
      '/./index.html',
      '//index.html',
      '/%2Findex.html',
      '/assets/../index.html',
      '/assets/..%2findex.html',
      '/assets/%2e%2e/index.html',
      '/api/%2e%2e/index.html',
    ];
    for (const path of spellings) {
      for (const headers of [{}, { cookie }] as Array<Record<string, string>>) {
        const answer = await rawAnswer(path, headers);
        if (answer.status !== 200) expect(answer.status, path).toBeGreaterThanOrEqual(400);
        else expect(answer, path).toMatchObject({ type: expect.stringContaining('text/html'), cacheControl: 'no-store' });
      }
    }
    for (const path of ['/api/backup/list', '/%61pi/backup/list', '/api/openapi.json', '/metrics', '/%6detrics']) {
      const answer = await rawAnswer(path, { authorization: `Bearer ${http.token}` });
      expect(answer, path).toMatchObject({ status: 200, cacheControl: 'no-store' });
    }
  });

  test("what Fastify or its plugins refuse as the client's keeps its 4xx and says what was wrong, never a 500", async () => {
    // @fastify/static (send) answers a range past the file's end 416 and a NUL in the path 400.
    const pastTheEnd = await fetch(`${base()}/index.html`, { headers: { range: 'bytes=99999999-' } });
    expect(pastTheEnd.status).toBe(416);
    expect(await pastTheEnd.json()).toMatchObject({ success: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('Range Not Satisfiable') } });
    const nul = await fetch(`${base()}/index.html%00`);
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.message).not.toContain('body');
    // Malformed JSON, and JSON carrying a prototype key, are still named as such.
    for (const body of ['{nope', '{"__proto__":{"admin":true}}', '']) {
      const refused = await rpc('profile.list', body);
      expect(refused.status, body).toBe(400);
      expect((await refused.json()).error.message, body).toContain('not valid JSON');
    }
    // A body that is not JSON at all: named as such, not as malformed JSON.
    const form = await fetch(`${base()}/api/rpc/profile.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${http.token}` },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect((await form.json()).error.message).toContain('application/json');
  });

  test('a backup streams progress events and then its result', async () => {
    const response = await rpc('backup.create', { profile: 'shop', options: {} }, { accept: 'text/event-stream' });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) }));
    expect(events.filter((e) => e.event === 'progress').map((e) => e.data.progress.phase)).toEqual(expect.arrayContaining(['connecting', 'dumping', 'done']));
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { ok: true, value: { status: 'completed', rowCounts: expect.objectContaining({ 'public.users': 100 }) } } });
  });

  test('the CLI prints the URL with a token and serves until SIGTERM; a non-loopback bind is refused', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0'], home.env);
    expect(refused.code).toBe(2);
    const child = startCli(['serve'], home.env, { stdout: true });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    const url = await waitFor('the URL', () => /Holdfast UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1]);
    const port = new URL(url).port;
    const token = new URL(url).searchParams.get('token');
    const ok = await fetch(`http://127.0.0.1:${port}/api/rpc/profile.list`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    expect(ok.status).toBe(200);
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('holdfast serve runs the schedules (issue 13: nothing ran them under serve)', () => {
  test('a schedule due when serve starts runs there; with --no-schedules it stays due', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'served' } });
    const due = () => holdfast.catalogue.db.prepare('UPDATE schedules SET next_run = ? WHERE id = ?').run('2025-01-01T03:00:00.000Z', schedule.id);
    const scheduledRuns = () => holdfast.catalogue.listRuns({ kind: 'backup' }).filter((run) => JSON.stringify(run.detail ?? {}).includes(schedule.id));
    const serve = async (args: string[]) => {
      const child = startCli(['serve', ...args], home.env, { stdout: true });
      let out = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      await waitFor('the URL', () => /Holdfast UI: \S+/.exec(out)?.[0]);
      return child;
    };
    const stop = async (child: ReturnType<typeof startCli>) => {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      return exited;
    };
    try {
      // The start-up tick claims a due slot before the URL is printed.
      due();
      const quiet = await serve(['--no-schedules']);
      expect(scheduledRuns()).toEqual([]);
      expect(holdfast.listSchedules().find((s) => s.id === schedule.id)?.nextRun).toBe('2025-01-01T03:00:00.000Z');
      expect(await stop(quiet)).toBe(0);

      const running = await serve([]);
      const run = await waitFor('the scheduled backup to finish', () => scheduledRuns().find((r) => r.status === 'completed'), 60_000);
      expect(run.status).toBe('completed');
      expect(await stop(running)).toBe(0);
    } finally {
      holdfast.removeSchedule(schedule.id);
    }
  });
});

describe('operations started through serve run in the server, not in the request', () => {
  const get = (path: string, token = http.token) => fetch(`${base()}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  const cancel = (id: string, token: string) =>
    fetch(`${base()}/api/operations/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });

  test('a backup whose connection drops mid-dump keeps running; attaching by its id streams its progress and then its result', async () => {
    const lock = await server.lockTable('shop', 'users');
    try {
      const tab = new AbortController();
      const serverSide = nextServerResponse('/api/rpc/backup.create');
      const events = sseEvents(await rpc('backup.create', { profile: 'shop', options: { suffix: 'detached' } }, { accept: 'text/event-stream' }, tab.signal));
      const first = await events.next();
      expect(first).toMatchObject({ event: 'operation', data: { channel: 'backup.create', startedBy: 'owner', state: 'running', input: { profile: 'shop' } } });
      const id: string = first.data.id;
      await dumpWaitingOnLock();
      // The tab closes. Once the server has seen its response close, whatever the close was going to do is done.
      const closed = serverSide.then((response) => (response.destroyed ? undefined : new Promise((resolve) => response.once('close', resolve))));
      tab.abort();
      await closed;

      const listed = await (await get('/api/operations')).json();
      expect(listed).toMatchObject({ success: true, data: expect.arrayContaining([expect.objectContaining({ id, channel: 'backup.create', state: 'running', startedBy: 'owner' })]) });
      expect(await (await rpc('backup.running', {})).json()).toMatchObject({ ok: true, value: [expect.objectContaining({ profile: 'shop' })] });

      const attached = await get(`/api/operations/${id}/events`);
      expect(attached.headers.get('content-type')).toContain('text/event-stream');
      const again = sseEvents(attached);
      expect(await again.next()).toMatchObject({ event: 'operation', data: { id, state: 'running' } });
      // What it missed is replayed: the progress so far, from connecting to dumping.
      expect(await again.next()).toMatchObject({ event: 'progress', data: { operation: 'backup', progress: { phase: 'connecting' } } });
      await lock.end();
      expect(await resultOf(again)).toMatchObject({ ok: true, value: { status: 'completed', filename: expect.stringContaining('-shop-detached.') } });
      // Once finished it is still found for a while, with its result, by a page that comes back late.
      expect(await resultOf(sseEvents(await get(`/api/operations/${id}/events`)))).toMatchObject({ ok: true, value: { status: 'completed' } });
    } finally {
      await lock.end().catch(() => undefined);
    }
  });

  test('only an explicit cancel ends it, by anyone holding the role that starting it needed; the audit names who cancelled', async () => {
    const bob = holdfast.addUser('bob', 'admin');
    const lock = await server.lockTable('shop', 'users');
    try {
      const events = sseEvents(await rpc('backup.create', { profile: 'shop', options: { suffix: 'cancelled' } }, { accept: 'text/event-stream' }));
      const { data: operation } = await events.next();
      await dumpWaitingOnLock();
      expect((await cancel(operation.id, 'not-a-token')).status).toBe(401);
      expect((await cancel('0'.repeat(22), bob.token)).status).toBe(404);
      const cancelled = await cancel(operation.id, bob.token);
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toMatchObject({ success: true, data: { id: operation.id, cancelledBy: 'bob' } });
      expect(await resultOf(events)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      // Finished: nothing left to cancel.
      expect((await cancel(operation.id, bob.token)).status).toBe(409);
      const audit = holdfast.catalogue.auditEntries(50);
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'bob',
            action: 'operation.cancel',
            target: 'shop',
            detail: expect.objectContaining({ operation: operation.id, channel: 'backup.create', startedBy: 'owner' }),
          }),
        ]),
      );
      expect(holdfast.catalogue.listRuns({ kind: 'backup' }).at(-1)).toMatchObject({ status: 'interrupted' });
    } finally {
      await lock.end();
      holdfast.removeUser('bob');
    }
  });
});
