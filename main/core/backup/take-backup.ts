// A backup as the engine offers it: runBackup (backup.ts) between a started event and a completed or
// failed one, with its progress told in between. The events carry what audit, the log, notifications
// and the tray each need; this module does not know who listens.
import type { EventBus } from '../events/bus.ts';
import type { BackupTrigger } from '../events/events.ts';
import { toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { runBackup, type BackupProgress, type EngineContext } from './backup.ts';
import { BackupOptionsSchema, type BackupOptions } from './options.ts';

export interface BackupHooks {
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  trigger?: BackupTrigger;
}

export async function takeBackup(engine: EngineContext & { events: Pick<EventBus, 'emit'> }, profileName: string, options: Partial<BackupOptions>, hooks: BackupHooks = {}): Promise<BackupMetadata> {
  const profile = engine.catalogue.requireProfile(profileName);
  const parsed = BackupOptionsSchema.parse(options);
  const trigger = hooks.trigger ?? { kind: 'manual' };
  await engine.events.emit({ kind: 'backup.started', profile: profile.name, trigger });
  const onProgress = (progress: BackupProgress) => {
    hooks.onProgress?.(progress);
    void engine.events.emit({ kind: 'backup.progress', profile: profile.name, progress });
  };
  let metadata: BackupMetadata;
  try {
    metadata = await runBackup(engine, { profile, options: parsed, ...(hooks.signal ? { signal: hooks.signal } : {}), trigger, onProgress });
  } catch (error) {
    await engine.events.emit({ kind: 'backup.failed', profile: profile.name, database: profile.dbname, error: toErrorInfo(error), trigger });
    throw error;
  }
  await engine.events.emit({ kind: 'backup.completed', profile: profile.name, backup: metadata, trigger });
  return metadata;
}
