// One page of the Backups list straight from SQLite: the catalogue's backups and its failed,
// interrupted and running backup runs, filtered and sorted in SQL, then only the page's rows read in
// full. With 100,000 backups the first screen costs one sort of small keys and a few dozen summaries,
// not every record as JSON. The default order (newest first, no filter) reads columns only; sorting
// or searching by a field kept in the metadata (database, format, duration, scope) reads it from every
// row, which is the price of that choice, paid when it is made.
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { BACKUP_SORT_KEYS, BACKUP_STATUS_FILTERS, PAGE_LIMIT_MAX, type BackupSortKey } from '../model/backup-page.ts';
import type { ListEntry } from '../model/reports.ts';
import type { BackupSummary, RunRecord } from '../model/types.ts';
import { LISTED_BACKUP_STATUSES, selectBackupSummaries } from './backup-rows.ts';
import { runFromRow, type RunRow } from './run-rows.ts';

export const BackupPageQuerySchema = z
  .object({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(PAGE_LIMIT_MAX, `a page holds at most ${PAGE_LIMIT_MAX} rows; ask for the next one with a larger offset`).default(100),
    sort: z.enum(BACKUP_SORT_KEYS).default('timestamp'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    /** Only this profile's backups and attempts; '' for all. */
    profile: z.string().max(64).default(''),
    /** Case-insensitive, in file name, profile, database, format, scope, error or id. */
    text: z.string().max(200).default(''),
    status: z.enum(BACKUP_STATUS_FILTERS).default('all'),
  })
  .strict();
export type BackupPageQuery = z.output<typeof BackupPageQuerySchema>;

/** Runs of a backup that produced none (or none yet): listed beside the backups as attempts. */
export const LISTED_ATTEMPT_STATUSES = ['failed', 'interrupted', 'running'] as const;

/** A backup run that produced no backup, as backup.list shows it beside the backups. */
export function attemptEntry(run: RunRecord): ListEntry {
  return {
    id: run.id,
    status: run.status,
    profile: run.profile,
    timestamp: run.startedAt,
    filename: typeof run.detail?.filename === 'string' ? run.detail.filename : null,
    error: run.error,
  };
}

/** Each list field as an SQL expression over a backups row (b) and over an attempt's runs row (r). */
interface Field {
  b: string;
  r: string;
}

const meta = (path: string) => `json_extract(metadata, '$.${path}')`;
const SCOPE = `CASE WHEN ${meta('options.schemaOnly')} = 1 THEN 'schema-only' WHEN ${meta('options.dataOnly')} = 1 THEN 'data-only'
  WHEN COALESCE(json_array_length(metadata, '$.options.tables'), 0) + COALESCE(json_array_length(metadata, '$.options.excludeTables'), 0)
     + COALESCE(json_array_length(metadata, '$.options.schemas'), 0) + COALESCE(json_array_length(metadata, '$.options.excludeSchemas'), 0) > 0 THEN 'partial'
  ELSE 'full' END`;
/** A failed verify or drill outranks a passed one (renderer/src/lib/backup-rows.ts proofOf): invalid 0, never 1, valid 2, restore-tested 3. */
/** Never checked is not failed: NULL columns must not make NOT (…) unknown. */
const INVALID = `(COALESCE(verify_valid, 1) = 0 OR COALESCE(restore_test_ok, 1) = 0)`;
const PROOF_RANK = `CASE WHEN ${INVALID} THEN 0 WHEN restore_test_ok = 1 THEN 3 WHEN verify_valid = 1 THEN 2 ELSE 1 END`;

const FIELDS = {
  timestamp: { b: 'created_at', r: 'started_at' },
  profile: { b: 'profile_name', r: `COALESCE(profile_name, '—')` },
  database: { b: meta('database'), r: 'NULL' },
  filename: { b: 'filename', r: `json_extract(detail, '$.filename')` },
  scope: { b: SCOPE, r: 'NULL' },
  status: { b: 'status', r: 'status' },
  format: { b: meta('format'), r: 'NULL' },
  size: { b: 'size', r: 'NULL' },
  duration: { b: meta('duration'), r: 'NULL' },
  verified: { b: PROOF_RANK, r: 'NULL' },
} as const satisfies Record<BackupSortKey, Field>;

/** What a search looks in: the renderer's matchesFilter, field for field ("schema only" finds schema-only backups). */
const SEARCHED: Field[] = [
  FIELDS.filename,
  FIELDS.profile,
  FIELDS.database,
  FIELDS.format,
  { b: `CASE ${SCOPE} WHEN 'schema-only' THEN 'schema only schema-only' WHEN 'data-only' THEN 'data only data-only' WHEN 'partial' THEN 'partial' ELSE NULL END`, r: 'NULL' },
  { b: 'NULL', r: 'error' },
  { b: 'id', r: 'id' },
];

interface Clause {
  sql: string;
  params: unknown[];
}

function armFilters(query: BackupPageQuery, side: keyof Field): Clause {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.profile) {
    clauses.push(`${FIELDS.profile[side]} = ?`);
    params.push(query.profile);
  }
  const status = query.status;
  if (status === 'good') clauses.push(side === 'b' ? `status = 'completed' AND NOT ${INVALID}` : '0');
  else if (status === 'problems') clauses.push(side === 'b' ? `(status = 'missing' OR ${INVALID})` : `status IN ('failed', 'interrupted')`);
  else if (status !== 'all') {
    clauses.push('status = ?');
    params.push(status);
  }
  const needle = query.text.trim().toLowerCase();
  if (needle) {
    clauses.push(`(${SEARCHED.map((field) => `instr(lower(${field[side]}), ?) > 0`).join(' OR ')})`);
    params.push(...SEARCHED.map(() => needle));
  }
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}

