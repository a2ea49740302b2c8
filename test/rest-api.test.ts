// The REST admin API on `holdfast serve`, against a real server and a real PostgreSQL: the
// specification's routes and shapes (and its curl examples, run literally), users and roles, cookie
// sessions with CSRF, the audit log, metrics, TLS, failed-authentication limits, bad input, and a short
// load test while a backup runs.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { SESSIONS_PER_USER } from '../main/serve/auth.ts';
import { BackupMetadataSchema, BackupPage, HealthSchema, RestoreSchema, ScheduleStatusSchema, SessionSchema, StatsSchema, VerifySchema } from '../main/serve/rest/schemas.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import { cleanEnv } from './support/clean-env.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, makeHome, openShop, profileFor, rowCount, runCli, startCli, waitFor, type TestHome } from './support/holdfast-env.ts';

const BIG_ROWS = 1_000_000;

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
/** The main server: a high failure limit, so the 401 matrix's wrong tokens stay 401s rather than 429s. */
let api: RunningServer;
/** --public-health, for the specification's curl examples (its health example sends no token). */
let monitored: RunningServer;
const users: Record<'alice' | 'root' | 'carol', string> = { alice: '', root: '', carol: '' };
let firstBackup: string;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(100, async (pg) => {
    // The specification's create example backs up specificTables ["users", "dashboards"]; a pattern
    // that matches nothing now fails the backup (--strict-names), so the example's table exists here.
    await pg.query("CREATE TABLE dashboards (id int PRIMARY KEY, title text); INSERT INTO dashboards VALUES (1, 'Sales')", 'shop');
    await pg.query('CREATE DATABASE bigdb');
    await pg.query(`CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, ${BIG_ROWS}) g`, 'bigdb');
  }));
  api = await startServer(holdfast, { authFailureLimit: 1000 });
  monitored = await startServer(holdfast, { publicHealth: true });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await api?.close();
  await monitored?.close();
  await closeShop({ server, home, holdfast });
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(target: RunningServer, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`http://127.0.0.1:${target.port}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // text, e.g. /metrics
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const get = (path: string, token?: string) => call(api, 'GET', path, token ? { token } : {});
const post = (path: string, body: unknown, token?: string) => call(api, 'POST', path, { body, ...(token ? { token } : {}) });

function auditSince(id: number) {
  return (
    holdfast.catalogue.db.prepare('SELECT id, actor, action, target, detail FROM audit_log WHERE id > ? ORDER BY id').all(id) as Array<{
      id: number;
      actor: string;
      action: string;
      target: string | null;
      detail: string | null;
    }>
  ).map((row) => ({ ...row, detail: row.detail ? JSON.parse(row.detail) : null }));
}
const lastAuditId = () => (holdfast.catalogue.db.prepare('SELECT coalesce(max(id), 0) FROM audit_log').pluck().get() as number) ?? 0;

describe('users', () => {
  test('holdfast user add prints a token once; only its SHA-256 is stored; list, rotate and remove', async () => {
    for (const [name, role] of [
      ['alice', 'admin'],
      ['root', 'super-admin'],
      ['carol', 'admin'],
    ] as const) {
      const added = await runCli(['user', 'add', name, '--role', role, '--json'], home.env);
      expect(added.code, added.stderr).toBe(0);
      const issued = JSON.parse(added.stdout);
      expect(issued).toMatchObject({ user: { name, role }, token: expect.stringMatching(/^hf_/) });
      users[name] = issued.token;
    }
    const stored = holdfast.catalogue.db.prepare('SELECT name, token_hash FROM users ORDER BY name').all() as Array<{ name: string; token_hash: string }>;
    expect(stored).toEqual([
      { name: 'alice', token_hash: createHash('sha256').update(users.alice).digest('hex') },
      { name: 'carol', token_hash: createHash('sha256').update(users.carol).digest('hex') },
      { name: 'root', token_hash: createHash('sha256').update(users.root).digest('hex') },
    ]);
    const listed = await runCli(['user', 'list', '--json'], home.env);
    expect(JSON.parse(listed.stdout).map((u: { name: string; role: string }) => `${u.name}:${u.role}`)).toEqual(['alice:admin', 'carol:admin', 'root:super-admin']);
    expect(listed.stdout).not.toContain('hf_');
    const plain = await runCli(['user', 'add', 'dave', '--role', 'admin'], home.env);
    expect(plain.stdout).toMatch(/shown only this once:\nhf_\S+\n/);
    expect((await runCli(['user', 'add', 'erin', '--role', 'root'], home.env)).code).toBe(2);
    expect((await runCli(['user', 'add', 'owner', '--role', 'admin'], home.env)).code).toBe(2);

    const daveToken = /\n(hf_\S+)\n/.exec(plain.stdout)![1]!;
    expect((await get('/api/backup/stats', daveToken)).status).toBe(200);
    const rotated = await runCli(['user', 'rotate', 'dave', '--json'], home.env);
    const newToken = JSON.parse(rotated.stdout).token as string;
    expect((await get('/api/backup/stats', daveToken)).status).toBe(401);
    expect((await get('/api/backup/stats', newToken)).status).toBe(200);
    expect((await runCli(['user', 'remove', 'dave'], home.env)).code).toBe(0);
    expect((await get('/api/backup/stats', newToken)).status).toBe(401);
    expect((await runCli(['user', 'remove', 'dave'], home.env)).code).toBe(1);
  });
});

describe("the specification's routes and shapes", () => {
  test('POST /api/backup/create takes the only profile when none is named, and answers the metadata (201)', async () => {
    const created = await post('/api/backup/create', { includeSchema: true, includeData: true, customSuffix: 'manual' }, users.alice);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.success).toBe(true);
    const metadata = BackupMetadataSchema.parse(created.body.data);
    expect(metadata).toMatchObject({ profile: 'shop', status: 'completed', format: 'custom', compressed: true, encrypted: false, checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(metadata.filename).toMatch(/^backup-.*-shop-manual\.dump$/);
    firstBackup = metadata.filename;

    const schemaOnly = await post('/api/backup/create', { profile: 'shop', includeData: false, specificTables: ['users'], format: 'plain' }, users.alice);
    expect(schemaOnly.status, JSON.stringify(schemaOnly.body)).toBe(201);
    expect(schemaOnly.body.data).toMatchObject({ format: 'plain', options: { schemaOnly: true, tables: ['users'] } });
  });

  test('GET /api/backup/list: the spec shape, newest first, with profile/status/since filters and pages', async () => {
    const listed = await get('/api/backup/list', users.alice);
    expect(listed.status).toBe(200);
    const page = BackupPage.parse(listed.body.data);
    expect(page.total).toBe(2);
    expect(page.totalSize).toBe(page.backups.reduce((sum, b) => sum + b.size, 0));
    expect(page.backups[1]!.filename).toBe(firstBackup);
    for (const field of ['filename', 'timestamp', 'size', 'compressed', 'checksum', 'databaseSize', 'tables', 'version', 'duration']) expect(page.backups[0]).toHaveProperty(field);

    const second = await get('/api/backup/list?limit=1&offset=1', users.alice);
    expect(second.body.data).toMatchObject({ total: 2, limit: 1, offset: 1, backups: [{ filename: firstBackup }] });
    expect((await get('/api/backup/list?profile=nobody', users.alice)).body.data).toMatchObject({ total: 0, totalSize: 0, backups: [] });
    expect((await get('/api/backup/list?status=missing', users.alice)).body.data.total).toBe(0);
    expect((await get(`/api/backup/list?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, users.alice)).body.data.total).toBe(0);
    expect((await get('/api/backup/list?since=2000-01-01&status=completed&profile=shop', users.alice)).body.data.total).toBe(2);
  });

  test('POST /api/backup/:filename/verify, and ?testRestore=true (a restore drill on a scratch server)', async () => {
    const verified = await post(`/api/backup/${firstBackup}/verify`, undefined, users.alice);
    expect(verified.status).toBe(200);
    expect(VerifySchema.parse(verified.body.data)).toMatchObject({ filename: firstBackup, valid: true, checks: expect.arrayContaining([expect.objectContaining({ name: 'checksum', status: 'ok' })]) });

    const drill = await post(`/api/backup/${firstBackup}/verify?testRestore=true`, undefined, users.alice);
    expect(drill.status, JSON.stringify(drill.body)).toBe(200);
    expect(VerifySchema.parse(drill.body.data)).toMatchObject({ valid: true, ok: true, tables: expect.arrayContaining([{ table: 'public.users', expected: 100, actual: 100 }]) });
  });

  test("GET /api/backup/stats, /schedule/status and /health in the specification's shapes", async () => {
    // A Holdfast of its own with exactly two backups and one schedule, whatever the other tests stored.
    const own = makeHome();
    const engine = await own.open();
    let served: RunningServer | undefined;
    try {
      await engine.addProfile(profileFor(server, 'shop', 'shop'));
      for (const suffix of ['first', 'second']) await engine.backup('shop', { suffix });
      engine.addSchedule({ profile: 'shop', type: 'daily' });
      served = await startServer(engine, { publicHealth: true });
      const token = served.token;

      const stats = await call(served, 'GET', '/api/backup/stats', { token });
      expect(StatsSchema.parse(stats.body.data)).toMatchObject({ totalBackups: 2, backupsLast24Hours: 2, backupsLast7Days: 2, successfulBackups: 2, failedBackups: 0 });

      const status = await call(served, 'GET', '/api/backup/schedule/status', { token });
      expect(ScheduleStatusSchema.parse(status.body.data)).toMatchObject({
        enabled: true,
        schedules: [{ profile: 'shop', type: 'daily', schedule: '0 2 * * *', lastRun: null, nextRun: expect.any(String), status: 'scheduled' }],
        runningBackups: [],
        stats: { totalBackups: 2, successfulBackups: 2, failedBackups: 0 },
      });

      const health = await call(served, 'GET', '/api/backup/health', { token });
      expect(HealthSchema.parse(health.body.data)).toMatchObject({ status: expect.stringMatching(/healthy|degraded/), totalBackups: 2, hasRecentBackup: true, reasons: expect.any(Array) });
      // Without --public-health, health needs a token like everything else.
      expect((await get('/api/backup/health')).status).toBe(401);
      const anonymous = await call(served, 'GET', '/api/backup/health');
      expect(anonymous.status).toBe(200);
      expect(Object.keys(anonymous.body.data).sort()).toEqual(['hasRecentBackup', 'lastBackup', 'status', 'timestamp', 'totalBackups']);
      expect((await call(served, 'GET', '/api/backup/health', { token })).body.data.reasons).toEqual(expect.any(Array));
      expect((await call(served, 'GET', '/api/backup/stats')).status).toBe(401);
    } finally {
      await served?.close();
      engine.close();
      own.cleanup();
    }
  });

  test('POST /api/backup/restore: a super-admin dry run, a refusal that says why, and a real restore into a new database', async () => {
    const refused = await post('/api/backup/restore', { backupFilename: firstBackup, dropExisting: false, dryRun: true }, users.root);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ success: false, error: { code: 'RESTORE_REFUSED', message: expect.stringContaining('is not empty') } });

    const plan = await post('/api/backup/restore', { backupFilename: firstBackup, dropExisting: true, dryRun: true }, users.root);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(RestoreSchema.parse(plan.body.data)).toMatchObject({ dryRun: true, ok: true, target: { profile: 'shop', database: 'shop', exists: true }, impact: { confirmation: 'shop' } });

    const unconfirmed = await post('/api/backup/restore', { backupFilename: firstBackup, dropExisting: true, dryRun: false }, users.root);
    expect(unconfirmed.body).toMatchObject({ success: false, error: { code: 'RESTORE_REFUSED' } });

    const restored = await post('/api/backup/restore', { backupFilename: firstBackup, targetProfile: 'shop', targetDatabase: 'shop_copy', dryRun: false }, users.root);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(RestoreSchema.parse(restored.body.data)).toMatchObject({ dryRun: false, ok: true, target: { database: 'shop_copy', exists: false } });
    expect(await rowCount(server, 'shop_copy', 'users')).toBe(100);
  });

  test('POST /api/backup/:filename/pin pins a backup (admin), so retention keeps it; { pinned: false } unpins it', async () => {
    const token = holdfast.addUser('pinner', 'admin').token;
    const backup = await holdfast.backup('shop', { suffix: 'pinned' });
    const reasonsIn30Days = () => holdfast.retentionPreview({ policy: '1d', profile: 'shop' }, new Date(Date.now() + 30 * 86_400_000)).existing.find((d) => d.id === backup.id)?.reasons;

    const pinned = await post(`/api/backup/${backup.filename}/pin`, {}, token);
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200);
    expect(BackupMetadataSchema.parse(pinned.body.data)).toMatchObject({ filename: backup.filename, pinned: true });
    expect(reasonsIn30Days()).toContain('pinned');
    const unpinned = await post(`/api/backup/${backup.filename}/pin`, { pinned: false }, token);
    expect(unpinned.body.data).toMatchObject({ pinned: false });
    expect(reasonsIn30Days()).not.toContain('pinned');

    expect((await post('/api/backup/backup-nothing.dump/pin', {}, token)).status).toBe(404);
    expect((await post(`/api/backup/${backup.filename}/pin`, { pinned: 'yes' }, token)).status).toBe(400);
    expect((await post(`/api/backup/${backup.filename}/pin`, {})).status).toBe(401);
  });

  test('GET /api/openapi.json is generated from the schemas: every route, its fields and its role', async () => {
    const doc = (await get('/api/openapi.json', users.alice)).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, method] of <Array<[string, string]>>[
      ['/api/backup/list', 'get'],
      ['/api/backup/create', 'post'],
      ['/api/backup/restore', 'post'],
      ['/api/backup/{filename}/verify', 'post'],
      ['/api/backup/import', 'post'],
      ['/api/backup/stats', 'get'],
      ['/api/backup/schedule/status', 'get'],
      ['/api/backup/health', 'get'],
      ['/metrics', 'get'],
      ['/api/session', 'post'],
      ['/api/operations', 'get'],
      ['/api/operations/{id}/events', 'get'],
      ['/api/operations/{id}/cancel', 'post'],
    ]) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const create = doc.paths['/api/backup/create'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { includeSchema: { type: 'boolean', default: true }, specificTables: { type: 'array' }, customSuffix: { type: 'string' }, format: { enum: ['custom', 'plain', 'directory', 'tar'] } },
    });
    expect(doc.paths['/api/backup/restore'].post['x-holdfast-role']).toBe('super-admin');
    // It reads a path on the host, as adopt does.
    expect(doc.paths['/api/backup/import'].post['x-holdfast-role']).toBe('super-admin');
    expect(doc.paths['/api/backup/{filename}/verify'].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'filename', in: 'path', required: true }), expect.objectContaining({ name: 'testRestore', in: 'query', required: false })]),
    );
    expect(doc.paths['/api/backup/list'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['profile', 'status', 'since', 'limit', 'offset']);
  });
});

