import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Catalogue } from '../catalogue/catalogue.ts';
import { actingUser, runAs } from './acting.ts';
import { hashToken, UserStore } from './users.ts';

let dir: string;
let catalogue: Catalogue;
let clock: Date;
let users: UserStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-users-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
  clock = new Date('2024-01-15T10:00:00.000Z');
  users = new UserStore(catalogue.db, () => clock);
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UserStore', () => {
  test('add issues a 32-byte random token once and stores only its SHA-256', () => {
    const { user, token } = users.add('alice', 'admin');
    expect(user).toEqual({ name: 'alice', role: 'admin', createdAt: clock.toISOString(), tokenIssuedAt: clock.toISOString(), lastUsedAt: null });
    expect(token).toMatch(/^hf_[A-Za-z0-9_-]{43}$/);
    const stored = catalogue.db.prepare('SELECT token_hash FROM users WHERE name = ?').pluck().get('alice');
    expect(stored).toBe(hashToken(token));
    catalogue.close();
    // Not in the database file in any form a reader could use.
    expect(readFileSync(join(dir, 'catalogue.sqlite')).includes(token)).toBe(false);
    catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
  });

  test('authenticate finds the user by token; a wrong, foreign or removed token finds nobody', () => {
    const alice = users.add('alice', 'admin');
    const bob = users.add('bob', 'super-admin');
    expect(users.authenticate(alice.token)).toMatchObject({ name: 'alice', role: 'admin', tokenHash: hashToken(alice.token) });
    expect(users.authenticate(bob.token)).toMatchObject({ name: 'bob', role: 'super-admin' });
    expect(users.authenticate(`${alice.token}x`)).toBeUndefined();
    expect(users.authenticate('not a holdfast token')).toBeUndefined();
    expect(users.authenticate('')).toBeUndefined();
    users.remove('alice');
    expect(users.authenticate(alice.token)).toBeUndefined();
    expect(users.list().map((u) => u.name)).toEqual(['bob']);
  });

  test('rotate replaces the token: the old one stops working, the new one works', () => {
    const first = users.add('carol', 'admin');
    clock = new Date('2024-01-16T10:00:00.000Z');
    const second = users.rotate('carol');
    expect(second.token).not.toBe(first.token);
    expect(users.authenticate(first.token)).toBeUndefined();
    expect(users.authenticate(second.token)).toMatchObject({ name: 'carol', tokenIssuedAt: clock.toISOString() });
    expect(users.current('carol')?.tokenHash).toBe(hashToken(second.token));
  });

  test('last use is recorded, at most once a minute', () => {
    const { token } = users.add('dave', 'admin');
    users.authenticate(token);
    expect(users.get('dave')?.lastUsedAt).toBe('2024-01-15T10:00:00.000Z');
    clock = new Date('2024-01-15T10:00:30.000Z');
    users.authenticate(token);
    expect(users.get('dave')?.lastUsedAt).toBe('2024-01-15T10:00:00.000Z');
    clock = new Date('2024-01-15T10:01:00.000Z');
    users.authenticate(token);
    expect(users.get('dave')?.lastUsedAt).toBe('2024-01-15T10:01:00.000Z');
  });

  test('names are unique regardless of case; bad names, roles and the owner name are refused', () => {
    users.add('Erin', 'admin');
    expect(() => users.add('erin', 'admin')).toThrow(/already exists/);
    expect(() => users.add('owner', 'admin')).toThrow(/holdfast serve's own token/);
    expect(() => users.add('../x', 'admin')).toThrow(/user name/);
    expect(() => users.add('frank', 'root' as never)).toThrow();
    expect(() => users.rotate('nobody')).toThrow(/No user named "nobody"/);
    expect(() => users.remove('nobody')).toThrow(/No user named "nobody"/);
  });
});

describe('runAs', () => {
  test('names the acting user for the work it runs, including across awaits, and only there', async () => {
    expect(actingUser()).toBeUndefined();
    const seen = await Promise.all([
      runAs('alice', async () => {
        await new Promise((r) => setTimeout(r, 5));
        return actingUser();
      }),
      runAs('bob', async () => actingUser()),
    ]);
    expect(seen).toEqual(['alice', 'bob']);
    expect(actingUser()).toBeUndefined();
  });
});
