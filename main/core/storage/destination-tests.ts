// A destination's last test, kept in the catalogue (destination_tests): when `destination test` (or the
// page's Test button) last ran for it, whether the probe object went there and back, and why not.
import type Database from 'better-sqlite3';

export interface DestinationLastTest {
  at: string;
  ok: boolean;
  /** What failed, as the test said it; null when it passed. */
  message: string | null;
}

interface TestRow {
  name: string;
  tested_at: string;
  ok: number;
  message: string | null;
}

const lastTestOf = (row: TestRow): DestinationLastTest => ({ at: row.tested_at, ok: row.ok === 1, message: row.message });

export class DestinationTests {
  constructor(private readonly db: Database.Database) {}

  record(name: string, outcome: DestinationLastTest): void {
    this.db
      .prepare(
        'INSERT INTO destination_tests (name, tested_at, ok, message) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET tested_at = excluded.tested_at, ok = excluded.ok, message = excluded.message',
      )
      .run(name, outcome.at, outcome.ok ? 1 : 0, outcome.message);
  }

  /** Every destination's last test by name. */
  all(): Map<string, DestinationLastTest> {
    return new Map((this.db.prepare('SELECT * FROM destination_tests').all() as TestRow[]).map((row) => [row.name, lastTestOf(row)]));
  }

  /** A removed destination's record goes with it: one added later under its name starts untested. */
  forget(name: string): void {
    this.db.prepare('DELETE FROM destination_tests WHERE name = ?').run(name);
  }
}