describe('roles', () => {
  test('the 401/403 matrix: no token, a wrong token, admin, super-admin and the owner, on every route', async () => {
    // Allowed requests carry a field the schema refuses, so they prove the role check passed (400)
    // without running anything.
    const cases: Array<{ method: string; path: string; body?: unknown; expect: [number, number, number, number, number] }> = [
      { method: 'GET', path: '/api/backup/list', expect: [401, 401, 200, 200, 200] },
      { method: 'POST', path: '/api/backup/create', body: { bogus: 1 }, expect: [401, 401, 400, 400, 400] },
      { method: 'POST', path: '/api/backup/restore', body: { bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: `/api/backup/${firstBackup}/verify`, body: { bogus: 1 }, expect: [401, 401, 400, 400, 400] },
      { method: 'POST', path: '/api/backup/import', body: { bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/backup.import', body: { bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'GET', path: '/api/backup/stats', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/api/backup/schedule/status', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/api/backup/health', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/api/openapi.json', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/api/session', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/metrics', expect: [401, 401, 200, 200, 200] },
      { method: 'POST', path: '/api/rpc/backup.list', body: {}, expect: [401, 401, 200, 200, 200] },
      { method: 'POST', path: '/api/rpc/backup.create', body: { bogus: 1 }, expect: [401, 401, 400, 400, 400] },
      { method: 'POST', path: '/api/rpc/backup.restore', body: { bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/user.list', body: {}, expect: [401, 401, 403, 200, 200] },
      { method: 'POST', path: '/api/rpc/user.add', body: { bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.add', body: { bogus: 1 }, expect: [401, 401, 400, 400, 400] },
      // What reaches the Holdfast host itself: drill checks run as a scratch server's superuser
      // (COPY … TO PROGRAM), pgBinDir is executed, import and adopt read any path.
      {
        method: 'POST',
        path: '/api/rpc/profile.add',
        body: { name: 'x', host: 'h', user: 'u', dbname: 'd', drillChecks: ["COPY (SELECT 1) TO PROGRAM 'id'"], bogus: 1 },
        expect: [401, 401, 403, 400, 400],
      },
      { method: 'POST', path: '/api/rpc/profile.add', body: { name: 'x', host: 'h', user: 'u', dbname: 'd', pgBinDir: '/tmp', bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.edit', body: { name: 'shop', changes: { drillChecks: ['SELECT true'] }, bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.import', body: { pgpass: '/etc/passwd', bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      // Where data and credentials go: a profile's server (password retyped or not), its tags
      // (production, drill-target), libpq's password files, a drill on a designated server.
      { method: 'POST', path: '/api/rpc/profile.edit', body: { name: 'shop', changes: { host: 'attacker.example' }, bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.edit', body: { name: 'shop', changes: { host: 'attacker.example' }, password: 'retyped', bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.edit', body: { name: 'shop', changes: { tags: [] }, bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.add', body: { name: 'x', host: 'h', user: 'u', dbname: 'd', tags: ['drill-target'], bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/profile.add', body: { name: 'x', host: 'h', user: 'u', dbname: 'd', libpqPasswordFiles: true, bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/backup.testRestore', body: { ref: firstBackup, onProfile: 'shop', bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      { method: 'POST', path: '/api/rpc/backup.adopt', body: { dir: '/', bogus: 1 }, expect: [401, 401, 403, 400, 400] },
      // Operations running in the server: listed to anyone signed in; one that does not exist is 404 to all.
      { method: 'GET', path: '/api/operations', expect: [401, 401, 200, 200, 200] },
      { method: 'GET', path: '/api/operations/AAAAAAAAAAAAAAAAAAAAAA/events', expect: [401, 401, 404, 404, 404] },
      { method: 'POST', path: '/api/operations/AAAAAAAAAAAAAAAAAAAAAA/cancel', body: { bogus: 1 }, expect: [401, 401, 400, 400, 400] },
    ];
    const callers = [undefined, 'hf_wrong', users.alice, users.root, api.token];
    const before = lastAuditId();
    for (const c of cases) {
      const got = await Promise.all(callers.map(async (token) => (await call(api, c.method, c.path, { ...(token ? { token } : {}), ...(c.body === undefined ? {} : { body: c.body }) })).status));
      expect(got, `${c.method} ${c.path}`).toEqual(c.expect);
    }
    const denials = auditSince(before).filter((e) => e.action === 'api.denied');
    // Every wrong token is audited; requests with no credentials at all, up to ten a minute per address.
    const unauthorized = denials.filter((e) => e.detail.status === 401);
    expect(unauthorized.length).toBeGreaterThanOrEqual(cases.length);
    expect(unauthorized.length).toBeLessThanOrEqual(cases.length + 10);
    expect(unauthorized.every((e) => e.actor === 'anonymous')).toBe(true);
    expect(
      denials
        .filter((e) => e.detail.status === 403)
        .map((e) => `${e.actor} ${e.target}`)
        .sort(),
    ).toEqual(
      [
        'alice POST /api/backup/restore',
        'alice POST /api/backup/import',
        'alice POST /api/rpc/backup.import',
        'alice POST /api/rpc/backup.restore',
        'alice POST /api/rpc/user.add',
        'alice POST /api/rpc/user.list',
        'alice POST /api/rpc/profile.add',
        'alice POST /api/rpc/profile.add',
        'alice POST /api/rpc/profile.add',
        'alice POST /api/rpc/profile.add',
        'alice POST /api/rpc/profile.edit',
        'alice POST /api/rpc/profile.edit',
        'alice POST /api/rpc/profile.edit',
        'alice POST /api/rpc/profile.edit',
        'alice POST /api/rpc/backup.testRestore',
        'alice POST /api/rpc/profile.import',
        'alice POST /api/rpc/backup.adopt',
      ].sort(),
    );
  });

  test('restore by an admin is refused (403) before anything runs, and audited with their name', async () => {
    const restore = vi.spyOn(holdfast, 'restore');
    const before = lastAuditId();
    const denied = await post('/api/backup/restore', { backupFilename: firstBackup, dryRun: true }, users.alice);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('super-admin') } });
    expect(restore).not.toHaveBeenCalled();
    restore.mockRestore();
    expect(auditSince(before)).toEqual([expect.objectContaining({ actor: 'alice', action: 'api.denied', target: 'POST /api/backup/restore', detail: expect.objectContaining({ status: 403 }) })]);
  });

  test('a super-admin manages users over the contract; a removed user is refused at once', async () => {
    const added = await call(api, 'POST', '/api/rpc/user.add', { token: users.root, body: { name: 'frank', role: 'admin' } });
    expect(added.body).toMatchObject({ ok: true, value: { user: { name: 'frank', role: 'admin' }, token: expect.stringMatching(/^hf_/) } });
    const frank = added.body.value.token as string;
    expect((await get('/api/backup/stats', frank)).status).toBe(200);
    expect((await call(api, 'POST', '/api/rpc/user.remove', { token: users.root, body: { name: 'frank' } })).body).toEqual({ ok: true, value: { removed: 'frank' } });
    expect((await get('/api/backup/stats', frank)).status).toBe(401);
    const entries = holdfast.catalogue.auditEntries(20);
    expect(entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'root', action: 'user.add', target: 'frank' }), expect.objectContaining({ actor: 'root', action: 'user.remove', target: 'frank' })]),
    );
  });
});

describe('browser sessions', () => {
  function cookiesOf(response: Answer | Response): { session: string; csrf: string; raw: string[] } {
    const raw = response.headers.getSetCookie();
    const value = (name: string) => raw.find((c) => c.startsWith(`${name}=`))!.split(';')[0]!;
    return { session: value('holdfast_session'), csrf: value('holdfast_csrf').split('=')[1]!, raw };
  }

  test('logging in with a user token gives an HttpOnly SameSite=Strict cookie; state changes need X-CSRF-Token; reads do not', async () => {
    const login = await call(api, 'POST', '/api/session', { body: { token: users.alice } });
    expect(login.status).toBe(200);
    const { session, csrf, raw } = cookiesOf(login);
    expect(raw.find((c) => c.startsWith('holdfast_session='))).toMatch(/HttpOnly; SameSite=Strict/);
    expect(raw.find((c) => c.startsWith('holdfast_csrf='))).not.toMatch(/HttpOnly/);
    expect(SessionSchema.parse(login.body.data)).toEqual({ name: 'alice', role: 'admin', csrfToken: csrf });
    // The cookie is a session id, not the token.
    expect(session).not.toContain(users.alice);

    const withCookie = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
      call(api, method, path, { headers: { cookie: session, ...headers }, ...(body === undefined ? {} : { body }) });
    expect((await withCookie('GET', '/api/backup/list')).status).toBe(200);
    expect((await withCookie('GET', '/api/session')).body.data).toEqual({ name: 'alice', role: 'admin' });

    const before = lastAuditId();
    const forged = await withCookie('POST', `/api/backup/${firstBackup}/verify`);
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ success: false, error: { message: expect.stringContaining('X-CSRF-Token') } });
    expect((await withCookie('POST', `/api/backup/${firstBackup}/verify`, { 'x-csrf-token': 'wrong' })).status).toBe(403);
    const verified = await withCookie('POST', `/api/backup/${firstBackup}/verify`, { 'x-csrf-token': csrf });
    expect(verified.status).toBe(200);
    // The session keeps alice's role: restore is still a super-admin's.
    expect((await withCookie('POST', '/api/backup/restore', { 'x-csrf-token': csrf }, { backupFilename: firstBackup, dryRun: true })).status).toBe(403);
    expect(auditSince(before).map((e) => `${e.actor} ${e.action} ${e.target} ${e.detail?.status}`)).toEqual([
      `alice api.denied POST /api/backup/${firstBackup}/verify 403`,
      `alice api.denied POST /api/backup/${firstBackup}/verify 403`,
      `alice api.request POST /api/backup/${firstBackup}/verify 200`,
      'alice api.denied POST /api/backup/restore 403',
    ]);

    // Bearer requests are not cookie-based: no CSRF token needed.
    expect((await post(`/api/backup/${firstBackup}/verify`, undefined, users.alice)).status).toBe(200);

    // Logging out ends the session.
    expect((await withCookie('DELETE', '/api/session', { 'x-csrf-token': csrf })).status).toBe(200);
    expect((await withCookie('GET', '/api/backup/list')).status).toBe(401);
  });

  test("the printed URL's ?token= trade works for user tokens too, and rotating a user's token ends their sessions (401, audited by name)", async () => {
    const opened = await fetch(`http://127.0.0.1:${api.port}/?token=${users.carol}`, { redirect: 'manual' });
    expect(opened.status).toBe(302);
    const { session, csrf } = cookiesOf(opened);
    const whoami = await call(api, 'GET', '/api/session', { headers: { cookie: session } });
    expect(whoami.body.data).toEqual({ name: 'carol', role: 'admin' });
    expect((await call(api, 'POST', '/api/rpc/backup.stats', { headers: { cookie: session, 'x-csrf-token': csrf }, body: {} })).status).toBe(200);

    const rotated = await runCli(['user', 'rotate', 'carol', '--json'], home.env);
    users.carol = JSON.parse(rotated.stdout).token;
    const before = lastAuditId();
    expect((await call(api, 'GET', '/api/backup/list', { headers: { cookie: session } })).status).toBe(401);
    expect(auditSince(before)).toEqual([expect.objectContaining({ actor: 'carol', action: 'api.denied', target: 'GET /api/backup/list', detail: expect.objectContaining({ status: 401 }) })]);

    const owner = await fetch(`http://127.0.0.1:${api.port}/?token=${api.token}`, { redirect: 'manual' });
    expect((await call(api, 'GET', '/api/session', { headers: { cookie: cookiesOf(owner).session } })).body.data).toEqual({ name: 'owner', role: 'super-admin' });
  });

  test("an admin logging in again and again ends only their own oldest session, never the owner's", async () => {
    const own = await startServer(holdfast);
    try {
      const owner = cookiesOf(await fetch(`http://127.0.0.1:${own.port}/?token=${own.token}`, { redirect: 'manual' })).session;
      const logins: string[] = [];
      for (let i = 0; i <= SESSIONS_PER_USER; i += 1) logins.push(cookiesOf(await call(own, 'POST', '/api/session', { body: { token: users.alice } })).session);
      const whoIs = async (cookie: string) => (await call(own, 'GET', '/api/session', { headers: { cookie } })).status;
      expect(await whoIs(owner)).toBe(200);
      expect(await whoIs(logins[0]!)).toBe(401);
      expect(await Promise.all(logins.slice(1).map(whoIs))).toEqual(Array(SESSIONS_PER_USER).fill(200));
    } finally {
      await own.close();
    }
  });
});

describe('audit and metrics', () => {
  test("a backup over the API is audited with the user's name (the request and the engine's own entry), never with a token", async () => {
    const before = lastAuditId();
    const created = await post('/api/backup/create', { customSuffix: 'audited' }, users.alice);
    expect(created.status).toBe(201);
    const entries = auditSince(before);
    expect(entries).toEqual([
      expect.objectContaining({ actor: 'alice', action: 'backup.create', target: created.body.data.filename, detail: expect.objectContaining({ result: 'ok' }) }),
      expect.objectContaining({ actor: 'alice', action: 'api.request', target: 'POST /api/backup/create', detail: { status: 201 } }),
    ]);
    const everything = JSON.stringify(holdfast.catalogue.auditEntries(10_000));
    for (const secret of [users.alice, users.root, users.carol, api.token]) expect(everything).not.toContain(secret);
  });

  test('/metrics after a backup: last success time, duration and size per profile, failures, running backups', async () => {
    const newest = holdfast.catalogue.listBackups({ profile: 'shop' }).at(-1)!;
    // A failed backup (no table matches) counts as a failure.
    const failed = await post('/api/backup/create', { specificTables: ['no_such_table'] }, users.alice);
    expect(failed.status).toBe(422);
    const metrics = await get('/metrics', users.alice);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const value = (name: string, labels = '{profile="shop"}') => {
      const match = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics.body as string);
      return match ? Number(match[1]) : undefined;
    };
    expect(value('holdfast_backup_last_success_timestamp_seconds')).toBeCloseTo((Date.parse(newest.timestamp) + newest.duration) / 1000, 3);
    expect(value('holdfast_backup_last_duration_seconds')).toBeCloseTo(newest.duration / 1000, 3);
    expect(value('holdfast_backup_last_size_bytes')).toBe(newest.size);
    expect(value('holdfast_backup_failures_total')).toBe(1);
    expect(value('holdfast_backups')).toBe(holdfast.catalogue.listBackups({ profile: 'shop', statuses: ['completed'] }).length);
    expect(value('holdfast_backups_running', '')).toBe(0);
    expect(metrics.body).toMatch(/# TYPE holdfast_backup_failures_total counter/);
  });
});

describe('bad input', () => {
  test('malformed JSON is 400 and a body over 1 MB is 413, in the REST envelope', async () => {
    const malformed = await call(api, 'POST', '/api/backup/create', { token: users.alice, raw: '{"includeSchema": tru' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ success: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('not valid JSON') } });
    const huge = await call(api, 'POST', '/api/backup/create', { token: users.alice, raw: JSON.stringify({ customSuffix: 'x'.repeat(1_100_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ success: false, error: { code: 'BAD_INPUT' } });
  });

  test('unknown fields and wrong types are refused by the schema with the field named', async () => {
    const unknown = await post('/api/backup/create', { includeSchema: true, dropTables: true }, users.alice);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ success: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('unknown field dropTables') } });
    expect((await post('/api/backup/create', { includeSchema: 'yes' }, users.alice)).body.error.message).toContain('includeSchema');
    expect((await post('/api/backup/create', { includeSchema: false, includeData: false }, users.alice)).body.error.message).toContain('includeData');
    expect((await post('/api/backup/create', { customSuffix: '../../etc' }, users.alice)).body.error.message).toContain('customSuffix');
    expect((await post('/api/backup/restore', { backupFilename: firstBackup, dryRun: true, force: true }, users.root)).body.error.message).toContain('unknown field force');
    expect((await get('/api/backup/list?limit=0', users.alice)).body.error.message).toContain('limit');
    expect((await get('/api/backup/list?sort=size', users.alice)).body.error.message).toContain('unknown field sort');
    expect((await post(`/api/backup/${firstBackup}/verify?testRestore=yes`, undefined, users.alice)).body.error.message).toContain('testRestore');
  });

  test('a :filename not in the catalogue is 404 without the engine touching any file, ../ tricks included', async () => {
    // A real backup file under a name the catalogue does not know: only the catalogue decides.
    const stray = join(dirname(holdfast.catalogue.findBackup(firstBackup)!.path), 'backup-not-catalogued.dump');
    copyFileSync(holdfast.catalogue.findBackup(firstBackup)!.path, stray);
    const verify = vi.spyOn(holdfast, 'verify');
    const drill = vi.spyOn(holdfast, 'testRestore');
    const restore = vi.spyOn(holdfast, 'restore');
    try {
      for (const name of ['backup-not-catalogued.dump', '..%2F..%2F..%2Fetc%2Fpasswd', `..%2F${encodeURIComponent(firstBackup)}`, '%2Fetc%2Fpasswd', '.', 'backup-%00.dump']) {
        const answer = await post(`/api/backup/${name}/verify?testRestore=true`, undefined, users.alice);
        expect(answer.status, name).toBe(404);
        expect(answer.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
      }
      expect(await rawStatus('POST', `/api/backup/../../../etc/passwd/verify`, users.alice)).toBe(404);
      expect(await rawStatus('POST', `/api/backup/../${firstBackup}/verify`, users.alice)).toBe(404);
      for (const backupFilename of ['../../etc/passwd', `./${firstBackup}`, 'backup-not-catalogued.dump']) {
        const answer = await post('/api/backup/restore', { backupFilename, dryRun: true }, users.root);
        expect(answer.status, backupFilename).toBe(404);
      }
      expect(verify).not.toHaveBeenCalled();
      expect(drill).not.toHaveBeenCalled();
      expect(restore).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
      drill.mockRestore();
      restore.mockRestore();
      rmSync(stray, { force: true });
    }
  });
});

/** A request whose path is sent exactly as written (fetch would resolve the "../"). */
function rawStatus(method: string, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: api.port, method, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe("the specification's curl examples, run literally against holdfast serve", () => {
  function curl(args: string[]): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const child = spawn('curl', ['--silent', '--show-error', '--max-time', '60', '--write-out', '\n%{http_code}', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) return reject(new Error(`curl exited ${code}: ${err}`));
        const cut = out.lastIndexOf('\n');
        resolve({ status: Number(out.slice(cut + 1)), body: JSON.parse(out.slice(0, cut)) });
      });
    });
  }
  const at = (path: string) => `http://localhost:${monitored.port}${path}`;

  test('list, create, restore, verify, stats, schedule status and health', async () => {
    // Its own state: the troubleshooting example lists this schedule, and the health example reports
    // this full backup (the example's own backup names tables, so it is partial).
    const daily = holdfast.addSchedule({ profile: 'shop', type: 'daily' });
    await holdfast.backup('shop', { suffix: 'full' });
    const list = await curl(['-H', `Authorization: Bearer ${users.alice}`, at('/api/backup/list')]);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ success: true, data: { backups: expect.any(Array), total: expect.any(Number), totalSize: expect.any(Number) } });

    // The example's X-CSRF-Token is sent as written; a bearer request does not need it.
    const create = await curl([
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${users.alice}`,
      '-H',
      'X-CSRF-Token: <csrf-token>',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ includeSchema: true, includeData: true, specificTables: ['users', 'dashboards'], customSuffix: 'manual' }),
      at('/api/backup/create'),
    ]);
    expect(create.status, JSON.stringify(create.body)).toBe(201);
    expect(create.body).toMatchObject({
      success: true,
      data: { filename: expect.stringMatching(/-shop-manual\.dump$/), tables: ['public.dashboards', 'public.users'], rowCounts: { 'public.dashboards': 1, 'public.users': 100 } },
    });
    const filename = create.body.data.filename as string;

    // The example restores into the database the backup came from, which has tables: a dry run
    // says so (refused: dropExisting is false). With dropExisting it answers the plan.
    const restoreExample = { backupFilename: filename, dropExisting: false, dryRun: true };
    const restore = await curl([
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${users.root}`,
      '-H',
      'X-CSRF-Token: <csrf-token>',
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify(restoreExample),
      at('/api/backup/restore'),
    ]);
    expect(restore.status).toBe(422);
    expect(restore.body).toMatchObject({ success: false, error: { code: 'RESTORE_REFUSED', message: expect.stringContaining('not empty') } });
    const replacing = await curl([
      '-X',
      'POST',
      '-H',
      `Authorization: Bearer ${users.root}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ ...restoreExample, dropExisting: true }),
      at('/api/backup/restore'),
    ]);
    expect(replacing.body).toMatchObject({ success: true, data: { dryRun: true, ok: true, target: { database: 'shop' } } });

    const verify = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${users.alice}`, at(`/api/backup/${filename}/verify`)]);
    expect(verify).toMatchObject({ status: 200, body: { success: true, data: { valid: true, checks: expect.any(Array) } } });

    const stats = await curl(['-H', `Authorization: Bearer ${users.alice}`, at('/api/backup/stats')]);
    expect(stats.status).toBe(200);
    for (const field of ['totalBackups', 'totalSize', 'oldestBackup', 'newestBackup', 'averageSize', 'backupsLast24Hours', 'backupsLast7Days', 'compressionUsage', 'averageDuration']) {
      expect(stats.body.data).toHaveProperty(field);
    }

    // Troubleshooting: curl -H "Authorization: Bearer $TOKEN" http://localhost:3001/api/backup/schedule/status
    const schedule = await curl(['-H', `Authorization: Bearer ${monitored.token}`, at('/api/backup/schedule/status')]);
    expect(schedule.body).toMatchObject({
      success: true,
      data: { enabled: true, schedules: [expect.objectContaining({ id: daily.id, type: 'daily', schedule: '0 2 * * *' })], runningBackups: [], stats: expect.any(Object) },
    });

    // Debugging: curl http://localhost:3001/api/backup/health (no token: served with --public-health)
    const health = await curl([at('/api/backup/health')]);
    expect(health).toMatchObject({
      status: 200,
      body: { success: true, data: { status: expect.any(String), totalBackups: expect.any(Number), hasRecentBackup: true, lastBackup: expect.any(String), timestamp: expect.any(String) } },
    });
  });
});

