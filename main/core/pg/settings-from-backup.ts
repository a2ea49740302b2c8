// Which database-level settings a restore takes from a backup (`ALTER DATABASE … SET`, `ALTER ROLE …
// IN DATABASE … SET`, as pg_dump writes them into every archive and pg_restore --create applies them).
// A backup is untrusted, so this is an allow-list: the ordinary per-database knobs a DBA sets for the
// workload that lives in that database. Everything else is left out and said, with the statement to
// run if the DBA means it. A block-list missed what is not code: a backup carrying
// log_statement = 'none' or pgaudit.log = 'none' made the restored production database stop being
// logged and audited without a word.
//
// Why these and no more: pg_dump writes whatever pg_db_role_setting holds for the database, so the
// list is what DBAs actually set per database — the memory, planner and parallelism knobs pgTune-style
// guides and pgAdmin's database "Parameters" tab are used for, the per-database timeouts and
// transaction defaults, and the formatting settings an application expects (dates, time zone,
// numbers, text search, bytea and XML). Each of them changes how a session of that database plans,
// waits or formats — never what the server loads, runs, reads, logs, audits or checks, nor whether a
// commit is durable. An unknown or newer name is not on it until someone decides it belongs.
//
// Custom settings (a dotted name: `app.tenant`, `pgaudit.log`, `auto_explain.*`) are left out too,
// whether or not an extension of that prefix is loaded. They run no code, but a placeholder set now
// becomes the extension's own setting when the extension is loaded later (pgaudit.log = 'none' waits
// for pgAudit to be added to shared_preload_libraries), and applications read them as identity and
// secrets: row-level security policies filter on current_setting('app.tenant'), and Supabase's images
// keep the JWT secret PostgREST checks tokens with in "app.settings.jwt_secret" (pg_dump writes it into
// DATABASE PROPERTIES) — a backup's value there decides which rows or tokens every session that does
// not set its own gets. PL/pgSQL's own settings are the exception:
// PL/pgSQL ships with every server and they only change how its functions compile.
//
// search_path is taken only when it cannot shadow the catalogue: pg_catalog absent (the server then
// searches it first, implicitly) or listed first. A backup's `search_path = evil, pg_catalog` (or any
// schema, "$user" and pg_temp included, before pg_catalog) would make every session of the restored
// database resolve unqualified built-in functions and operators — lower(), =, now() — to that schema's
// objects first: the CVE-2018-1058 trojan, run by whoever connects, superusers and jobs included. With
// pg_catalog first the built-ins always win; what the listed schemas may hold, and who may create a
// schema (a "$user" one too), is the database's own design, restored with its schemas and privileges
// and shown in the preview, not something the setting adds. (pg_temp unlisted or first is the server's
// own default for relations, and pg_temp is never searched for functions or operators.) Each value is
// one schema's exact name: the restore applies them as literals, so 'PG_CATALOG' or 'evil, pg_catalog'
// name other schemas and pg_catalog stays implicitly first.
//
// Names are compared case-insensitively, as the server looks them up (pg_dump writes "DateStyle").
import { codeLoadingSetting } from './code-loading-settings.ts';

