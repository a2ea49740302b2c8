// The audit subscriber: the catalogue's audit log, one row per event that changed something, with the
// action names and details the audit log has always had. Synchronous, so the row is written before
// emit() returns (inside the caller's transaction where there is one, as for a delete or a pin), and
// the actor is the one the caller acts for.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { humanBytes } from '../model/human.ts';
import { actorName } from '../users/acting.ts';
import type { Subscriber } from './bus.ts';
import { byKind, ignoring, type EmittedEvent, type PerKind } from './events.ts';

export interface AuditRow {
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
}

const rows: PerKind<AuditRow | undefined> = {
  // Not changes, or recorded elsewhere: a verify is a run with its result on the backup, and retention
  // writes its own row per deleted backup (retention/cleanup.ts).
  ...ignoring('backup.started', 'backup.progress', 'backup.copied', 'backup.reverifyFailed', 'schedule.drillFailed', 'recovery.sealing', 'recovery.childrenEnded', 'cleanup.completed'),
  'backup.completed': (e) => ({ action: 'backup.create', target: e.backup.filename, detail: { profile: e.profile, result: 'ok' } }),
  'backup.failed': (e) => ({ action: 'backup.create', target: e.profile, detail: { result: 'failed', code: e.error.code, error: e.error.message } }),
  'backup.deleted': (e) => ({
    action: 'backup.delete',
    target: e.backup.filename,
    detail: { id: e.backup.id, profile: e.backup.profile, size: e.backup.size, freed: humanBytes(e.freedBytes), ...(e.sharedWith.length ? { filesKeptFor: e.sharedWith } : {}) },
  }),
  'backup.pinned': (e) => ({ action: e.pinned ? 'backup.pin' : 'backup.unpin', target: e.backup.filename, detail: { id: e.backup.id, profile: e.backup.profile } }),
  'backup.adopted': (e) => ({ action: 'backup.adopt', target: e.dir, detail: { adopted: e.adopted.length } }),
  'backup.imported': (e) => ({ action: 'backup.import', target: e.backup.filename, detail: { id: e.backup.id, profile: e.backup.profile, from: e.from } }),
  // The result is stored on the backup; on a designated profile the drill also created and dropped a database there.
  'drill.completed': ({ result, onProfile }) => ({
    action: 'backup.testRestore',
    target: result.filename,
    detail: { result: result.ok ? 'ok' : 'failed', server: result.server, ...(onProfile ? { onProfile } : {}), ...(result.error ? { error: result.error } : {}) },
  }),
  'drill.cleanupFailed': (e) => ({ action: 'drill.cleanupFailed', target: e.profile, detail: { database: e.database, filename: e.filename, error: e.error } }),
  'restore.completed': (e) => ({ action: 'restore', target: e.filename, detail: { profile: e.profile, database: e.database, clean: e.clean, swap: e.swap, result: 'ok' } }),
  'restore.failed': (e) => ({
    action: 'restore',
    target: e.filename,
    detail: { profile: e.profile, database: e.database, clean: e.clean, swap: e.swap, result: 'failed', code: e.error.code, error: e.error.message },
  }),
  'restore.recovered': ({ recovery: r }) =>
    r.action === 'not-reached' ? undefined : { action: 'restore.recover', target: r.database, detail: { profile: r.profile, run: r.runId, action: r.action, message: r.message } },
  // Holdfast dropped a database on a server (or found it had never been created: nothing changed).
  'restore.newDatabaseRecovered': ({ recovery: r }) =>
    r.action === 'not-created' ? undefined : { action: 'restore.recover', target: r.database, detail: { profile: r.profile, run: r.runId, action: r.action, message: r.message } },
  'profile.added': (e) => ({ action: 'profile.add', target: e.profile.name, detail: { keychainPassword: e.profile.keychainPassword } }),
  'profile.edited': (e) => ({ action: 'profile.edit', target: e.profile.name, detail: { fields: e.fields, password: e.password } }),
  'profile.imported': (e) => ({ action: 'profile.import', target: null, detail: { created: e.created } }),
  'profile.removed': (e) => ({ action: 'profile.remove', target: e.name, detail: { backups: e.backups } }),
  'schedule.added': ({ schedule: s }) => ({ action: 'schedule.add', target: s.id, detail: { profile: s.profile, cron: s.cron, timeZone: s.timeZone } }),
  'schedule.edited': ({ schedule: s }) => ({
    action: 'schedule.edit',
    target: s.id,
    detail: { profile: s.profile, cron: s.cron, timeZone: s.timeZone, retention: s.retention, testRestore: s.testRestore },
  }),
  'schedule.enabled': (e) => ({ action: e.enabled ? 'schedule.resume' : 'schedule.pause', target: e.id }),
  'schedule.removed': (e) => ({ action: 'schedule.remove', target: e.id }),
  'user.added': (e) => ({ action: 'user.add', target: e.name, detail: { role: e.role } }),
  'user.removed': (e) => ({ action: 'user.remove', target: e.name }),
  'user.rotated': (e) => ({ action: 'user.rotate', target: e.name }),
  'notifyChannel.added': (e) => ({ action: 'notify.add', target: e.name, detail: { kind: e.channelKind, events: e.events, where: e.where } }),
  'notifyChannel.removed': (e) => ({ action: 'notify.remove', target: e.name }),
  'setting.changed': (e) => ({ action: e.reset ? 'setting.reset' : 'setting.set', target: e.name, detail: { variable: e.variable, from: e.from, to: e.to } }),
};

export function auditRow(event: EmittedEvent): AuditRow | undefined {
  return byKind(rows, event);
}

export function auditSubscriber(catalogue: Pick<Catalogue, 'audit'>): Subscriber {
  return {
    name: 'audit',
    transactional: true,
    handle(event) {
      const row = auditRow(event);
      if (row) catalogue.audit(actorName(), row.action, row.target, row.detail);
    },
  };
}
