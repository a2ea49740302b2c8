// Schedules in the catalogue. Each row keeps its own next due time, so nothing depends on the
// process having been up when a slot passed.
import type Database from 'better-sqlite3';
import { BackupOptionsSchema, type BackupOptions } from '../backup/options.ts';
import { newId } from '../catalogue/catalogue.ts';
import { HoldfastError } from '../model/errors.ts';
import type { RunStatus } from '../model/types.ts';
import type { ScheduleType } from './cron.ts';

export interface Schedule {
  id: string;
  profile: string;
  type: ScheduleType;
  cron: string;
  timeZone: string;
  options: BackupOptions;
  /** A retention policy text ("30d", "gfs:7d,4w,12m,3y"), or null for BACKUP_RETENTION_DAYS. */
  retention: string | null;
  /** Prove each backup this schedule takes with a restore drill. */
  testRestore: boolean;
  /** Where its backups are copied, overriding the profile's default destinations; null: the profile's. */
  copyTo: string[] | null;
  enabled: boolean;
  nextRun: string;
  lastRun: string | null;
  lastStatus: RunStatus | null;
  lastError: string | null;
  lastCatchUp: boolean;
  createdAt: string;
}

interface ScheduleRow {
  id: string;
  profile_name: string;
  type: ScheduleType;
  cron: string;
  time_zone: string;
  options: string;
  retention: string | null;
  test_restore: number;
  copy_to: string | null;
  enabled: number;
  next_run: string;
  last_run: string | null;
  last_status: RunStatus | null;
  last_error: string | null;
  last_catch_up: number;
  created_at: string;
}

const copyToColumn = (copyTo: string[] | null): string | null => (copyTo === null ? null : JSON.stringify(copyTo));

/** "0  2 * * *" and "0 2 * * *" are one schedule. */
function normalCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

function fromRow(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    profile: row.profile_name,
    type: row.type,
    cron: row.cron,
    timeZone: row.time_zone,
    options: BackupOptionsSchema.parse(JSON.parse(row.options)),
    retention: row.retention,
    testRestore: row.test_restore === 1,
    copyTo: row.copy_to === null ? null : (JSON.parse(row.copy_to) as string[]),
    enabled: row.enabled === 1,
    nextRun: row.next_run,
    lastRun: row.last_run,
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastCatchUp: row.last_catch_up === 1,
    createdAt: row.created_at,
  };
}

export class ScheduleStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Refuses a schedule that would take the very same backup as one already stored (same profile, cron,
   * time zone and options), whatever its retention or drill setting: the second would only dump the
   * database twice at once. Checked and inserted in one immediate transaction, so the app and the CLI
   * adding at the same moment cannot both get in.
   */
  add(input: Omit<Schedule, 'id' | 'lastRun' | 'lastStatus' | 'lastError' | 'lastCatchUp' | 'createdAt' | 'enabled' | 'copyTo'> & { copyTo?: string[] | null }, now: Date): Schedule {
    const id = newId();
    this.db
      .transaction(() => {
        const same = this.findSame(input);
        if (same) {
          throw new HoldfastError(
            'CONFLICT',
            `Schedule ${same.id} already backs up profile "${same.profile}" at "${same.cron}" (${same.timeZone}) with the same options.`,
            same.enabled ? `Pause or remove schedule ${same.id} first, or choose another time.` : `Schedule ${same.id} is paused: resume it, remove it first, or choose another time.`,
          );
        }
        this.db
          .prepare(
            `INSERT INTO schedules (id, profile_name, type, cron, time_zone, options, retention, test_restore, copy_to, enabled, next_run, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          )
          .run(
            id,
            input.profile,
            input.type,
            input.cron,
            input.timeZone,
            JSON.stringify(input.options),
            input.retention,
            input.testRestore ? 1 : 0,
            copyToColumn(input.copyTo ?? null),
            input.nextRun,
            now.toISOString(),
          );
      })
      .immediate();
    return this.require(id);
  }

  private findSame(input: Pick<Schedule, 'profile' | 'cron' | 'timeZone' | 'options'>): Schedule | undefined {
    const rows = this.db.prepare('SELECT * FROM schedules WHERE profile_name = ? AND time_zone = ?').all(input.profile, input.timeZone) as ScheduleRow[];
    const cron = normalCron(input.cron);
    // Parsed again so both sides have the schema's key order and defaults.
    const options = JSON.stringify(BackupOptionsSchema.parse(input.options));
    return rows.map(fromRow).find((schedule) => normalCron(schedule.cron) === cron && JSON.stringify(schedule.options) === options);
  }

  list(filter: { profile?: string } = {}): Schedule[] {
    const rows = filter.profile
      ? (this.db.prepare('SELECT * FROM schedules WHERE profile_name = ? ORDER BY next_run').all(filter.profile) as ScheduleRow[])
      : (this.db.prepare('SELECT * FROM schedules ORDER BY next_run').all() as ScheduleRow[]);
    return rows.map(fromRow);
  }

  require(id: string): Schedule {
    const row = this.db.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    if (!row) throw new HoldfastError('NOT_FOUND', `No schedule with id "${id}".`, 'List schedules with `holdfast schedule list`.');
    return fromRow(row);
  }

  setEnabled(id: string, enabled: boolean, nextRun?: string): Schedule {
    this.require(id);
    this.db.prepare('UPDATE schedules SET enabled = ?, next_run = COALESCE(?, next_run) WHERE id = ?').run(enabled ? 1 : 0, nextRun ?? null, id);
    return this.require(id);
  }

  /** Replaces what a schedule does and when; its history (last run and outcome) stays. */
  update(id: string, fields: Pick<Schedule, 'type' | 'cron' | 'timeZone' | 'options' | 'retention' | 'testRestore' | 'copyTo' | 'nextRun'>): Schedule {
    this.require(id);
    this.db
      .prepare('UPDATE schedules SET type = ?, cron = ?, time_zone = ?, options = ?, retention = ?, test_restore = ?, copy_to = ?, next_run = ? WHERE id = ?')
      .run(fields.type, fields.cron, fields.timeZone, JSON.stringify(fields.options), fields.retention, fields.testRestore ? 1 : 0, copyToColumn(fields.copyTo), fields.nextRun, id);
    return this.require(id);
  }

  remove(id: string): void {
    this.require(id);
    this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id);
  }

  /** Advances the due time before the backup starts, so a crash mid-backup cannot run the slot twice. */
  markStarted(id: string, dueAt: string, at: Date, nextRun: Date, catchUp: boolean): boolean {
    const changed = this.db
      .prepare(`UPDATE schedules SET last_run = ?, next_run = ?, last_status = 'running', last_error = NULL, last_catch_up = ? WHERE id = ? AND next_run = ?`)
      .run(at.toISOString(), nextRun.toISOString(), catchUp ? 1 : 0, id, dueAt).changes;
    return changed === 1;
  }

  /** A run started by hand (Run now): recorded as the last run; the next slot stays where it was. */
  markRunNow(id: string, at: Date): void {
    this.db.prepare(`UPDATE schedules SET last_run = ?, last_status = 'running', last_error = NULL, last_catch_up = 0 WHERE id = ?`).run(at.toISOString(), id);
  }

  markFinished(id: string, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.db.prepare('UPDATE schedules SET last_status = ?, last_error = ? WHERE id = ?').run(status, error ?? null, id);
  }
}
