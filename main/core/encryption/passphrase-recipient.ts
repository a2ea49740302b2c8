// How a passphrase key's backups name who they are encrypted to. A module of its own, without zod:
// the renderer's first chunk (key-here.ts, for "key not here" on the Backups page) needs only this.

/** What a passphrase key's backups record instead of a public recipient: the key's name. */
export const PASSPHRASE_RECIPIENT = 'passphrase:';

export const passphraseRecipient = (keyName: string) => `${PASSPHRASE_RECIPIENT}${keyName}`;
