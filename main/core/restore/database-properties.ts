// A replace restore builds a new database and gives it the old one's name, so everything that lives on
// the database itself rather than inside it — owner, privileges (who may CONNECT), per-database and
// per-role-in-database settings, comment, connection limit, encoding and collation — must be carried
// over on purpose, or the swap silently resets it (PUBLIC could connect again).
//
// Where each comes from: the backup's own database-level entries when it has them, else the database
// being replaced. pg_dump (12 and later) writes DATABASE, DATABASE PROPERTIES, COMMENT and ACL entries
// for the database into every archive (custom, directory, tar), filtered or not, and pg_restore emits
// them only with --create; a plain dump made without --create (as Holdfast's are) has none, and neither
// has a data-only archive. --no-owner and --no-acl keep the replaced database's owner and privileges.
//
// The archive's entries are read as the SQL `pg_restore --create -f -` would send for them, parsed into
// values and applied with statements built here: the archive's SQL names the dumped database, never
// the scratch copy, so running it would change the live one.
import type pg from 'pg';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import { runChild, stderrTail } from '../process/child.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { BackupMetadata } from '../model/types.ts';

export type Privilege = 'CONNECT' | 'CREATE' | 'TEMPORARY';
const ALL_PRIVILEGES: readonly Privilege[] = ['CONNECT', 'CREATE', 'TEMPORARY'];

/** One grantee's privileges on the database; "PUBLIC" is everyone. */
export interface AclEntry {
  grantee: string;
  privileges: Privilege[];
  /** The subset it may grant on. */
  grantable: Privilege[];
}

/** A pg_db_role_setting entry: for every session in the database (role null) or one role's. */
export interface DatabaseSetting {
  role: string | null;
  name: string;
  /** One value, or a list's elements (search_path and the other list settings). */
  values: string[];
}

export interface Locale {
  encoding: string;
  collate: string;
  ctype: string;
  /** libc, icu (and builtin, PostgreSQL 17) */
  provider: string;
  icuLocale: string | null;
}

export interface DatabaseProperties {
  owner: string;
  acl: AclEntry[];
  settings: DatabaseSetting[];
  comment: string | null;
  /** -1: no limit. */
  connectionLimit: number;
  locale: Locale | null;
}

export const DATABASE_PROPERTIES = ['owner', 'acl', 'settings', 'comment', 'connectionLimit', 'encoding', 'collation'] as const;
export type DatabaseProperty = (typeof DATABASE_PROPERTIES)[number];

/** One line of the restore preview: what the replaced database has, what its replacement will have, and from where. */
export interface DatabasePropertyImpact {
  property: DatabaseProperty;
  current: string;
  restored: string;
  from: 'backup' | 'target';
  changes: boolean;
}

export interface DatabasePropertiesPlan {
  /** What the restored copy gets. */
  properties: DatabaseProperties;
  /** The locale to fall back to when the server cannot create the chosen one. */
  fallbackLocale: Locale | null;
  impact: DatabasePropertyImpact[];
  /** Things the copy will not get, said in the preview and the result. */
  warnings: string[];
}

/** What the backup's database-level entries say; absent fields were not in it. */
export interface BackupDatabaseEntries {
  /** The database the backup was taken of, as its entries name it. */
  database: string;
  owner: string | null;
  acl: AclEntry[] | null;
  settings: DatabaseSetting[];
  comment: string | null;
  connectionLimit: number;
  locale: Locale | null;
  /** Entries read but not carried over (security labels, IS_TEMPLATE). */
  unsupported: string[];
}

// --- reading the backup --------------------------------------------------------------------------

const DATABASE_ENTRY = /^(\d+); \d+ \d+ (DATABASE PROPERTIES|DATABASE|COMMENT|ACL|SECURITY LABEL) - (DATABASE )?/;

