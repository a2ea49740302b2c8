// Counting a drill's rows while pg_restore -j is still at work. pg_restore --verbose reports
// "finished item <dump id> TABLE DATA <table>" once a worker has committed that table's COPY; what
// pg_restore does to the table afterwards (indexes, constraints, triggers, grants) does not change its
// rows, so from that line on its count is final and is taken at once, on a connection of its own,
// while pg_restore builds indexes. Every table without such a line — no data item (a partitioned
// parent), a line not understood, a count that failed — is counted after pg_restore exits, as before.
import type { ArchiveDataItem, ArchiveTable } from '../archive/inspect.ts';
import { tableKey } from '../pg/table-key.ts';

export interface EarlyTable {
  /** The manifest's name for it (pg/table-key.ts). */
  table: string;
  schema: string;
  name: string;
}

/**
 * Which data items, once finished, make a manifest table's count final. None when any item loads
 * through another table (pg_dump --load-via-partition-root): its rows may land in any partition, so no
 * partition's count is final before pg_restore ends. A manifest key two archive tables share (only
 * possible in a manifest from before keys were quoted) is left to the end, where it is resolved as always.
 */
export function planEarlyCounts(manifest: Readonly<Record<string, number>>, tables: readonly ArchiveTable[], items: readonly ArchiveDataItem[] | undefined): Map<number, EarlyTable> {
  const plan = new Map<number, EarlyTable>();
  if (!items || items.some((item) => !item.intoItself)) return plan;
  const named = new Map<string, number>();
  const seen = new Set<string>();
  for (const { schema, name } of [...tables, ...items]) {
    if (seen.has(`${schema}\u0000${name}`)) continue;
    seen.add(`${schema}\u0000${name}`);
    named.set(tableKey(schema, name), (named.get(tableKey(schema, name)) ?? 0) + 1);
  }
  for (const item of items) {
    const table = tableKey(item.schema, item.name);
    if (Object.hasOwn(manifest, table) && named.get(table) === 1) plan.set(item.dumpId, { table, schema: item.schema, name: item.name });
  }
  return plan;
}

/**
 * The dump id of a finished TABLE DATA item in one line of pg_restore --verbose (LC_MESSAGES=C), when
 * the line names that item's own table. Parallel workers share stderr and pg_restore writes its
 * "pg_restore: " prefix apart from the message, so a prefix may land on another process's line.
 */
export function finishedDataItem(line: string, plan: ReadonlyMap<number, EarlyTable>): number | undefined {
  const match = /^(?:pg_restore: )*finished item (\d+) TABLE DATA (.*)$/.exec(line);
  if (!match) return undefined;
  const dumpId = Number(match[1]);
  return plan.get(dumpId)?.name === match[2] ? dumpId : undefined;
}

/** Counts each planned table as its data item finishes, one table at a time, in the order they finish. */
export class CountsAsRestored {
  /** Tables whose count has begun (finished or not). */
  readonly started = new Set<string>();
  /** Exact counts taken after the table's data had finished. */
  readonly counts = new Map<string, number>();
  private readonly queue: EarlyTable[] = [];
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: ReadonlyMap<number, EarlyTable>,
    private readonly count: (table: EarlyTable) => Promise<number>,
  ) {}

  /** Feed every stderr line of pg_restore --verbose here. */
  onLine = (line: string): void => {
    const dumpId = finishedDataItem(line, this.plan);
    if (dumpId === undefined || this.stopped) return;
    const table = this.plan.get(dumpId)!;
    if (this.started.has(table.table) || this.queue.includes(table)) return;
    this.queue.push(table);
    if (this.queue.length === 1) this.running = this.running.then(() => this.drain());
  };

  private async drain(): Promise<void> {
    for (let table = this.queue[0]; table && !this.stopped; table = this.queue[0]) {
      this.started.add(table.table);
      try {
        this.counts.set(table.table, await this.count(table));
      } catch {
        // Left out of `counts`: the caller counts it again after the restore.
      }
      this.queue.shift();
    }
  }

  /** Takes no more tables (those queued are left to the caller); resolves when the count in flight ends. */
  stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    return this.running;
  }
}
