// One page of the Backups list straight from SQLite: the catalogue's backups, its whole-server sets
// (one row each, its members nested under it, never loose) and its failed, interrupted, cancelled and
// running backup runs, filtered and sorted in SQL, then only the page's rows read in full. With 100,000 backups the first screen costs one sort of small keys and a few dozen summaries,
// not every record as JSON. The default order (newest first, no filter) reads columns only; sorting
// or searching by a field kept in the metadata (database, format, duration, scope) reads it from every
// row, which is the price of that choice, paid when it is made.
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { BACKUP_SORT_KEYS, BACKUP_STATUS_FILTERS, PAGE_LIMIT_MAX, type BackupPage, type BackupSortKey } from '../model/backup-page.ts';
import type { ListEntry } from '../model/reports.ts';
import type { BackupSummary, RunRecord } from '../model/types.ts';
import { BackupSetSchema, type BackupSet } from '../sets/set-record.ts';
import { LISTED_BACKUP_STATUSES, selectBackupSummaries } from './backup-rows.ts';
import { runFromRow, type RunRow } from './run-rows.ts';

export const BackupPageQuerySchema = lazySchema(() =>
  z
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
    .strict(),
);
export type BackupPageQuery = z.output<typeof BackupPageQuerySchema>;

/** Runs of a backup that produced none (or none yet): listed beside the backups as attempts. */
export const LISTED_ATTEMPT_STATUSES = ['failed', 'interrupted', 'running'] as const;

/** A whole-server set is listed while it runs, and once it finished whole, in part or interrupted; never once deleted. */
export const LISTED_SET_STATUSES = ['completed', 'partial', 'interrupted', 'running'] as const;

/** A backup run that produced no backup, as backup.list shows it beside the backups; one the user cancelled says so. `set`: the set it was part of. */
export function attemptEntry(run: RunRecord, set?: string): ListEntry {
  return {
    id: run.id,
    status: run.cancelled ? 'cancelled' : run.status,
    profile: run.profile,
    timestamp: run.startedAt,
    filename: typeof run.detail?.filename === 'string' ? run.detail.filename : null,
    error: run.error,
    ...(typeof run.detail?.hint === 'string' ? { hint: run.detail.hint } : {}),
    ...(typeof run.detail?.appHint === 'string' ? { appHint: run.detail.appHint } : {}),
    ...(set ? { set } : {}),
  };
}