/** The backup's database-level entries, or undefined when it has none (plain SQL, a data-only archive). */
export async function readBackupDatabaseEntries(tools: ClientToolSet, backup: BackupMetadata, timeoutMs: number): Promise<BackupDatabaseEntries | undefined> {
  if (backup.format === 'plain') return undefined;
  // pg_restore -f writes a script and connects to nothing; it needs no credentials.
  const env = { PATH: process.env.PATH, LC_ALL: 'C' };
  const listed = await runChild(tools.paths.pg_restore, ['--create', '--list', backup.path], { env, captureStdout: true, timeoutMs });
  if (listed.exitCode !== 0) throw entriesUnreadable(backup, stderrTail(listed.stderr));
  const wanted: string[] = [];
  for (const line of listed.stdout.split('\n')) {
    const entry = DATABASE_ENTRY.exec(line);
    // COMMENT, ACL and SECURITY LABEL entries count only when they are on the database ("- DATABASE name").
    if (entry && (entry[2] === 'DATABASE' || entry[2] === 'DATABASE PROPERTIES' || entry[3])) wanted.push(line);
  }
  if (!wanted.some((line) => / DATABASE - /.test(line))) return undefined;
  const raw: Buffer[] = [];
  // The list goes through a file (not /dev/stdin) so this works on Windows too.
  const dir = await mkdtemp(join(tmpdir(), 'holdfast-list-'));
  let script;
  try {
    const list = join(dir, 'database-entries.list');
    await writeFile(list, `${wanted.join('\n')}\n`);
    script = await runChild(tools.paths.pg_restore, ['--create', `--use-list=${list}`, '--file=-', backup.path], {
      env,
      captureStdout: true,
      timeoutMs,
      // Raw bytes: the script is in the dumped database's encoding, which need not be UTF-8.
      onSpawn: (child) => child.stdout?.on('data', (chunk: Buffer) => raw.push(chunk)),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (script.exitCode !== 0) throw entriesUnreadable(backup, stderrTail(script.stderr));
  return parseDatabaseEntries(decodeScript(Buffer.concat(raw)));
}

function entriesUnreadable(backup: BackupMetadata, detail: string): HoldfastError {
  return new HoldfastError('RESTORE_FAILED', `pg_restore could not read the database-level entries of ${backup.filename}: ${detail || '(no message)'}`, 'Verify the backup (holdfast verify); nothing was changed.');
}

/** PostgreSQL encoding names as the WHATWG decoder knows them; the rest are read as UTF-8. */
const DECODERS: Record<string, string> = {
  LATIN1: 'iso-8859-1', LATIN2: 'iso-8859-2', LATIN3: 'iso-8859-3', LATIN4: 'iso-8859-4', LATIN5: 'iso-8859-9', LATIN6: 'iso-8859-10',
  LATIN7: 'iso-8859-13', LATIN8: 'iso-8859-14', LATIN9: 'iso-8859-15', LATIN10: 'iso-8859-16', ISO_8859_5: 'iso-8859-5', ISO_8859_6: 'iso-8859-6',
  ISO_8859_7: 'iso-8859-7', ISO_8859_8: 'iso-8859-8', WIN866: 'ibm866', WIN874: 'windows-874', WIN1250: 'windows-1250', WIN1251: 'windows-1251',
  WIN1252: 'windows-1252', WIN1253: 'windows-1253', WIN1254: 'windows-1254', WIN1255: 'windows-1255', WIN1256: 'windows-1256', WIN1257: 'windows-1257',
  WIN1258: 'windows-1258', KOI8R: 'koi8-r', KOI8U: 'koi8-u', EUC_JP: 'euc-jp', SJIS: 'shift_jis', EUC_KR: 'euc-kr', GBK: 'gbk', GB18030: 'gb18030', BIG5: 'big5',
};

function decodeScript(bytes: Buffer): string {
  // The header is ASCII in every server encoding.
  const declared = /SET client_encoding = '([A-Z0-9_]+)'/.exec(bytes.subarray(0, 4096).toString('latin1'))?.[1];
  const label = declared ? DECODERS[declared] : undefined;
  try {
    return new TextDecoder(label ?? 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

type Token = { kind: 'word'; text: string; quoted: boolean } | { kind: 'string'; text: string } | { kind: 'symbol'; text: string };

/**
 * Tokens per statement of pg_dump's output: identifiers ("quoted" or plain, folded to lower case),
 * string literals ('…', E'…'), numbers and symbols; comments and psql's backslash lines skipped.
 */
function statements(sql: string): Token[][] {
  const result: Token[][] = [];
  let current: Token[] = [];
  let i = 0;
  let lineStart = true;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\n') {
      lineStart = true;
      i += 1;
      continue;
    }
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (lineStart && c === '\\') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      continue;
    }
    lineStart = false;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      continue;
    }
    if (c === ';') {
      if (current.length) result.push(current);
      current = [];
      i += 1;
      continue;
    }
    const escaped = (c === 'E' || c === 'e') && sql[i + 1] === "'";
    if (c === "'" || c === '"' || escaped) {
      const quote = escaped ? "'" : c;
      const { text, end } = quoted(sql, i + (escaped ? 2 : 1), quote, escaped);
      current.push(quote === '"' ? { kind: 'word', text, quoted: true } : { kind: 'string', text });
      i = end;
      continue;
    }
    const word = /^[\p{L}_][\p{L}\p{N}_$]*|^-?\d+/u.exec(sql.slice(i, i + 200));
    if (word) {
      current.push({ kind: 'word', text: word[0].toLowerCase(), quoted: false });
      i += word[0].length;
      continue;
    }
    current.push({ kind: 'symbol', text: c });
    i += 1;
  }
  if (current.length) result.push(current);
  return result;
}

/** The text of a '…' literal or "…" identifier starting after its opening quote (doubled quotes, and E'' backslashes), and where it ends. */
function quoted(sql: string, start: number, quote: string, backslashes: boolean): { text: string; end: number } {
  let text = '';
  let j = start;
  for (;;) {
    const d = sql[j];
    if (d === undefined) return { text, end: j };
    if (backslashes && d === '\\') {
      const next = sql[j + 1] ?? '';
      text += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
      j += 2;
    } else if (d === quote && sql[j + 1] === quote) {
      text += quote;
      j += 2;
    } else if (d === quote) {
      return { text, end: j + 1 };
    } else {
      text += d;
      j += 1;
    }
  }
}

/** A cursor over one statement's tokens. */
class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}
  /** Consumes the keywords (unquoted, case-insensitive) when they come next. */
  keywords(...words: string[]): boolean {
    const ahead = words.every((word, k) => {
      const token = this.tokens[this.at + k];
      return token?.kind === 'word' && !token.quoted && token.text === word.toLowerCase();
    });
    if (ahead) this.at += words.length;
    return ahead;
  }
  symbol(text: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind === 'symbol' && token.text === text) {
      this.at += 1;
      return true;
    }
    return false;
  }
  name(): string | undefined {
    const token = this.tokens[this.at];
    if (token?.kind !== 'word') return undefined;
    this.at += 1;
    return token.text;
  }
  /** A role in a GRANT/REVOKE: the keyword PUBLIC, or a name ("public" quoted is a role of that name). */
  grantee(): string | undefined {
    const token = this.tokens[this.at];
    if (token?.kind === 'word' && !token.quoted && token.text === 'public') {
      this.at += 1;
      return 'PUBLIC';
    }
    return this.name();
  }
  string(): string | undefined {
    const token = this.tokens[this.at];
    if (token?.kind !== 'string') return undefined;
    this.at += 1;
    return token.text;
  }
  /** A literal's value, or a bare word or number (CREATE DATABASE … ENCODING = 'UTF8' / LOCALE_PROVIDER = libc). */
  value(): string | undefined {
    return this.string() ?? this.name();
  }
  list<T>(item: () => T | undefined): T[] {
    const items: T[] = [];
    for (let next = item(); next !== undefined; next = item()) {
      items.push(next);
      if (!this.symbol(',')) break;
    }
    return items;
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
}

