// Who is calling `holdfast serve` and what they may do: the owner's printed token and API users'
// tokens, browser sessions (a random session id in an HttpOnly cookie, a CSRF token per session),
// failed authentications counted (never locking out a credential that works), and the role each
// operation needs.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { channelFacts, type ChannelRole } from '../channels.ts';
import { OWNER_NAME, type Role, type UserStore } from '../core/users/users.ts';

export interface Principal {
  name: string;
  role: Role;
  /** The owner holds the token `holdfast serve` printed; users hold their own (`holdfast user add`). */
  kind: 'owner' | 'user';
}

export const OWNER: Principal = { name: OWNER_NAME, role: 'super-admin', kind: 'owner' };

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A token's holder: the owner, or the API user it was issued to. */
export function principalForToken(token: string | undefined, ownerToken: string, users: UserStore): { principal: Principal; tokenHash?: string } | undefined {
  if (!token) return undefined;
  if (sameSecret(token, ownerToken)) return { principal: OWNER };
  const user = users.authenticate(token);
  return user && { principal: { name: user.name, role: user.role, kind: 'user' }, tokenHash: user.tokenHash };
}

// --- sessions -------------------------------------------------------------------------------------

export interface Session {
  id: string;
  /** Echoed by the page as X-CSRF-Token on every state-changing request (double submit). */
  csrf: string;
  principal: Principal;
  /** The user's token hash when the session began: rotating or removing the user ends the session. */
  tokenHash: string | undefined;
  lastSeenMs: number;
}

const DEFAULT_IDLE_MS = 12 * 60 * 60 * 1000;
/**
 * Live sessions one user (or the owner) may hold: a few browsers and scripts. Past it, a login ends
 * that user's least recently used session. Never another user's: a cap on all sessions together let
 * one admin's logins log everybody out. Memory stays bounded by this times the number of users.
 */
export const SESSIONS_PER_USER = 20;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** Each holder's session ids, so a login looks only at that holder's own. */
  private readonly byHolder = new Map<string, Set<string>>();

  constructor(
    private readonly idleMs = DEFAULT_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  create(principal: Principal, tokenHash?: string): Session {
    const holder = holderOf(principal);
    this.makeRoomFor(holder);
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), principal, tokenHash, lastSeenMs: this.now() };
    this.sessions.set(session.id, session);
    const own = this.byHolder.get(holder) ?? new Set<string>();
    this.byHolder.set(holder, own.add(session.id));
    return session;
  }

  /** A holder at SESSIONS_PER_USER loses its idle sessions, or else its least recently used one. */
  private makeRoomFor(holder: string): void {
    const own = [...(this.byHolder.get(holder) ?? [])].map((id) => this.sessions.get(id)!);
    if (own.length < SESSIONS_PER_USER) return;
    const live = own.filter((session) => this.now() - session.lastSeenMs <= this.idleMs);
    for (const session of own) if (!live.includes(session)) this.delete(session.id);
    if (live.length < SESSIONS_PER_USER) return;
    this.delete(live.reduce((least, session) => (session.lastSeenMs < least.lastSeenMs ? session : least)).id);
  }

  /** The live session with this id; using it keeps it alive. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeenMs > this.idleMs) {
      this.delete(id);
      return undefined;
    }
    session.lastSeenMs = this.now();
    return session;
  }

  delete(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    const holder = holderOf(session.principal);
    const own = this.byHolder.get(holder);
    own?.delete(id);
    if (own?.size === 0) this.byHolder.delete(holder);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Whose session it is: the owner, or one API user by name (no user may be called "owner"). */
function holderOf(principal: Principal): string {
  return `${principal.kind}:${principal.name}`;
}

/**
 * Whether a session still speaks for its user: the owner's always does; a user's only while the
 * user exists with the token the session was opened with. The role is read fresh each time.
 */
export function sessionPrincipal(session: Session, users: UserStore): Principal | undefined {
  if (session.principal.kind === 'owner') return session.principal;
  const user = users.current(session.principal.name);
  if (!user || user.tokenHash !== session.tokenHash) return undefined;
  return { name: user.name, role: user.role, kind: 'user' };
}

// --- failed authentications -----------------------------------------------------------------------

export interface FailureLimits {
  /** Failures from one address in a window before its failures are answered 429. */
  perAddress: number;
  /** Failures from all addresses together in a window before every failure is answered 429. */
  total: number;
  /** Failures audited one by one in a window, from all addresses together; the rest go into its summary. */
  audited: number;
  windowMs: number;
}

export interface FailureVerdict {
  /** Audit this failure on its own; false: it is counted in the window's summary instead. */
  audit: boolean;
  /** Above 0: answer 429 with this long to wait (the rest of the window); 0: a plain refusal. */
  retryAfterMs: number;
}

/** The failures of one window that were not audited one by one. */
export interface FailureSummary {
  fromMs: number;
  toMs: number;
  failures: number;
  /** How many addresses they came from (the first 10,000 of a window are told apart). */
  addresses: number;
  /** The ten addresses that sent the most, most first. */
  top: Array<{ address: string; failures: number }>;
}

