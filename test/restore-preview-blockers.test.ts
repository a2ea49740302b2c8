// What the preview says will stop a restore is one list, impact.blockers, each with the step that
// lifts it as the CLI says it (flags), as the app says it (its controls) and as a structured action;
// a preview with a blocker is not ok (the CLI's --dry-run exits 1). The app's wizard disables its
// Start on that list, so the engine's refusals (database-property-checks.ts) must be in it.
// The backups are real pg_dump 15 dumps: one whose database-level entries name roles the target no
// longer has, and one directory dump with its connection limit rewritten in the TOC.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { rewriteTocString } from './support/archive-toc-edit.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let elsewhere: string;

const create = { to: 'hr', create: true, clean: false, noOwner: false, noAcl: false, dryRun: true };

beforeAll(async () => {
  server = await startPgServer();
  await server.query(`CREATE ROLE app_owner NOLOGIN`);
  await server.query(`CREATE DATABASE hr TEMPLATE template0`);
  await server.query(`CREATE TABLE staff (id int PRIMARY KEY, name text); INSERT INTO staff SELECT g, 'person ' || g FROM generate_series(1, 20) g;`, 'hr');
  await server.query(`ALTER DATABASE hr OWNER TO app_owner; ALTER DATABASE hr CONNECTION LIMIT 7;`);
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'hr', 'hr'));
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-blockers-'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
  await server?.stop();
});

