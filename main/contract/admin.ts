// The contract's admin room. API users, age keys, the audit trail and the app log.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { ROLES, UserNameSchema } from '../core/users/users.ts';
import { identityFileText, listKeys } from '../core/encryption/key-list.ts';
import { join } from 'node:path';
import { readLog } from '../core/log/read-log.ts';
import { define } from './define.ts';
import { ExistingUserName, IdentityText, KeyName, Password } from './fields.ts';

export const adminChannels = {
  'audit.list': define(
    () => z.object({ limit: z.number().int().min(1).max(10_000).default(100) }).strict(),
    (holdfast, input) => holdfast.catalogue.auditEntries(input.limit),
  ),
  // The app log (secret keys were dropped when it was written), newest first.
  'log.read': define(
    () => z.object({ level: z.enum(['info', 'warn', 'error']).optional(), search: z.string().max(200).optional(), limit: z.number().int().min(1).max(2000).default(200) }).strict(),
    (holdfast, input) => readLog(join(holdfast.config.home, 'logs'), input),
  ),
  // API users of holdfast serve; add and rotate answer the token, the only time it is shown.
  'user.add': define(
    () => z.object({ name: UserNameSchema, role: z.enum(ROLES) }).strict(),
    (holdfast, input) => holdfast.addUser(input.name, input.role),
  ),
  'user.list': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.listUsers(),
  ),
  'user.remove': define(
    () => z.object({ name: ExistingUserName }).strict(),
    (holdfast, input) => holdfast.removeUser(input.name),
  ),
  'user.rotate': define(
    () => z.object({ name: ExistingUserName }).strict(),
    (holdfast, input) => holdfast.rotateUserToken(input.name),
  ),
  // age identities for encrypted backups (BACKUP_ENCRYPTION_KEY): the secret goes to the keychain and comes back out only by export.
  'key.generate': define(
    () => z.object({ name: KeyName.optional() }).strict(),
    (holdfast, input) => holdfast.keyring.generate(input.name),
  ),
  'key.import': define(
    () => z.object({ identity: IdentityText, name: KeyName.optional() }).strict(),
    (holdfast, input) => holdfast.keyring.import(input.identity, input.name),
  ),
  // A passphrase as a key (age's scrypt recipient); like an identity it crosses only on its way to the keychain.
  'key.addPassphrase': define(
    () => z.object({ passphrase: Password, name: KeyName.optional() }).strict(),
    (holdfast, input) => holdfast.keyring.addPassphrase(input.passphrase, input.name),
  ),
  'key.export': define(
    () => z.object({ name: KeyName }).strict(),
    async (holdfast, input) => {
      const { entry, identity } = await holdfast.keyring.export(input.name);
      return { ...entry, identityFile: identityFileText(entry, identity) };
    },
  ),
  'key.list': define(
    () => z.object({}).strict(),
    (holdfast) => listKeys(holdfast.keyring, holdfast.catalogue.listBackups({})),
  ),
} as const;
