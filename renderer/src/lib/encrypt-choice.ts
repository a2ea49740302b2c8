// The encryption picker of the connection form, the schedule form and "Back up now": inherit (leave
// it to the next level), these keys, or not encrypted — as the value the engine takes, and what will
// actually apply, by the engine's own precedence (main/core/encryption/precedence.ts).
import { chosenEncryption, SETTING_LABEL, type ChoiceLevels, type EncryptToValue } from '../../../main/core/encryption/precedence.ts';
import type { KeyView } from '../stores/keys.ts';

export type EncryptChoice = { mode: 'inherit' } | { mode: 'none' } | { mode: 'keys'; keys: string[]; other: string };

/** Where the picker sits: a profile's "inherit" is null (the default decides), a backup's or schedule's is left out. */
export type ChoiceLevel = 'profile' | 'schedule' | 'backup';

export function choiceToValue(choice: EncryptChoice, level: 'profile'): string[] | 'none' | null;
export function choiceToValue(choice: EncryptChoice, level: 'schedule' | 'backup'): string[] | 'none' | undefined;
export function choiceToValue(choice: EncryptChoice, level: ChoiceLevel): string[] | 'none' | null | undefined;
export function choiceToValue(choice: EncryptChoice, level: ChoiceLevel): string[] | 'none' | null | undefined {
  if (choice.mode === 'inherit') return level === 'profile' ? null : undefined;
  if (choice.mode === 'none') return 'none';
  const typed = choice.other
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  return [...new Set([...choice.keys, ...typed])];
}

export function choiceFromValue(value: EncryptToValue | null | undefined): EncryptChoice {
  if (value === undefined || value === null) return { mode: 'inherit' };
  if (value === 'none') return { mode: 'none' };
  return { mode: 'keys', keys: [...value], other: '' };
}

/** BACKUP_ENCRYPTION_KEY's recipients, from its settings entry (the engine lists them comma-separated). */
export function defaultRecipients(entry: { value: string } | undefined): string[] {
  return (entry?.value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A recipient (or a key's name) as one of this machine's keys, if it is one. */
function keyFor(item: string, keys: readonly KeyView[]): KeyView | undefined {
  return keys.find((candidate) => candidate.recipient === item || candidate.name === item);
}

function listed(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

/** What will apply, as one sentence: encrypted to what (keys by their names), and which level chose it. */
export function appliedEncryption(levels: ChoiceLevels, keys: readonly KeyView[]): string {
  const chosen = chosenEncryption(levels);
  const by = chosen.chosenBy === SETTING_LABEL ? `${SETTING_LABEL}, the default recipients${chosen.value === 'none' ? ': none are set' : ''}` : chosen.chosenBy;
  if (chosen.value === 'none') return `Not encrypted (chosen by ${by}).`;
  const names = chosen.value.map((item) => {
    const key = keyFor(item, keys);
    return key ? `key “${key.name}”${key.kind === 'passphrase' ? ' (passphrase)' : ''}` : item;
  });
  return `Encrypted to ${listed(names)} (chosen by ${by}).`;
}

/** A list row's short mark ("encrypted to “team”"), or null when what applies is no encryption. */
export function encryptionMark(levels: ChoiceLevels, keys: readonly KeyView[]): string | null {
  const chosen = chosenEncryption(levels);
  if (chosen.value === 'none') return null;
  const names = chosen.value.map((item) => {
    const key = keyFor(item, keys);
    return key ? `“${key.name}”` : `${item.slice(0, 12)}…`;
  });
  return `encrypted to ${names.join(', ')}`;
}
