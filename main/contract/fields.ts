// Input fields more than one room of the contract parses the same way.
import * as z from 'zod';
import { lazySchema } from '../core/model/lazy-schema.ts';

/** Passwords cross the contract only on their way to the keychain. */
export const Password = lazySchema(() =>
  z
    .string()
    .min(1, 'the password is empty')
    .max(4096)
    .refine((value) => !value.includes('\0'), 'a password cannot contain NUL'),
);

export const ScheduleId = lazySchema(() => z.string().regex(/^[0-9a-f]{12}$/, 'a schedule id is 12 hex characters (holdfast schedule list)'));

export const BackupRef = lazySchema(() => z.string().min(1, 'give a backup id or filename').max(255));

export const KeyName = lazySchema(() => z.string().min(1).max(64));
/** An age identity file crosses the contract only on its way to the keychain; its errors never echo it. */
export const IdentityText = lazySchema(() =>
  z
    .string()
    .min(1, 'the identity file is empty')
    .max(64 * 1024),
);

/** A setting by its name (backup-dir) or its variable (BACKUP_DIR); config/app-settings.ts names the unknown. */
export const SettingName = lazySchema(() => z.string().min(1).max(64));

/** An existing user: looked up, so the stricter rules for new names do not apply. */
export const ExistingUserName = lazySchema(() => z.string().min(1).max(64));

export const DestinationNames = lazySchema(() => z.array(z.string().min(1).max(64)).max(16));