const PRIVILEGE_WORDS: Record<string, Privilege[]> = { connect: ['CONNECT'], create: ['CREATE'], temporary: ['TEMPORARY'], temp: ['TEMPORARY'], all: [...ALL_PRIVILEGES] };

/** The database-level statements pg_dump writes, as values; exported for its unit test. */
export function parseDatabaseEntries(sql: string): BackupDatabaseEntries | undefined {
  let database: string | undefined;
  let owner: string | null = null;
  let locale: Locale | null = null;
  let comment: string | null = null;
  let connectionLimit = -1;
  const settings: DatabaseSetting[] = [];
  const unsupported: string[] = [];
  let acl: Map<string, AclEntry> | undefined;
  const aclFor = (): Map<string, AclEntry> => {
    // pg_dump writes privileges as changes from the defaults the owner gets at CREATE DATABASE.
    acl ??= new Map(defaultAcl(owner ?? '').map((entry) => [entry.grantee, entry]));
    return acl;
  };
  const isOurs = (name: string | undefined) => name !== undefined && (database === undefined || name === database);

  for (const tokens of statements(sql)) {
    const r = new Reader(tokens);
    if (r.keywords('CREATE', 'DATABASE')) {
      database = r.name();
      const options = new Map<string, string>();
      r.keywords('WITH');
      while (!r.done()) {
        const key = r.name();
        if (!key) break;
        r.symbol('=');
        const value = r.value();
        if (value === undefined) break;
        options.set(key, value);
      }
      const both = options.get('locale');
      const encoding = options.get('encoding');
      if (encoding) {
        locale = {
          encoding: encoding.toUpperCase(),
          collate: options.get('lc_collate') ?? both ?? '',
          ctype: options.get('lc_ctype') ?? both ?? '',
          provider: options.get('locale_provider') ?? 'libc',
          icuLocale: options.get('icu_locale') ?? null,
        };
      }
      if (options.has('tablespace')) unsupported.push(`its tablespace (${options.get('tablespace')})`);
    } else if (r.keywords('ALTER', 'DATABASE')) {
      if (!isOurs(r.name())) continue;
      if (r.keywords('OWNER', 'TO')) {
        owner = r.name() ?? owner;
      } else if (r.keywords('CONNECTION', 'LIMIT')) {
        r.symbol('=');
        connectionLimit = Number(r.name() ?? '-1');
      } else if (r.keywords('SET')) {
        const name = r.name();
        if (name && r.keywords('TO')) settings.push({ role: null, name, values: r.list(() => r.value()) });
      } else if (r.keywords('IS_TEMPLATE')) {
        unsupported.push('IS_TEMPLATE');
      }
    } else if (r.keywords('ALTER', 'ROLE')) {
      const role = r.name();
      if (!role || !r.keywords('IN', 'DATABASE') || !isOurs(r.name()) || !r.keywords('SET')) continue;
      const name = r.name();
      if (name && r.keywords('TO')) settings.push({ role, name, values: r.list(() => r.value()) });
    } else if (r.keywords('COMMENT', 'ON', 'DATABASE')) {
      if (isOurs(r.name()) && r.keywords('IS')) comment = r.string() ?? null;
    } else if (r.keywords('SECURITY', 'LABEL')) {
      unsupported.push('security labels');
    } else {
      const grant = r.keywords('GRANT');
      if (!grant && !r.keywords('REVOKE')) continue;
      const optionOnly = !grant && r.keywords('GRANT', 'OPTION', 'FOR');
      const privileges = r.list(() => {
        const word = r.name();
        if (word === 'all') r.keywords('PRIVILEGES');
        return word === undefined ? undefined : (PRIVILEGE_WORDS[word] ?? []);
      }).flat();
      if (!r.keywords('ON', 'DATABASE') || !isOurs(r.name()) || !r.keywords(grant ? 'TO' : 'FROM')) continue;
      const grantees = r.list(() => r.grantee());
      const withGrantOption = grant && r.keywords('WITH', 'GRANT', 'OPTION');
      const entries = aclFor();
      for (const grantee of grantees) {
        const entry = entries.get(grantee) ?? { grantee, privileges: [], grantable: [] };
        if (grant) {
          entry.privileges = union(entry.privileges, privileges);
          if (withGrantOption) entry.grantable = union(entry.grantable, privileges);
        } else {
          if (!optionOnly) entry.privileges = entry.privileges.filter((p) => !privileges.includes(p));
          entry.grantable = entry.grantable.filter((p) => !privileges.includes(p));
        }
        entries.set(grantee, entry);
      }
    }
  }
  if (database === undefined) return undefined;
  return {
    database,
    owner,
    acl: acl ? normalAcl([...acl.values()]) : null,
    settings: sortedSettings(settings),
    comment,
    connectionLimit,
    locale,
    unsupported,
  };
}

