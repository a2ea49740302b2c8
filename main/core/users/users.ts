// API users for `holdfast serve`: a name, a role and the SHA-256 of a random token. The token is
// shown once (when the user is added or the token rotated) and never stored, so a copy of the
// catalogue does not let anyone in.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { HoldfastError } from '../model/errors.ts';

export const ROLES = ['admin', 'super-admin'] as const;
export type Role = (typeof ROLES)[number];

/** The name `holdfast serve`'s own printed token acts under; no user may take it. */
export const OWNER_NAME = 'owner';

export const UserNameSchema = lazySchema(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'a user name is 1–64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit')
    .refine((name) => name.toLowerCase() !== OWNER_NAME, `"${OWNER_NAME}" is the name of holdfast serve's own token`),
);

export interface User {
  name: string;
  role: Role;
  createdAt: string;
  /** When the current token was issued (creation or the last rotation). */
  tokenIssuedAt: string;
  /** Updated at most once a minute, so a busy client does not write on every request. */
  lastUsedAt: string | null;
}

/** A user and the hash of their current token: a session remembers the hash, so rotating ends it. */
export interface AuthenticatedUser extends User {
  tokenHash: string;
}

export interface IssuedToken {
  user: User;
  /** Shown once; only its hash is kept. */
  token: string;
}

interface UserRow {
  name: string;
  role: Role;
  token_hash: string;
  created_at: string;
  token_issued_at: string;
  last_used_at: string | null;
}

const TOKEN_PREFIX = 'hf_';
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function userFromRow(row: UserRow): User {
  return { name: row.name, role: row.role, createdAt: row.created_at, tokenIssuedAt: row.token_issued_at, lastUsedAt: row.last_used_at };
}

export class UserStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(name: string, role: Role): IssuedToken {
    const parsedName = UserNameSchema.parse(name);
    const parsedRole = z.enum(ROLES).parse(role);
    const token = newToken();
    const at = this.now().toISOString();
    try {
      this.db.prepare('INSERT INTO users (name, role, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?)').run(parsedName, parsedRole, hashToken(token), at, at);
    } catch (error) {
      if (String((error as Error).message).includes('UNIQUE')) {
        throw new HoldfastError('CONFLICT', `A user named "${parsedName}" already exists.`, 'Choose another name, or give the user a new token with `holdfast user rotate`.');
      }
      throw error;
    }
    return { user: this.require(parsedName), token };
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name COLLATE NOCASE').all() as UserRow[]).map(userFromRow);
  }

  get(name: string): User | undefined {
    const row = this.row(name);
    return row && userFromRow(row);
  }

  require(name: string): User {
    const user = this.get(name);
    if (!user) throw new HoldfastError('NOT_FOUND', `No user named "${name}".`, 'List users with `holdfast user list`.');
    return user;
  }

  remove(name: string): { removed: string } {
    const user = this.require(name);
    this.db.prepare('DELETE FROM users WHERE name = ?').run(user.name);
    return { removed: user.name };
  }

  /** A new token; the old one stops working at once. */
  rotate(name: string): IssuedToken {
    const user = this.require(name);
    const token = newToken();
    this.db.prepare('UPDATE users SET token_hash = ?, token_issued_at = ? WHERE name = ?').run(hashToken(token), this.now().toISOString(), user.name);
    return { user: this.require(user.name), token };
  }

  /**
   * The user whose token this is. Every stored hash is compared in constant time, so neither the
   * comparison nor an index lookup tells a caller how close a guess came.
   */
  authenticate(token: string): AuthenticatedUser | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 256) return undefined;
    const given = Buffer.from(hashToken(token), 'hex');
    let found: UserRow | undefined;
    for (const row of this.db.prepare('SELECT * FROM users').all() as UserRow[]) {
      const stored = Buffer.from(row.token_hash, 'hex');
      if (stored.length === given.length && timingSafeEqual(stored, given)) found = row;
    }
    if (!found) return undefined;
    const now = this.now();
    if (!found.last_used_at || now.getTime() - Date.parse(found.last_used_at) >= LAST_USED_RESOLUTION_MS) {
      found.last_used_at = now.toISOString();
      this.db.prepare('UPDATE users SET last_used_at = ? WHERE name = ?').run(found.last_used_at, found.name);
    }
    return { ...userFromRow(found), tokenHash: found.token_hash };
  }

  /** The user as now stored, with their current token's hash; undefined once removed. */
  current(name: string): AuthenticatedUser | undefined {
    const row = this.row(name);
    return row && { ...userFromRow(row), tokenHash: row.token_hash };
  }

  private row(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }
}
