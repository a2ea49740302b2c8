// What a passphrase key's passphrase must be, stated once: the keyring refuses anything else, and the
// Keys form in the renderer checks the same rule while it is typed (this file is pure, so the browser
// bundle can import it). The rule is length, not composition: a backup file can be attacked offline
// at leisure, so only enough randomness helps, and age's own advice is 4–5 random words or 10+
// random characters.

/** age's own advice: at least 8–10 random characters, or 4–5 random words. */
export const MIN_PASSPHRASE_LENGTH = 10;

export interface PassphraseProblem {
  message: string;
  hint: string;
}

/** Why this passphrase cannot be a key's, or null when it can. Never quotes the passphrase. */
export function passphraseProblem(passphrase: string): PassphraseProblem | null {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    return {
      message: `The passphrase is too short (${passphrase.length} characters; at least ${MIN_PASSPHRASE_LENGTH}).`,
      hint: 'Anyone holding a backup file can try passphrases offline as fast as they like: use 4–5 random words or 10+ random characters.',
    };
  if (passphrase !== passphrase.trim() || /[\r\n\0]/.test(passphrase))
    return {
      message: 'The passphrase starts or ends with a space, or holds a line break or NUL.',
      hint: 'age reads a passphrase as one line from its terminal: pick one without those.',
    };
  return null;
}
