// Connection profiles: create (from flags, a URI or libpq's own files), edit, test, remove. A
// password given to Holdfast goes to the OS keychain (account = profile id) and nowhere else; with no
// keychain the operation is refused before anything is stored.
import { sizeServerDatabases, type WholeServerSizes } from '../sets/server-databases.ts';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { tableKey } from '../pg/table-key.ts';
import type { Catalogue, NewProfile } from '../catalogue/catalogue.ts';
import { HoldfastError } from '../model/errors.ts';
import { openSession, type CredentialSource } from '../pg/session.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { requireSecretStore } from '../secrets/require-store.ts';
import { removeUnsharedBackupFiles, type CopyRemover } from '../retention/cleanup.ts';
import { pickClientTools } from '../tools/discover.ts';
import { compressionMethodsFor, type CompressionMethod } from '../backup/options.ts';
import type { Profile } from '../model/types.ts';
import { actingUser } from '../users/acting.ts';
import { OWNER_NAME } from '../users/users.ts';
import { parseConnectionUri } from './connection-uri.ts';
import { parsePgpass, parseServiceFile } from './libpq-files.ts';
import { NewProfileSchema, type NewProfileInput } from './profile-schema.ts';

export interface ProfileContext extends CredentialSource {
  catalogue: Catalogue;
  secrets: SecretStore;
  /** Removes a deleted backup's offsite copies too; knows the named destinations a profile may copy to. */
  offsite?: CopyRemover & { destinations: { show(name: string): unknown } };
}

export interface ProfileSecretInput {
  /** From --password-stdin or a URI; stored in the keychain only. */
  password?: string | undefined;
}

async function storePassword(context: ProfileContext, profile: Profile, password: string): Promise<Profile> {
  await context.secrets.set(profile.id, password);
  context.catalogue.setKeychainPassword(profile.id, true);
  return context.catalogue.requireProfile(profile.name);
}

/**
 * Left unsaid, libpq's password files answer for a profile the local owner adds (the CLI, the desktop
 * app, the owner's token of holdfast serve) — their own ~/.pgpass — but not for one an API user adds:
 * a wildcard line there would answer whatever server the API user names.
 */
export function libpqPasswordFilesByDefault(): boolean {
  const apiUser = actingUser();
  return apiUser === undefined || apiUser === OWNER_NAME;
}

export async function addProfile(context: ProfileContext, input: NewProfileInput, secret: ProfileSecretInput = {}): Promise<Profile> {
  const { libpqPasswordFiles, ...fields } = NewProfileSchema.parse(input);
  requireDestinations(context, fields.copyTo);
  refuseNoLocalCopyWithoutDestinations(fields);
  if (secret.password !== undefined) await requireSecretStore(context.secrets);
  const profile = context.catalogue.addProfile({ ...fields, libpqPasswordFiles: libpqPasswordFiles ?? libpqPasswordFilesByDefault() });
  if (secret.password === undefined) return profile;
  try {
    return await storePassword(context, profile, secret.password);
  } catch (error) {
    // Without its password the profile would silently use libpq's sources instead; undo it.
    context.catalogue.removeProfile(profile.name);
    throw error;
  }
}

/** Fields from a postgresql:// URI; its password (if any) is returned apart, for the keychain. */
export function profileFromUri(name: string, uri: string, extra: Partial<NewProfileInput> = {}): { input: NewProfileInput; password: string | undefined } {
  let parsed;
  try {
    parsed = parseConnectionUri(uri);
  } catch (error) {
    throw new HoldfastError('BAD_INPUT', `--url is not a valid connection URI: ${(error as Error).message}`, 'Use postgresql://user@host:5432/dbname?sslmode=require');
  }
  const params = parsed.params;
  const input: NewProfileInput = {
    name,
    host: parsed.host,
    port: parsed.port,
    user: parsed.user ?? process.env.USER ?? 'postgres',
    dbname: parsed.dbname ?? parsed.user ?? 'postgres',
    sslmode: (params.sslmode as NewProfileInput['sslmode']) ?? null,
    sslrootcert: params.sslrootcert ?? null,
    sslcert: params.sslcert ?? null,
    sslkey: params.sslkey ?? null,
    service: params.service ?? null,
    ...extra,
  };
  return { input, password: parsed.password || undefined };
}

