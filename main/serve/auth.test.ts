import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Catalogue } from '../core/catalogue/catalogue.ts';
import { UserStore } from '../core/users/users.ts';
import { channelAudited, channelChangesState, channelRole, FailureLedger, hasRole, OWNER, principalForToken, sessionPrincipal, SESSIONS_PER_USER, SessionStore } from './auth.ts';

let dir: string;
let catalogue: Catalogue;
let users: UserStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-auth-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
  users = new UserStore(catalogue.db);
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('principalForToken', () => {
  test('the printed token is the owner, a user token its user, anything else nobody', () => {
    const alice = users.add('alice', 'admin');
    expect(principalForToken('owner-secret', 'owner-secret', users)).toEqual({ principal: OWNER });
    expect(principalForToken(alice.token, 'owner-secret', users)).toMatchObject({ principal: { name: 'alice', role: 'admin', kind: 'user' } });
    expect(principalForToken('owner-secreT', 'owner-secret', users)).toBeUndefined();
    expect(principalForToken(undefined, 'owner-secret', users)).toBeUndefined();
  });
});

describe('sessions', () => {
  test('a session ends after the idle time, and each use keeps it alive', () => {
    let now = 0;
    const sessions = new SessionStore(1000, () => now);
    const session = sessions.create(OWNER);
    expect(session.id).not.toBe(session.csrf);
    now = 900;
    expect(sessions.get(session.id)).toBe(session);
    now = 1800;
    expect(sessions.get(session.id)).toBe(session);
    now = 2801;
    expect(sessions.get(session.id)).toBeUndefined();
    expect(sessions.get('made-up')).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  test("one user's logins, however many, never end another user's session", () => {
    let now = 0;
    const sessions = new SessionStore(60_000, () => now);
    const owner = sessions.create(OWNER);
    const bob = sessions.create({ name: 'bob', role: 'admin', kind: 'user' }, 'bob-hash');
    const alice = { name: 'alice', role: 'admin', kind: 'user' } as const;
    let last = sessions.create(alice, 'alice-hash');
    for (let i = 0; i < 10_050; i += 1) {
      now += 1;
      last = sessions.create(alice, 'alice-hash');
    }
    expect(sessions.get(owner.id)).toBe(owner);
    expect(sessions.get(bob.id)).toBe(bob);
    expect(sessions.get(last.id)).toBe(last);
    expect(sessions.size).toBe(SESSIONS_PER_USER + 2);
  });

  test("past SESSIONS_PER_USER, a login ends that user's least recently used session", () => {
    let now = 0;
    const sessions = new SessionStore(60_000, () => now);
    const opened = Array.from({ length: SESSIONS_PER_USER }, () => {
      now += 1;
      return sessions.create(OWNER);
    });
    now += 1;
    // The first is still in use (a browser tab); the second was left behind (a script's login).
    expect(sessions.get(opened[0]!.id)).toBe(opened[0]);
    now += 1;
    const newest = sessions.create(OWNER);
    expect(sessions.get(opened[1]!.id)).toBeUndefined();
    expect(sessions.get(opened[0]!.id)).toBe(opened[0]);
    expect(sessions.get(newest.id)).toBe(newest);
    expect(sessions.size).toBe(SESSIONS_PER_USER);
  });

  test("a user's session ends when the user is removed or their token rotated", () => {
    const sessions = new SessionStore();
    const bob = users.add('bob', 'super-admin');
    const opened = principalForToken(bob.token, 'x', users)!;
    const session = sessions.create(opened.principal, opened.tokenHash);
    expect(sessionPrincipal(session, users)).toEqual({ name: 'bob', role: 'super-admin', kind: 'user' });
    users.rotate('bob');
    expect(sessionPrincipal(session, users)).toBeUndefined();
    const again = principalForToken(users.rotate('bob').token, 'x', users)!;
    const second = sessions.create(again.principal, again.tokenHash);
    users.remove('bob');
    expect(sessionPrincipal(second, users)).toBeUndefined();
    expect(sessionPrincipal(sessions.create(OWNER), users)).toBe(OWNER);
  });
});

describe('FailureLedger', () => {
  test("past the per-address limit an address's failures are answered 429 until the window ends; nothing is ever locked", () => {
    let now = 0;
    const ledger = new FailureLedger({ perAddress: 10, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 10; i += 1) expect(ledger.record('10.0.0.1')).toEqual({ audit: true, retryAfterMs: 0 });
    now = 1000;
    expect(ledger.record('10.0.0.1')).toEqual({ audit: false, retryAfterMs: 59_000 });
    expect(ledger.record('10.0.0.2')).toEqual({ audit: true, retryAfterMs: 0 });
    now = 60_000;
    expect(ledger.record('10.0.0.1')).toEqual({ audit: true, retryAfterMs: 0 });
  });

  test('270 guesses from 30 addresses: past the total limit every failure is 429, and only the first fifty are audited one by one; the rest make one summary', () => {
    let now = 0;
    const ledger = new FailureLedger({ perAddress: 10, total: 100, audited: 50, windowMs: 60_000 }, () => now);
    const verdicts = [];
    for (let round = 0; round < 9; round += 1) for (let a = 0; a < 30; a += 1) verdicts.push(ledger.record(`127.0.0.${a + 2}`));
    expect(verdicts.filter((v) => v.retryAfterMs === 0)).toHaveLength(100);
    expect(verdicts.slice(100).every((v) => v.retryAfterMs === 60_000)).toBe(true);
    expect(verdicts.filter((v) => v.audit)).toHaveLength(50);
    // The window has not ended: nothing to summarise yet.
    expect(ledger.takeSummary()).toBeUndefined();
    now = 60_000;
    const summary = ledger.takeSummary()!;
    expect(summary).toMatchObject({ fromMs: 0, toMs: 60_000, failures: 220, addresses: 30 });
    expect(summary.top).toHaveLength(10);
    expect(summary.top[0]).toEqual({ address: '127.0.0.22', failures: 8 });
    // Each summary is handed out once.
    expect(ledger.takeSummary()).toBeUndefined();
  });

  test('a window can be ended early (the server stopping); a window without unaudited failures has no summary', () => {
    let now = 0;
    const ledger = new FailureLedger({ perAddress: 2, windowMs: 60_000 }, () => now);
    ledger.record('a');
    expect(ledger.takeSummary(true)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) ledger.record('a');
    now = 5000;
    expect(ledger.takeSummary(true)).toEqual({ fromMs: 0, toMs: 5000, failures: 1, addresses: 1, top: [{ address: 'a', failures: 1 }] });
  });

  test('any number of addresses: memory stays bounded and every failure is still counted', () => {
    const ledger = new FailureLedger({ perAddress: 10, total: 100, audited: 50, windowMs: 60_000 }, () => 0);
    for (let i = 0; i < 30_000; i += 1) ledger.record(`fd00::${i.toString(16)}`);
    expect(ledger.trackedAddresses).toBeLessThanOrEqual(10_000);
    const summary = ledger.takeSummary(true)!;
    expect(summary.failures).toBe(30_000 - 50);
    expect(summary.addresses).toBeLessThanOrEqual(10_000);
  });
});

describe('roles', () => {
  test("an identity's secret never crosses serve: key.export is host-only, refused even to the owner", () => {
    expect(channelRole('key.export', { name: 'backups' })).toBe('host-only');
    expect(hasRole(OWNER, channelRole('key.export', { name: 'backups' }))).toBe(false);
    expect(hasRole(OWNER, channelRole('key.generate', {}))).toBe(true);
  });

  test('restore and user management need a super-admin; everything else an admin', () => {
    const admin = { name: 'a', role: 'admin', kind: 'user' } as const;
    expect(channelRole('backup.restore')).toBe('super-admin');
    expect(channelRole('user.add')).toBe('super-admin');
    expect(channelRole('user.list')).toBe('super-admin');
    expect(channelRole('backup.create')).toBe('admin');
    expect(channelRole('profile.add')).toBe('admin');
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', tags: [] })).toBe('admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { notes: 'moved', name: 'y' } })).toBe('admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { host: 'attacker.example' } })).toBe('super-admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { sslmode: 'disable' } })).toBe('super-admin');
    expect(channelRole('profile.import', { pgpass: true })).toBe('admin');
    // Reaching the Holdfast host itself: a program it runs, SQL as a scratch superuser, any file read.
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', drillChecks: ["COPY (SELECT 1) TO PROGRAM 'id'"] })).toBe('super-admin');
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', pgBinDir: '/tmp/evil' })).toBe('super-admin');
    // SSL files are read by Holdfast itself: any path on the host (a FIFO stalled holdfast serve), or the owner's client key for any host.
    for (const file of ['sslrootcert', 'sslcert', 'sslkey']) {
      expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', [file]: '/proc/kmsg' }), file).toBe('super-admin');
      expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', [file]: null }), file).toBe('admin');
    }
    // A Unix socket is answered by peer authentication as Holdfast's own OS user (postgres, often a superuser), not by a password.
    for (const host of ['/var/run/postgresql', '/tmp', '@abstract']) {
      expect(channelRole('profile.add', { name: 'x', host, user: 'postgres', dbname: 'd' }), host).toBe('super-admin');
      expect(channelRole('profile.testDraft', { profile: { name: 'x', host, user: 'postgres', dbname: 'd' } }), host).toBe('super-admin');
    }
    expect(channelRole('profile.testDraft', { profile: { name: 'x', host: 'db.example', user: 'app', dbname: 'd' }, password: 'p' })).toBe('admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { drillChecks: ['SELECT true'] } })).toBe('super-admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { pgBinDir: null } })).toBe('super-admin');
    expect(channelRole('profile.import', { pgpass: '/etc/passwd' })).toBe('super-admin');
    expect(channelRole('profile.import', { serviceFile: '/home/holdfast/app.ini' })).toBe('super-admin');
    expect(channelRole('backup.adopt', { dir: '/' })).toBe('super-admin');
    expect(hasRole(admin, 'admin')).toBe(true);
    expect(hasRole(admin, 'super-admin')).toBe(false);
    expect(hasRole(OWNER, 'super-admin')).toBe(true);
  });

  test('tags, where a profile connects and libpq password files need a super-admin; so does a drill on a designated server', () => {
    // Tags decide what is production and which server a drill may create databases on.
    expect(channelRole('profile.edit', { name: 'x', changes: { tags: [] } })).toBe('super-admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { tags: ['drill-target'] } })).toBe('super-admin');
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', tags: ['drill-target'] })).toBe('super-admin');
    // Moving a profile sends its data and its credentials elsewhere, password given again or not.
    for (const changes of [{ host: 'h2' }, { port: 5433 }, { user: 'u2' }, { dbname: 'd2' }, { service: 's' }, { sslmode: 'require' }, { sslrootcert: '/ca' }, { sslcert: '/c' }, { sslkey: '/k' }]) {
      expect(channelRole('profile.edit', { name: 'x', changes }), JSON.stringify(changes)).toBe('super-admin');
      expect(channelRole('profile.edit', { name: 'x', changes, password: 'new' }), JSON.stringify(changes)).toBe('super-admin');
      expect(channelRole('profile.edit', { name: 'x', changes, forgetPassword: true }), JSON.stringify(changes)).toBe('super-admin');
    }
    // libpq's own password files (~/.pgpass, PGPASSFILE, service files) answer for any host they match.
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', libpqPasswordFiles: true })).toBe('super-admin');
    expect(channelRole('profile.add', { name: 'x', host: 'h', user: 'u', dbname: 'd', libpqPasswordFiles: false })).toBe('admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { libpqPasswordFiles: true } })).toBe('super-admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { libpqPasswordFiles: false } })).toBe('admin');
    expect(channelRole('backup.testRestore', { ref: 'b', onProfile: 'scratchpad' })).toBe('super-admin');
    expect(channelRole('backup.testRestore', { ref: 'b' })).toBe('admin');
    expect(channelRole('backup.testRestore', { ref: 'b', major: 16 })).toBe('admin');
    // What `holdfast verify --test-restore` calls (a backup's or a set's drill) is raised the same way.
    expect(channelRole('drill.start', { ref: 'b', onProfile: 'scratchpad' })).toBe('super-admin');
    expect(channelRole('drill.start', { ref: 'b' })).toBe('admin');
    // A profile turned whole-server reads every database its role can reach.
    expect(channelRole('profile.edit', { name: 'x', changes: { wholeServer: { excludeDatabases: [], parallelDatabases: null } } })).toBe('super-admin');
    expect(channelRole('profile.edit', { name: 'x', changes: { wholeServer: null } })).toBe('super-admin');
  });

  test('who can read the backups (its encryption) is chosen by a super-admin: an admin cannot turn it off or add their own key', () => {
    const options = (encryptTo: unknown) => ({ format: 'custom', encryptTo });
    for (const encryptTo of ['none', ['age1attackerrecipient'], ['backups']]) {
      expect(channelRole('backup.create', { profile: 'p', options: options(encryptTo) }), JSON.stringify(encryptTo)).toBe('super-admin');
      expect(channelRole('backup.take', { profile: 'p', options: options(encryptTo) }), JSON.stringify(encryptTo)).toBe('super-admin');
      expect(channelRole('schedule.add', { profile: 'p', type: 'daily', options: options(encryptTo) }), JSON.stringify(encryptTo)).toBe('super-admin');
      expect(channelRole('schedule.edit', { id: 1, options: options(encryptTo) }), JSON.stringify(encryptTo)).toBe('super-admin');
      expect(channelRole('profile.edit', { name: 'p', changes: { encryptTo } }), JSON.stringify(encryptTo)).toBe('super-admin');
    }
    // Back to the default (BACKUP_ENCRYPTION_KEY decides) is a choice of who reads too.
    expect(channelRole('profile.edit', { name: 'p', changes: { encryptTo: null } })).toBe('super-admin');
    expect(channelRole('schedule.edit', { id: 1, inheritEncryption: true })).toBe('super-admin');
    // Leaving it out keeps whatever was chosen: an admin's everyday backup and schedule.
    expect(channelRole('backup.create', { profile: 'p', options: { format: 'custom' } })).toBe('admin');
    expect(channelRole('backup.take', { profile: 'p', options: {} })).toBe('admin');
    expect(channelRole('schedule.add', { profile: 'p', type: 'daily' })).toBe('admin');
    expect(channelRole('schedule.edit', { id: 1, options: { format: 'plain' } })).toBe('admin');
    expect(channelRole('profile.edit', { name: 'p', changes: { notes: 'x' } })).toBe('admin');
  });

  test('reads are not audited as changes; anything unknown is', () => {
    expect(channelChangesState('backup.list')).toBe(false);
    expect(channelChangesState('backup.create')).toBe(true);
    expect(channelChangesState('some.future.channel')).toBe(true);
    // Pinning changes what retention may delete: a change any admin may make, audited as one.
    expect(channelChangesState('backup.pin')).toBe(true);
    expect(channelRole('backup.pin', { ref: 'b', pinned: true })).toBe('admin');
  });

  test('a read that reaches out from the host (testing a typed connection: any host and port) is audited like a change', () => {
    expect(channelAudited('profile.testDraft')).toBe(true);
    expect(channelAudited('backup.list')).toBe(false);
    expect(channelAudited('backup.create')).toBe(true);
    expect(channelAudited('some.future.channel')).toBe(true);
  });
});
