// The settings a user can change in the app (or with `holdfast config set`), stated once: each one's
// name, the environment variable it stands for, and the configuration fields it sets. A value set in
// the app is the text that variable would hold, parsed by the variable's own schema (config.ts
// EnvSchema), so the app cannot accept what the environment would refuse. Which value wins: the
// environment variable when it is set, else the app's value, else the default.
import { isAbsolute } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import { parseEncryptionKeySetting } from '../encryption/recipients.ts';
import { EnvSchema, loadConfig, type HoldfastConfig, type SettingVariable } from './config.ts';

const MiB = 1024 * 1024;

export interface AppSettingSpec {
  readonly name: string;
  readonly variable: SettingVariable;
  readonly label: string;
  readonly group: 'Storage' | 'Retention' | 'Schedules' | 'Limits' | 'Encryption';
  /** The fields of HoldfastConfig this setting decides. */
  readonly fields: ReadonlyArray<keyof HoldfastConfig>;
  /** The value in force, as the variable's text (its units, its spelling). */
  readonly current: (config: HoldfastConfig) => string;
  /** Why it cannot be changed in the app, when it cannot; it is still listed with where it comes from. */
  readonly fixed?: string;
}

const READ_AT_START = 'Read when Holdfast starts: set the environment variable and restart.';

export const APP_SETTINGS = [
  { name: 'backup-dir', variable: 'BACKUP_DIR', label: 'Backup directory', group: 'Storage', fields: ['backupDir'], current: (c) => c.backupDir },
  { name: 'compression', variable: 'BACKUP_COMPRESSION', label: 'Compress by default', group: 'Storage', fields: ['compressionDefault'], current: (c) => String(c.compressionDefault) },
  { name: 'retention-days', variable: 'BACKUP_RETENTION_DAYS', label: 'Default retention (days)', group: 'Retention', fields: ['retentionDays'], current: (c) => String(c.retentionDays) },
  {
    name: 'cleanup-schedule',
    variable: 'BACKUP_CLEANUP_SCHEDULE',
    label: 'Cleanup runs at',
    group: 'Retention',
    fields: ['cleanupSchedule'],
    current: (c) => c.cleanupSchedule,
    fixed: READ_AT_START,
  },
  {
    name: 'verify-schedule',
    variable: 'HOLDFAST_VERIFY_SCHEDULE',
    label: 'Stored backups re-verified at',
    group: 'Retention',
    fields: ['verifySchedule'],
    current: (c) => c.verifySchedule ?? 'off',
    fixed: READ_AT_START,
  },
  { name: 'daily-schedule', variable: 'BACKUP_DAILY_SCHEDULE', label: 'Daily preset', group: 'Schedules', fields: ['presets'], current: (c) => c.presets.daily },
  { name: 'weekly-schedule', variable: 'BACKUP_WEEKLY_SCHEDULE', label: 'Weekly preset', group: 'Schedules', fields: ['presets'], current: (c) => c.presets.weekly },
  { name: 'monthly-schedule', variable: 'BACKUP_MONTHLY_SCHEDULE', label: 'Monthly preset', group: 'Schedules', fields: ['presets'], current: (c) => c.presets.monthly },
  {
    name: 'concurrency',
    variable: 'BACKUP_CONCURRENCY',
    label: 'Scheduled backups at once',
    group: 'Schedules',
    fields: ['concurrency'],
    current: (c) => String(c.concurrency),
    fixed: READ_AT_START,
  },
  { name: 'max-size-mb', variable: 'BACKUP_MAX_SIZE_MB', label: 'Largest backup (MB, 0: no limit)', group: 'Limits', fields: ['maxSizeBytes'], current: (c) => String(c.maxSizeBytes / MiB) },
  { name: 'timeout-seconds', variable: 'BACKUP_TIMEOUT_SECONDS', label: 'Backup timeout (s)', group: 'Limits', fields: ['timeoutMs'], current: (c) => String(c.timeoutMs / 1000) },
  { name: 'stall-seconds', variable: 'BACKUP_STALL_SECONDS', label: 'Stall timeout (s, 0: off)', group: 'Limits', fields: ['stallMs'], current: (c) => String(c.stallMs / 1000) },
  {
    name: 'connect-timeout-seconds',
    variable: 'HOLDFAST_CONNECT_TIMEOUT_SECONDS',
    label: 'Connect timeout (s)',
    group: 'Limits',
    fields: ['connectTimeoutSeconds'],
    current: (c) => String(c.connectTimeoutSeconds),
  },
  {
    name: 'encryption-key',
    variable: 'BACKUP_ENCRYPTION_KEY',
    label: 'Encrypt new backups to',
    group: 'Encryption',
    fields: ['encryptTo'],
    current: (c) => c.encryptTo.join(','),
  },
] as const satisfies readonly AppSettingSpec[];

