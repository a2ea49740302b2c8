// The scratch database a replace restore loads into, made with the planned encoding and collation
// and then given the planned owner, privileges, settings, comment and connection limit. Statements
// are built here from the plan's values: the archive's own SQL names the dumped database, never the
// scratch copy.
import type pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import { hintText } from '../model/hint-actions.ts';
import type { DatabasePropertiesPlan, LeftOut } from './database-properties.ts';
import { defaultAcl, describeAcl, describeCollation, normalAcl, settingStatement, type Locale } from './database-property-values.ts';

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
 * then with the server's defaults. When it fell back, returns what the restored database did not get.
 */
export async function createScratchDatabase(client: pg.Client, name: string, plan: DatabasePropertiesPlan): Promise<LeftOut | undefined> {
  const tries = [plan.properties.locale, plan.fallbackLocale, null].filter((locale, i, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(locale)) === i);
  let firstError: string | undefined;
  for (const locale of tries) {
    try {
      await client.query(createStatement(client, name, locale));
      if (firstError === undefined) return undefined;
      const got = locale ? describeLocale(locale) : "the server's default encoding and collation";
      return {
        message: hintText(`This server could not create the database with the backup's ${describeLocale(plan.properties.locale)} (${firstError}); the restored copy has ${got}.`),
        settings: [],
      };
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
  for (const setting of settings) sql.push(settingStatement(name, setting));
  if (comment !== null) sql.push(`COMMENT ON DATABASE ${db} IS ${client.escapeLiteral(comment)}`);
  if (connectionLimit >= 0) sql.push(`ALTER DATABASE ${db} CONNECTION LIMIT ${connectionLimit}`);
  for (const statement of sql) {
    try {
      await client.query(statement);
    } catch (error) {
      throw new HoldfastError(
        'RESTORE_FAILED',
        `Could not give the restored copy the database's ${statement.startsWith('ALTER DATABASE') && statement.includes('OWNER') ? 'owner' : 'properties'} (${statement.replace(db, '<copy>')}): ${(error as Error).message}`,
        "The target was left as it was. Restore the backup's roles file first (the roles it names must exist), or {{no-owner}} to keep the replaced database's owner and privileges.",
      );
    }
  }
}
