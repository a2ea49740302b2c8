// Configuration is read once from the environment and parsed with a schema, so a bad value fails
// loudly at start with the variable named, instead of oddly in the middle of a backup.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import { parseEncryptionKeySetting } from '../encryption/recipients.ts';
import { HoldfastError } from '../model/errors.ts';
import { validateCron } from '../schedule/cron.ts';
import { SECRET_STORE_KINDS, type SecretStoreKind } from '../secrets/store-choice.ts';

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** Sundays at 06:00: after the weekly preset (03:00) and the day's cleanup (05:00), so nothing about to go is read. */
const DEFAULT_VERIFY_SCHEDULE = '0 6 * * 0';

/** A cron expression, or "off". */
const cronOrOff = z
  .string()
  .trim()
  .superRefine((value, context) => {
    if (value.toLowerCase() === 'off') return;
    try {
      validateCron(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `${(error as Error).message} Use a cron expression, or "off".` });
    }
  });

/** A cron expression (the schedule presets, the cleanup schedule). */
const cron = z
  .string()
  .trim()
  .superRefine((value, context) => {
    try {
      validateCron(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** The specification's schedule presets; BACKUP_DAILY/WEEKLY/MONTHLY_SCHEDULE (or the app's settings) change them. */
export const DEFAULT_PRESETS = { daily: '0 2 * * *', weekly: '0 3 * * 0', monthly: '0 4 1 * *' } as const;

/**
 * Every setting's variable and its schema, stated once: loadConfig parses the environment with it, and
 * a value set in the app (config/app-settings.ts) is parsed by the same entry as if it were the variable.
 */
export const EnvSchema = z.object({
  HOLDFAST_HOME: z.string().min(1).optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_ENCRYPTION_KEY: z.string().optional(),
  BACKUP_COMPRESSION: booleanFlag.default(true),
  BACKUP_MAX_SIZE_MB: z.coerce.number().nonnegative().default(0),
  BACKUP_TIMEOUT_SECONDS: positiveInt.default(3600),
  BACKUP_STALL_SECONDS: z.coerce.number().int().nonnegative().default(600),
  BACKUP_CONCURRENCY: positiveInt.default(1),
  HOLDFAST_DRILL_CONCURRENCY: positiveInt.default(1),
  BACKUP_RETENTION_DAYS: positiveInt.default(30),
  HOLDFAST_PG_BIN: z.string().min(1).optional(),
  HOLDFAST_CONNECT_TIMEOUT_SECONDS: positiveInt.default(10),
  HOLDFAST_VERIFY_SCHEDULE: cronOrOff.default(DEFAULT_VERIFY_SCHEDULE),
  HOLDFAST_SECRET_STORE: z.enum(SECRET_STORE_KINDS).default('keychain'),
  BACKUP_CLEANUP_SCHEDULE: cron.default('0 5 * * *'),
  BACKUP_DAILY_SCHEDULE: cron.default(DEFAULT_PRESETS.daily),
  BACKUP_WEEKLY_SCHEDULE: cron.default(DEFAULT_PRESETS.weekly),
  BACKUP_MONTHLY_SCHEDULE: cron.default(DEFAULT_PRESETS.monthly),
});

export type SettingVariable = keyof typeof EnvSchema.shape;

export interface HoldfastConfig {
  /** Catalogue, logs and (by default) backups live here. */
  home: string;
  backupDir: string;
  /** false means BACKUP_COMPRESSION=false: dumps are written uncompressed unless a backup asks otherwise. */
  compressionDefault: boolean;
  /** 0 means no limit. */
  maxSizeBytes: number;
  timeoutMs: number;
  /** A dump whose output has not grown for this long is stopped; 0 turns the check off. */
  stallMs: number;
  /** Scheduled backups running at once, across profiles. */
  concurrency: number;
  /** Restore drills running at once in one Holdfast process; the rest wait their turn. */
  drillConcurrency: number;
  retentionDays: number;
  /** Explicit client-tools directory; when set, no other pg_dump is considered. */
  pgBinDir: string | undefined;
  connectTimeoutSeconds: number;
  /** When the daemon and the desktop app read every stored backup back again (verify); null: never. */
  verifySchedule: string | null;
  /** BACKUP_CLEANUP_SCHEDULE: when the long-running hosts apply retention (default 05:00 daily). */
  cleanupSchedule: string;
  /** What `--daily`, `--weekly` and `--monthly` schedules run at (BACKUP_DAILY/WEEKLY/MONTHLY_SCHEDULE). */
  presets: { daily: string; weekly: string; monthly: string };
  /** BACKUP_ENCRYPTION_KEY: the age recipients every new backup is encrypted to; empty: backups are not encrypted. */
  encryptTo: string[];
  /** HOLDFAST_SECRET_STORE: where this host keeps and reads profile passwords (store-choice.ts). */
  secretStore: SecretStoreKind;
  /**
   * The environment this configuration was read from. The engine's other settings (notifications,
   * schedule presets, libpq's password file) and its client tools' environment come from here, never
   * from process.env, so an engine opened with an environment sees that one only (tests open theirs
   * with a minimal one: nothing of the developer's shell reaches a real service).
   */
  env: NodeJS.ProcessEnv;
}

/** The platform's per-user application data directory, the same place Electron's userData points at. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Holdfast');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Holdfast');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'holdfast');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HoldfastConfig {
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new HoldfastError(
      'BAD_INPUT',
      `Environment variable ${variable}=${JSON.stringify(env[variable] ?? '')} is not valid: ${issue?.message ?? 'invalid value'}`,
      'Fix or unset the variable; the README lists every setting and its format.',
    );
  }
  const values = parsed.data;
  const home = resolve(values.HOLDFAST_HOME ?? defaultHome(env));
  return {
    home,
    backupDir: resolve(values.BACKUP_DIR ?? join(home, 'backups')),
    compressionDefault: values.BACKUP_COMPRESSION,
    maxSizeBytes: Math.round(values.BACKUP_MAX_SIZE_MB * 1024 * 1024),
    timeoutMs: values.BACKUP_TIMEOUT_SECONDS * 1000,
    stallMs: values.BACKUP_STALL_SECONDS * 1000,
    concurrency: values.BACKUP_CONCURRENCY,
    drillConcurrency: values.HOLDFAST_DRILL_CONCURRENCY,
    retentionDays: values.BACKUP_RETENTION_DAYS,
    pgBinDir: values.HOLDFAST_PG_BIN ? resolve(values.HOLDFAST_PG_BIN) : undefined,
    connectTimeoutSeconds: values.HOLDFAST_CONNECT_TIMEOUT_SECONDS,
    verifySchedule: values.HOLDFAST_VERIFY_SCHEDULE.toLowerCase() === 'off' ? null : values.HOLDFAST_VERIFY_SCHEDULE,
    cleanupSchedule: values.BACKUP_CLEANUP_SCHEDULE,
    presets: { daily: values.BACKUP_DAILY_SCHEDULE, weekly: values.BACKUP_WEEKLY_SCHEDULE, monthly: values.BACKUP_MONTHLY_SCHEDULE },
    secretStore: values.HOLDFAST_SECRET_STORE,
    encryptTo: parseEncryptionKeySetting(values.BACKUP_ENCRYPTION_KEY),
    env,
  };
}
