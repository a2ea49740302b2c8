// The file-log subscriber: one line in $HOLDFAST_HOME/logs/holdfast.log per event worth reading later,
// with the messages the log has always had. The logger drops secret-looking keys itself (log/log.ts).
import type { Logger, LogLevel } from '../log/log.ts';
import type { Subscriber } from './bus.ts';
import { byKind, ignoring, type EmittedEvent, type PerKind } from './events.ts';

export interface LogLine {
  level: LogLevel;
  message: string;
  detail: Record<string, unknown>;
}

const lines: PerKind<LogLine | undefined> = {
  // A failed scheduled drill: the drill's own line (drill.completed) says so; the schedule records the outcome.
  ...ignoring(
    'backup.started',
    'backup.progress',
    'backup.deleted',
    'backup.pinned',
    'backup.adopted',
    'schedule.drillFailed',
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
  ),
  // The audit log says who changed it; the file log says so too, for whoever reads only the log.
  'setting.changed': ({ name, from, to }) => ({ level: 'info', message: 'setting changed', detail: { setting: name, from, to } }),
  'backup.completed': ({ profile, backup, trigger }) => ({
    level: 'info',
    message: 'backup completed',
    detail: { profile, filename: backup.filename, size: backup.size, durationMs: backup.duration, trigger },
  }),
  'backup.failed': ({ profile, error, trigger }) => ({ level: 'error', message: 'backup failed', detail: { profile, code: error.code, error: error.message, trigger } }),
  'backup.imported': ({ backup, from }) => ({ level: 'info', message: 'dump imported', detail: { profile: backup.profile, filename: backup.filename, from, size: backup.size } }),
  'backup.copied': ({ backup, copies }) => {
    const failed = copies.filter((copy) => copy.state !== 'verified');
    return {
      level: failed.length ? 'error' : 'info',
      message: failed.length ? `backup copies: ${copies.length - failed.length} of ${copies.length} verified` : 'backup copies verified',
      detail: { filename: backup.filename, profile: backup.profile, copies: copies.map((copy) => ({ destination: copy.destination, state: copy.state, error: copy.error })) },
    };
  },
  'backup.reverifyFailed': ({ backup, problem }) => ({ level: 'error', message: 're-verification: a stored backup failed', detail: { filename: backup.filename, profile: backup.profile, problem } }),
  'drill.completed': ({ result }) => ({
    level: result.ok ? 'info' : 'error',
    message: 'restore drill',
    detail: { filename: result.filename, ok: result.ok, error: result.error, durationMs: result.durationMs },
  }),
  'drill.cleanupFailed': ({ profile, database, filename, error }) => ({ level: 'error', message: 'restore drill: its database could not be dropped', detail: { profile, database, filename, error } }),
  'restore.completed': ({ profile, database, filename, durationMs }) => ({ level: 'info', message: 'restore completed', detail: { profile, database, filename, durationMs } }),
  'restore.failed': ({ profile, database, filename, error }) => ({ level: 'error', message: 'restore failed', detail: { profile, database, filename, error: error.message } }),
  'restore.recovered': ({ recovery: r }) => ({
    level: r.action === 'rolled-back' || r.action === 'rolled-forward' ? 'warn' : 'error',
    message: 'interrupted restore',
    detail: { profile: r.profile, database: r.database, run: r.runId, action: r.action, message: r.message },
  }),
  'restore.newDatabaseRecovered': ({ recovery: r }) => ({
    level: r.action === 'dropped' ? 'warn' : r.action === 'not-created' ? 'info' : 'error',
    message: 'interrupted restore',
    detail: { profile: r.profile, database: r.database, run: r.runId, action: r.action, message: r.message },
  }),
  'recovery.sealing': ({ run, filename, outcome }) => ({ level: 'warn', message: outcome.finished ? 'finished a backup a crash caught while sealing' : outcome.reason, detail: { run, filename } }),
  'recovery.childrenEnded': ({ run, pids }) => ({ level: 'warn', message: 'ended the child processes of a Holdfast that stopped', detail: { run, ended: pids } }),
  'cleanup.completed': ({ deleted, freedBytes, errors }) => ({ level: errors ? 'warn' : 'info', message: 'cleanup completed', detail: { deleted, freedBytes, errors } }),
};

export function logLine(event: EmittedEvent): LogLine | undefined {
  return byKind(lines, event);
}

export function logSubscriber(logger: Logger): Subscriber {
  return {
    name: 'file log',
    handle(event) {
      const line = logLine(event);
      if (line) logger.log(line.level, line.message, line.detail);
    },
  };
}
