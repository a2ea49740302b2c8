// A backup as the engine offers it: runBackup (backup.ts) between a started event and a completed or
// failed one, with its progress told in between. The events carry what audit, the log, notifications
// and the tray each need; this module does not know who listens.
import type { EventBus } from '../events/bus.ts';
import type { BackupTrigger } from '../events/events.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupCopy, BackupMetadata } from '../model/types.ts';
import type { Offsite } from '../storage/offsite.ts';
import { runBackup, type BackupProgress, type EngineContext } from './backup.ts';
import { BackupOptionsSchema, type BackupOptions } from './options.ts';
import { encryptionPlan, type EncryptionPlan, type KeyLookup } from '../encryption/encryption-plan.ts';
import { keepsNoLocalCopy, refuseNoLocalCopy, releaseLocalFiles, type LocalFileOutcome } from './offsite-only.ts';

export interface BackupHooks {
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  trigger?: BackupTrigger;
  /** Named destinations the sealed backup is copied to (undefined: the profile's default ones); a failed copy never fails the backup. */
  copyTo?: readonly string[];
}

/** A taken backup, with its copies when any were asked for, and with --no-local-copy what became of the local files. */
export type TakenBackup = BackupMetadata & { copies?: BackupCopy[]; localFile?: LocalFileOutcome };

export async function takeBackup(
  engine: EngineContext & { events: Pick<EventBus, 'emit'>; offsite: Offsite; keyring: KeyLookup },
  profileName: string,
  options: Partial<BackupOptions>,
  hooks: BackupHooks = {},
): Promise<TakenBackup> {
  const profile = engine.catalogue.requireProfile(profileName);
  const trigger = hooks.trigger ?? { kind: 'manual' };
  const copyTo = [...new Set(hooks.copyTo ?? profile.copyTo ?? [])];
  let parsed: BackupOptions;
  let encryption: EncryptionPlan | undefined;
  try {
    // Backing up only its maintenance database would look like a good backup of a server that has more.
    if (profile.wholeServer) throw new HoldfastError('BAD_INPUT', `Profile "${profile.name}" backs up the whole server, as a backup set.`, '{{take-set}}.');
    // Unknown names fail now, before a dump is taken that could not go where it was meant to.
    for (const name of copyTo) engine.offsite.destinations.show(name);
    parsed = BackupOptionsSchema.parse(options);
    const noLocalCopy = keepsNoLocalCopy(parsed, profile);
    if (noLocalCopy) refuseNoLocalCopy(parsed, copyTo);
    // Recorded with the backup (its sidecar and row): start-up's reconcile and verify know its file went on purpose.
    if (noLocalCopy) parsed = { ...parsed, noLocalCopy };
    // Decided before the backup starts: an unknown key name or a missing passphrase fails it at once.
    encryption = await encryptionPlan(engine.keyring, {
      own: { value: parsed.encryptTo, label: trigger.kind === 'schedule' ? 'The schedule' : '--encrypt-to' },
      profile: { value: profile.encryptTo, label: `Profile "${profile.name}"` },
      setting: engine.config.encryptTo,
    });
  } catch (error) {
    // Refused before it started is still a backup that did not happen: told like any failure, so a
    // schedule whose destination was removed notifies and is audited instead of failing in silence.
    await engine.events.emit({ kind: 'backup.failed', profile: profile.name, database: profile.dbname, error: toErrorInfo(error), trigger });
    throw error;
  }
  await engine.events.emit({ kind: 'backup.started', profile: profile.name, trigger });
  const onProgress = (progress: BackupProgress) => {
    hooks.onProgress?.(progress);
    void engine.events.emit({ kind: 'backup.progress', profile: profile.name, progress });
  };
  let metadata: BackupMetadata;
  try {
    metadata = await runBackup(engine, { profile, options: parsed, ...(hooks.signal ? { signal: hooks.signal } : {}), ...(encryption ? { encryption } : {}), trigger, onProgress });
  } catch (error) {
    await engine.events.emit({ kind: 'backup.failed', profile: profile.name, database: profile.dbname, error: toErrorInfo(error), trigger });
    throw error;
  }
  await engine.events.emit({ kind: 'backup.completed', profile: profile.name, backup: metadata, trigger });
  if (copyTo.length === 0) return metadata;
  // The backup is complete and recorded: from here on nothing may turn it into a failure.
  let copies: BackupCopy[];
  try {
    copies = await engine.offsite.copy(metadata, copyTo);
  } catch (error) {
    const reason = toErrorInfo(error).message;
    copies = copyTo.map((destination) => ({
      destination,
      key: metadata.filename,
      size: metadata.size,
      checksum: metadata.checksum,
      state: 'failed',
      error: reason,
      verifiedAt: null,
      updatedAt: new Date().toISOString(),
    }));
  }
  await engine.events.emit({ kind: 'backup.copied', backup: metadata, copies }).catch(() => undefined);
  if (!parsed.noLocalCopy) return { ...metadata, copies };
  return { ...metadata, copies, localFile: await releaseLocalFiles(metadata, copyTo, copies) };
}
