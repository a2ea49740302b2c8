// Profile changes as the engine offers them: the work is profiles.ts's; each change is then told as
// one event (an audit row, and the tray's profile list redrawn). Importing adds profiles through
// profiles.ts directly, so an import is one event, not one per profile it created.
import type { EventBus } from '../events/bus.ts';
import type { Profile } from '../model/types.ts';
import type { NewProfileInput } from './profile-schema.ts';
import { addProfile, editProfile, importProfiles, removeProfile, type ImportReport, type ProfileChanges, type ProfileContext, type ProfileSecretInput, type RemoveReport } from './profiles.ts';

export type ProfileEngine = ProfileContext & { events: Pick<EventBus, 'emit'> };

export async function addProfileTold(engine: ProfileEngine, input: NewProfileInput, secret: ProfileSecretInput): Promise<Profile> {
  const profile = await addProfile(engine, input, secret);
  await engine.events.emit({ kind: 'profile.added', profile });
  return profile;
}

export async function editProfileTold(engine: ProfileEngine, name: string, changes: ProfileChanges): Promise<Profile> {
  const profile = await editProfile(engine, name, changes);
  const fields = Object.keys(changes).filter((key) => key !== 'password');
  const password = changes.password !== undefined ? 'stored' : changes.forgetPassword ? 'forgotten' : 'unchanged';
  await engine.events.emit({ kind: 'profile.edited', profile, fields, password });
  return profile;
}

export async function importProfilesTold(engine: ProfileEngine, source: { pgpass?: string | true; serviceFile?: string | true }): Promise<ImportReport> {
  const report = await importProfiles(engine, source);
  await engine.events.emit({ kind: 'profile.imported', created: report.created.length });
  return report;
}

/** Backups are kept unless asked otherwise; they stay listed and restorable. */
export async function removeProfileTold(engine: ProfileEngine, name: string, backups: 'keep' | 'delete'): Promise<RemoveReport> {
  const report = await removeProfile(engine, name, backups);
  await engine.events.emit({ kind: 'profile.removed', name, backups: report.backups });
  return report;
}