export type AppSettingName = (typeof APP_SETTINGS)[number]['name'];

export const APP_SETTING_NAMES = APP_SETTINGS.map((setting) => setting.name) as [AppSettingName, ...AppSettingName[]];

export type SettingSource = 'environment' | 'app' | 'default';

export interface SettingEntry {
  name: AppSettingName;
  variable: string;
  label: string;
  group: AppSettingSpec['group'];
  value: string;
  source: SettingSource;
  /** false: the environment sets it (it wins), or it is read only at start (`fixed` says why). */
  editable: boolean;
  why?: string;
  /** Who last changed it in the app, and when; only while the app's value is the one in force. */
  changed?: { by: string; at: string };
}

export function settingSpec(name: string): AppSettingSpec {
  const spec = APP_SETTINGS.find((setting) => setting.name === name || setting.variable === name);
  if (!spec) {
    throw new HoldfastError('BAD_INPUT', `There is no setting "${name}".`, `Settings: ${APP_SETTING_NAMES.join(', ')} (holdfast config list).`);
  }
  return spec;
}

function setInEnvironment(env: NodeJS.ProcessEnv, variable: string): boolean {
  const value = env[variable];
  return value !== undefined && value !== '';
}

/**
 * The value as the variable's schema reads it, or a HoldfastError naming the setting. A directory must
 * be absolute: a relative one would mean a different place for each process that reads it.
 */
export function checkSettingValue(spec: AppSettingSpec, value: string): string {
  const text = value.trim();
  const parsed = EnvSchema.shape[spec.variable].safeParse(text);
  if (!parsed.success || text === '') {
    const reason = parsed.success ? 'it is empty' : (parsed.error.issues[0]?.message ?? 'invalid value');
    throw new HoldfastError(
      'BAD_INPUT',
      `${spec.label} (${spec.name}) cannot be ${JSON.stringify(text)}: ${reason}`,
      `Give a value as ${spec.variable} takes it; the README lists every setting and its format.`,
    );
  }
  if (spec.variable === 'BACKUP_DIR' && !isAbsolute(text)) {
    throw new HoldfastError('BAD_INPUT', `${spec.label} (${spec.name}) must be an absolute path, not ${JSON.stringify(text)}.`, 'Give the full path of the directory, e.g. /srv/backups.');
  }
  // The variable's schema takes any text; what it must hold (public recipients, or a file of them) is
  // checked the way a backup would read it, so a bad value is refused now rather than at the next backup.
  if (spec.variable === 'BACKUP_ENCRYPTION_KEY') parseEncryptionKeySetting(text);
  return text;
}

/**
 * The configuration in force: `base` (read from the environment at start) with each value set in the
 * app whose variable the environment leaves unset. A stored value that no longer parses fails loudly,
 * naming the setting, rather than being skipped.
 */
export function effectiveConfig(base: HoldfastConfig, stored: ReadonlyMap<string, { value: string }>): HoldfastConfig {
  const applied = APP_SETTINGS.filter((spec) => !('fixed' in spec) && stored.has(spec.name) && !setInEnvironment(base.env, spec.variable));
  if (applied.length === 0) return base;
  const merged: NodeJS.ProcessEnv = { ...base.env };
  for (const spec of applied) {
    try {
      merged[spec.variable] = checkSettingValue(spec, stored.get(spec.name)!.value);
    } catch (error) {
      throw new HoldfastError('BAD_INPUT', (error as HoldfastError).message, `Set it again in Settings, or reset it: holdfast config unset ${spec.name}.`);
    }
  }
  const withApp = loadConfig(merged);
  const effective: HoldfastConfig = { ...base };
  for (const field of applied.flatMap((spec) => spec.fields)) Object.assign(effective, { [field]: withApp[field] });
  return effective;
}

/** Every setting with its value in force and where that value comes from. */
export function settingEntries(config: HoldfastConfig, stored: ReadonlyMap<string, { value: string; updatedAt: string; updatedBy: string }>): SettingEntry[] {
  return APP_SETTINGS.map((spec: AppSettingSpec): SettingEntry => {
    const fromEnv = setInEnvironment(config.env, spec.variable);
    const app = spec.fixed ? undefined : stored.get(spec.name);
    const source: SettingSource = fromEnv ? 'environment' : app ? 'app' : 'default';
    const why = fromEnv ? `Set by the environment variable ${spec.variable}, which wins over the app: unset it to change this here.` : spec.fixed;
    return {
      name: spec.name as AppSettingName,
      variable: spec.variable,
      label: spec.label,
      group: spec.group,
      value: spec.current(config),
      source,
      editable: why === undefined,
      ...(why ? { why } : {}),
      ...(source === 'app' && app ? { changed: { by: app.updatedBy, at: app.updatedAt } } : {}),
    };
  });
}