/** The settings a restore re-applies from a backup, lower case. */
export const SETTINGS_TAKEN_FROM_BACKUP: ReadonlySet<string> = new Set([
  // Memory a query or maintenance command may use.
  'work_mem',
  'maintenance_work_mem',
  'hash_mem_multiplier',
  'temp_buffers',
  'temp_file_limit',
  // Planner costs and statistics.
  'random_page_cost',
  'seq_page_cost',
  'cpu_tuple_cost',
  'cpu_index_tuple_cost',
  'cpu_operator_cost',
  'effective_cache_size',
  'effective_io_concurrency',
  'maintenance_io_concurrency',
  'default_statistics_target',
  'constraint_exclusion',
  'cursor_tuple_fraction',
  'from_collapse_limit',
  'join_collapse_limit',
  'plan_cache_mode',
  'jit',
  'jit_above_cost',
  'jit_inline_above_cost',
  'jit_optimize_above_cost',
  // Planner method switches (every enable_* of PostgreSQL 15).
  'enable_async_append',
  'enable_bitmapscan',
  'enable_gathermerge',
  'enable_hashagg',
  'enable_hashjoin',
  'enable_incremental_sort',
  'enable_indexonlyscan',
  'enable_indexscan',
  'enable_material',
  'enable_memoize',
  'enable_mergejoin',
  'enable_nestloop',
  'enable_parallel_append',
  'enable_parallel_hash',
  'enable_partition_pruning',
  'enable_partitionwise_aggregate',
  'enable_partitionwise_join',
  'enable_seqscan',
  'enable_sort',
  'enable_tidscan',
  // Parallel query.
  'max_parallel_workers_per_gather',
  'max_parallel_maintenance_workers',
  'parallel_setup_cost',
  'parallel_tuple_cost',
  'parallel_leader_participation',
  'min_parallel_table_scan_size',
  'min_parallel_index_scan_size',
  // Timeouts and transaction defaults.
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'idle_session_timeout',
  'default_transaction_isolation',
  'default_transaction_read_only',
  'default_transaction_deferrable',
  // What a session sees and how values are written.
  'search_path',
  'client_min_messages',
  'datestyle',
  'intervalstyle',
  'timezone',
  'extra_float_digits',
  'lc_monetary',
  'lc_numeric',
  'lc_time',
  'default_text_search_config',
  'bytea_output',
  'xmlbinary',
  'xmloption',
  'gin_pending_list_limit',
  'default_toast_compression',
  // PL/pgSQL, part of every server: how its functions compile and what they report.
  'plpgsql.variable_conflict',
  'plpgsql.extra_warnings',
  'plpgsql.extra_errors',
  'plpgsql.print_strict_params',
]);

/** Why settings left off the allow-list matter, most specific first; the first that matches is said. */
const LEFT_OUT: ReadonlyArray<{ names: RegExp; why: string }> = [
  { names: /^pgaudit\./i, why: 'decides what pgAudit records' },
  {
    // lc_messages translates the server log too, and log analysers (pgBadger) match its English text.
    names: /^(?:log_|debug_|trace_|syslog_|event_source$|lc_messages$|application_name$)/i,
    why: 'decides what the server logs',
  },
  { names: /^(?:track_|compute_query_id$|stats_fetch_consistency$)/i, why: "decides what the server's activity and statistics views record" },
  { names: /^(?:synchronous_commit|commit_delay|commit_siblings)$/i, why: 'decides when a commit is durable' },
  { names: /^(?:role|session_authorization)$/i, why: 'switches the role sessions run as' },
  { names: /^(?:standard_conforming_strings|backslash_quote|escape_string_warning)$/i, why: 'changes how string literals are read, which applications escape against' },
  { names: /\./, why: "is an extension's or an application's own setting" },
];

/**
 * Why a setting of this name and values (one value, or a list's elements) is not taken from a backup,
 * or undefined when a restore re-applies it.
 * `code` is set for the settings that load or run code, name server files or switch off a check
 * (code-loading-settings.ts), and for a search_path that shadows pg_catalog (its schema's functions
 * run in place of the built-ins): those are said apart, without a ready statement to paste.
 */
export function settingLeftOutOfRestore(name: string, values: readonly string[]): { why: string; code: boolean } | undefined {
  const loads = codeLoadingSetting(name);
  if (loads !== undefined) return { why: loads, code: true };
  if (name.toLowerCase() === 'search_path' && shadowsCatalogue(values)) return { why: SHADOWS_CATALOGUE, code: true };
  if (SETTINGS_TAKEN_FROM_BACKUP.has(name.toLowerCase())) return undefined;
  const why = LEFT_OUT.find((rule) => rule.names.test(name))?.why ?? 'is not one of the ordinary per-database settings a restore takes from a backup';
  return { why, code: false };
}

const SHADOWS_CATALOGUE = 'searches a schema before pg_catalog, so its functions and operators would replace the built-in ones in every session';

/** Whether a search_path's schemas put one before pg_catalog; absent, the server searches pg_catalog first. */
const shadowsCatalogue = (schemas: readonly string[]) => schemas.indexOf('pg_catalog') > 0;
