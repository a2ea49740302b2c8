// Whole-server backup sets as the engine offers them (the facade hands out one of these): take a set
// with its events told per member, list and show sets with their members, and verify every member,
// the roles file and the manifest. Restore and drill live beside it (restore-set.ts, drill-set.ts).
import type { BackupProgress, EngineContext } from '../backup/backup.ts';
import type { BackupOptions } from '../backup/options.ts';
import { BackupOptionsSchema } from '../backup/options.ts';
import { encryptionPlan, type EncryptionPlan, type KeyLookup } from '../encryption/encryption-plan.ts';
import type { EventBus } from '../events/bus.ts';
import type { BackupTrigger } from '../events/events.ts';
import { exists, sha256File } from '../fsutil/durable.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import type { verifyBackup, VerifyCheck, VerifyResult } from '../verify/verify.ts';
import type { BackupSet, SetMember, SetStatus } from './set-record.ts';
import { SetStore } from './set-rows.ts';
import type { manifestChecksum, takeSet } from './take-set.ts';
import type { drillSet, SetDrillResult } from './drill-set.ts';
import type { restoreSet, SetRestoreRequest, SetRestoreResult } from './restore-set.ts';
import type { deleteSet, SetDeleteReport } from './delete-set.ts';
import type { Offsite } from '../storage/offsite.ts';

/**
 * Taking, restoring, drilling, deleting and verifying a set. Every `holdfast` command builds a
 * BackupSets and few use these, so the facade hands them over when first asked (../on-demand.ts).
 */
export interface SetOperations {
  takeSet: typeof takeSet;
  manifestChecksum: typeof manifestChecksum;
  restoreSet: typeof restoreSet;
  drillSet: typeof drillSet;
  deleteSet: typeof deleteSet;
  verifyBackup: typeof verifyBackup;
}

/**
 * Verify answers "is every file this set holds intact and readable?": `valid`. Whether the set holds
 * every database is a separate fact (its status, said since it was taken): `complete`, with what it
 * lacks and each one's next step in `missing`. A partial set whose files are intact is valid and not
 * complete; a damaged or vanished file it holds makes it invalid, partial or not.
 */
export interface SetVerifyResult {
  id: string;
  kind: 'set';
  valid: boolean;
  /** The set's own files: its manifest and its roles file (skipped when the set never had one: it is in `missing`'s account). */
  checks: VerifyCheck[];
  /** Every database the set expected; `held` false for one it lacks (then `error` says why, and `result` is null). */
  databases: Array<{ database: string; held: boolean; result: VerifyResult | null; error: string | null }>;
  /** The set's status as taken: completed, partial, or interrupted. */
  status: SetStatus;
  /** Whether the set holds every database it expected and the roles file. */
  complete: boolean;
  /** The databases the set lacks, why, and what to do (the set's own hints, as `list` shows them). */
  missing: Array<Pick<SetMember, 'database' | 'error' | 'hint' | 'appHint'>>;
}

export type SetEngine = EngineContext & { events: Pick<EventBus, 'emit'>; offsite: Pick<Offsite, 'readable' | 'sourceFor' | 'removeAll'>; keyring: KeyLookup };

export class BackupSets {
  private opened: SetStore | undefined;

  /** Made when the facade builds this, before its catalogue is open: the store opens on first use. */
  constructor(
    private readonly engine: SetEngine,
    private readonly onDemand: () => Promise<SetOperations>,
  ) {}

  get store(): SetStore {
    this.opened ??= new SetStore(this.engine.catalogue.db);
    return this.opened;
  }

  isWholeServer(profile: string): boolean {
    return Boolean(this.engine.catalogue.getProfile(profile)?.wholeServer);
  }