const union = (a: Privilege[], b: Privilege[]) => ALL_PRIVILEGES.filter((p) => a.includes(p) || b.includes(p));

/** What a database's NULL datacl means: the owner may do everything, PUBLIC may CONNECT and TEMPORARY. */
function defaultAcl(owner: string): AclEntry[] {
  return [
    { grantee: 'PUBLIC', privileges: ['CONNECT', 'TEMPORARY'], grantable: [] },
    { grantee: owner, privileges: [...ALL_PRIVILEGES], grantable: [] },
  ];
}

function normalAcl(entries: AclEntry[]): AclEntry[] {
  return entries
    .filter((entry) => entry.privileges.length > 0)
    .map((entry) => ({ grantee: entry.grantee, privileges: ALL_PRIVILEGES.filter((p) => entry.privileges.includes(p)), grantable: ALL_PRIVILEGES.filter((p) => entry.grantable.includes(p)) }))
    .sort((a, b) => (a.grantee === 'PUBLIC' ? -1 : b.grantee === 'PUBLIC' ? 1 : byCodePoint(a.grantee, b.grantee)));
}

function sortedSettings(settings: DatabaseSetting[]): DatabaseSetting[] {
  // A later SET of the same name replaces the earlier one, as on the server.
  const byKey = new Map(settings.map((s) => [`${s.role ?? ''}\u0000${s.name}`, s]));
  return [...byKey.values()].sort((a, b) => byCodePoint(a.role ?? '', b.role ?? '') || byCodePoint(a.name, b.name));
}