/** A profile's default destinations must exist now: a typo would otherwise fail every scheduled backup's copy. */
function requireDestinations(context: ProfileContext, names: readonly string[]): void {
  for (const name of names) context.offsite?.destinations.show(name);
}

/** A profile kept on destinations only must say where: its scheduled backups name no destination of their own. */
function refuseNoLocalCopyWithoutDestinations(fields: { noLocalCopy: boolean; copyTo: readonly string[] }): void {
  if (fields.noLocalCopy && fields.copyTo.length === 0)
    throw new HoldfastError(
      'BAD_INPUT',
      "--no-local-copy needs the profile's default destinations: with none, the local file would be its backups' only copy.",
      'Give --copy-to <destination> with it.',
    );
}

export interface ProfileChanges extends Partial<NewProfileInput>, ProfileSecretInput {
  forgetPassword?: boolean;
}

export async function editProfile(context: ProfileContext, name: string, changes: ProfileChanges): Promise<Profile> {
  const current = context.catalogue.requireProfile(name);
  const { password, forgetPassword, ...fieldChanges } = changes;
  const given = Object.fromEntries(Object.entries(fieldChanges).filter(([, value]) => value !== undefined));
  const merged = NewProfileSchema.parse({ ...stripIdentity(current), ...given });
  if (given.copyTo !== undefined) requireDestinations(context, merged.copyTo);
  refuseNoLocalCopyWithoutDestinations(merged);
  if (password !== undefined) await requireSecretStore(context.secrets);
  let profile = context.catalogue.updateProfile(current.id, { ...merged, libpqPasswordFiles: merged.libpqPasswordFiles === true });
  if (password !== undefined) profile = await storePassword(context, profile, password);
  if (forgetPassword && profile.keychainPassword) {
    await context.secrets.delete(profile.id);
    context.catalogue.setKeychainPassword(profile.id, false);
    profile = context.catalogue.requireProfile(profile.name);
  }
  return profile;
}

function stripIdentity(profile: Profile): NewProfile {
  const { id: _id, createdAt: _createdAt, keychainPassword: _stored, libpqPasswordFiles, ...fields } = profile;
  return { ...fields, libpqPasswordFiles: libpqPasswordFiles === true };
}

export interface RemoveReport {
  removed: string;
  backups: 'kept' | 'deleted';
  backupCount: number;
  keychain: 'removed' | 'none' | string;
}

export async function removeProfile(context: ProfileContext, name: string, backups: 'keep' | 'delete'): Promise<RemoveReport> {
  const profile = context.catalogue.requireProfile(name);
  let keychain: RemoveReport['keychain'] = 'none';
  if (profile.keychainPassword) {
    try {
      await context.secrets.delete(profile.id);
      keychain = 'removed';
    } catch (error) {
      keychain = `could not remove the keychain entry (service Holdfast, account ${profile.id}): ${(error as Error).message}`;
    }
  }
  const owned = context.catalogue.listBackups({ profile: name });
  if (backups === 'delete') {
    for (const backup of owned) {
      // The same removal as retention's: dump first, companions after, never a stray directory. A file
      // another listed backup's row also names stays until the last such row goes.
      await removeUnsharedBackupFiles(context.catalogue, backup, context.offsite);
      context.catalogue.setBackupStatus(backup.id, 'deleted');
    }
  }
  context.catalogue.removeProfile(name);
  return { removed: name, backups: backups === 'delete' ? 'deleted' : 'kept', backupCount: owned.length, keychain };
}

export const LIBPQ_PASSWORD_FILES = 'libpq (~/.pgpass, PGPASSFILE or service file)';
export const NO_PASSWORD_SOURCE = "none (libpq's password files are off for this profile)";

export interface ProfileTestReport {
  profile: string;
  serverVersion: string;
  serverMajor: number;
  currentUser: string;
  superuser: boolean;
  /** Member of pg_read_all_data (PostgreSQL 14+), so every table is readable. */
  readAllData: boolean;
  /** Tables, views and sequences the role cannot SELECT, and "large object <oid>" it cannot read: a whole-database pg_dump would fail on them. */
  unreadable: string[];
  databaseSize: number;
  ssl: boolean;
  passwordSource: 'keychain' | 'typed, not stored' | typeof LIBPQ_PASSWORD_FILES | typeof NO_PASSWORD_SOURCE;
  /** compressionMethods: what this pg_dump can write (backup/options.ts), for the backup form's choices. */
  clientTools: { compatible: boolean; version?: string; dir?: string; problem?: string; compressionMethods?: CompressionMethod[] };
  /** A whole-server profile: every database a set would back up now with its size, those left out, the total; null otherwise. */
  wholeServer: WholeServerSizes | null;
}