  /** A set of a whole-server profile; backup.started once, then backup.completed or backup.failed per member (audit, log, notifications). */
  async take(profileName: string, options: Partial<BackupOptions>, hooks: { signal?: AbortSignal; onProgress?: (progress: BackupProgress) => void; trigger?: BackupTrigger } = {}): Promise<BackupSet> {
    const profile = this.engine.catalogue.requireProfile(profileName);
    const trigger = hooks.trigger ?? { kind: 'manual' };
    const { events } = this.engine;
    let parsed: BackupOptions;
    let encryption: EncryptionPlan | undefined;
    try {
      parsed = BackupOptionsSchema.parse(options);
      // Every member and the roles file are encrypted as a single backup of the profile would be.
      encryption = await encryptionPlan(this.engine.keyring, {
        own: { value: parsed.encryptTo, label: trigger.kind === 'schedule' ? 'The schedule' : '--encrypt-to' },
        profile: { value: profile.encryptTo, label: `Profile "${profile.name}"` },
        setting: this.engine.config.encryptTo,
      });
    } catch (error) {
      await events.emit({ kind: 'backup.failed', profile: profile.name, database: '(whole server)', error: toErrorInfo(error), trigger });
      throw error;
    }
    await events.emit({ kind: 'backup.started', profile: profile.name, trigger });
    const { takeSet } = await this.onDemand();
    return takeSet(this.engine, profile, parsed, {
      ...(encryption ? { encryption } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      trigger,
      onMember: async ({ database, backup, error }) => {
        if (backup) await events.emit({ kind: 'backup.completed', profile: profile.name, backup, trigger });
        else await events.emit({ kind: 'backup.failed', profile: profile.name, database, error: toErrorInfo(error), trigger });
      },
    }).catch(async (error: unknown) => {
      await events.emit({ kind: 'backup.failed', profile: profile.name, database: '(whole server)', error: toErrorInfo(error), trigger });
      throw error;
    });
  }

  find(ref: string): BackupSet | undefined {
    return this.store.find(ref);
  }

  require(ref: string): BackupSet {
    const set = this.store.find(ref);
    if (!set || set.status === 'deleted') throw new HoldfastError('NOT_FOUND', `No backup set with id "${ref}" in the catalogue.`, 'List backups and sets with `holdfast list`.');
    return set;
  }

  list(profile?: string): BackupSet[] {
    return this.store.list({ profile });
  }

  /** The set's member backups on record, in the order of its databases. */
  members(set: BackupSet): BackupMetadata[] {
    return this.store.members(set.id);
  }

  /** The roles first, then each chosen database (restore-set.ts); the target is a profile's server. */
  restore(request: Omit<SetRestoreRequest, 'set' | 'target'> & { ref: string; to: string }): Promise<SetRestoreResult> {
    const { ref, to, ...rest } = request;
    const set = this.require(ref);
    const target = this.engine.catalogue.requireProfile(to);
    return this.onDemand().then(({ restoreSet }) => restoreSet(this.engine, { ...rest, set, target }));
  }

  /** The set deleted whole (delete-set.ts); `confirm` must repeat its id. */
  delete(ref: string, confirm: string): Promise<SetDeleteReport> {
    const set = this.require(ref);
    return this.onDemand().then(({ deleteSet }) => deleteSet(this.engine, set, confirm));
  }

  /** The whole set drilled into one sandboxed scratch server (drill-set.ts); each member's verdict is stored on it. */
  testRestore(ref: string, options: { major?: number; signal?: AbortSignal } = {}): Promise<SetDrillResult> {
    const set = this.require(ref);
    return this.onDemand().then(({ drillSet }) => drillSet(this.engine, set, options));
  }

  /** Every member read back as `holdfast verify` reads a backup, plus the manifest's and the roles file's checksums. */
  async verify(ref: string): Promise<SetVerifyResult> {
    const set = this.require(ref);
    const { manifestChecksum, verifyBackup } = await this.onDemand();
    const fileOf = (filename: string) => this.store.fileOf(set.id, filename, this.engine.config.backupDir);
    const complete = set.status === 'completed';
    const checks: VerifyCheck[] = [];
    if (set.manifest) {
      const path = fileOf(set.manifest.filename);
      const actual = (await exists(path)) ? await manifestChecksum(path) : null;
      checks.push({
        name: 'checksum',
        status: actual === set.manifest.checksum ? 'ok' : 'failed',
        detail: actual === null ? `the set manifest ${path} is gone` : `set manifest ${set.manifest.filename}: ${actual}`,
      });
    } else {
      // An interrupted set's manifest is removed on purpose (it would say the set ended); a finished set without one lost it.
      checks.push({ name: 'checksum', status: set.status === 'interrupted' ? 'skipped' : 'failed', detail: `the set is ${set.status} and has no manifest` });
    }
    if (set.globals.filename) {
      const path = fileOf(set.globals.filename);
      const actual = (await exists(path)) ? `sha256:${await sha256File(path)}` : null;
      checks.push({
        name: 'globals',
        status: actual === set.globals.checksum ? 'ok' : 'failed',
        detail: actual === null ? `the roles file ${path} is gone` : `roles file ${set.globals.filename}: ${actual}`,
      });
    } else {
      // A roles file the set never saved is what it lacks, not a damaged file; a completed set always has one.
      checks.push({ name: 'globals', status: complete ? 'failed' : 'skipped', detail: `no roles file: ${set.globals.note ?? 'not saved'}` });
    }
    const databases: SetVerifyResult['databases'] = [];
    const missing: SetVerifyResult['missing'] = [];
    for (const member of set.databases) {
      if (!member.id) {
        databases.push({ database: member.database, held: false, result: null, error: member.error ?? 'not backed up' });
        missing.push({ database: member.database, error: member.error ?? 'not backed up', ...(member.hint ? { hint: member.hint } : {}), ...(member.appHint ? { appHint: member.appHint } : {}) });
        continue;
      }
      try {
        databases.push({ database: member.database, held: true, result: await verifyBackup(this.engine, member.id), error: null });
      } catch (error) {
        databases.push({ database: member.database, held: true, result: null, error: toErrorInfo(error).message });
      }
    }
    // A database the server had that the set does not name at all (setStatusOf counts it too).
    for (const database of set.expected) if (!set.databases.some((m) => m.database === database)) missing.push({ database, error: 'not backed up' });
    const valid = checks.every((c) => c.status !== 'failed') && databases.every((d) => !d.held || d.result?.valid === true) && databases.some((d) => d.held);
    return { id: set.id, kind: 'set', valid, checks, databases, status: set.status, complete, missing };
  }
}

/** An attempt (no backup came of it: no format) that was part of a set. */
const isSetAttempt = (entry: { set?: string | undefined }) => entry.set !== undefined && !('format' in entry);

/** A set in a list: its record with its members' full records (or summaries), in place of those members at the top level. */
export type SetListEntry<Member> = BackupSet & { members: Member[] };

/**
 * The list with each set's members folded under it: `holdfast list` shows a set as one entry. The
 * attempts of a set (its own run, its members' failed runs: attemptEntry's `set`) go under it too, by
 * the set's id; those of a set no longer listed (deleted) are not listed at all, as backup.page does.
 */
export function nestSets<Entry extends { id: string; timestamp: string; set?: string | undefined }>(entries: readonly Entry[], sets: readonly BackupSet[]): Array<Entry | SetListEntry<Entry>> {
  const setOf = new Map<string, string>();
  for (const set of sets) for (const member of set.databases) if (member.id) setOf.set(member.id, set.id);
  const members = new Map<string, Entry[]>(sets.map((set) => [set.id, []]));
  const top: Array<Entry | SetListEntry<Entry>> = [];
  for (const entry of entries) {
    const held = members.get(setOf.get(entry.id) ?? entry.set ?? '');
    if (held) held.push(entry);
    else if (!isSetAttempt(entry)) top.push(entry);
  }
  top.push(...sets.map((set) => ({ ...set, members: members.get(set.id)! })));
  return top.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}