/** The same order on every machine, whatever its locale. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// --- reading the database being replaced -------------------------------------------------------------

/** Settings that make the server load a library into each session. */
const CODE_LOADING_SETTINGS = /_preload_libraries$/i;

/** Settings whose value is a list of (possibly double-quoted) names, as pg_dump treats them. */
const LIST_SETTINGS = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

/** pg_db_role_setting's "name=value" as a setting; list settings split as the server joined them. */
function settingFromConfig(role: string | null, config: string): DatabaseSetting {
  const eq = config.indexOf('=');
  const name = config.slice(0, eq);
  const value = config.slice(eq + 1);
  if (!LIST_SETTINGS.has(name.toLowerCase())) return { role, name, values: [value] };
  const values: string[] = [];
  for (let i = 0; i < value.length; ) {
    while (value[i] === ' ' || value[i] === ',') i += 1;
    if (i >= value.length) break;
    let element = '';
    if (value[i] === '"') {
      for (i += 1; i < value.length; i += 1) {
        if (value[i] === '"') {
          if (value[i + 1] !== '"') break;
          i += 1;
        }
        element += value[i];
      }
      i += 1;
    } else {
      while (i < value.length && value[i] !== ',') element += value[i++];
      element = element.trim();
    }
    values.push(element);
  }
  return { role, name, values };
}

export interface TargetDatabase {
  oid: number;
  allowConnections: boolean;
  properties: DatabaseProperties;
}

