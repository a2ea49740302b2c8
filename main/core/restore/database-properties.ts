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
// The archive's entries are read as the SQL `pg_restore --create -f -` would send for them and parsed
// into values (backup-database-entries.ts), the replaced database's are read from the server
// (target-database.ts), this module decides and describes what the copy gets, and scratch-database.ts
// applies it with statements built from the values: the archive's SQL names the dumped database, never
// the scratch copy, so running it would change the live one.
import { hintText } from '../model/hint-actions.ts';
import { quoteLiteral } from '../pg/connection.ts';
import { quoteIdent } from '../pg/quote-ident.ts';
import { LIST_SETTINGS, type RecordedSetting } from '../pg/database-settings.ts';
import { settingLeftOutOfRestore } from '../pg/settings-from-backup.ts';
import {
  describeAcl,
  describeCollation,
  defaultAcl,
  normalAcl,
  settingStatement,
  type AclEntry,
  type DatabaseProperties,
  type DatabaseSetting,
  type Locale,
  type RefusedSetting,
} from './database-property-values.ts';

export type { AclEntry, DatabaseProperties, DatabaseSetting, Locale, Privilege, RefusedSetting } from './database-property-values.ts';

export const DATABASE_PROPERTIES = ['owner', 'acl', 'settings', 'comment', 'connectionLimit', 'encoding', 'collation'] as const;
export type DatabaseProperty = (typeof DATABASE_PROPERTIES)[number];

/** Where a property of the restored database comes from: the backup's entries, the replaced database, or (a new database) what CREATE DATABASE gives. */
export const DATABASE_PROPERTY_SOURCES = ['backup', 'target', 'default'] as const;

/**
 * One line of the restore preview: what the replaced database has (a new one: nothing — it does not
 * exist, so no owner or value is shown as its own), what the restored one will have, and from where.
 * `changes` for a new database: the backup gives it other than what CREATE DATABASE would.
 */
export interface DatabasePropertyImpact {
  property: DatabaseProperty;
  /** What the replaced database has; null for a new database, which has nothing yet. */
  current: string | null;
  restored: string;
  from: (typeof DATABASE_PROPERTY_SOURCES)[number];
  changes: boolean;
}

export interface DatabasePropertiesPlan {
  /** What the restored copy gets. */
  properties: DatabaseProperties;
  /** The locale to fall back to when the server cannot create the chosen one. */
  fallbackLocale: Locale | null;
  impact: DatabasePropertyImpact[];
  /** Things the copy will not get, said in the preview and the result. */
  leftOut: LeftOut[];
}

/**
 * Something the restored database does not get from the backup, said in the preview (as a warning,
 * leftOutWarning) and again in the result, which a DBA may see without a preview.
 */
export interface LeftOut {
  /** What and why. In the plan a hint template (the backup's words through hintText); in a restore's result, as said. */
  message: string;
  /** The backup's settings it is about, each with the statement that re-applies it or none; empty when it is about something else. */
  settings: LeftOutSetting[];
}

export interface LeftOutSetting {
  setting: DatabaseSetting;
  /**
   * The exact statement that gives the restored database the backup's value, names and values quoted,
   * for a DBA who means it; null where Holdfast offers none ready to run: a setting that loads code,
   * names a server file or switches off a check, or a search_path that puts a schema before pg_catalog.
   */
  statement: string | null;
}

/**
 * A plain dump made without --create (as Holdfast's are; pg_dump 15 writes them only beside CREATE
 * DATABASE) has no ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET, COMMENT ON DATABASE, owner,
 * privileges or locale of its database: a restore cannot carry what the database had, so it says so
 * where an archive would have carried them. The settings the backup recorded of its source
 * (BackupMetadata.databaseSettings) are named one by one, each with the statement that sets it on
 * `database` as an archive's left-out settings are (none for one a backup is not trusted with:
 * code, files, a search_path before pg_catalog; none for one an encrypted backup recorded by name only);
 * replacing, those the replaced database already has with the same value are not left out. Words for
 * every shell: no flags; the backup's go in through hintText.
 */
