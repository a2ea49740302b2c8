// A secret store with no keychain behind it, for specs that never store a password: opening an
// engine with it touches no OS keychain and needs no D-Bus session.
import type { SecretStore } from '../../main/core/secrets/secret-store.ts';

export const noKeychain: SecretStore = {
  description: 'none (test)',
  availability: async () => ({ ok: false, reason: 'no keychain in this test' }),
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => false,
};