/** The live database's properties (columns read through to_jsonb, which every server major has). */
export async function readTargetDatabase(client: pg.Client, database: string): Promise<TargetDatabase | undefined> {
  const row = (
    await client.query<{ oid: string; db: Record<string, unknown>; owner: string; encoding: string; comment: string | null; acl: Array<{ grantee: string; privilege: string; grantable: boolean }> }>(
      `SELECT d.oid::text AS oid, to_jsonb(d) - 'datacl' AS db, pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding,
              shobj_description(d.oid, 'pg_database') AS comment,
              (SELECT coalesce(json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]')
                 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a) AS acl
         FROM pg_database d WHERE d.datname = $1`,
      [database],
    )
  ).rows[0];
  if (!row) return undefined;
  const settings = (
    await client.query<{ role: string | null; config: string[] }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config FROM pg_db_role_setting s WHERE s.setdatabase = $1::oid`,
      [row.oid],
    )
  ).rows.flatMap((r) => r.config.map((config) => settingFromConfig(r.role, config)));
  const byGrantee = new Map<string, AclEntry>();
  for (const item of row.acl) {
    const entry = byGrantee.get(item.grantee) ?? { grantee: item.grantee, privileges: [], grantable: [] };
    const privilege = item.privilege as Privilege;
    entry.privileges = union(entry.privileges, [privilege]);
    if (item.grantable) entry.grantable = union(entry.grantable, [privilege]);
    byGrantee.set(item.grantee, entry);
  }
  const text = (key: string) => (typeof row.db[key] === 'string' ? (row.db[key] as string) : null);
  const provider = ({ c: 'libc', i: 'icu', b: 'builtin' } as Record<string, string>)[text('datlocprovider') ?? 'c'] ?? 'libc';
  return {
    oid: Number(row.oid),
    allowConnections: row.db.datallowconn !== false,
    properties: {
      owner: row.owner,
      acl: normalAcl([...byGrantee.values()]),
      settings: sortedSettings(settings),
      comment: row.comment,
      connectionLimit: Number(row.db.datconnlimit ?? -1),
      locale: { encoding: row.encoding, collate: text('datcollate') ?? '', ctype: text('datctype') ?? '', provider, icuLocale: text('daticulocale') ?? text('datlocale') },
    },
  };
}

// --- deciding and describing ---------------------------------------------------------------------------

/**
 * What the restored copy gets, property by property: the backup's when it has its database-level
 * entries (owner and privileges not under --no-owner / --no-acl), else the replaced database's.
 */
export function planDatabaseProperties(input: {
  backup: BackupDatabaseEntries | undefined;
  target: DatabaseProperties;
  noOwner: boolean;
  noAcl: boolean;
  /** Roles the target server has. */
  roles: ReadonlySet<string>;
}): DatabasePropertiesPlan {
  const { backup, target } = input;
  const fromBackup = backup !== undefined;
  const ownerFromBackup = fromBackup && !input.noOwner && backup.owner !== null;
  const owner = ownerFromBackup ? backup.owner! : target.owner;
  const aclFromBackup = fromBackup && !input.noAcl;
  // An archive without an ACL entry for the database had the defaults, which follow its owner.
  const acl = aclFromBackup ? (backup.acl ? renameOwnerEntry(backup.acl, backup.owner, owner) : normalAcl(defaultAcl(owner))) : target.acl;
  const warnings: string[] = [];
  let settings = fromBackup ? backup.settings : target.settings;
  const roleless = settings.filter((s) => s.role !== null && !input.roles.has(s.role));
  if (roleless.length) {
    warnings.push(`The backup sets ${roleless.map((s) => `${s.name} for role "${s.role}"`).join(', ')} in its database, and the target server has no such role: ${roleless.length === 1 ? 'that setting is' : 'those settings are'} left out. Restore the backup's roles file first to keep ${roleless.length === 1 ? 'it' : 'them'}.`);
    settings = settings.filter((s) => !roleless.includes(s));
  }
  // A backup is not trusted to make the server load code into every session of the database.
  const loading = fromBackup ? settings.filter((s) => CODE_LOADING_SETTINGS.test(s.name)) : [];
  if (loading.length) {
    warnings.push(`The backup sets ${loading.map((s) => `${s.name}=${s.values.join(', ')}`).join(', ')} on its database, which would load that code into every session: left out. Set it yourself if you mean it.`);
    settings = settings.filter((s) => !loading.includes(s));
  }
  const locale = (fromBackup ? backup.locale : null) ?? target.locale;
  const properties: DatabaseProperties = {
    owner,
    acl,
    settings,
    comment: fromBackup ? backup.comment : target.comment,
    connectionLimit: fromBackup ? backup.connectionLimit : target.connectionLimit,
    locale,
  };
  if (fromBackup && backup.unsupported.length) warnings.push(`The backup's database also had ${[...new Set(backup.unsupported)].join(', ')}; the restored copy does not get ${backup.unsupported.length === 1 ? 'it' : 'them'}.`);
  const from = (own: boolean): DatabasePropertyImpact['from'] => (own ? 'backup' : 'target');
  const line = (property: DatabaseProperty, current: string, restored: string, own: boolean): DatabasePropertyImpact => ({ property, current, restored, from: from(own), changes: current !== restored });
  const impact = [
    line('owner', target.owner, owner, ownerFromBackup),
    line('acl', describeAcl(target.acl), describeAcl(acl), aclFromBackup),
    line('settings', describeSettings(target.settings), describeSettings(settings), fromBackup),
    line('comment', target.comment ?? '(none)', properties.comment ?? '(none)', fromBackup),
    line('connectionLimit', describeLimit(target.connectionLimit), describeLimit(properties.connectionLimit), fromBackup),
    line('encoding', target.locale?.encoding ?? '?', locale?.encoding ?? '?', fromBackup && backup.locale !== null),
    line('collation', describeCollation(target.locale), describeCollation(locale), fromBackup && backup.locale !== null),
  ];
  const changed = impact.filter((i) => i.changes);
  if (changed.length) warnings.push(`Replacing the database changes its ${changed.map((i) => `${PROPERTY_NAMES[i.property]} (${i.current} → ${i.restored})`).join('; ')}, as the backup had ${changed.length === 1 ? 'it' : 'them'}.`);
  return { properties, fallbackLocale: target.locale, impact, warnings };
}

