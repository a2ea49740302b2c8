// The configuration in force, for every operation: the environment read at start, with the settings
// changed in the app over it (app-settings.ts). Changes apply without a restart because the engine
// asks here each time it reads its configuration; the answer is cached until a setting changes in
// this process, or another process (the CLI beside the desktop app) commits to the catalogue
// (SQLite's data_version), so a read costs a pragma, not a query and a parse.
import type Database from 'better-sqlite3';
import { SettingRows } from '../catalogue/setting-rows.ts';
import { commitAudited } from '../events/audited-change.ts';
import type { EventBus } from '../events/bus.ts';
import { HoldfastError } from '../model/errors.ts';
import { actorName } from '../users/acting.ts';
import { checkSettingValue, effectiveConfig, settingEntries, settingSpec, type SettingEntry } from './app-settings.ts';
import type { HoldfastConfig } from './config.ts';

export class LiveConfig {
  private readonly rows: SettingRows;
  private cached: { version: number; config: HoldfastConfig } | undefined;

  constructor(
    /** What the environment said at start; the environment always wins over the app. */
    readonly base: HoldfastConfig,
    private readonly db: Database.Database,
  ) {
    this.rows = new SettingRows(db);
  }

  current(): HoldfastConfig {
    const version = this.rows.dataVersion();
    if (this.cached?.version === version) return this.cached.config;
    const config = effectiveConfig(this.base, this.rows.all());
    this.cached = { version, config };
    return config;
  }

  /** BACKUP_DIR as it is now, for a part that holds on to its settings (the destinations). */
  storageView(): { readonly backupDir: string; readonly env: NodeJS.ProcessEnv } {
    const current = () => this.current();
    return {
      get backupDir() {
        return current().backupDir;
      },
      env: this.base.env,
    };
  }

  entries(): SettingEntry[] {
    return settingEntries(this.current(), this.rows.all());
  }

  entry(name: string): SettingEntry {
    const spec = settingSpec(name);
    return this.entries().find((entry) => entry.name === spec.name)!;
  }

  /**
   * Sets a setting (null: back to its default), with its audit row in the same transaction. Refused
   * when the environment sets it (the app's value would not be the one in force) or it is read only
   * at start.
   */
  change(name: string, value: string | null, bus: Pick<EventBus, 'emit'>): SettingEntry {
    const spec = settingSpec(name);
    const before = this.entry(spec.name);
    if (!before.editable) {
      throw new HoldfastError('CONFLICT', `${spec.label} (${spec.name}) cannot be changed here: ${before.why ?? ''}`.trim(), `Change ${spec.variable} where Holdfast is started, then restart it.`);
    }
    const text = value === null ? null : checkSettingValue(spec, value);
    // The value in force afterwards, parsed with the rest of the configuration before anything is stored.
    const stored = this.rows.all();
    if (text === null) stored.delete(spec.name);
    else stored.set(spec.name, { value: text, updatedAt: '', updatedBy: '' });
    const after = spec.current(effectiveConfig(this.base, stored));
    commitAudited(
      this.db,
      bus,
      () => this.rows.write(spec.name, text, actorName()),
      { kind: 'setting.changed', name: spec.name, variable: spec.variable, from: before.value, to: after, reset: text === null },
      `Changing ${spec.label}`,
    );
    this.cached = undefined;
    return this.entry(spec.name);
  }
}
