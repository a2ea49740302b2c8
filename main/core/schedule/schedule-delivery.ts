// Where a schedule's backups go and how they are kept, as `schedule list` and the schedule's JSON say
// it: from the three fields `schedule edit` sets (--copy-to, --[no-]local-copy, --encrypt-to /
// --no-encrypt), each either the schedule's own choice or, left unset, the profile's.
import type { BackupOptions } from '../backup/options.ts';

/** What the profile decides, where the schedule leaves a choice unset. */
export const PROFILE_CHOICE = 'profile' as const;

export interface ScheduleDelivery {
  /** Its own destinations (--copy-to), or the profile's default ones. */
  copyTo: string[] | typeof PROFILE_CHOICE;
  /** 'kept' (--local-copy), 'destinations only' (--no-local-copy), or the profile's choice. */
  localCopy: 'kept' | 'destinations only' | typeof PROFILE_CHOICE;
  /** Its own recipients or key names (--encrypt-to), 'none' (--no-encrypt), or the profile's choice, then BACKUP_ENCRYPTION_KEY. */
  encryptTo: string[] | 'none' | typeof PROFILE_CHOICE;
}

export function scheduleDelivery(schedule: { copyTo: string[] | null; options: Pick<BackupOptions, 'noLocalCopy' | 'encryptTo'> }): ScheduleDelivery {
  const { noLocalCopy, encryptTo } = schedule.options;
  return {
    copyTo: schedule.copyTo ?? PROFILE_CHOICE,
    localCopy: noLocalCopy === undefined ? PROFILE_CHOICE : noLocalCopy ? 'destinations only' : 'kept',
    encryptTo: encryptTo ?? PROFILE_CHOICE,
  };
}

/** "copies to nas, vault · local copy kept · encrypted to ops-key", each unset choice named as the profile's. */
export function describeDelivery(delivery: ScheduleDelivery): string {
  const copies = delivery.copyTo === PROFILE_CHOICE ? "copies: the profile's destinations" : delivery.copyTo.length ? `copies to ${delivery.copyTo.join(', ')}` : 'copies: none';
  const local = delivery.localCopy === PROFILE_CHOICE ? "local copy: the profile's choice" : delivery.localCopy === 'kept' ? 'local copy kept' : 'local copy: none (destinations only)';
  const encryption =
    delivery.encryptTo === PROFILE_CHOICE
      ? "encryption: the profile's choice, then BACKUP_ENCRYPTION_KEY"
      : delivery.encryptTo === 'none'
        ? 'not encrypted (the schedule says so)'
        : `encrypted to ${delivery.encryptTo.join(', ')}`;
  return `${copies} · ${local} · ${encryption}`;
}