export const PROPERTY_NAMES: Record<DatabaseProperty, string> = {
  owner: 'owner',
  acl: 'privileges',
  settings: 'settings',
  comment: 'comment',
  connectionLimit: 'connection limit',
  encoding: 'encoding',
  collation: 'collation',
};

function renameOwnerEntry(acl: AclEntry[], from: string | null, to: string): AclEntry[] {
  if (from === null || from === to) return acl;
  return normalAcl(acl.map((entry) => (entry.grantee === from ? { ...entry, grantee: to } : entry)));
}

export function describeAcl(acl: AclEntry[]): string {
  if (!acl.length) return '(no one)';
  return acl.map((e) => `${e.grantee}: ${e.privileges.map((p) => (e.grantable.includes(p) ? `${p} (grantable)` : p)).join(', ')}`).join('; ');
}

function describeSettings(settings: DatabaseSetting[]): string {
  if (!settings.length) return '(none)';
  return settings.map((s) => `${s.role === null ? '' : `${s.role}: `}${s.name}=${s.values.join(', ')}`).join('; ');
}

const describeLimit = (limit: number) => (limit < 0 ? 'unlimited' : String(limit));

function describeCollation(locale: Locale | null): string {
  if (!locale) return '?';
  const base = locale.collate === locale.ctype ? locale.collate : `${locale.collate} / ctype ${locale.ctype}`;
  return locale.provider === 'libc' ? base : `${locale.provider} ${locale.icuLocale ?? ''} (${base})`.replace('  ', ' ');
}

// --- applying -----------------------------------------------------------------------------------------

/** CREATE DATABASE for the scratch copy with the locale the plan chose; a locale the server cannot create falls back (see createWithLocale). */
function createStatement(client: pg.Client, name: string, locale: Locale | null): string {
  const parts = [`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`];
  if (locale) {
    parts.push(`ENCODING ${client.escapeLiteral(locale.encoding)}`);
    if (locale.collate) parts.push(`LC_COLLATE ${client.escapeLiteral(locale.collate)}`);
    if (locale.ctype) parts.push(`LC_CTYPE ${client.escapeLiteral(locale.ctype)}`);
    if (locale.provider === 'icu' && locale.icuLocale) parts.push(`LOCALE_PROVIDER icu ICU_LOCALE ${client.escapeLiteral(locale.icuLocale)}`);
  }
  return parts.join(' ');
}