export async function testProfile(context: ProfileContext, name: string): Promise<ProfileTestReport> {
  const profile = context.catalogue.requireProfile(name);
  return probeConnection(context, profile, profile.keychainPassword ? 'keychain' : profile.libpqPasswordFiles ? LIBPQ_PASSWORD_FILES : NO_PASSWORD_SOURCE);
}

/** What testProfile reports, for a profile as given (a saved one, or a form's draft: profiles/draft-test.ts). */
export async function probeConnection(context: CredentialSource, profile: Profile, passwordSource: ProfileTestReport['passwordSource']): Promise<ProfileTestReport> {
  const session = await openSession(context, profile);
  try {
    const client = await session.connect();
    try {
      const facts = await client.query<{ version: string; num: string; usr: string; superuser: boolean; size: string; ssl: boolean | null }>(
        `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num, current_user AS usr,
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
                pg_database_size(current_database())::text AS size,
                (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl`,
      );
      const row = facts.rows[0]!;
      const major = Math.floor(Number(row.num) / 10000);
      const readAllData = major >= 14 ? (await client.query<{ member: boolean }>(`SELECT pg_has_role(current_user, 'pg_read_all_data', 'member') AS member`)).rows[0]!.member : false;
      const unreadable = await unreadableObjects(client, row.superuser);
      const unreadableIn = async (database: string) => {
        if (database === profile.dbname) return unreadable;
        const other = await session.connect(database);
        try {
          return await unreadableObjects(other, row.superuser);
        } finally {
          await other.end();
        }
      };
      const wholeServer = profile.wholeServer ? await sizeServerDatabases(client, profile.wholeServer.excludeDatabases, unreadableIn) : null;
      let clientTools: ProfileTestReport['clientTools'];
      try {
        const tools = pickClientTools(await context.clientTools(session.toolsDir), major, `Backing up "${profile.name}" (PostgreSQL ${row.version})`, session.toolsDir);
        clientTools = { compatible: true, version: tools.version, dir: tools.dir, compressionMethods: compressionMethodsFor(tools.major) };
      } catch (error) {
        clientTools = { compatible: false, problem: (error as Error).message };
      }
      return {
        profile: profile.name,
        serverVersion: `PostgreSQL ${row.version.split(' ')[0]}`,
        serverMajor: major,
        currentUser: row.usr,
        superuser: row.superuser,
        readAllData,
        unreadable,
        databaseSize: Number(row.size),
        ssl: row.ssl === true,
        passwordSource,
        clientTools,
        wholeServer,
      };
    } finally {
      await client.end();
    }
  } finally {
    await session.close();
  }
}

