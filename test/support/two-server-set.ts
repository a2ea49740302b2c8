// The set-restore suites' shared start: two real servers, a whole-server set of the first (its
// `postgres` database left out) taken into a throwaway Holdfast, and the second as the profile(s) a
// set is restored to. Each suite says what its servers hold (prepare) and as whom it restores.
import { expect } from 'vitest';
import type { Holdfast } from '../../main/core/holdfast.ts';
import type { BackupSet } from '../../main/core/sets/set-record.ts';
import { makeHome, type TestHome } from './holdfast-env.ts';
import { startPgServer, type PgServer } from './pg-server.ts';

export interface TwoServerSet {
  source: PgServer;
  target: PgServer;
  home: TestHome;
  holdfast: Holdfast;
  /** The whole-server set of `source`, completed. */
  set: BackupSet;
}

export interface TwoServerSetOptions {
  /** What the servers hold before the set is taken (databases, roles). */
  prepare: (servers: { source: PgServer; target: PgServer }) => Promise<unknown>;
  /** The source profile's databases dumped at once. */
  parallelDatabases: number;
  /** Profiles on the target server, by name and the role they connect as: by default one, `target`, as the server's own user. */
  targets?: Array<{ name: string; user?: string }>;
}

/** Starts both servers, prepares them, and takes the set, with `whole` (the source) and the target profiles added. */
export async function openTwoServerSet({ prepare, parallelDatabases, targets = [{ name: 'target' }] }: TwoServerSetOptions): Promise<TwoServerSet> {
  const [source, target] = await Promise.all([startPgServer(), startPgServer()]);
  const opened: Partial<TwoServerSet> = { source, target };
  try {
    await prepare({ source, target });
    opened.home = makeHome();
    const holdfast = (opened.holdfast = await opened.home.open());
    await holdfast.addProfile({ name: 'whole', host: source.host, port: source.port, user: source.user, dbname: 'postgres', wholeServer: { excludeDatabases: ['postgres'], parallelDatabases } });
    for (const { name, user } of targets) await holdfast.addProfile({ name, host: target.host, port: target.port, user: user ?? target.user, dbname: 'postgres' });
    const set = await holdfast.sets.take('whole', {});
    expect(set.status).toBe('completed');
    return { source, target, home: opened.home, holdfast, set };
  } catch (error) {
    await closeTwoServerSet(opened);
    throw error;
  }
}

export async function closeTwoServerSet(fixture: Partial<TwoServerSet> | undefined): Promise<void> {
  fixture?.holdfast?.close();
  fixture?.home?.cleanup();
  await Promise.all([fixture?.source?.stop(), fixture?.target?.stop()]);
}