/**
 * Creates the scratch database with the chosen encoding and collation; when the server cannot (a
 * locale it does not have, an encoding the locale does not fit), with the replaced database's, and
 * then with the server's defaults. Returns a note when it fell back.
 */
export async function createScratchDatabase(client: pg.Client, name: string, plan: DatabasePropertiesPlan): Promise<string | undefined> {
  const tries = [plan.properties.locale, plan.fallbackLocale, null].filter((locale, i, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(locale)) === i);
  let firstError: string | undefined;
  for (const locale of tries) {
    try {
      await client.query(createStatement(client, name, locale));
      if (firstError === undefined) return undefined;
      return `This server could not create the database with the backup's ${describeLocale(plan.properties.locale)} (${firstError}); the restored copy has ${locale ? describeLocale(locale) : "the server's default encoding and collation"}.`;
    } catch (error) {
      const pgError = error as { code?: string; message: string };
      // A locale or encoding the server refuses (invalid parameter, unknown encoding, wrong object type,
      // character not in repertoire); anything else is not ours to work around.
      if (!['22023', '42809', '22021', '42704'].includes(pgError.code ?? '')) throw error;
      firstError ??= pgError.message;
    }
  }
  throw new HoldfastError('RESTORE_FAILED', `Could not create the scratch database "${name}": ${firstError ?? 'unknown error'}`, 'Nothing was changed.');
}

const describeLocale = (locale: Locale | null) => (locale ? `encoding ${locale.encoding} and collation ${describeCollation(locale)}` : 'defaults');

/** Gives the scratch copy the planned owner, privileges, settings, comment and connection limit. */
export async function applyDatabaseProperties(client: pg.Client, name: string, plan: DatabasePropertiesPlan): Promise<void> {
  const db = quoteIdent(name);
  const role = (r: string) => (r === 'PUBLIC' ? 'PUBLIC' : quoteIdent(r));
  const { owner, acl, settings, comment, connectionLimit } = plan.properties;
  const sql: string[] = [`ALTER DATABASE ${db} OWNER TO ${quoteIdent(owner)}`];
  if (describeAcl(acl) !== describeAcl(normalAcl(defaultAcl(owner)))) {
    sql.push(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`, `REVOKE ALL ON DATABASE ${db} FROM ${quoteIdent(owner)}`);
    for (const entry of acl) {
      const plain = entry.privileges.filter((p) => !entry.grantable.includes(p));
      if (plain.length) sql.push(`GRANT ${plain.join(', ')} ON DATABASE ${db} TO ${role(entry.grantee)}`);
      if (entry.grantable.length) sql.push(`GRANT ${entry.grantable.join(', ')} ON DATABASE ${db} TO ${role(entry.grantee)} WITH GRANT OPTION`);
    }
  }
  for (const setting of settings) {
    const values = setting.values.map((v) => client.escapeLiteral(v)).join(', ');
    const scope = setting.role === null ? `ALTER DATABASE ${db}` : `ALTER ROLE ${quoteIdent(setting.role)} IN DATABASE ${db}`;
    sql.push(`${scope} SET ${quoteIdent(setting.name)} TO ${values}`);
  }
  if (comment !== null) sql.push(`COMMENT ON DATABASE ${db} IS ${client.escapeLiteral(comment)}`);
  if (connectionLimit >= 0) sql.push(`ALTER DATABASE ${db} CONNECTION LIMIT ${connectionLimit}`);
  for (const statement of sql) {
    try {
      await client.query(statement);
    } catch (error) {
      throw new HoldfastError(
        'RESTORE_FAILED',
        `Could not give the restored copy the database's ${statement.startsWith('ALTER DATABASE') && statement.includes('OWNER') ? 'owner' : 'properties'} (${statement.replace(db, '<copy>')}): ${(error as Error).message}`,
        'The target was left as it was. Restore the backup\'s roles file first (the roles it names must exist), or use --no-owner / --no-acl to keep the replaced database\'s owner and privileges.',
      );
    }
  }
}
