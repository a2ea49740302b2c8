// `npm start` with nothing configured: a demo, so the UI has something to show. A throwaway
// PostgreSQL 15 with the demo database, and a temporary HOLDFAST_HOME with a "demo" profile and one
// backup. The user's own home is only read, never written.
import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../main/core/config/config.ts';
import { Holdfast } from '../main/core/holdfast.ts';
import { makeDemoDir, seedDemoDatabase, startDemoServer, writePassfile } from './demo-server.ts';

export interface Demo {
  dir: string;
  /** Stops the server and removes the directory; once, however often it is called. */
  stop(): Promise<void>;
}

/**
 * Whether the Holdfast home in effect has connection profiles, read-only: a home without a catalogue
 * has none, and none is created to look. When it cannot tell (bad settings, a catalogue it cannot
 * open), it says yes, so `npm start` behaves as it does without the demo and the UI reports the problem.
 */
export function hasProfiles(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const file = join(loadConfig(env).home, 'catalogue.sqlite');
    if (!existsSync(file)) return false;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT 1 FROM profiles LIMIT 1').get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return true;
  }
}

/**
 * This process's environment becomes the demo's, for the engine here and the UI started after: its
 * home and passfile, and none of the user's Holdfast settings, so no demo backup lands in their
 * BACKUP_DIR and no notification reaches their webhook; PGPASSWORD would override the passfile.
 */
function useDemoEnvironment(home: string, passfile: string): void {
  for (const key of Object.keys(process.env)) {
    if (/^(HOLDFAST|BACKUP)_/.test(key) && key !== 'HOLDFAST_PG_BIN') delete process.env[key];
  }
  delete process.env.PGPASSWORD;
  Object.assign(process.env, { HOLDFAST_HOME: home, PGPASSFILE: passfile });
}

/** Starts the demo and switches to its environment; a failure or `signal` removes what was made so far. */
export async function startDemo(signal: AbortSignal, print = (text: string) => process.stdout.write(text)): Promise<Demo> {
  const userHome = loadConfig().home;
  const dir = makeDemoDir();
  let stopServer: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await stopServer?.();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })());
  try {
    const server = await startDemoServer(dir);
    stopServer = server.stop;
    signal.throwIfAborted();
    const { target } = server;
    useDemoEnvironment(join(dir, 'home'), writePassfile(dir, target));
    const seeded = await seedDemoDatabase(target);
    signal.throwIfAborted();
    const { holdfast } = await Holdfast.open(loadConfig());
    try {
      await holdfast.addProfile({
        name: 'demo',
        host: target.host,
        port: target.port,
        user: target.user,
        dbname: target.database,
        tags: ['demo'],
        notes: 'The npm start demo: a throwaway PostgreSQL 15, removed when npm start ends.',
      });
      await holdfast.backup('demo', { suffix: 'demo' }, { signal });
    } finally {
      holdfast.close();
    }
    print(
      `\nHoldfast demo: no connection profiles in ${userHome}, so this is a demo.\n` +
        `  PostgreSQL 15 on ${target.host}:${target.port}, database ${seeded}; profile "demo" with one backup.\n` +
        `  Everything lives in ${dir} (HOLDFAST_HOME=${join(dir, 'home')}) and is removed when npm start ends.\n` +
        '  To use your own server: npx holdfast profile add <name> --host <host> --port <port> --user <user> --dbname <db>,\n' +
        '  then npm start again (or npm start -- --no-demo for Holdfast without the demo).\n\n',
    );
    return { dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
