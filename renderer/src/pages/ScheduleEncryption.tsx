// A schedule's row in the Schedules list says when its backups are encrypted, and to whom: what
// applies by the engine's precedence (the schedule's own choice, the connection's, the default
// recipients), so a schedule that inherits encryption is marked as well as one that chose it.
import { useEffect } from 'react';
import { Badge } from '../components/ui.tsx';
import { defaultRecipients, encryptionMark } from '../lib/encrypt-choice.ts';
import { useKeys } from '../stores/keys.ts';
import { useOverview } from '../stores/overview.ts';
import { useProfiles } from '../stores/profiles.ts';
import type { Schedule } from '../stores/schedules.ts';

export function ScheduleEncryptionMark({ schedule }: { schedule: Schedule }) {
  const keys = useKeys((s) => s.keys);
  const keysLoaded = useKeys((s) => s.loaded);
  const settingEntry = useOverview((s) => s.settings.value?.entries.find((entry) => entry.name === 'encryption-key'));
  const settingsLoaded = useOverview((s) => s.settings.value !== null);
  const profileChoice = useProfiles((s) => s.profiles.find((profile) => profile.name === schedule.profile)?.encryptTo ?? null);
  useEffect(() => {
    if (!keysLoaded) void useKeys.getState().load();
    if (!settingsLoaded) void useOverview.getState().loadSettings();
  }, [keysLoaded, settingsLoaded]);

  const mark = encryptionMark(
    { own: { value: schedule.options.encryptTo, label: 'the schedule' }, profile: { value: profileChoice, label: 'the connection' }, setting: defaultRecipients(settingEntry) },
    keys,
  );
  if (!mark) return null;
  return (
    <>
      {' '}
      <Badge tone="info" title={`Its backups are ${mark}`}>
        {mark}
      </Badge>
    </>
  );
}
