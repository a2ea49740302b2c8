// What the desktop app remembers between runs that is not engine state: whether the user paused the
// app's schedules from the tray. Kept next to the catalogue in HOLDFAST_HOME.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileDurably } from '../core/fsutil/durable.ts';

const SettingsSchema = z.object({ schedulesPaused: z.boolean().default(false) });

export type DesktopSettings = z.output<typeof SettingsSchema>;

export interface SettingsStore {
  load(): Promise<DesktopSettings>;
  save(settings: DesktopSettings): Promise<void>;
}

export function settingsStore(home: string, log: (message: string) => void = () => {}): SettingsStore {
  const file = join(home, 'desktop.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return SettingsSchema.parse({});
      }
      try {
        return SettingsSchema.parse(JSON.parse(text));
      } catch (error) {
        // Unreadable settings must not keep the app from starting; the defaults are the safe side.
        log(`ignoring ${file}: ${(error as Error).message}`);
        return SettingsSchema.parse({});
      }
    },
    save: (settings) => writeFileDurably(file, `${JSON.stringify(settings, null, 2)}\n`),
  };
}
