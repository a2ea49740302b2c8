// A production database is written to while it is backed up. Three sessions insert, update and
// delete in loops (bounded counts) from before a backup starts until it has finished, so the writes
// overlap the whole dump; the backup must hold one consistent snapshot: the manifest's row counts are
// the snapshot's, a restore into a new database has exactly those rows in every table, and the
// backup verifies. Custom, and directory with two pg_dump workers (each its own connection, which
// must share one snapshot).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupOptions } from '../main/core/backup/options.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, type TestHome } from './support/holdfast-env.ts';

/** Each loop stops at this many statements if the backup has not finished by then. */
const MAX_STATEMENTS = 200_000;

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(50, async (pg) => {
    await pg.query('CREATE DATABASE busy');
    await pg.query(
      `CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);
       INSERT INTO accounts SELECT g, g, md5(g::text) || md5((g * 3)::text) FROM generate_series(1, 300000) g;
       CREATE TABLE events (id bigserial PRIMARY KEY, account int NOT NULL, at timestamptz NOT NULL DEFAULT now(), what text);
       INSERT INTO events (account, what) SELECT g % 300000 + 1, repeat('e', 40) FROM generate_series(1, 200000) g;
       CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount int NOT NULL);`,
      'busy',
    );
  }));
  await holdfast.addProfile(profileFor(server, 'busy', 'busy'));
});

afterAll(() => closeShop({ server, home, holdfast }));

interface Writer {
  kind: string;
  /** Statements committed so far. */
  done(): number;
  stop(): Promise<void>;
}

/** One session running `statement` (autocommit) until stopped or MAX_STATEMENTS, counting what it committed. */
async function startWriter(kind: string, statement: string): Promise<Writer> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'busy' });
  await client.connect();
  let count = 0;
  let stopping = false;
  const loop = (async () => {
    while (!stopping && count < MAX_STATEMENTS) {
      await client.query(statement);
      count += 1;
    }
  })();
  return {
    kind,
    done: () => count,
    async stop() {
      stopping = true;
      await loop;
      await client.end();
    },
  };
}

async function countRows(database: string, table: string): Promise<number> {
  const rows = await server.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, database);
  return Number(rows[0]!.n);
}

describe('writes while a backup runs', () => {
  test.each([
    ['custom', { format: 'custom' }],
    ['directory with --jobs 2', { format: 'directory', jobs: 2 }],
  ] as Array<[string, Partial<BackupOptions>]>)(
    "%s: the manifest has the snapshot's counts, and a restore has exactly them in every table",
    async (label, options) => {
      const writers = await Promise.all([
        startWriter('insert', `INSERT INTO ledger (account, amount) VALUES ((random() * 299999)::int + 1, 1); INSERT INTO events (account, what) VALUES (1, 'new')`),
        startWriter('update', `UPDATE accounts SET balance = balance + 1, note = md5(random()::text) WHERE id = (random() * 299999)::int + 1`),
        startWriter('delete', `DELETE FROM events WHERE id = (SELECT min(id) FROM events)`),
      ]);
      let backup;
      const atStart: number[] = [];
      const atEnd: number[] = [];
      try {
        // Every loop has committed before the dump starts, and goes on until it has finished.
        await Promise.all(
          writers.map(async (writer) => {
            while (writer.done() < 20) await new Promise((resolve) => setTimeout(resolve, 10));
          }),
        );
        atStart.push(...writers.map((writer) => writer.done()));
        backup = await holdfast.backup('busy', { ...options, suffix: label.split(' ')[0] });
        atEnd.push(...writers.map((writer) => writer.done()));
      } finally {
        await Promise.all(writers.map((writer) => writer.stop()));
      }
      // The loops wrote during the dump (none ran out of statements before it began).
      writers.forEach((writer, i) => expect(atEnd[i]! - atStart[i]!, `${writer.kind} statements during the backup`).toBeGreaterThan(0));

      const tables = ['public.accounts', 'public.events', 'public.ledger'];
      expect(Object.keys(backup.rowCounts).sort()).toEqual(tables);
      // What the database holds now is past the snapshot: the counts are not just today's.
      expect(await countRows('busy', 'public.ledger')).toBeGreaterThan(backup.rowCounts['public.ledger']!);

      expect((await holdfast.verify(backup.id)).valid).toBe(true);
      const copy = `busy_${backup.format}`;
      const restored = await holdfast.restore({ ref: backup.id, to: 'busy', dbname: copy, create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
      expect(restored.ok).toBe(true);
      expect(restored.tables.map((t) => t.table).sort()).toEqual(tables);
      for (const table of tables) {
        expect(await countRows(copy, table), table).toBe(backup.rowCounts[table]);
      }
      // The snapshot is one moment: both rows of every committed insert pair are in it, or neither.
      const inserted = await server.query<{ events: string; ledger: string }>(
        `SELECT (SELECT count(*) FROM events WHERE what = 'new')::text AS events, (SELECT count(*) FROM ledger)::text AS ledger`,
        copy,
      );
      expect(inserted[0]!.events).toBe(inserted[0]!.ledger);
    },
    240_000,
  );
});