/** Each list field as an SQL expression over a backups row (b), an attempt's runs row (r) and a backup_sets row (s). */
interface Field {
  b: string;
  r: string;
  s: string;
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
/** An attempt the user cancelled is listed as cancelled (runs.cancelled), not as the interrupted run it is. */
const ATTEMPT_STATUS = `CASE WHEN cancelled = 1 THEN 'cancelled' ELSE status END`;

// A set's row as renderer/src/lib/set-rows.ts setToRow builds it: its held members are its backups rows
// still listed; it is as proven as its least proven member, partial or not (its status says it is not whole).
const setMeta = (path: string) => `json_extract(manifest, '$.${path}')`;
const MEMBERS = `FROM backups m WHERE m.set_id = backup_sets.id AND m.status IN (${LISTED_BACKUP_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const memberInvalid = `(COALESCE(m.verify_valid, 1) = 0 OR COALESCE(m.restore_test_ok, 1) = 0)`;
const SET_INVALID = `EXISTS (SELECT 1 ${MEMBERS} AND ${memberInvalid})`;
const SET_PROOF_RANK = `CASE WHEN NOT EXISTS (SELECT 1 ${MEMBERS}) THEN NULL WHEN ${SET_INVALID} THEN 0
  WHEN NOT EXISTS (SELECT 1 ${MEMBERS} AND COALESCE(m.restore_test_ok, 0) <> 1) THEN 3
  WHEN NOT EXISTS (SELECT 1 ${MEMBERS} AND COALESCE(m.verify_valid, 0) <> 1) THEN 2 ELSE 1 END`;
const SET_HELD = `(SELECT COUNT(*) FROM json_each(manifest, '$.databases') WHERE json_extract(value, '$.status') = 'completed') || ' of '
  || MAX(json_array_length(manifest, '$.expected'), json_array_length(manifest, '$.databases')) || ' databases'`;
const SET_SCOPE = `CASE WHEN status = 'completed' THEN 'full' ELSE 'partial' END`;
const SET_PROBLEMS = `(SELECT group_concat(value, '; ') FROM json_each(manifest, '$.problems'))`;
/** A search finds a set by any of its databases, as the table's does; char(1) keeps two names from joining into a third. */
const SET_DATABASES = `(SELECT group_concat(json_extract(value, '$.database'), char(1)) FROM json_each(manifest, '$.databases'))`;

const FIELDS = {
  timestamp: { b: 'created_at', r: 'started_at', s: 'created_at' },
  profile: { b: 'profile_name', r: `COALESCE(profile_name, '—')`, s: 'profile_name' },
  database: { b: meta('database'), r: 'NULL', s: SET_HELD },
  filename: { b: 'filename', r: `json_extract(detail, '$.filename')`, s: setMeta('manifest.filename') },
  scope: { b: SCOPE, r: 'NULL', s: SET_SCOPE },
  status: { b: 'status', r: ATTEMPT_STATUS, s: 'status' },
  format: { b: meta('format'), r: 'NULL', s: `'whole server'` },
  size: { b: 'size', r: 'NULL', s: `(SELECT COALESCE(SUM(m.size), 0) ${MEMBERS})` },
  duration: { b: meta('duration'), r: 'NULL', s: `NULLIF(${setMeta('durationMs')}, 0)` },
  verified: { b: PROOF_RANK, r: 'NULL', s: SET_PROOF_RANK },
} as const satisfies Record<BackupSortKey, Field>;

/** What a search looks in: the renderer's matchesFilter, field for field ("schema only" finds schema-only backups). */
const SEARCHED: Field[] = [
  FIELDS.filename,
  FIELDS.profile,
  FIELDS.database,
  FIELDS.format,
  {
    b: `CASE ${SCOPE} WHEN 'schema-only' THEN 'schema only schema-only' WHEN 'data-only' THEN 'data only data-only' WHEN 'partial' THEN 'partial' ELSE NULL END`,
    r: 'NULL',
    s: `CASE ${SET_SCOPE} WHEN 'partial' THEN 'partial' ELSE NULL END`,
  },
  { b: 'NULL', r: 'error', s: SET_PROBLEMS },
  { b: 'id', r: 'id', s: 'id' },
  { b: 'NULL', r: 'NULL', s: SET_DATABASES },
];

interface Clause {
  sql: string;
  params: unknown[];
}

/** The 'good' and 'problems' filters on each side: usable (renderer isUsable) and needing attention (isProblem). */
const GOOD: Field = { b: `status = 'completed' AND NOT ${INVALID}`, r: '0', s: `status = 'completed' AND NOT ${SET_INVALID}` };
const PROBLEMS: Field = { b: `(status = 'missing' OR ${INVALID})`, r: `status IN ('failed', 'interrupted') AND cancelled = 0`, s: `(status IN ('partial', 'interrupted') OR ${SET_INVALID})` };

function armFilters(query: BackupPageQuery, side: keyof Field): Clause {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.profile) {
    clauses.push(`${FIELDS.profile[side]} = ?`);
    params.push(query.profile);
  }
  const status = query.status;
  if (status === 'good') clauses.push(GOOD[side]);
  else if (status === 'problems') clauses.push(PROBLEMS[side]);
  else if (status !== 'all') {
    clauses.push(`${FIELDS.status[side]} = ?`);
    params.push(status);
  }
  const needle = query.text.trim().toLowerCase();
  if (needle) {
    clauses.push(`(${SEARCHED.map((field) => `instr(lower(${field[side]}), ?) > 0`).join(' OR ')})`);
    params.push(...SEARCHED.map(() => needle));
  }
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params };
}

const quoted = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');
/** A set's members are listed under it, never loose. */
const backupsArm = `FROM backups WHERE status IN (${quoted(LISTED_BACKUP_STATUSES)}) AND set_id IS NULL`;
/** A set's own run and its members' runs are the set's row, not attempts beside it. */
const attemptsArm = `FROM runs WHERE kind = 'backup' AND status IN (${quoted(LISTED_ATTEMPT_STATUSES)})
  AND json_extract(detail, '$.set') IS NULL AND id NOT IN (SELECT run_id FROM backup_sets)`;
const setsArm = `FROM backup_sets WHERE status IN (${quoted(LISTED_SET_STATUSES)})`;
/**
 * The backups the listed sets hold: one row each in the table, but each database is a backup to count.
 * Unary + keeps SQLite from walking every backup by status: it looks up each listed set's members instead.
 */
const setMembersArm = `FROM backups WHERE +status IN (${quoted(LISTED_BACKUP_STATUSES)}) AND set_id IN (SELECT id ${setsArm})`;
/** The listed sets' members that failed or were left unfinished: each a database's backup that did not happen. */
const failedInSetsArm = `FROM runs WHERE kind = 'backup' AND status IN ('failed', 'interrupted') AND json_extract(detail, '$.set') IN (SELECT id ${setsArm})`;

/** Which table a page row comes from. */
const BACKUP = 0;
const ATTEMPT = 1;
const SET = 2;
type Arm = typeof BACKUP | typeof ATTEMPT | typeof SET;

interface PageStatements {
  /** The page's ids and arms in order; its parameters, then limit and offset. */
  keys: string;
  /** How many rows match the filter. */
  total: string;
  /** How many rows each arm lists, whatever the filter. */
  counts: string;
  params: unknown[];
}

/**
 * The statements of a page. Rows without a value for the sort (attempts have no size) come last
 * either way; ties keep the list's own order, oldest first.
 */
function pageStatements(query: BackupPageQuery): PageStatements {
  const field = FIELDS[query.sort];
  const b = armFilters(query, 'b');
  const r = armFilters(query, 'r');
  const s = armFilters(query, 's');
  const direction = query.direction === 'asc' ? 'ASC' : 'DESC';
  // Newest first (the default) walks the backups_unset_newest index (set_id, created_at, id, status)
  // and stops after the page, reading no row; ties (the same second) by id. Other orders put rows
  // without a value last and keep the list's own order in ties.
  const order = query.sort === 'timestamp' ? `at ${direction}, id ${direction}` : `k IS NULL, k ${direction}, at, id`;
  // Each side gives its first offset+limit rows in that order: the page is among them, and the outer
  // sort handles at most three times a page's depth, not the whole catalogue.
  const depth = query.offset + query.limit;
  // Unary + keeps SQLite from picking the status index, which would make it sort every row first.
  const backups = query.sort === 'timestamp' ? backupsArm.replace('WHERE status IN', 'WHERE +status IN') : backupsArm;
  const union = `SELECT * FROM (SELECT id, ${BACKUP} AS arm, created_at AS at, ${field.b} AS k ${backups}${b.sql} ORDER BY ${order} LIMIT ${depth})
                 UNION ALL SELECT * FROM (SELECT id, ${ATTEMPT} AS arm, started_at AS at, ${field.r} AS k ${attemptsArm}${r.sql} ORDER BY ${order} LIMIT ${depth})
                 UNION ALL SELECT * FROM (SELECT id, ${SET} AS arm, created_at AS at, ${field.s} AS k ${setsArm}${s.sql} ORDER BY ${order} LIMIT ${depth})`;
  return {
    keys: `SELECT id, arm FROM (${union}) ORDER BY ${order} LIMIT ? OFFSET ?`,
    total: `SELECT (SELECT COUNT(*) ${backupsArm}${b.sql}) + (SELECT COUNT(*) ${attemptsArm}${r.sql}) + (SELECT COUNT(*) ${setsArm}${s.sql}) AS total`,
    counts: `SELECT (SELECT COUNT(*) ${backupsArm}) AS backups, (SELECT COUNT(*) ${attemptsArm} AND status <> 'running') AS attempts,
             (SELECT COUNT(*) ${attemptsArm} AND status = 'running') AS running, (SELECT COUNT(*) ${setsArm}) AS sets, (SELECT COUNT(*) ${setMembersArm}) AS setMembers,
             (SELECT COUNT(*) ${failedInSetsArm}) AS failedInSets`,
    params: [...b.params, ...r.params, ...s.params],
  };
}

/**
 * How SQLite runs a page's statements (EXPLAIN QUERY PLAN, one detail line each): the spec checks
 * that the default first page and the counts read an index, never every row.
 */
export function explainBackupPage(db: Database.Database, query: BackupPageQuery): Record<'keys' | 'total' | 'counts', string[]> {
  const statements = pageStatements(query);
  const plan = (sql: string, params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail);
  return {
    keys: plan(statements.keys, [...statements.params, query.limit, query.offset]),
    total: plan(statements.total, statements.params),
    counts: plan(statements.counts, []),
  };
}

export interface PageKeys {
  rows: Array<{ id: string; arm: Arm }>;
  total: number;
}

/** The ids of the page's rows in order, and how many rows match. */
function selectPageKeys(db: Database.Database, query: BackupPageQuery): PageKeys {
  const statements = pageStatements(query);
  const rows = db.prepare(statements.keys).all(...statements.params, query.limit, query.offset) as PageKeys['rows'];
  const counted = db.prepare(statements.total).get(...statements.params) as { total: number };
  return { rows, total: counted.total };
}

/** A set in the page: its record, with its members' summaries to expand to (what set.list with fields 'summary' nests). */
export type PageSet = BackupSet & { members: BackupSummary[] };

function selectPageSets(db: Database.Database, ids: string[]): Map<string, PageSet> {
  if (!ids.length) return new Map();
  const marks = ids.map(() => '?').join(', ');
  const rows = db.prepare(`SELECT id, status, manifest FROM backup_sets WHERE id IN (${marks})`).all(...ids) as Array<{ id: string; status: BackupSet['status']; manifest: string }>;
  const memberIds = (db.prepare(`SELECT id, set_id FROM backups WHERE set_id IN (${marks})`).all(...ids) as Array<{ id: string; set_id: string }>).map((row) => row.id);
  const members = selectBackupSummaries(db, { ids: memberIds });
  return new Map(
    rows.map((row) => {
      const record = { ...BackupSetSchema.parse(JSON.parse(row.manifest)), status: row.status };
      // The set's order of databases, as nestSets gives them.
      const held = record.databases.flatMap((database) => members.find((member) => member.id === database.id) ?? []);
      return [row.id, { ...record, members: held }];
    }),
  );
}

export interface CataloguePage {
  items: Array<BackupSummary | ListEntry | PageSet>;
  total: number;
  counts: BackupPage['counts'];
  profiles: string[];
}

export function selectBackupPage(db: Database.Database, query: BackupPageQuery): CataloguePage {
  const keys = selectPageKeys(db, query);
  const idsOf = (arm: Arm) => keys.rows.filter((row) => row.arm === arm).map((row) => row.id);
  const attemptIds = idsOf(ATTEMPT);
  const summaries = new Map(selectBackupSummaries(db, { ids: idsOf(BACKUP) }).map((summary) => [summary.id, summary]));
  const attempts = new Map(
    (attemptIds.length ? (db.prepare(`SELECT * FROM runs WHERE id IN (${attemptIds.map(() => '?').join(', ')})`).all(...attemptIds) as RunRow[]) : []).map((row) => [
      row.id,
      attemptEntry(runFromRow(row)),
    ]),
  );
  const sets = selectPageSets(db, idsOf(SET));
  const read = new Map<Arm, Map<string, BackupSummary | ListEntry | PageSet>>([
    [BACKUP, summaries],
    [ATTEMPT, attempts],
    [SET, sets],
  ]);
  // A row changed between the two reads (deleted, a run finished) is left out rather than shown stale.
  const items = keys.rows.flatMap((row) => read.get(row.arm)?.get(row.id) ?? []);
  const counts = db.prepare(pageStatements(query).counts).get() as CataloguePage['counts'];
  // Each profile name once from the backups_profile index, then whether it has a listed row: not a scan of every row.
  const profiles = (
    db
      .prepare(
        `SELECT name FROM (SELECT DISTINCT profile_name AS name FROM backups) AS p WHERE EXISTS (SELECT 1 ${backupsArm} AND profile_name = p.name)
         UNION SELECT DISTINCT profile_name ${attemptsArm} AND profile_name IS NOT NULL
         UNION SELECT DISTINCT profile_name ${setsArm} ORDER BY name`,
      )
      .all() as Array<{ name: string }>
  ).map((row) => row.name);
  return { items, total: keys.total, counts, profiles };
}
