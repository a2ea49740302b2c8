// Credentials go only to the server they were configured for. Holdfast's process here has a
// PGPASSWORD and a PGPASSFILE whose wildcard line answers any host, as a DBA's shell often does; a
// profile an API user adds through `holdfast serve` points at a "server" of the attacker's — a small
// TCP listener that speaks just enough of the PostgreSQL protocol to ask for a cleartext password and
// keep whatever it is sent. Neither node-postgres (profile.test, backup.create) nor a libpq child
// (psql) may send it anything; and no client tool child ever inherits PGPASSWORD.
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { openSession } from '../main/core/pg/session.ts';
import { runChild } from '../main/core/process/child.ts';
import { runAs } from '../main/core/users/acting.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, processesMatching, profileFor, seedDatabase, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';

const ENV_SECRET = 'from-PGPASSWORD-of-the-holdfast-process';
const PGPASS_SECRET = 'from-a-wildcard-pgpass-line';

const privateTmp = usePrivateTmpdir();
const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
const pgpass = join(privateTmp.dir, 'pgpass');

let catcher: PasswordCatcher;
let home: TestHome;
let holdfast: Holdfast;
let api: RunningServer;
let alice: string;

interface PasswordCatcher {
  port: number;
  /** Every PasswordMessage received, in order. */
  passwords: string[];
  connections: number;
  close(): Promise<void>;
}

