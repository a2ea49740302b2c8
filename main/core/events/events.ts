// What the engine tells the rest of the program: one typed event per thing that happened, a
// discriminated union by `kind`. This union is the one list of event names: the audit, log and
// notification subscribers map every kind (the compiler refuses a kind one of them forgot), and the
// shells (the desktop's tray and notices) read the same events instead of watching their own calls.
import type { BackupProgress } from '../backup/backup.ts';
import type { SealOutcome } from '../backup/seal.ts';
import type { RestoreTestResult } from '../drill/test-restore.ts';
import type { ErrorInfo } from '../model/errors.ts';
import type { BackupCopy, BackupMetadata, Profile } from '../model/types.ts';
import type { RemoveReport } from '../profiles/profiles.ts';
import type { NewDatabaseRecovery } from '../restore/new-database-record.ts';
import type { SwapRecovery } from '../restore/swap-journal.ts';
import type { Schedule } from '../schedule/schedule-store.ts';
import type { Role } from '../users/users.ts';

/** What started a backup: a person (CLI, window, API), the tray's "Back up now", or a schedule. */
export type BackupTrigger = { kind: 'manual' } | { kind: 'tray' } | { kind: 'schedule'; scheduleId: string; catchUp: boolean };

export type EngineEvent =
  // Backups
  | { kind: 'backup.started'; profile: string; trigger: BackupTrigger }
  | { kind: 'backup.progress'; profile: string; progress: BackupProgress }
  | { kind: 'backup.completed'; profile: string; backup: BackupMetadata; trigger: BackupTrigger }
  | { kind: 'backup.failed'; profile: string; database: string; error: ErrorInfo; trigger: BackupTrigger }
  | { kind: 'backup.deleted'; backup: BackupMetadata; freedBytes: number; sharedWith: string[] }
  | { kind: 'backup.pinned'; backup: BackupMetadata; pinned: boolean }
  | { kind: 'backup.adopted'; dir: string; adopted: string[] }
  /** A dump made elsewhere, copied in, checked and catalogued (pinned). */
  | { kind: 'backup.imported'; backup: BackupMetadata; from: string }
  /** Scheduled re-verification read a stored backup back and it failed: it may not restore. */
  // A completed backup's copies to named destinations, each verified or failed with its reason.
  // gaveUp: the scheduler's automatic retries of this copy are spent (or cannot mend it); told once.
  | { kind: 'backup.copied'; backup: Pick<BackupMetadata, 'id' | 'filename' | 'profile' | 'database'>; copies: BackupCopy[]; gaveUp?: boolean }
  | { kind: 'backup.reverifyFailed'; backup: Pick<BackupMetadata, 'id' | 'filename' | 'profile' | 'database' | 'timestamp'>; problem: string }
  /** A schedule's backup was taken, but the restore drill it asks for failed. */
  | { kind: 'schedule.drillFailed'; scheduleId: string; profile: string; database: string; message: string }
  // Restore drills
  | { kind: 'drill.completed'; result: RestoreTestResult; onProfile?: string }
  /** A drill on a designated server could not drop its database: it is still there. */
  | { kind: 'drill.cleanupFailed'; profile: string; database: string; filename: string; error: string }
  // Restores
  | { kind: 'restore.completed'; profile: string; database: string; filename: string; clean: boolean; swap: boolean; durationMs: number }
  | { kind: 'restore.failed'; profile: string; database: string; filename: string; clean: boolean; swap: boolean; error: ErrorInfo }
  | { kind: 'restore.recovered'; recovery: SwapRecovery }
  /** A restore into a new database a crash stopped: at the next start its half-restored database dropped, or why not. */
  | { kind: 'restore.newDatabaseRecovered'; recovery: NewDatabaseRecovery }
  // Start-up recovery after a crash
  /** A backup a crash caught between its rename and its catalogue row: finished from its run's record, or not. */
  | { kind: 'recovery.sealing'; run: string; filename: string; outcome: SealOutcome }
  | { kind: 'recovery.childrenEnded'; run: string; pids: number[] }
  // Retention
  | { kind: 'cleanup.completed'; deleted: number; freedBytes: number; errors: number }
  // Profiles
  | { kind: 'profile.added'; profile: Profile }
  | { kind: 'profile.edited'; profile: Profile; fields: string[]; password: 'stored' | 'forgotten' | 'unchanged' }
  | { kind: 'profile.imported'; created: number }
  | { kind: 'profile.removed'; name: string; backups: RemoveReport['backups'] }
  // Schedules
  | { kind: 'schedule.added'; schedule: Schedule }
  | { kind: 'schedule.edited'; schedule: Schedule }
  | { kind: 'schedule.enabled'; id: string; enabled: boolean }
  | { kind: 'schedule.removed'; id: string }
  // API users (holdfast serve)
  | { kind: 'user.added'; name: string; role: Role }
  | { kind: 'user.removed'; name: string }
  | { kind: 'user.rotated'; name: string }
  // Settings changed in the app or with holdfast config set (config/app-settings.ts); to null: back to the default
  | { kind: 'setting.changed'; name: string; variable: string; from: string; to: string; reset: boolean }
  // Notification channels added in the app (notify/app-channels.ts); never with their secret
  | { kind: 'notifyChannel.added'; name: string; channelKind: string; events: string; where: string }
  | { kind: 'notifyChannel.removed'; name: string };

export type EventKind = EngineEvent['kind'];
export type EventOf<K extends EventKind> = Extract<EngineEvent, { kind: K }>;

/** An event as subscribers receive it: stamped with when it was emitted. */
export type EmittedEvent = EngineEvent & { readonly at: string };

/** One answer per kind, checked complete by the compiler: how each subscriber states its mapping. */
export type PerKind<T> = { [K in EventKind]: (event: EventOf<K> & { readonly at: string }) => T };

/** Looks up an event's entry in a PerKind table (the cast is the one place TypeScript needs telling). */
export function byKind<T>(table: PerKind<T>, event: EmittedEvent): T {
  return (table[event.kind] as (event: EmittedEvent) => T)(event);
}

/** Table entries for the kinds a subscriber has nothing to do with, named so a table still lists every kind. */
export function ignoring<K extends EventKind>(...kinds: K[]): { [P in K]: () => undefined } {
  return Object.fromEntries(kinds.map((kind) => [kind, () => undefined])) as { [P in K]: () => undefined };
}
