// The settings changed in the app (app_settings): one row per setting that is not at its default,
// holding the text its environment variable would hold. What the names mean, how a value is checked
// and which wins are config/app-settings.ts's; this file only reads and writes the rows.
import type Database from 'better-sqlite3';

export interface StoredSetting {
  value: string;
  updatedAt: string;
  updatedBy: string;
}

interface SettingRow {
  name: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export class SettingRows {
  constructor(private readonly db: Database.Database) {}

  all(): Map<string, StoredSetting> {
    const rows = this.db.prepare('SELECT name, value, updated_at, updated_by FROM app_settings').all() as SettingRow[];
    return new Map(rows.map((row) => [row.name, { value: row.value, updatedAt: row.updated_at, updatedBy: row.updated_by }]));
  }

  /** null: back to the default (the row goes). */
  write(name: string, value: string | null, actor: string, now: Date = new Date()): void {
    if (value === null) {
      this.db.prepare('DELETE FROM app_settings WHERE name = ?').run(name);
      return;
    }
    this.db
      .prepare(
        'INSERT INTO app_settings (name, value, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
      )
      .run(name, value, now.toISOString(), actor);
  }

  /** Changes whenever another connection (another Holdfast process) commits to the catalogue. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}
