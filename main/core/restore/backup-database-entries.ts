// The database-level entries of a backup (CREATE DATABASE, ALTER DATABASE, COMMENT, GRANT/REVOKE on the
// database, per-role settings in it), read as the SQL `pg_restore --create -f -` would send for them
// and parsed into values; see database-properties.ts for why and how they are used.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { significant, type SqlToken } from '../pg/sql-lexer.ts';
import { splitSqlStatements } from '../pg/sql-statements.ts';
import { decoderOrUtf8 } from '../pg/server-encoding.ts';
import { runChild, stderrTail } from '../process/child.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { BackupDatabaseEntries } from './database-properties.ts';
import { ALL_PRIVILEGES, defaultAcl, normalAcl, sortedSettings, union, type AclEntry, type DatabaseSetting, type Locale, type Privilege } from './database-property-values.ts';

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
  const script = await entriesScript(tools, backup, wanted, ['--create'], timeoutMs);
  if (script.exitCode !== 0) throw entriesUnreadable(backup, stderrTail(script.stderr));
  return parseDatabaseEntries(script.text);
}

/**
 * The SQL pg_restore would send for these lines of its --list, decoded; it connects to nothing, so it
 * needs no credentials. The list goes through a file (not /dev/stdin) so this works on Windows too.
 */
export async function entriesScript(
  tools: ClientToolSet,
  backup: BackupMetadata,
  entries: string[],
  args: string[],
  timeoutMs: number,
): Promise<{ exitCode: number | null; stderr: string; text: string }> {
  const raw: Buffer[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'holdfast-list-'));
  try {
    const list = join(dir, 'entries.list');
    await writeFile(list, `${entries.join('\n')}\n`);
    const script = await runChild(tools.paths.pg_restore, [...args, `--use-list=${list}`, '--file=-', backup.path], {
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
      captureStdout: true,
      timeoutMs,
      // Raw bytes: the script is in the dumped database's encoding, which need not be UTF-8.
      onSpawn: (child) => child.stdout?.on('data', (chunk: Buffer) => raw.push(chunk)),
    });
    return { exitCode: script.exitCode, stderr: script.stderr, text: script.exitCode === 0 ? decodeScript(Buffer.concat(raw)) : '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** pg_restore could not write the backup's database-level entries (its CREATE DATABASE and what follows it). */
export class DatabaseEntriesUnreadable extends HoldfastError {}

function entriesUnreadable(backup: BackupMetadata, detail: string): HoldfastError {
  return new DatabaseEntriesUnreadable(
    'RESTORE_FAILED',
    `pg_restore could not read the database-level entries of ${backup.filename}: ${detail || '(no message)'}`,
    'Verify the backup (holdfast verify); nothing was changed.',
  );
}

function decodeScript(bytes: Buffer): string {
  // The header is ASCII in every server encoding.
  const declared = /SET client_encoding = '([A-Z0-9_]+)'/.exec(bytes.subarray(0, 4096).toString('latin1'))?.[1];
  return decoderOrUtf8(declared).decode(bytes);
}

/** A cursor over one statement's tokens (spaces and comments left out). */
class Reader {
  private at = 0;
  constructor(private readonly tokens: SqlToken[]) {}
  /** Consumes the keywords (unquoted, case-insensitive) when they come next. */
  keywords(...words: string[]): boolean {
    const ahead = words.every((word, k) => {
      const token = this.tokens[this.at + k];
      return token?.kind === 'word' && token.value === word.toLowerCase();
    });
    if (ahead) this.at += words.length;
    return ahead;
  }
  symbol(text: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind === 'symbol' && token.raw === text) {
      this.at += 1;
      return true;
    }
    return false;
  }
  /** A name, bare (folded to lower case) or quoted. */
  name(): string | undefined {
    return this.take('word') ?? this.take('quoted-name');
  }
  /**
   * A setting's name: pg_dump quotes a custom one whole ("plperl.on_init"), the server also takes it
   * in parts (plperl.on_init, "plperl"."on_init"). Read in parts, a custom setting was dropped unsaid.
   */
  settingName(): string | undefined {
    let name = this.name();
    while (name !== undefined && this.symbol('.')) {
      const part = this.name();
      name = part === undefined ? undefined : `${name}.${part}`;
    }
    return name;
  }
  /** A role in a GRANT/REVOKE: the keyword PUBLIC, or a name ("public" quoted is a role of that name). */
  grantee(): string | undefined {
    return this.keywords('public') ? 'PUBLIC' : this.name();
  }
  /** A string constant: '…', E'…' or a dollar-quoted one. */
  string(): string | undefined {
    return this.take('string') ?? this.take('dollar-string');
  }
  /** An integer, with its sign. */
  number(): string | undefined {
    const minus = this.symbol('-');
    const digits = this.take('number');
    if (minus && digits === undefined) this.at -= 1;
    return digits === undefined ? undefined : `${minus ? '-' : ''}${digits}`;
  }
  /** A literal's value, or a bare word or number (CREATE DATABASE … ENCODING = 'UTF8' / LOCALE_PROVIDER = libc). */
  value(): string | undefined {
    return this.string() ?? this.name() ?? this.number();
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
  private take(kind: SqlToken['kind']): string | undefined {
    const token = this.tokens[this.at];
    if (token?.kind !== kind) return undefined;
    this.at += 1;
    return token.value;
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

  for (const statement of splitSqlStatements(sql, { psql: true })) {
    if (statement.metaCommand) continue;
    const r = new Reader(significant(statement.tokens));
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
        connectionLimit = Number(r.number() ?? '-1');
      } else if (r.keywords('SET')) {
        const name = r.settingName();
        if (name && r.keywords('TO')) settings.push({ role: null, name, values: r.list(() => r.value()) });
      } else if (r.keywords('IS_TEMPLATE')) {
        unsupported.push('IS_TEMPLATE');
      }
    } else if (r.keywords('ALTER', 'ROLE')) {
      const role = r.name();
      if (!role || !r.keywords('IN', 'DATABASE') || !isOurs(r.name()) || !r.keywords('SET')) continue;
      const name = r.settingName();
      if (name && r.keywords('TO')) settings.push({ role, name, values: r.list(() => r.value()) });
    } else if (r.keywords('COMMENT', 'ON', 'DATABASE')) {
      if (isOurs(r.name()) && r.keywords('IS')) comment = r.string() ?? null;
    } else if (r.keywords('SECURITY', 'LABEL')) {
      unsupported.push('security labels');
    } else {
      const grant = r.keywords('GRANT');
      if (!grant && !r.keywords('REVOKE')) continue;
      const optionOnly = !grant && r.keywords('GRANT', 'OPTION', 'FOR');
      const privileges = r
        .list(() => {
          const word = r.name();
          if (word === 'all') r.keywords('PRIVILEGES');
          return word === undefined ? undefined : (PRIVILEGE_WORDS[word] ?? []);
        })
        .flat();
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
