// Where a drill restores: a sandboxed scratch server of its own (the roles file applied and demoted,
// the database ready and owned by the drill's ordinary role), or a throwaway database on a server a
// super-admin designated. Either way the drill gets a session to restore through, and removes it all.
import type { EngineContext } from '../backup/backup.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { drillDatabaseName } from '../model/unknown-database.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import { prepareSandboxRoles } from './sandbox-roles.ts';
import { findServerBinaries, startSandboxServer, type SandboxIsolation } from './scratch-server.ts';

export function scratchProfile(host: string, port: number, user: string): Profile {
  return {
    id: 'scratch',
    name: 'scratch server',
    host,
    port,
    user,
    dbname: 'postgres',
    sslmode: 'disable',
    sslrootcert: null,
    sslcert: null,
    sslkey: null,
    service: null,
    tags: [],
    notes: null,
    pgBinDir: null,
    keychainPassword: false,
    drillChecks: [],
    createdAt: new Date(0).toISOString(),
  };
}

/** Where a drill restores: a sandboxed scratch server of its own, or a throwaway database on a designated one. */
export interface DrillTarget {
  label: string;
  /** The database the backup is restored into. */
  database: string;
  /**
   * Readies the target, then gives the session the dump is restored, counted and checked through. In
   * a sandbox: the roles file applied and its roles demoted, an empty database owned by the drill's
   * ordinary role, and a session as that role.
   */
  prepare(rolesFile: string | undefined): Promise<{ session: ServerSession; rolesApplied: boolean; notes: string[] }>;
  sandbox: (SandboxIsolation & { restoredAs: string }) | null;
  /** Ends whatever the drill is waiting on; remove() still follows. */
  cancel(): void;
  remove(): Promise<void>;
}

export async function scratchTarget(context: EngineContext, backup: BackupMetadata, major: number): Promise<DrillTarget> {
  const binaries = findServerBinaries(major);
  const scratch = await startSandboxServer(binaries);
  const sessions: ServerSession[] = [];
  const open = async (user: string) => {
    const session = await openSession(context, scratchProfile(scratch.host, scratch.port, user));
    sessions.push(session);
    return session;
  };
  let superSession: ServerSession;
  try {
    superSession = await open(scratch.user);
  } catch (error) {
    await scratch.stop();
    throw error;
  }
  const target: DrillTarget = {
    database: drillDatabaseName(backup),
    label: `PostgreSQL ${binaries.major} (${binaries.source}, ${binaries.binDir})`,
    sandbox: null,
    prepare: async (rolesFile) => {
      const admin = await superSession.connect('postgres');
      try {
        const roles = await prepareSandboxRoles(admin, rolesFile);
        target.sandbox = { ...scratch.isolation, restoredAs: roles.restorer };
        const name = quoteIdent(target.database);
        // A fresh server's template1 is what CREATE DATABASE ... TEMPLATE template0 would copy (template0
        // is made from it; same encoding and locale, nothing in it), so it is renamed rather than copied,
        // which took 0.1–0.5 s here; what set it apart as a template goes with it. "postgres" stays, for
        // the roles file and anyone looking in; a backup of "postgres" (or, oddly, of template1)
        // restores into the fresh one of that name.
        if (target.database !== 'postgres' && target.database !== 'template1') {
          await admin.query(`ALTER DATABASE template1 RENAME TO ${name}`);
          await admin.query(`ALTER DATABASE ${name} IS_TEMPLATE false`);
          await admin.query(`GRANT TEMPORARY ON DATABASE ${name} TO PUBLIC`);
        }
        await admin.query(`COMMENT ON DATABASE ${name} IS NULL`);
        await admin.query(`ALTER DATABASE ${name} OWNER TO ${quoteIdent(roles.restorer)}`);
        // Giving a table to another owner needs that owner to have CREATE on its schema unless a
        // superuser does it; public's owners in the source usually do, through ownership of the database.
        if (roles.backupRoles.length > 0) {
          const inDatabase = await superSession.connect(target.database);
          try {
            await inDatabase.query(`GRANT CREATE ON SCHEMA public TO ${roles.backupRoles.map(quoteIdent).join(', ')}`);
          } finally {
            await inDatabase.end();
          }
        }
        const notes = [
          ...roles.skipped.map((s) => `Roles file: left out ${s.statement} (${s.why}).`),
          ...roles.refused.map((r) => `Roles file: the sandbox refused ${r.statement}: ${r.error}`),
          ...(roles.demoted.length ? [`Roles demoted in the sandbox (no superuser, createrole, replication, server-file access or subscriptions): ${roles.demoted.join(', ')}.`] : []),
        ];
        return { session: await open(roles.restorer), rolesApplied: rolesFile !== undefined, notes };
      } finally {
        await admin.end();
      }
    },
    cancel: () => void scratch.stop(),
    remove: async () => {
      await Promise.all(sessions.map((session) => session.close()));
      await scratch.stop();
    },
  };
  return target;
}

export async function profileTarget(context: EngineContext, backup: BackupMetadata, profile: Profile): Promise<DrillTarget> {
  const session = await openSession(context, profile);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  const suffix = `__holdfast_drill_${stamp}`;
  let base = drillDatabaseName(backup);
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  const database = base + suffix;
  let version = '';
  const drop = async () => {
    const admin = await session.connect(maintenanceDatabase(profile));
    try {
      // FORCE (13+) ends the drill's own sessions, e.g. a check still running when it was cancelled.
      const force = Number((await admin.query<{ n: string }>(`SELECT current_setting('server_version_num') AS n`)).rows[0]!.n) >= 130000;
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}${force ? ' WITH (FORCE)' : ''}`);
    } finally {
      await admin.end();
    }
  };
  try {
    const admin = await session.connect(maintenanceDatabase(profile));
    try {
      version = (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v.split(' ')[0]!;
    } finally {
      await admin.end();
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  return {
    database,
    label: `PostgreSQL ${version} (profile "${profile.name}", database "${database}")`,
    sandbox: null,
    // A designated server is not changed beyond the drill's database: its roles are what they are.
    prepare: async () => {
      const admin = await session.connect(maintenanceDatabase(profile));
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(database)} TEMPLATE template0`);
      } finally {
        await admin.end();
      }
      return { session, rolesApplied: false, notes: [`Restored as "${profile.user}" on the designated server "${profile.name}": the dump's functions ran with that role's privileges there.`] };
    },
    cancel: () => void drop().catch(() => undefined),
    remove: async () => {
      try {
        await drop();
      } finally {
        await session.close();
      }
    },
  };
}

/** The database a profile's server is administered from: postgres, unless the profile says otherwise. */
function maintenanceDatabase(profile: Profile): string {
  return profile.dbname === 'template1' ? 'template1' : 'postgres';
}
