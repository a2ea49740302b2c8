// The notification subscriber: the events someone outside should hear about, in the notification
// wire format (notify/message.ts), sent to every configured channel. Asynchronous: the engine awaits
// it where it awaited the notifier, and the notifier never rejects.
import type { ErrorInfo } from '../model/errors.ts';
import { plural } from '../model/human.ts';
import { DATABASE_NOT_RECORDED } from '../model/unknown-database.ts';
import type { NotifyEvent } from '../notify/message.ts';
import type { NotifyTopic } from '../notify/app-channels.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Subscriber } from './bus.ts';
import { byKind, ignoring, type EmittedEvent, type PerKind } from './events.ts';

const notices: PerKind<NotifyEvent | undefined> = {
  ...ignoring(
    'backup.started',
    'backup.progress',
    'backup.deleted',
    'backup.pinned',
    'backup.adopted',
    'backup.imported',
    'drill.completed',
    'restore.recovered',
    'restore.newDatabaseRecovered',
    'recovery.sealing',
    'recovery.childrenEnded',
    'profile.added',
    'profile.edited',
    'profile.imported',
    'profile.removed',
    'schedule.added',
    'schedule.edited',
    'schedule.enabled',
    'schedule.removed',
    'user.added',
    'user.removed',
    'user.rotated',
    'notifyChannel.added',
    'notifyChannel.removed',
    'setting.changed',
  ),
  'backup.completed': ({ profile, backup, at }) => ({
    kind: 'backup.completed',
    profile,
    database: backup.database ?? DATABASE_NOT_RECORDED,
    filename: backup.filename,
    size: backup.size,
    durationMs: backup.duration,
    at,
  }),
  'backup.failed': ({ profile, database, error, at }) => ({ kind: 'backup.failed', profile, database, error, at }),
  // Only a copy that failed is worth a notice; the backup itself completed (its own notice said so).
  'backup.copied': ({ backup, copies, gaveUp, at }) => {
    const failed = copies.filter((copy) => copy.state !== 'verified');
    if (failed.length === 0) return undefined;
    // Given up: the scheduler's automatic rounds are spent; otherwise the copy failed within the backup's run (retried later on its own).
    const message = gaveUp
      ? `Holdfast gave up copying backup ${backup.filename} on its own: ${failed.map((copy) => `${copy.destination}: ${copy.error ?? copy.state} (after ${copy.autoRetries ?? 0} automatic retries)`).join('; ')}`
      : `Backup ${backup.filename} completed, but ${failed.length} of ${plural(copies.length, 'copy', 'copies')} failed: ${failed.map((copy) => `${copy.destination}: ${copy.error ?? copy.state}`).join('; ')}`;
    const next = gaveUp ? 'run holdfast copies retry' : 'wherever Holdfast runs the schedules (the app, the daemon or serve) the copy is tried again on its own; or run holdfast copies retry';
    return {
      kind: 'backup.failed',
      profile: backup.profile,
      ...(backup.database === null ? {} : { database: backup.database }),
      error: { code: 'CONNECTION_FAILED', message, hint: `The local backup is intact. Check the destination (holdfast destination test <name>), then ${next}.` },
      at,
    };
  },
  'backup.reverifyFailed': ({ backup, problem, at }) => ({
    kind: 'backup.failed',
    profile: backup.profile,
    ...(backup.database === null ? {} : { database: backup.database }),
    error: {
      code: 'VERIFY_FAILED',
      message: `Scheduled re-verification: ${backup.filename}, taken ${backup.timestamp}, failed: ${problem}`,
      hint: 'It may not restore: take a new backup of the profile now, and find out what changed the file (the disk, the storage, another process).',
    },
    at,
  }),
  'schedule.drillFailed': ({ profile, database, message, at }) => ({ kind: 'backup.failed', profile, database, error: { code: 'VERIFY_FAILED', message }, at }),
  'drill.cleanupFailed': ({ profile, database, filename, error, at }) => ({ kind: 'drill.cleanupFailed', profile, database, filename, error: leftDatabaseError(profile, database, error), at }),
  'restore.completed': ({ profile, database, filename, at }) => ({ kind: 'restore.completed', profile, database, filename, at }),
  'restore.failed': ({ profile, database, filename, error, at }) => ({ kind: 'restore.failed', profile, database, filename, error, at }),
  'cleanup.completed': ({ deleted, freedBytes, errors, at }) => ({ kind: 'cleanup.completed', deleted, freedBytes, errors, at }),
};

/** A database a drill made on someone's server and could not drop, said with what to do about it. */
function leftDatabaseError(profile: string, database: string, error: string): ErrorInfo {
  return {
    code: 'CONFLICT',
    message: `The restore drill's database "${database}" on profile "${profile}" could not be dropped: ${error}`,
    hint: `It is still on that server: remove what holds it (the error says what), then DROP DATABASE "${database}" as a role that may.`,
  };
}

export function notification(event: EmittedEvent): NotifyEvent | undefined {
  return byKind(notices, event);
}

/** A copy's or a scheduled drill's failure travels as a backup.failed: what it is about, for a channel that wants only copies or drills. */
const TOPICS: Partial<Record<EmittedEvent['kind'], NotifyTopic>> = { 'backup.copied': 'copy', 'schedule.drillFailed': 'drill', 'drill.cleanupFailed': 'drill' };

export function notifySubscriber(notifier: Pick<Notifier, 'notify'>): Subscriber {
  return {
    name: 'notifications',
    async handle(event) {
      const notice = notification(event);
      if (notice) await notifier.notify(notice, TOPICS[event.kind]);
    },
  };
}