/** Tables, views, sequences and large objects in the connected database the role cannot read: a pg_dump of it would fail on them. */
async function unreadableObjects(client: pg.Client, superuser: boolean): Promise<string[]> {
  const tables = (
    await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
          AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1, 2`,
    )
  ).rows.map((r) => tableKey(r.schema, r.name));
  return [...tables, ...(await unreadableLargeObjects(client, superuser))];
}

const LARGE_OBJECTS_LISTED = 100;

/**
 * Large objects a whole-database pg_dump would fail on ("permission denied for large object"):
 * readable only by their owner, a grant, a superuser or lo_compat_privileges — pg_read_all_data does
 * not cover them. Listed as "large object <oid>", the first hundred and a count of the rest.
 */
async function unreadableLargeObjects(client: pg.Client, superuser: boolean): Promise<string[]> {
  if (superuser) return [];
  const compat = (await client.query<{ on: string }>(`SELECT current_setting('lo_compat_privileges') AS on`)).rows[0]!.on === 'on';
  if (compat) return [];
  const rows = (
    await client.query<{ oid: string; total: string }>(
      `SELECT m.oid::text AS oid, count(*) OVER ()::text AS total FROM pg_largeobject_metadata m
        WHERE NOT pg_has_role(m.lomowner, 'USAGE')
          AND NOT EXISTS (SELECT 1 FROM aclexplode(m.lomacl) a
                           WHERE a.privilege_type = 'SELECT' AND (a.grantee = 0 OR pg_has_role(a.grantee, 'USAGE')))
        ORDER BY m.oid LIMIT ${LARGE_OBJECTS_LISTED}`,
    )
  ).rows;
  const listed = rows.map((r) => `large object ${r.oid}`);
  const total = Number(rows[0]?.total ?? 0);
  if (total > rows.length) listed.push(`… and ${total - rows.length} more large objects`);
  return listed;
}

export interface ImportReport {
  created: string[];
  skipped: Array<{ entry: string; reason: string }>;
}

function uniqueName(catalogue: Catalogue, wanted: string): string {
  const base = wanted.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 60) || 'profile';
  let name = base;
  for (let i = 2; catalogue.getProfile(name); i += 1) name = `${base}-${i}`;
  return name;
}

/**
 * Profiles from the DBA's existing libpq files. Passwords stay where they are: libpq (and so
 * Holdfast) keeps reading them from the .pgpass file, so nothing is copied.
 */
export async function importProfiles(context: ProfileContext, source: { pgpass?: string | true; serviceFile?: string | true }): Promise<ImportReport> {
  const report: ImportReport = { created: [], skipped: [] };
  const existing = context.catalogue.listProfiles();
  const already = (host: string, port: number, user: string, dbname: string) => existing.some((p) => p.host === host && p.port === port && p.user === user && p.dbname === dbname);

  if (source.pgpass !== undefined) {
    const path = source.pgpass === true ? (process.env.PGPASSFILE ?? join(homedir(), '.pgpass')) : source.pgpass;
    const { entries, problems } = parsePgpass(await readLibpqFile(path, '.pgpass'));
    for (const problem of problems) report.skipped.push({ entry: `${path}:${problem.line}`, reason: problem.message });
    for (const entry of entries) {
      const label = `${path}:${entry.line}`;
      if (entry.host === '*' || entry.user === '*') {
        report.skipped.push({ entry: label, reason: 'a wildcard host or user is not one server; add it with `holdfast profile add`' });
        continue;
      }
      const port = entry.port === '*' ? 5432 : Number(entry.port);
      // libpq's default database is the user's name.
      const dbname = entry.database === '*' ? entry.user : entry.database;
      if (already(entry.host, port, entry.user, dbname)) {
        report.skipped.push({ entry: label, reason: 'a profile for this server, user and database exists' });
        continue;
      }
      const name = uniqueName(context.catalogue, `${entry.host}-${dbname}`);
      try {
        // Made from a line of that very file, for the server it names: libpq keeps reading its password there.
        await addProfile(context, { name, host: entry.host, port, user: entry.user, dbname, libpqPasswordFiles: true });
        report.created.push(name);
      } catch (error) {
        report.skipped.push({ entry: label, reason: (error as Error).message });
      }
    }
  }

  if (source.serviceFile !== undefined) {
    const path = source.serviceFile === true ? (process.env.PGSERVICEFILE ?? join(homedir(), '.pg_service.conf')) : source.serviceFile;
    const { services, problems } = parseServiceFile(await readLibpqFile(path, 'service file'));
    for (const problem of problems) report.skipped.push({ entry: `${path}:${problem.line}`, reason: problem.message });
    for (const service of services) {
      const p = service.params;
      const host = p.host ?? p.hostaddr ?? 'localhost';
      const port = p.port ? Number(p.port) : 5432;
      const user = p.user ?? process.env.USER ?? 'postgres';
      const dbname = p.dbname ?? user;
      if (already(host, port, user, dbname)) {
        report.skipped.push({ entry: `[${service.name}]`, reason: 'a profile for this server, user and database exists' });
        continue;
      }
      const name = uniqueName(context.catalogue, service.name);
      try {
        await addProfile(context, {
          name,
          host,
          port,
          user,
          dbname,
          sslmode: (p.sslmode as NewProfileInput['sslmode']) ?? null,
          sslrootcert: p.sslrootcert ?? null,
          sslcert: p.sslcert ?? null,
          sslkey: p.sslkey ?? null,
          service: service.name,
          libpqPasswordFiles: true,
        });
        report.created.push(name);
      } catch (error) {
        report.skipped.push({ entry: `[${service.name}]`, reason: (error as Error).message });
      }
    }
  }
  return report;
}

async function readLibpqFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new HoldfastError('NOT_FOUND', `Cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'Give its path explicitly, e.g. --pgpass ~/.pgpass.');
  }
}