describe('TLS, binding and failed authentications', () => {
  let tlsDir: string;
  beforeAll(() => {
    tlsDir = mkdtempSync(join(tmpdir(), 'holdfast-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(tlsDir, 'key.pem'),
        '-out',
        join(tlsDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { env: cleanEnv(), stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(tlsDir, { recursive: true, force: true }));

  function httpsGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path, headers, ca: readFileSync(join(tlsDir, 'cert.pem')), servername: 'localhost' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('--tls-cert/--tls-key serve https; the session cookie is Secure; plain http gets no answer', async () => {
    const tls = await startServer(holdfast, { tls: { cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) } });
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const listed = await httpsGet(tls.port, '/api/backup/list', { authorization: `Bearer ${users.alice}` });
      expect(listed.status).toBe(200);
      expect(JSON.parse(listed.body)).toMatchObject({ success: true });
      const opened = await httpsGet(tls.port, `/?token=${tls.token}`, {});
      expect(opened.status).toBe(302);
      expect(opened.headers['set-cookie']).toEqual([expect.stringMatching(/^holdfast_session=.*; Secure$/), expect.stringMatching(/^holdfast_csrf=.*; Secure$/)]);
      await expect(fetch(`http://127.0.0.1:${tls.port}/api/backup/list`, { headers: { authorization: `Bearer ${users.alice}` } })).rejects.toThrow();
    } finally {
      await tls.close();
    }
  });

  test('the CLI serves https with --tls-cert/--tls-key; beyond loopback without TLS or --insecure is exit 2', async () => {
    expect((await runCli(['serve', '--host', '0.0.0.0'], home.env)).code).toBe(2);
    const halfPair = await runCli(['serve', '--tls-cert', join(tlsDir, 'cert.pem')], home.env);
    expect(halfPair.code).toBe(2);
    expect(halfPair.stderr).toContain('--tls-cert and --tls-key go together');
    const openBind = await runCli(['serve', '--host', '0.0.0.0'], home.env);
    expect(openBind.stderr).toContain('--tls-cert <file> --tls-key <file>, or --insecure');
    await expect(startServer(holdfast, { host: '0.0.0.0' })).rejects.toThrow(/clear text/);

    const child = startCli(['serve', '--tls-cert', join(tlsDir, 'cert.pem'), '--tls-key', join(tlsDir, 'key.pem')], home.env, { stdout: true });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const url = new URL(await waitFor('the https URL', () => /Holdfast UI: (https:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)?.[1]));
      const answer = await httpsGet(Number(url.port), '/api/backup/stats', { authorization: `Bearer ${url.searchParams.get('token')}` });
      expect(answer.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  /** A request from another loopback source address (all of 127.0.0.0/8 is loopback), as `curl --interface 127.0.0.X` sends it. */
  function statusFrom(target: RunningServer, localAddress: string, path: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: target.port, path, localAddress, agent: false, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test("failed authentications never lock out a credential that works: after bad tokens the owner's token, a session and /metrics answer at once; failures past ten are 429", async () => {
    const guarded = await startServer(holdfast);
    let closed = false;
    try {
      const opened = await fetch(`http://127.0.0.1:${guarded.port}/?token=${guarded.token}`, { redirect: 'manual' });
      const ownerCookie = opened.headers
        .getSetCookie()
        .find((c) => c.startsWith('holdfast_session='))!
        .split(';')[0]!;
      const before = lastAuditId();
      const failures: Answer[] = [];
      for (let i = 0; i < 15; i += 1) failures.push(await call(guarded, 'GET', '/api/backup/stats', { token: `hf_guess${i}` }));
      expect(failures.map((f) => f.status)).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
      const throttled = failures.at(-1)!;
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(throttled.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED', message: expect.stringContaining('not valid') } });
      // From the same address, straight after: every credential that works, works.
      expect((await call(guarded, 'GET', '/api/backup/stats', { token: guarded.token })).status).toBe(200);
      expect((await call(guarded, 'GET', '/metrics', { token: guarded.token })).status).toBe(200);
      expect((await call(guarded, 'GET', '/api/session', { headers: { cookie: ownerCookie } })).status).toBe(200);
      expect((await call(guarded, 'GET', '/api/backup/stats', { token: users.alice })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${guarded.port}/?token=${guarded.token}`, { redirect: 'manual' })).status).toBe(302);
      expect((await call(guarded, 'POST', '/api/session', { body: { token: users.alice } })).status).toBe(200);
      await guarded.close();
      closed = true;
      // Ten audited one by one; the other five in the summary written when the window ended (here: the server stopped).
      const denials = auditSince(before).filter((e) => e.action === 'api.denied');
      expect(denials.filter((e) => !e.detail.summary)).toHaveLength(10);
      expect(denials.filter((e) => e.detail.summary)).toEqual([
        expect.objectContaining({
          actor: 'anonymous',
          detail: expect.objectContaining({ summary: 'failed authentications', failures: 5, addresses: 1, top: [{ address: '127.0.0.1', failures: 5 }] }),
        }),
      ]);
    } finally {
      if (!closed) await guarded.close();
    }
  });

  test('guesses from 30 source addresses: past a hundred in all every failure is 429, and the audit log gets fifty rows and one summary, not a row per guess', async () => {
    const guarded = await startServer(holdfast);
    let closed = false;
    try {
      const before = lastAuditId();
      const statuses: number[] = [];
      for (let round = 0; round < 9; round += 1) {
        for (let a = 2; a < 32; a += 1) statuses.push(await statusFrom(guarded, `127.0.0.${a}`, '/api/backup/stats', { authorization: `Bearer hf_guess-${round}-${a}` }));
      }
      expect(statuses.slice(0, 100)).toEqual(Array(100).fill(401));
      expect(statuses.slice(100)).toEqual(Array(170).fill(429));
      expect(await statusFrom(guarded, '127.0.0.2', '/api/backup/stats', { authorization: `Bearer ${users.alice}` })).toBe(200);
      expect(await statusFrom(guarded, '127.0.0.99', '/metrics', { authorization: `Bearer ${guarded.token}` })).toBe(200);
      await guarded.close();
      closed = true;
      const denials = auditSince(before).filter((e) => e.action === 'api.denied');
      expect(denials.filter((e) => !e.detail.summary)).toHaveLength(50);
      const summaries = denials.filter((e) => e.detail.summary);
      expect(summaries).toEqual([expect.objectContaining({ detail: expect.objectContaining({ summary: 'failed authentications', failures: 220, addresses: 30 }) })]);
      expect(summaries[0]!.detail.top).toHaveLength(10);
    } finally {
      if (!closed) await guarded.close();
    }
  });

  test('requests with no credentials are refused without counting as failed authentications, and audited fifty a minute whatever their addresses; a stale session cookie is cleared', async () => {
    const guarded = await startServer(holdfast);
    let closed = false;
    try {
      const before = lastAuditId();
      const rpc = await call(guarded, 'POST', '/api/rpc/backup.list', { body: {} });
      expect(rpc.status).toBe(401);
      expect(rpc.body).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      const bare: number[] = [];
      for (let round = 0; round < 4; round += 1) for (let a = 2; a < 32; a += 1) bare.push(await statusFrom(guarded, `127.0.0.${a}`, '/api/backup/stats'));
      expect(bare).toEqual(Array(120).fill(401));
      // None of them was a guess: a wrong token now is still a plain 401.
      expect((await call(guarded, 'GET', '/api/backup/list', { token: 'hf_wrong' })).status).toBe(401);
      expect((await call(guarded, 'GET', '/api/backup/list', { token: users.alice })).status).toBe(200);
      const stale = await call(guarded, 'GET', '/api/backup/list', { headers: { cookie: 'holdfast_session=from-before-a-restart' } });
      expect(stale.status).toBe(401);
      expect(stale.headers.getSetCookie()).toEqual([expect.stringMatching(/^holdfast_session=; .*Max-Age=0/), expect.stringMatching(/^holdfast_csrf=; .*Max-Age=0/)]);
      await guarded.close();
      closed = true;
      const denials = auditSince(before).filter((e) => e.action === 'api.denied');
      // Fifty requests without credentials, the wrong token and the stale cookie, one by one; 71 more summed up.
      expect(denials.filter((e) => !e.detail.summary)).toHaveLength(52);
      expect(denials.filter((e) => e.detail.summary)).toEqual([
        expect.objectContaining({ detail: expect.objectContaining({ summary: 'no credentials or a foreign Host', failures: 71, addresses: 30 }) }),
      ]);
    } finally {
      if (!closed) await guarded.close();
    }
  });

  test('a wrong token at login (the URL or POST /api/session) and an unknown session cookie count as failed authentications; the right one still logs in', async () => {
    const quick = await startServer(holdfast, { authFailureLimit: 3 });
    try {
      expect((await fetch(`http://127.0.0.1:${quick.port}/?token=wrong`)).status).toBe(401);
      expect((await call(quick, 'POST', '/api/session', { body: { token: 'wrong' } })).status).toBe(401);
      expect((await call(quick, 'GET', '/metrics', { headers: { cookie: 'holdfast_session=guess' } })).status).toBe(401);
      const fourth = await call(quick, 'POST', '/api/session', { body: { token: 'wrong' } });
      expect(fourth.status).toBe(429);
      expect(fourth.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
      expect((await fetch(`http://127.0.0.1:${quick.port}/?token=wrong`, { redirect: 'manual' })).status).toBe(429);
      expect((await call(quick, 'GET', '/metrics', { token: quick.token })).status).toBe(200);
      expect((await call(quick, 'POST', '/api/session', { body: { token: quick.token } })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${quick.port}/?token=${quick.token}`, { redirect: 'manual' })).status).toBe(302);
    } finally {
      await quick.close();
    }
  });
});

describe('load', () => {
  test('200 concurrent list/stats requests while a backup runs: no errors, and the backup is intact', async () => {
    await holdfast.addProfile(profileFor(server, 'big', 'bigdb'));
    // Two profiles now: create must be told which.
    const ambiguous = await post('/api/backup/create', {}, users.alice);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error).toMatchObject({ message: expect.stringContaining('2 profiles'), hint: 'One of: big, shop' });

    // The backup's pg_dump waits on this lock, so the burst is answered while the backup runs, however
    // long either takes (how fast the answers come is a bench's question, not this test's).
    const lock = await server.lockTable('bigdb', 'big');
    let backup: Promise<Answer>;
    try {
      backup = post('/api/backup/create', { profile: 'big', customSuffix: 'load' }, users.alice);
      await waitFor('the backup to start', () => holdfast.runningBackups().some((run) => run.profile === 'big'));
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`http://127.0.0.1:${api.port}/api/backup/${i % 2 ? 'stats' : 'list'}`, { headers: { authorization: `Bearer ${users.alice}` } }).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as { success: boolean },
          })),
        ),
      );
      expect(answers.filter((a) => a.status !== 200 || !a.body.success)).toEqual([]);
      expect(holdfast.runningBackups().some((run) => run.profile === 'big')).toBe(true);
    } finally {
      await lock.end();
    }

    const done = await backup;
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body.data.rowCounts).toEqual({ 'public.big': BIG_ROWS });
    const verified = await post(`/api/backup/${done.body.data.filename}/verify`, undefined, users.alice);
    expect(verified.body.data.valid).toBe(true);
  });
});