const backupsArm = `FROM backups WHERE status IN (${LISTED_BACKUP_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const attemptsArm = `FROM runs WHERE kind = 'backup' AND status IN (${LISTED_ATTEMPT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export interface PageKeys {
  rows: Array<{ id: string; attempt: 0 | 1 }>;
  total: number;
}

/**
 * The ids of the page's rows in order, and how many rows match. Rows without a value for the sort
 * (attempts have no size) come last either way; ties keep the list's own order, oldest first.
 */
function selectPageKeys(db: Database.Database, query: BackupPageQuery): PageKeys {
  const field = FIELDS[query.sort];
  const b = armFilters(query, 'b');
  const r = armFilters(query, 'r');
  const direction = query.direction === 'asc' ? 'ASC' : 'DESC';
  // Newest first (the default) walks the backups_created index and stops after the page; ties (the
  // same second) by id. Other orders put rows without a value last and keep the list's own order in ties.
  const order = query.sort === 'timestamp' ? `at ${direction}, id ${direction}` : `k IS NULL, k ${direction}, at, id`;
  // Each side gives its first offset+limit rows in that order: the page is among them, and the outer
  // sort handles at most twice a page's depth, not the whole catalogue.
  const depth = query.offset + query.limit;
  // Unary + keeps SQLite from picking the status index, which would make it sort every row first.
  const backups = query.sort === 'timestamp' ? backupsArm.replace('WHERE status IN', 'WHERE +status IN') : backupsArm;
  const union = `SELECT * FROM (SELECT id, 0 AS attempt, created_at AS at, ${field.b} AS k ${backups}${b.sql} ORDER BY ${order} LIMIT ${depth})
                 UNION ALL SELECT * FROM (SELECT id, 1 AS attempt, started_at AS at, ${field.r} AS k ${attemptsArm}${r.sql} ORDER BY ${order} LIMIT ${depth})`;
  const rows = db.prepare(`SELECT id, attempt FROM (${union}) ORDER BY ${order} LIMIT ? OFFSET ?`).all(...b.params, ...r.params, query.limit, query.offset) as PageKeys['rows'];
  const counted = db.prepare(`SELECT (SELECT COUNT(*) ${backupsArm}${b.sql}) + (SELECT COUNT(*) ${attemptsArm}${r.sql}) AS total`).get(...b.params, ...r.params) as { total: number };
  return { rows, total: counted.total };
}

export interface CataloguePage {
  items: Array<BackupSummary | ListEntry>;
  total: number;
  counts: { backups: number; attempts: number };
  profiles: string[];
}

export function selectBackupPage(db: Database.Database, query: BackupPageQuery): CataloguePage {
  const keys = selectPageKeys(db, query);
  const backupIds = keys.rows.filter((row) => row.attempt === 0).map((row) => row.id);
  const attemptIds = keys.rows.filter((row) => row.attempt === 1).map((row) => row.id);
  const summaries = new Map(selectBackupSummaries(db, { ids: backupIds }).map((summary) => [summary.id, summary]));
  const attempts = new Map(
    (attemptIds.length ? (db.prepare(`SELECT * FROM runs WHERE id IN (${attemptIds.map(() => '?').join(', ')})`).all(...attemptIds) as RunRow[]) : []).map((row) => [
      row.id,
      attemptEntry(runFromRow(row)),
    ]),
  );
  // A row changed between the two reads (deleted, a run finished) is left out rather than shown stale.
  const items = keys.rows.flatMap((row) => (row.attempt === 0 ? summaries.get(row.id) : attempts.get(row.id)) ?? []);
  const counts = db.prepare(`SELECT (SELECT COUNT(*) ${backupsArm}) AS backups, (SELECT COUNT(*) ${attemptsArm}) AS attempts`).get() as CataloguePage['counts'];
  // Each profile name once from the backups_profile index, then whether it has a listed row: not a scan of every row.
  const profiles = (
    db
      .prepare(
        `SELECT name FROM (SELECT DISTINCT profile_name AS name FROM backups) AS p WHERE EXISTS (SELECT 1 ${backupsArm} AND profile_name = p.name)
         UNION SELECT DISTINCT profile_name ${attemptsArm} AND profile_name IS NOT NULL ORDER BY name`,
      )
      .all() as Array<{ name: string }>
  ).map((row) => row.name);
  return { items, total: keys.total, counts, profiles };
}