/** Addresses told apart per window; past it (an IPv6 prefix has plenty) failures still count in total. */
const TRACKED_ADDRESSES = 10_000;

/**
 * Failed authentications, counted per address and in total over fixed windows. They never make a
 * credential that works fail: that is always checked (a timing-safe compare and a SHA-256 lookup cost
 * little) and always accepted, and tokens are 256-bit, so refusing it protects nothing (a lockout
 * did, and let ten bad tokens from any local process lock the owner out). What the counts
 * protect is the audit log: each address's first `perAddress` failures in a window, and no more than
 * `audited` in all, are audited one by one; the rest add up to one summary per window, however many
 * addresses send them. Past `perAddress` from one address, or `total` from all, a failure is answered
 * 429 with the time left in the window, to tell a script to stop.
 */
export class FailureLedger {
  readonly limits: FailureLimits;
  private windowStart: number;
  private total = 0;
  private audited = 0;
  private readonly fromAddress = new Map<string, number>();
  private unaudited = 0;
  private readonly unauditedFrom = new Map<string, number>();
  private pending: FailureSummary | undefined;

  constructor(
    limits: Partial<FailureLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    const perAddress = limits.perAddress ?? 10;
    this.limits = { perAddress, total: limits.total ?? perAddress * 10, audited: limits.audited ?? perAddress * 5, windowMs: limits.windowMs ?? 60_000 };
    this.windowStart = now();
  }

  record(address: string): FailureVerdict {
    this.roll(false);
    this.total += 1;
    const fromAddress = (this.fromAddress.get(address) ?? 0) + 1;
    if (fromAddress > 1 || this.fromAddress.size < TRACKED_ADDRESSES) this.fromAddress.set(address, fromAddress);
    const audit = fromAddress <= this.limits.perAddress && this.audited < this.limits.audited;
    if (audit) {
      this.audited += 1;
    } else {
      this.unaudited += 1;
      const before = this.unauditedFrom.get(address);
      if (before !== undefined || this.unauditedFrom.size < TRACKED_ADDRESSES) this.unauditedFrom.set(address, (before ?? 0) + 1);
    }
    const throttled = fromAddress > this.limits.perAddress || this.total > this.limits.total;
    return { audit, retryAfterMs: throttled ? this.windowStart + this.limits.windowMs - this.now() : 0 };
  }

  /**
   * The summary of a window that has ended with failures not audited one by one, once; `endWindow`
   * ends the current window now (the server stopping). Windows end lazily, at the next call.
   */
  takeSummary(endWindow = false): FailureSummary | undefined {
    this.roll(endWindow);
    const summary = this.pending;
    this.pending = undefined;
    return summary;
  }

  get trackedAddresses(): number {
    return Math.max(this.fromAddress.size, this.unauditedFrom.size);
  }

  private roll(force: boolean): void {
    const now = this.now();
    if (!force && now - this.windowStart < this.limits.windowMs) return;
    if (this.unaudited > 0) {
      const summary: FailureSummary = {
        fromMs: this.windowStart,
        toMs: Math.min(now, this.windowStart + this.limits.windowMs),
        failures: this.unaudited,
        addresses: this.unauditedFrom.size,
        top: busiest(this.unauditedFrom),
      };
      // Not taken since an earlier window ended: the two become one entry.
      this.pending = this.pending
        ? {
            ...summary,
            fromMs: this.pending.fromMs,
            failures: this.pending.failures + summary.failures,
            addresses: this.pending.addresses + summary.addresses,
            top: busiest(new Map([...this.pending.top, ...summary.top].map((t) => [t.address, t.failures]))),
          }
        : summary;
    }
    this.windowStart = now;
    this.total = 0;
    this.audited = 0;
    this.fromAddress.clear();
    this.unaudited = 0;
    this.unauditedFrom.clear();
  }
}

function busiest(counts: Map<string, number>): FailureSummary['top'] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([address, failures]) => ({ address, failures }));
}

// --- what each role may do --------------------------------------------------------------------------

/**
 * Restoring overwrites databases (and recovering an interrupted one renames or drops them) and users
 * hold the keys: both are for super-admins only. So is
 * anything that reaches the Holdfast host rather than a database server (a Unix socket's peer
 * authentication lets in Holdfast's own OS user without a password): a profile's pgBinDir is
 * executed, its drill checks are SQL run as the superuser of a scratch server Holdfast starts as its
 * own OS user (COPY … TO PROGRAM, pg_read_file), and import and adopt read whatever path they are given.
 * And so is whatever decides where data and credentials go:
 * - a profile's tags: `production` keeps drills off a server, `drill-target` lets a drill create and
 *   drop databases on it (any change to tags, and a new profile with any tag);
 * - where an existing profile connects (host, port, user, dbname, service, SSL settings), with or
 *   without its password given again: its backups, restores and libpq's passwords follow it;
 * - letting libpq's own password files (~/.pgpass, PGPASSFILE, service files) answer for a profile,
 *   since a wildcard line answers whatever host the profile names;
 * - a restore drill on a designated profile's server (it creates and drops a database there);
 * - who a backup is encrypted to (`encryptTo` in a backup's or a schedule's options, or a profile's
 *   change): "none" or an admin's own recipient, then a download, would give an admin the plaintext.
 * REST routes call channels through the same rule (rest/routes.ts), so a route's field cannot skip it.
 */
