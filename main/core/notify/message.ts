// What a notification says, whatever carries it: the wire events (their `kind` is the generic
// webhook's `event` field, so these names are a public format), which of them are failures, and each
// one's title and fields in words. A channel only lays these out in its own markup.
import { humanBytes, humanDuration } from '../model/human.ts';
import type { ErrorInfo } from '../model/errors.ts';

export type NotifyEvent =
  | { kind: 'backup.completed'; profile: string; database: string; filename: string; size: number; durationMs: number; at: string }
  | { kind: 'backup.failed'; profile: string; database?: string; error: ErrorInfo; durationMs?: number; at: string }
  | { kind: 'restore.completed' | 'restore.failed'; profile: string; database: string; filename: string; error?: ErrorInfo; at: string }
  | { kind: 'cleanup.completed'; deleted: number; freedBytes: number; errors: number; at: string }
  /** A restore drill on a designated server could not drop its database: it is still there. */
  | { kind: 'drill.cleanupFailed'; profile: string; database: string; filename: string; error: ErrorInfo; at: string }
  /** "Send test" on a channel: says the channel works, and who asked. */
  | { kind: 'notification.test'; channel: string; requestedBy: string; at: string };

/** Failures, and cleanups that hit errors, are what someone must act on; that is what `failures` sends. */
export function isFailureEvent(event: NotifyEvent): boolean {
  switch (event.kind) {
    case 'backup.failed':
    case 'restore.failed':
    case 'drill.cleanupFailed':
      return true;
    case 'cleanup.completed':
      return event.errors > 0;
    default:
      return false;
  }
}

export interface NotifyText {
  title: string;
  fields: Array<[string, string]>;
  failure?: ErrorInfo;
}

export function describeEvent(event: NotifyEvent): NotifyText {
  switch (event.kind) {
    case 'backup.completed':
      return {
        title: `✅ Backup completed: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ['Database', event.database],
          ['File', event.filename],
          ['Size', humanBytes(event.size)],
          ['Duration', humanDuration(event.durationMs)],
        ],
      };
    case 'backup.failed':
      return {
        title: `❌ Backup failed: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ...(event.database !== undefined ? [['Database', event.database] as [string, string]] : []),
          ...(event.durationMs !== undefined ? [['Duration', humanDuration(event.durationMs)] as [string, string]] : []),
        ],
        failure: event.error,
      };
    case 'restore.completed':
    case 'restore.failed': {
      const failed = event.kind === 'restore.failed';
      const fields: Array<[string, string]> = [
        ['Profile', event.profile],
        ['Database', event.database],
        ['File', event.filename],
      ];
      const title = `${failed ? '❌' : '✅'} 🔄 Restore ${failed ? 'failed' : 'completed'}: ${event.profile}`;
      // A failed restore without error details still says so rather than pretending to be complete.
      const failure = event.error ?? (failed ? { code: 'RESTORE_FAILED' as const, message: 'No error details were recorded.' } : undefined);
      return failure ? { title, fields, failure } : { title, fields };
    }
    case 'drill.cleanupFailed':
      return {
        title: `❌ Restore drill left a database behind: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ['Database', event.database],
          ['File', event.filename],
        ],
        failure: event.error,
      };
    case 'notification.test':
      return {
        title: '🔔 Holdfast test notification',
        fields: [
          ['Channel', event.channel],
          ['Sent by', event.requestedBy],
        ],
      };
    case 'cleanup.completed':
      return {
        title: `${event.errors > 0 ? '❌' : '✅'} 🧹 Cleanup completed${event.errors > 0 ? ` with ${event.errors} error${event.errors === 1 ? '' : 's'}` : ''}`,
        fields: [
          ['Deleted', `${event.deleted} backup${event.deleted === 1 ? '' : 's'}`],
          ['Freed', humanBytes(event.freedBytes)],
          ['Errors', String(event.errors)],
        ],
      };
  }
}