/** ErrorResponse: severity, code, message. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([...[`SFATAL`, `VFATAL`, `C${code}`, `M${message}`].map((field) => Buffer.from(`${field}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/** Answers SSL and GSS encryption requests with "no", every startup with AuthenticationCleartextPassword, and keeps the password. */
async function startPasswordCatcher(): Promise<PasswordCatcher> {
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
          const length = buffer.readInt32BE(0);
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          // SSLRequest, GSSENCRequest: not here.
          if (code === 80877103 || code === 80877104) {
            socket.write('N');
            continue;
          }
          started = true;
          const auth = Buffer.alloc(9);
          auth.write('R', 0);
          auth.writeInt32BE(8, 1);
          auth.writeInt32BE(3, 5);
          socket.write(auth);
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (type === 'p') passwords.push(body.toString('utf8').replace(/\0$/, ''));
        socket.end(errorResponse('28P01', 'password authentication failed'));
        return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    passwords,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function rpc(channel: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${api.port}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** psql through the profile's own session, as restore and drills run it: what does libpq send? */
async function psqlThrough(profileName: string): Promise<number | null> {
  const session = await openSession(holdfast, holdfast.catalogue.requireProfile(profileName));
  try {
    const psql = (await holdfast.clientTools())[0]!.paths.psql;
    return (await runChild(psql, ['--no-psqlrc', '--no-password', '--command=SELECT 1'], { env: session.childEnv(), timeoutMs: 20_000 })).exitCode;
  } finally {
    await session.close();
  }
}

beforeAll(async () => {
  writeFileSync(pgpass, `*:*:*:*:${PGPASS_SECRET}\n`, { mode: 0o600 });
  process.env.PGPASSWORD = ENV_SECRET;
  process.env.PGPASSFILE = pgpass;
  catcher = await startPasswordCatcher();
  // The engine is given them as the CLI or the desktop app would be; node-postgres reads this process's own.
  home = makeHome({ PGPASSWORD: ENV_SECRET, PGPASSFILE: pgpass });
  holdfast = await home.open();
  api = await startServer(holdfast);
  alice = holdfast.addUser('alice', 'admin').token;
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await api?.close();
  holdfast?.close();
  home?.cleanup();
  await catcher?.close();
  privateTmp.remove();
});

describe('a profile added through holdfast serve by an API user', () => {
  test('its server gets no password: not PGPASSWORD, not a wildcard .pgpass line — profile.test, backup.create and a libpq child', async () => {
    const added = await rpc('profile.add', { name: 'elsewhere', host: '127.0.0.1', port: catcher.port, user: 'app', dbname: 'appdb' }, alice);
    expect(added.body).toMatchObject({ ok: true, value: { name: 'elsewhere', keychainPassword: false, libpqPasswordFiles: false } });

    const tested = await rpc('profile.test', { name: 'elsewhere' }, alice);
    expect(tested.body).toMatchObject({ ok: false, error: { code: 'CONNECTION_FAILED' } });
    const backedUp = await rpc('backup.create', { profile: 'elsewhere', options: {} }, alice);
    expect(backedUp.body).toMatchObject({ ok: false, error: { code: 'CONNECTION_FAILED' } });
    expect(await psqlThrough('elsewhere')).not.toBe(0);

    expect(catcher.connections).toBeGreaterThanOrEqual(3);
    expect(catcher.passwords).toEqual([]);
  });

  test('the owner of holdfast serve keeps libpq password files by default; a super-admin may turn them on', async () => {
    const root = holdfast.addUser('root', 'super-admin').token;
    expect((await rpc('profile.add', { name: 'by-root', host: '127.0.0.1', port: catcher.port, user: 'app', dbname: 'appdb' }, root)).body).toMatchObject({
      ok: true,
      value: { libpqPasswordFiles: false },
    });
    expect((await rpc('profile.add', { name: 'by-root-pgpass', host: '127.0.0.1', port: catcher.port, user: 'app', dbname: 'appdb', libpqPasswordFiles: true }, root)).body).toMatchObject({
      ok: true,
      value: { libpqPasswordFiles: true },
    });
    expect((await rpc('profile.edit', { name: 'by-root', changes: { libpqPasswordFiles: true } }, alice)).status).toBe(403);
    expect((await rpc('profile.add', { name: 'by-owner', host: '127.0.0.1', port: catcher.port, user: 'app', dbname: 'appdb' }, api.token)).body).toMatchObject({
      ok: true,
      value: { libpqPasswordFiles: true },
    });
  });
});

describe('a profile the local owner added (CLI, desktop app)', () => {
  test("libpq's password file answers for it, but the process's PGPASSWORD never does", async () => {
    const profile = await holdfast.addProfile({ name: 'local', host: '127.0.0.1', port: catcher.port, user: 'app', dbname: 'appdb' });
    expect(profile.libpqPasswordFiles).toBe(true);
    const before = catcher.passwords.length;
    await expect(holdfast.testProfile('local')).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(await psqlThrough('local')).not.toBe(0);
    expect(catcher.passwords.slice(before)).toEqual([PGPASS_SECRET, PGPASS_SECRET]);
    expect(catcher.passwords).not.toContain(ENV_SECRET);
  });
});

describe("a client tool child's environment", () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
    await seedDatabase(server, 'shop', 50);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** pg_dump's environment while it waits on a locked table, and the password file it names as it was then. */
  async function watchPgDump(profile: string, suffix: string) {
    const lock = await server.lockTable('shop', 'users');
    try {
      const pending = holdfast.backup(profile, { suffix });
      // Looked for without a pause: the passfile goes once pg_dump has connected, milliseconds after it
      // starts, so waitFor's 50 ms between looks found it connected on a fast machine (stop 32).
      const deadline = Date.now() + 20_000;
      let pid: number | undefined;
      while ((pid = processesMatching(`-${suffix}.dump.tmp`).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('pg_dump'))) === undefined) {
        if (Date.now() > deadline) throw new Error('Timed out waiting for pg_dump to start');
        await new Promise((resolve) => setImmediate(resolve));
      }
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const path = /(?:^|\0)PGPASSFILE=([^\0]+)/.exec(environ)?.[1];
      const passfile = path ? { path, content: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777, dirMode: statSync(join(path, '..')).mode & 0o777 } : undefined;
      await lock.end();
      await pending;
      return { environ, passfile };
    } finally {
      await lock.end().catch(() => undefined);
    }
  }

  test('never holds an inherited PGPASSWORD; with libpq password files off, PGPASSFILE is an empty private file', async () => {
    await holdfast.addProfile(profileFor(server, 'shop-local', 'shop'));
    await runAs('alice', () => holdfast.addProfile(profileFor(server, 'shop-api', 'shop')));

    const local = await watchPgDump('shop-local', 'localenv');
    expect(local.environ).not.toMatch(/(^|\0)PGPASSWORD=/);
    expect(local.environ).not.toContain(ENV_SECRET);
    expect(local.passfile?.path).toBe(pgpass);

    const fromApi = await watchPgDump('shop-api', 'apienv');
    expect(fromApi.environ).not.toMatch(/(^|\0)PGPASSWORD=/);
    expect(fromApi.environ).not.toContain(ENV_SECRET);
    expect(fromApi.passfile).toMatchObject({ content: '', mode: 0o600, dirMode: 0o700 });
    expect(fromApi.passfile!.path).not.toBe(pgpass);
    // Removed with the operation.
    expect(() => statSync(fromApi.passfile!.path)).toThrow();
  });
});
