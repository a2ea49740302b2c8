// The age keys of this machine (Settings › Keys and a backup's details): listed with whether each
// secret is here and how many backups need it; generated or imported straight into the keychain. An
// identity is never read back into the browser: export stays on the host (the CLI or the desktop app).
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, Envelope, ErrorInfo } from '../api/types.ts';
import { opensHere } from '../../../main/core/encryption/key-here.ts';

export type KeyView = ChannelOutput<'key.list'>[number];
export type AddedKey = ChannelOutput<'key.generate'>;

interface KeysState {
  keys: KeyView[];
  loaded: boolean;
  error: ErrorInfo | null;
  load(): Promise<void>;
  generate(name: string | undefined): Promise<Envelope<AddedKey>>;
  importIdentity(identity: string, name: string | undefined): Promise<Envelope<AddedKey>>;
  /** The passphrase goes straight to the host's secret store; the store never keeps it. */
  addPassphrase(passphrase: string, name: string | undefined): Promise<Envelope<AddedKey>>;
}

const named = (name: string | undefined) => (name && name.trim() !== '' ? { name: name.trim() } : {});

export const useKeys = create<KeysState>()((set, get) => ({
  keys: [],
  loaded: false,
  error: null,
  async load() {
    const result = await api.call('key.list', {});
    if (result.ok) set({ keys: result.value, loaded: true, error: null });
    else set({ error: result.error, loaded: true });
  },
  async generate(name) {
    const result = await api.call('key.generate', named(name));
    if (result.ok) await get().load();
    return result;
  },
  async importIdentity(identity, name) {
    const result = await api.call('key.import', { identity, ...named(name) });
    if (result.ok) await get().load();
    return result;
  },
  async addPassphrase(passphrase, name) {
    const result = await api.call('key.addPassphrase', { passphrase, ...named(name) });
    if (result.ok) await get().load();
    return result;
  },
}));

/**
 * Why an encrypted backup cannot be restored on this machine, or null when it can (or is not
 * encrypted): none of the recipients it was made for has its secret here.
 */
export function missingKeyReason(encryption: { recipients: string[] } | undefined, keys: readonly KeyView[]): string | null {
  if (!encryption || opensHere(encryption.recipients, keys)) return null;
  const known = keys.filter((key) => encryption.recipients.includes(key.recipient)).map((key) => `"${key.name}"`);
  return `it is encrypted to ${encryption.recipients.join(', ')}${known.length > 0 ? ` (key ${known.join(', ')}, whose secret is not on this machine)` : ''}, and this machine holds the secret of none of them. Import the identity from your offline copy (Settings › Keys, or holdfast key import).`;
}

/**
 * What a backup is encrypted to, as the details panel says it: each recipient by its key's name where
 * this machine knows the key, else the recipient itself; "none" for a backup that is not encrypted.
 */
export function encryptedTo(encryption: { recipients: string[] } | undefined, keys: readonly KeyView[]): string {
  if (!encryption) return 'none';
  const names = encryption.recipients.map((recipient) => {
    const known = keys.find((key) => key.recipient === recipient);
    return known ? `key "${known.name}"` : recipient;
  });
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
  return `age, to ${listed}`;
}
