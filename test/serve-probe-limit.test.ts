// Issue 17: "Test connection" under `holdfast serve` reaches any host:port its caller names, so a
// session could map a network through it. Each user (by session or API token alike) gets a bounded
// number of connection tests a minute; past it the answer is 429 with a hint, and other users are
// unaffected. A fresh login buys nothing: a token mints sessions at will.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { PROBES_PER_MINUTE } from '../main/serve/probe-limit.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import { makeHome, type TestHome } from './support/holdfast-env.ts';

let home: TestHome;
let holdfast: Holdfast;
let http: RunningServer;

beforeAll(async () => {
  home = makeHome({ HOLDFAST_CONNECT_TIMEOUT_SECONDS: '1' });
  holdfast = await home.open();
  http = await startServer(holdfast);
});
afterAll(async () => {
  await http?.close();
  holdfast?.close();
  home?.cleanup();
});

const base = () => `http://127.0.0.1:${http.port}`;

/** A browser session of its own: its cookie and CSRF token. */
async function logIn(token = http.token): Promise<Record<string, string>> {
  const opened = await fetch(`${base()}/?token=${token}`, { redirect: 'manual' });
  const cookies = opened.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('holdfast_session='))!.split(';')[0]!;
  const csrf = cookies
    .find((c) => c.startsWith('holdfast_csrf='))!
    .split(';')[0]!
    .split('=')[1]!;
  return { cookie: session, 'x-csrf-token': csrf };
}

// Port 1 on loopback: refused at once, so the probes are fast; the limit counts attempts, not outcomes.
const probe = (headers: Record<string, string>, port = 1) =>
  fetch(`${base()}/api/rpc/profile.testDraft`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ profile: { name: 'probe', host: '127.0.0.1', port, user: 'x', dbname: 'x' } }),
  });

test('a user past its connection tests a minute is answered 429 with a hint, in a new session and by token too; another user still tests', async () => {
  const first = await logIn();
  for (let i = 0; i < PROBES_PER_MINUTE; i += 1) {
    const answer = await probe(first, 1 + i);
    expect(answer.status).not.toBe(429);
    expect(await answer.json()).toMatchObject({ ok: false, error: { code: 'CONNECTION_FAILED' } });
  }
  const refused = await probe(first);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await refused.json()).toMatchObject({
    ok: false,
    error: { code: 'RATE_LIMITED', message: expect.stringContaining(`${PROBES_PER_MINUTE} connection tests a minute`), hint: expect.stringMatching(/Wait \d+ s/) },
  });
  // The refusal is audited, as every denial is.
  expect(holdfast.catalogue.auditEntries(50).some((entry) => JSON.stringify(entry).includes('RATE_LIMITED'))).toBe(true);

  // The same user logging in again, or calling with its token, gets no fresh count.
  expect((await probe(await logIn())).status).toBe(429);
  expect((await probe({ authorization: `Bearer ${http.token}` })).status).toBe(429);

  const alice = holdfast.addUser('alice', 'admin').token;
  expect((await probe(await logIn(alice))).status).not.toBe(429);
});