const databasesLike = async (pattern: string) => (await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${pattern}' ORDER BY 1`)).map((r) => r.datname);

describe("the preview's blockers", () => {
  test("roles the backup's database-level entries name and the target lacks block the start; Skip ownership and privileges lift it", async () => {
    await server.query(`CREATE ROLE gone_owner NOLOGIN; CREATE ROLE gone_reader NOLOGIN; ALTER DATABASE hr OWNER TO gone_owner; GRANT CONNECT ON DATABASE hr TO gone_reader;`);
    const backup = await holdfast.backup('hr', {});
    await server.query(`ALTER DATABASE hr OWNER TO app_owner; REVOKE CONNECT ON DATABASE hr FROM gone_reader; DROP ROLE gone_owner; DROP ROLE gone_reader;`);

    const preview = await holdfast.restore({ ...create, dbname: 'hr_roles', ref: backup.id });
    expect(preview.ok).toBe(false);
    expect(preview.impact.blockers).toEqual([
      {
        kind: 'missing-roles',
        message: expect.stringMatching(/lacks roles .*"gone_owner", "gone_reader"/),
        hint: expect.stringContaining('--no-owner --no-acl'),
        appHint: expect.stringContaining('tick "Skip ownership" and "Skip privileges"'),
        action: 'no-owner',
        lifts: { owner: true, acl: true },
      },
    ]);
    // Said once, as a blocker: not again among the warnings.
    expect(preview.impact.warnings.join('\n')).not.toMatch(/gone_owner/);

    const lifted = await holdfast.restore({ ...create, dbname: 'hr_roles', ref: backup.id, noOwner: true, noAcl: true });
    expect(lifted.impact.blockers).toEqual([]);
    expect(lifted.ok).toBe(true);
    expect(await databasesLike('hr\\_roles%')).toEqual([]);
  });

  // A DBA's review: a role named only in an object's GRANT passed the preview, and pg_restore then failed on it.
  test('roles named only in GRANTs on objects (schema, column, default privileges) block the start; the roles file lifts it', async () => {
    await server.query(`CREATE ROLE analyst NOLOGIN; CREATE ROLE "Odd ""Name"" Here" NOLOGIN; CREATE ROLE writer NOLOGIN; CREATE ROLE "Defaults Owner" NOLOGIN`);
    await server.query(`CREATE DATABASE shop TEMPLATE template0`);
    await server.query(
      `CREATE SCHEMA "My Schema"; CREATE TABLE "My Schema".orders (id int, total numeric);
       GRANT USAGE ON SCHEMA "My Schema" TO analyst;
       GRANT SELECT (total) ON "My Schema".orders TO "Odd ""Name"" Here";
       ALTER DEFAULT PRIVILEGES FOR ROLE "Defaults Owner" IN SCHEMA "My Schema" GRANT SELECT ON TABLES TO writer, PUBLIC;`,
      'shop',
    );
    await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
    const backup = await holdfast.backup('shop', {});
    await server.query(`DROP OWNED BY analyst, "Odd ""Name"" Here", writer, "Defaults Owner"`, 'shop');
    await server.query(`DROP ROLE analyst; DROP ROLE "Odd ""Name"" Here"; DROP ROLE writer; DROP ROLE "Defaults Owner"`);

    const preview = await holdfast.restore({ ...create, to: 'shop', dbname: 'shopcopy', ref: backup.id });
    expect(preview.ok).toBe(false);
    expect(preview.impact.missingRoles).toEqual(['Defaults Owner', 'Odd "Name" Here', 'analyst', 'writer']);
    expect(preview.impact.blockers).toEqual([
      // Named only by privileges, owning nothing: --no-acl alone avoids them, so only it is asked for (the DBA review).
      expect.objectContaining({
        kind: 'missing-roles',
        message: expect.stringMatching(/"analyst"/),
        hint: expect.stringMatching(/\.globals\.sql; or use --no-acl\.$/),
        appHint: expect.stringMatching(/; or tick "Skip privileges"\.$/),
        action: 'skip-privileges',
      }),
    ]);
    expect((await holdfast.restore({ ...create, to: 'shop', dbname: 'shopcopy', ref: backup.id, noAcl: true })).impact.blockers).toEqual([]);
    expect((await holdfast.restore({ ...create, to: 'shop', dbname: 'shopcopy', ref: backup.id, noOwner: true })).impact.blockers).toHaveLength(1);

    // The remedy it names first is a command, the same in the app's words: run as it is said, the restore itself goes through.
    const [blocker] = preview.impact.blockers;
    const command = /first: (psql .*\.globals\.sql);/.exec(blocker!.hint!)?.[1];
    expect(command).toBe(`psql -X -h ${server.host} -p ${server.port} -U ${server.user} -d postgres -f ${join(backup.path, '..', backup.globals.filename!)}`);
    expect(blocker!.appHint).toContain(command);
    execFileSync('bash', ['-c', `${command} -q`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${server.binDir}:${process.env.PATH}` } });
    const after = await holdfast.restore({ ...create, to: 'shop', dbname: 'shopcopy', ref: backup.id });
    expect(after.impact.blockers).toEqual([]);
    const restored = await holdfast.restore({ ...create, to: 'shop', dbname: 'shopcopy', ref: backup.id, dryRun: false });
    expect(restored.ok).toBe(true);
    expect((await server.query<{ ok: boolean }>(`SELECT has_schema_privilege('analyst', 'My Schema', 'USAGE') AS ok`, 'shopcopy'))[0]!.ok).toBe(true);
  });

  // A DBA's review: pg_restore --list shows an owner unquoted after a tag that may hold spaces, so "Odd ""Q"" Owner" read as "Owner".
  test('an owner whose name holds spaces and a quote is named whole', async () => {
    await server.query(`CREATE ROLE "Odd ""Q"" Owner" NOLOGIN`);
    await server.query(`CREATE DATABASE spaced TEMPLATE template0`);
    await server.query(`CREATE TABLE "my table" (id int); ALTER TABLE "my table" OWNER TO "Odd ""Q"" Owner"; INSERT INTO "my table" VALUES (1);`, 'spaced');
    await holdfast.addProfile(profileFor(server, 'spaced', 'spaced'));
    const backup = await holdfast.backup('spaced', {});
    await server.query(`DROP OWNED BY "Odd ""Q"" Owner"`, 'spaced');
    await server.query(`DROP ROLE "Odd ""Q"" Owner"`);

    const preview = await holdfast.restore({ ...create, to: 'spaced', dbname: 'spaced_copy', ref: backup.id });
    expect(preview.impact.missingRoles).toEqual(['Odd "Q" Owner']);
    expect(preview.impact.blockers).toEqual([expect.objectContaining({ kind: 'missing-roles', message: expect.stringContaining('"Odd "Q" Owner"') })]);
  });

  test('a connection limit PostgreSQL does not take blocks the start, with no option that lifts it', async () => {
    const dir = join(elsewhere, 'limit.dir');
    execFileSync(join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir, '-h', server.host, '-p', String(server.port), '-U', server.user, 'hr'], { stdio: ['ignore', 'ignore', 'pipe'] });
    rewriteTocString(dir, 'CONNECTION LIMIT = 7;', 'CONNECTION LIMIT = 99999999999;');
    const backup: BackupMetadata = await holdfast.importDump({ file: dir, profile: 'hr' });

    for (const skip of [false, true]) {
      const preview = await holdfast.restore({ ...create, dbname: 'hr_limit', ref: backup.id, noOwner: skip, noAcl: skip });
      expect(preview.ok).toBe(false);
      expect(preview.impact.blockers).toEqual([
        { kind: 'connection-limit', message: expect.stringMatching(/connection limit 99999999999 is not one PostgreSQL takes/), hint: expect.stringContaining('earlier backup') },
      ]);
      expect(preview.impact.warnings.join('\n')).not.toMatch(/99999999999/);
    }
    expect(await databasesLike('hr\\_limit%')).toEqual([]);
  });

  test('an owner the restoring role may not hand the database to blocks the start; Skip ownership lifts it', async () => {
    await server.query(`CREATE ROLE restorer LOGIN CREATEDB`);
    await holdfast.addProfile({ ...profileFor(server, 'as-restorer', 'postgres'), user: 'restorer' });
    const backup = await holdfast.backup('hr', {});
    const preview = await holdfast.restore({ ...create, to: 'as-restorer', dbname: 'hr_handed', ref: backup.id });
    expect(preview.ok).toBe(false);
    expect(preview.impact.blockers).toEqual([
      {
        kind: 'owner',
        message: expect.stringContaining('The restoring role "restorer" cannot make "app_owner" the database\'s owner'),
        // Only --no-owner: the owner is what it cannot give (a DBA's review: it asked for --no-acl too).
        hint: expect.stringMatching(/Grant "app_owner" to "restorer".* use --no-owner to have the restoring role own it\.$/),
        appHint: expect.stringContaining('tick "Skip ownership" to have'),
        action: 'skip-ownership',
        lifts: { owner: true, acl: false },
      },
    ]);
    const lifted = await holdfast.restore({ ...create, to: 'as-restorer', dbname: 'hr_handed', ref: backup.id, noOwner: true });
    expect(lifted.impact.blockers).toEqual([]);
  });

  // psql runs a plain dump as it was written: --no-owner is refused for one, so the hint may not offer it.
  test("a plain backup's owner blocker offers what a plain restore can do: grant, a superuser, or a new database", async () => {
    await server.query(`CREATE ROLE plain_restorer LOGIN CREATEDB`);
    await server.query(`CREATE DATABASE plain_target OWNER app_owner TEMPLATE template0`);
    await holdfast.addProfile({ ...profileFor(server, 'as-plain-restorer', 'postgres'), user: 'plain_restorer' });
    const backup = await holdfast.backup('hr', { format: 'plain' });
    const replace = { ...create, to: 'as-plain-restorer', create: false, clean: true, dbname: 'plain_target', ref: backup.id };
    const preview = await holdfast.restore(replace);
    expect(preview.ok).toBe(false);
    expect(preview.impact.blockers).toEqual([
      {
        kind: 'owner',
        message: expect.stringContaining('The restoring role "plain_restorer" cannot make "app_owner" the database\'s owner'),
        hint: expect.stringMatching(/Grant "app_owner" to "plain_restorer", restore as a superuser, or give --dbname <new name> --create/),
        appHint: expect.stringContaining('choose "Create a new database"'),
        action: 'restore-beside',
      },
    ]);
    expect(preview.impact.blockers[0]!.hint).not.toContain('--no-owner');
    // The step it names lifts it: a new database is the restoring role's own.
    const beside = await holdfast.restore({ ...replace, create: true, clean: false, dbname: 'plain_beside' });
    expect(beside.impact.blockers).toEqual([]);
  });

  test('other sessions on a database being replaced block the start; ending them lifts it', async () => {
    const backup = await holdfast.backup('hr', {});
    const session = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'hr' });
    await session.connect();
    try {
      const replace = { ...create, create: false, clean: true, dbname: 'hr', ref: backup.id };
      const preview = await holdfast.restore(replace);
      expect(preview.ok).toBe(false);
      expect(preview.impact.blockers).toEqual([
        {
          kind: 'other-sessions',
          message: '1 other session is connected to "hr"; replacing it fails while it is.',
          hint: 'Add --terminate-connections to end it.',
          appHint: 'Tick "End other sessions on the database" to end it.',
          action: 'terminate-connections',
        },
      ]);
      const lifted = await holdfast.restore({ ...replace, terminateConnections: true });
      expect(lifted.impact.blockers).toEqual([]);
      expect(lifted.ok).toBe(true);
    } finally {
      await session.end();
    }
  });
});