export function plainDumpLeftOut(mode: 'replace' | 'create', source: { database: string; recorded: readonly RecordedSetting[] | undefined; kept: readonly DatabaseSetting[] }): LeftOut {
  const gets =
    mode === 'replace'
      ? "the restored database keeps the replaced database's own, not the ones the backed-up database had"
      : "the new database has a new database's defaults and none of the backed-up database's settings";
  const head = `A plain SQL backup does not carry its database's own settings (ALTER DATABASE … SET and ALTER ROLE … IN DATABASE … SET), comment, connection limit, owner or privileges on the database: ${gets}.`;
  const custom = 'Backups in the custom format carry them.';
  const { recorded } = source;
  if (recorded === undefined)
    return {
      message: `${head} ${custom} Which settings the backed-up database had was not recorded (a dump made elsewhere and imported, or a backup taken before Holdfast recorded them): set the ones the database needs yourself after the restore (ALTER DATABASE … SET).`,
      settings: [],
    };
  const left = recorded.filter((setting) => setting.withheld || !source.kept.some((own) => sameSetting(own, setting)));
  if (!left.length) {
    const had = recorded.length
      ? `The backed-up database's settings (${hintText(recorded.map(describeSetting).join(', '))}) are the replaced database's own too.`
      : 'The backed-up database had no settings of its own.';
    return { message: `${head} ${custom} ${had}`, settings: [] };
  }
  // A setting that loads code or shadows pg_catalog is offered without a ready statement; one a restore
  // would not take from an archive either (what the server logs or audits…) says why beside its statement,
  // as an archive's restore does, so it is not run as readily as work_mem.
  const untrusted = (setting: DatabaseSetting) => settingLeftOutOfRestore(setting.name, setting.values)?.code === true;
  const noStatement = (setting: RecordedSetting) => setting.withheld === true || untrusted(setting);
  const describeLeft = (setting: DatabaseSetting) => {
    const leftOutWhy = settingLeftOutOfRestore(setting.name, setting.values);
    if (leftOutWhy === undefined) return describeSetting(setting);
    return `${describeSetting(setting)} (it ${leftOutWhy.why}: ${leftOutWhy.code ? 'no statement is offered' : 'check that the restored database should have it'})`;
  };
  // Those an encrypted backup recorded by name only, named together: why their values are missing is said once.
  const withheld = left.filter((setting) => setting.withheld);
  const withValues = left.filter((setting) => !setting.withheld).map(describeLeft);
  const names = withheld.map(describeSettingName);
  const namesOnly = withheld.length
    ? `${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : names[0]!} (${withheld.length > 1 ? 'their values are' : 'its value is'} not recorded: the backup is encrypted, and a setting may be a secret, so the record kept in the clear beside it has names only; read ${withheld.length > 1 ? 'them' : 'it'} on the source database)`
    : '';
  const had = [withValues.join(', '), namesOnly].filter((part) => part !== '').join(', and ');
  const one = left.length === 1;
  return {
    message: `${head} ${custom} When it was taken, the backed-up database had ${hintText(had)}: set ${one ? 'it' : 'the ones the database needs'} yourself after the restore${left.every(noStatement) ? '.' : ':'}`,
    settings: left.map((setting) => ({ setting, statement: noStatement(setting) ? null : settingStatement(source.database, setting) })),
  };
}