export function channelRole(channel: string, input?: unknown): ChannelRole {
  // The table's role (an unknown channel is refused by the contract; it needs the most here).
  const base = channelFacts(channel)?.role ?? 'super-admin';
  if (base !== 'admin') return base;
  return reachesHost(channel, input) || steersData(channel, input) ? 'super-admin' : 'admin';
}

const fieldsOf = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

function reachesHost(channel: string, input: unknown): boolean {
  const fields = fieldsOf(input);
  const profileTouchesHost = (profile: unknown) => typeof profile === 'object' && profile !== null && ('pgBinDir' in profile || 'drillChecks' in profile);
  // SSL files are read by Holdfast itself, as its own OS user: any path on the host (a FIFO stalled the
  // whole server), or the owner's client key presented to whatever host the new profile names.
  const namesSslFile = (profile: Record<string, unknown>) => ['sslrootcert', 'sslcert', 'sslkey'].some((field) => typeof profile[field] === 'string');
  // A Unix socket (a directory, or Linux's abstract @name) is answered by the server on this host, and
  // peer authentication lets in Holdfast's own OS user (postgres, often) with no password at all.
  const namesSocket = (profile: Record<string, unknown>) => typeof profile.host === 'string' && /^[/@]/.test(profile.host);
  switch (channel) {
    case 'profile.add':
      return profileTouchesHost(fields) || namesSslFile(fields) || namesSocket(fields);
    // The same connection as an add, tried before it is saved: the same reach.
    case 'profile.testDraft':
      return profileTouchesHost(fields.profile) || namesSslFile(fieldsOf(fields.profile)) || namesSocket(fieldsOf(fields.profile));
    case 'profile.edit':
      return profileTouchesHost(fields.changes);
    case 'profile.import':
      // `true` is libpq's own file of the Holdfast user; a string is any file on the host.
      return typeof fields.pgpass === 'string' || typeof fields.serviceFile === 'string';
    default:
      return false;
  }
}

/** Where an existing profile connects: changing any of them sends its data and credentials elsewhere. */
const CONNECTION_FIELDS = ['host', 'port', 'user', 'dbname', 'service', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

/** Anything but a plain `false` (or leaving it out) asks for libpq's password files. */
const enablesLibpqPasswords = (profile: Record<string, unknown>) => 'libpqPasswordFiles' in profile && profile.libpqPasswordFiles !== false;

/** Backup options that say who the backup is encrypted to (left out: the profile's or the default choice stands). */
const choosesEncryption = (options: unknown) => fieldsOf(options).encryptTo !== undefined;

function steersData(channel: string, input: unknown): boolean {
  const fields = fieldsOf(input);
  switch (channel) {
    case 'profile.add':
      return ('tags' in fields && !(Array.isArray(fields.tags) && fields.tags.length === 0)) || enablesLibpqPasswords(fields);
    // libpq's password files answering for a typed connection would read the owner's ~/.pgpass for any host.
    case 'profile.testDraft':
      return enablesLibpqPasswords(fieldsOf(fields.profile));
    case 'profile.edit': {
      const changes = fieldsOf(fields.changes);
      // wholeServer: from one database to every database the role can reach on the server (or back).
      return 'tags' in changes || 'wholeServer' in changes || 'encryptTo' in changes || CONNECTION_FIELDS.some((field) => field in changes) || enablesLibpqPasswords(changes);
    }
    // Who a backup is encrypted to is who can read it: "none" or an admin's own recipient, then a
    // download, would hand an admin the plaintext of a database the owner chose to encrypt.
    case 'backup.create':
    case 'backup.take':
    case 'schedule.add':
      return choosesEncryption(fields.options);
    case 'schedule.edit':
      return choosesEncryption(fields.options) || fields.inheritEncryption !== undefined;
    // drill.start is what `holdfast verify --test-restore` calls (a backup's or a set's drill).
    case 'backup.testRestore':
    case 'drill.start':
      return fields.onProfile !== undefined;
    default:
      return false;
  }
}

/** Whether a principal of serve may make a call needing this role; a host-only call, none may. */
export function hasRole(principal: Principal, needed: ChannelRole): boolean {
  if (needed === 'host-only') return false;
  return needed === 'admin' || principal.role === 'super-admin';
}

/** Whether a call is audited as a change: every channel the table does not mark read-only (main/channels.ts). */
export function channelChangesState(channel: string): boolean {
  return channelFacts(channel)?.changesState ?? true;
}

/** Whether serve writes an audit entry for a call: every change, and the reads that reach out from the host. */
export function channelAudited(channel: string): boolean {
  const facts = channelFacts(channel);
  return facts === undefined || facts.changesState || facts.reachesOut === true;
}
