// Which level decides who a backup is encrypted to, stated once: the backup's own choice (a schedule's
// are its backups' own), then the profile's, then BACKUP_ENCRYPTION_KEY. Import-free, so the app's
// pickers show what will apply by the same rule the engine applies (encryption-plan.ts).

export type EncryptToValue = readonly string[] | 'none';

export interface ChoiceLevels {
  own?: { value: EncryptToValue | undefined; label: string };
  profile?: { value: EncryptToValue | null | undefined; label: string };
  /** BACKUP_ENCRYPTION_KEY's recipients; empty: not encrypted by default. */
  setting: readonly string[];
}

export const SETTING_LABEL = 'BACKUP_ENCRYPTION_KEY';

/** The first level that says, and what it says; "none" when no level asks for encryption. */
export function chosenEncryption(levels: ChoiceLevels): { value: string[] | 'none'; chosenBy: string } {
  if (levels.own?.value !== undefined) return { value: levels.own.value === 'none' ? 'none' : [...levels.own.value], chosenBy: levels.own.label };
  if (levels.profile?.value !== undefined && levels.profile.value !== null) return { value: levels.profile.value === 'none' ? 'none' : [...levels.profile.value], chosenBy: levels.profile.label };
  return { value: levels.setting.length > 0 ? [...levels.setting] : 'none', chosenBy: SETTING_LABEL };
}