/** A left-out item as the preview's warnings say it (a hint template): its words, then the statements it offers. */
export function leftOutWarning(item: LeftOut): string {
  const statements = item.settings.flatMap(({ statement }) => (statement === null ? [] : [hintText(`${statement};`)]));
  return [item.message, ...statements].join(' ');
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

export interface DatabasePropertiesInput {
  /** replace: a swap's copy takes the replaced database's place; create: a database made for this restore. */
  mode: 'replace' | 'create';
  /** The name the restored database will have: the statements said for left-out settings name it. */
  database: string;
  backup: BackupDatabaseEntries | undefined;
  /** The replaced database's properties, or a new database's defaults. */
  target: DatabaseProperties;
  noOwner: boolean;
  noAcl: boolean;
  /** Roles the target server has. */
  roles: ReadonlySet<string>;
  /** Roles created on it before this database is restored (a set's roles file, applied first): their settings are given too. */
  rolesToCome?: ReadonlySet<string> | undefined;
  /** The backup's settings the target server refused when they were tried (rehearseSettings): left out and said. */
  refusedSettings?: readonly RefusedSetting[];
}

/**
 * What the restored copy gets, property by property: the backup's when it has its database-level
 * entries (owner and privileges not under --no-owner / --no-acl), else the replaced database's — or,
 * restoring into a new database (`pg_restore --create` semantics under another name), what a plain
 * CREATE DATABASE by the restoring role gives (newDatabaseDefaults).
 */
export function planDatabaseProperties(input: DatabasePropertiesInput): DatabasePropertiesPlan {
  const { backup, target } = input;
  const fromBackup = backup !== undefined;
  const ownerFromBackup = fromBackup && !input.noOwner && backup.owner !== null;
  const owner = ownerFromBackup ? backup.owner! : target.owner;
  const aclFromBackup = fromBackup && !input.noAcl;
  // An archive without an ACL entry for the database had the defaults, which follow its owner.
  const acl = aclFromBackup ? (backup.acl ? renameOwnerEntry(backup.acl, backup.owner, owner) : normalAcl(defaultAcl(owner))) : target.acl;
  const leftOut: LeftOut[] = [];
  // Every message here is hint text (impact.ts renders it per shell) made of a backup's words — setting
  // names and values, roles, comments — and names no action: all of it goes in inert, said as written.
  const say = (message: string, left: LeftOutSetting[] = []) => leftOut.push({ message: hintText(message), settings: left });
  const withStatement = (setting: DatabaseSetting): LeftOutSetting => ({ setting, statement: settingStatement(input.database, setting) });
  let settings = fromBackup ? backup.settings : target.settings;
  const roleless = settings.filter((s) => s.role !== null && !input.roles.has(s.role) && !input.rolesToCome?.has(s.role));
  if (roleless.length) {
    say(
      `The backup sets ${roleless.map((s) => `${s.name} for role ${quoteIdent(s.role!)}`).join(', ')} in its database, and the target server has no such role: ${roleless.length === 1 ? 'that setting is' : 'those settings are'} left out. To keep ${roleless.length === 1 ? 'it' : 'them'}, restore the backup's roles file first, or create the role and then run:`,
      roleless.map(withStatement),
    );
    settings = settings.filter((s) => !roleless.includes(s));
  }
  // A backup is not trusted to make the server load or run code, use a file it names or skip a check:
  // such a setting is left out and said (in the preview and the result), never applied from a backup,
  // and offered with no statement to paste.
  const untrusted = fromBackup ? settings.flatMap((setting) => leftOutOfRestore(setting)) : [];
  const describe = ({ setting, why }: UntrustedSetting) => `${describeSetting(setting)} (it ${why})`;
  const loading = untrusted.filter((l) => l.code);
  // A role's setting in the database is set by hand with ALTER ROLE … IN DATABASE, not ALTER DATABASE.
  const byHand = [...new Set(loading.map(({ setting }) => (setting.role === null ? 'ALTER DATABASE … SET' : 'ALTER ROLE … IN DATABASE … SET')))].join(' or ');
  if (loading.length)
    say(
      `The backup sets ${loading.map(describe).join(', ')} on its database: left out, because a backup is not trusted to choose code or files for the server, or to switch off its checks. If you mean it, set it yourself after the restore (${byHand}).`,
      loading.map(({ setting }) => ({ setting, statement: null })),
    );
  // Logging, auditing, durability and custom settings are not code, but off the allow-list too
  // (pg/settings-from-backup.ts): offered with the exact statement, for a DBA who means one.
  const unlisted = untrusted.filter((l) => !l.code);
  if (unlisted.length)
    say(
      `The backup sets ${unlisted.map(describe).join(', ')} on its database: left out, because a backup is not trusted to decide what the server logs or audits, or anything but the ordinary per-database settings. If you mean ${unlisted.length === 1 ? 'it' : 'one'}, set it yourself after the restore:`,
      unlisted.map(({ setting }) => withStatement(setting)),
    );
  settings = settings.filter((s) => !untrusted.some((l) => l.setting === s));
  // Replacing a database: where the backup's value is not trusted and the replaced database has that
  // setting too, the copy keeps the replaced database's own value — the live server's choice, not the
  // backup's — so replacing production never silently drops its logging or audit settings.
  if (fromBackup && input.mode === 'replace') {
    const kept = target.settings.filter((own) => untrusted.some((l) => l.setting.role === own.role && l.setting.name === own.name));
    if (kept.length) {
      say(`The database being replaced has its own ${kept.map(describeSetting).join(', ')}: kept, instead of the backup's value.`);
      settings = [...settings, ...kept];
    }
  }
  const refused = fromBackup ? (input.refusedSettings ?? []).filter((r) => settings.some((s) => sameSetting(s, r.setting))) : [];
  if (refused.length) {
    say(
      `The target server refuses the backup's ${refused.map((r) => `${r.setting.role === null ? '' : 'setting '}${describeSetting(r.setting)} (${r.reason})`).join(', ')}: left out. Set ${refused.length === 1 ? 'it' : 'them'} yourself after the restore if the database needs ${refused.length === 1 ? 'it' : 'them'}, once the server accepts ${refused.length === 1 ? 'it' : 'them'}:`,
      refused.map((r) => withStatement(r.setting)),
    );
    settings = settings.filter((s) => !refused.some((r) => sameSetting(s, r.setting)));
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
  if (fromBackup && backup.unsupported.length)
    say(`The backup's database also had ${[...new Set(backup.unsupported)].join(', ')}; the restored copy does not get ${backup.unsupported.length === 1 ? 'it' : 'them'}.`);
  const from = (own: boolean): DatabasePropertyImpact['from'] => (own ? 'backup' : input.mode === 'create' ? 'default' : 'target');
  const line = (property: DatabaseProperty, current: string, restored: string, own: boolean): DatabasePropertyImpact => ({
    property,
    current: input.mode === 'create' ? null : current,
    restored,
    from: from(own),
    changes: current !== restored,
  });
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
  // A new database has nothing to lose: its preview lines say what it gets, no warning needed.
  if (changed.length && input.mode === 'replace')
    say(
      `Replacing the database changes its ${changed.map((i) => `${PROPERTY_NAMES[i.property]} (${i.current} → ${i.restored})`).join('; ')}, as the backup had ${changed.length === 1 ? 'it' : 'them'}.`,
    );
  return { properties, fallbackLocale: target.locale, impact, leftOut };
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

interface UntrustedSetting {
  setting: DatabaseSetting;
  why: string;
  code: boolean;
}

/** The setting, with why, when a restore does not take it from a backup; none when it does. */
function leftOutOfRestore(setting: DatabaseSetting): UntrustedSetting[] {
  const verdict = settingLeftOutOfRestore(setting.name, setting.values);
  return verdict ? [{ setting, ...verdict }] : [];
}

/** A setting's name, and its role's when it is one role's: `for role "r" work_mem`. */
function describeSettingName(setting: DatabaseSetting): string {
  const name = /^[A-Za-z_][A-Za-z0-9_.$]*$/.test(setting.name) ? setting.name : quoteIdent(setting.name);
  return `${setting.role === null ? '' : `for role ${quoteIdent(setting.role)} `}${name}`;
}

/**
 * A setting in a warning's prose: its value as the server shows it (settingValueText) written as one SQL
 * literal, and its role and name quoted when they need it, so a backup's text (a value reading "none (it
 * is harmless). Run: …") can never pass for Holdfast's own words.
 */
function describeSetting(setting: DatabaseSetting): string {
  return `${describeSettingName(setting)}=${quoteLiteral(settingValueText(setting))}`;
}

const sameSetting = (a: DatabaseSetting, b: DatabaseSetting) => a.role === b.role && a.name === b.name && a.values.join('\u0000') === b.values.join('\u0000');

function renameOwnerEntry(acl: AclEntry[], from: string | null, to: string): AclEntry[] {
  if (from === null || from === to) return acl;
  return normalAcl(acl.map((entry) => (entry.grantee === from ? { ...entry, grantee: to } : entry)));
}

function describeSettings(settings: DatabaseSetting[]): string {
  if (!settings.length) return '(none)';
  return settings.map((s) => `${s.role === null ? '' : `${s.role}: `}${s.name}=${settingValueText(s)}`).join('; ');
}

/**
 * A setting's value exactly as the server shows it (SHOW, pg_db_role_setting): a list setting's
 * elements joined by ", ", each double-quoted where a bare name would not read back as it (`"$user",
 * public`); a one-value setting as written, a comma in it included. Dropping the quotes showed
 * `$user, public`, which is not the value. (The server also quotes a reserved word used as a name.)
 * The one place a setting's value is formatted: the preview's settings line shows it as is, and every
 * note naming a setting (describeSetting) as one literal, so both read as the server's own text.
 */
export function settingValueText(setting: DatabaseSetting): string {
  if (!LIST_SETTINGS.has(setting.name.toLowerCase())) return setting.values.join(', ');
  return setting.values.map((element) => (/^[a-z_][a-z0-9_$]*$/.test(element) ? element : quoteIdent(element))).join(', ');
}

const describeLimit = (limit: number) => (limit < 0 ? 'unlimited' : String(limit));

/** What CREATE DATABASE … TEMPLATE template0 by `role` gives: the restoring role owns it with the default privileges and nothing else. */
export function newDatabaseDefaults(role: string, locale: Locale | null): DatabaseProperties {
  return { owner: role, acl: normalAcl(defaultAcl(role)), settings: [], comment: null, connectionLimit: -1, locale };
}

/** The roles the plan gives ownership or privileges to (PUBLIC is not a role). */
export function rolesNamedBy(properties: DatabaseProperties): string[] {
  return [...new Set([properties.owner, ...properties.acl.map((entry) => entry.grantee).filter((grantee) => grantee !== 'PUBLIC')])];
}
