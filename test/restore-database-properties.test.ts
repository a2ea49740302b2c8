// A replace restore (--clean, --swap) builds a new database and gives it the old one's name: what lives
// on the database itself — owner, who may CONNECT, settings, comment, connection limit, encoding and
// collation — must come with it (the DBA's review found PUBLIC able to connect again afterwards).
// Archives carry the database's own entries, and those win; a plain dump has none, so the replaced
// database's are kept. To tell the two apart, some properties change after the backup is taken.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { RestoreResult } from '../main/core/restore/restore.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { connectAs, databaseFacts } from './support/database-facts.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

const base = { to: 'hr', create: false, clean: false, noOwner: false, noAcl: false, dryRun: false, confirm: 'hr' };

beforeAll(async () => {
  server = await startPgServer();
  await server.query(`CREATE ROLE app_owner NOLOGIN; CREATE ROLE backup_ro LOGIN; CREATE ROLE outsider LOGIN;`);
  await server.query(`CREATE DATABASE hr TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await server.query(`CREATE TABLE staff (id int PRIMARY KEY, name text); INSERT INTO staff SELECT g, 'person ' || g FROM generate_series(1, 50) g;`, 'hr');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'hr', 'hr'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

/** The review's setup, plus a comment, a role's setting in the database and a connection limit. */
async function setProperties(): Promise<void> {
  await server.query(`
    ALTER DATABASE hr OWNER TO app_owner;
    ALTER DATABASE hr RESET ALL;
    ALTER DATABASE hr SET work_mem = '64MB';
    ALTER ROLE backup_ro IN DATABASE hr SET statement_timeout = '5s';
    REVOKE ALL ON DATABASE hr FROM PUBLIC;
    GRANT TEMPORARY ON DATABASE hr TO PUBLIC;
    GRANT CONNECT ON DATABASE hr TO backup_ro;
    COMMENT ON DATABASE hr IS 'Human resources';
    ALTER DATABASE hr CONNECTION LIMIT 7;
  `);
}

/** Changed after the backup: the restored copy shows whether a property came from the backup or the replaced database. */
async function driftProperties(): Promise<void> {
  await server.query(`
    ALTER DATABASE hr SET work_mem = '32MB';
    COMMENT ON DATABASE hr IS 'changed after the backup';
    ALTER DATABASE hr CONNECTION LIMIT 3;
  `);
}

describe.each([
  { format: 'custom' as const, replace: { clean: true }, fromBackup: true },
  { format: 'plain' as const, replace: { clean: true }, fromBackup: false },
  { format: 'directory' as const, replace: { swap: true }, fromBackup: true },
  { format: 'tar' as const, replace: { swap: true }, fromBackup: true },
])('a $format backup restored with $replace', ({ format, replace, fromBackup }) => {
  let backup: BackupMetadata;
  let preview: RestoreResult;
  let facts: Awaited<ReturnType<typeof databaseFacts>>;
  const expectedFrom = fromBackup ? 'backup' : 'target';

  beforeAll(async () => {
    await setProperties();
    backup = await holdfast.backup('hr', { format });
    await driftProperties();
    preview = await holdfast.restore({ ...base, ...replace, ref: backup.id, dryRun: true });
    const result = await holdfast.restore({ ...base, ...replace, ref: backup.id });
    expect(result.ok).toBe(true);
    expect(await rowCount(server, 'hr', 'staff')).toBe(50);
    facts = await databaseFacts(server, 'hr');
  });

  test('owner: the original owner, not the restoring role', () => {
    expect(facts.owner).toBe('app_owner');
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'owner', current: 'app_owner', restored: 'app_owner', from: expectedFrom, changes: false });
  });

  test('privileges: PUBLIC still cannot CONNECT, backup_ro still can', async () => {
    expect(facts.acl).toEqual(['PUBLIC:TEMPORARY', 'app_owner:CONNECT', 'app_owner:CREATE', 'app_owner:TEMPORARY', 'backup_ro:CONNECT']);
    expect(await connectAs(server, 'outsider', 'hr')).toMatch(/permission denied for database "hr"/);
    expect(await connectAs(server, 'backup_ro', 'hr')).toBe('connected');
    expect(preview.impact.databaseProperties).toContainEqual(
      expect.objectContaining({ property: 'acl', restored: 'PUBLIC: TEMPORARY; app_owner: CONNECT, CREATE, TEMPORARY; backup_ro: CONNECT', changes: false }),
    );
  });

  test(`settings: per database and per role in the database, from the ${expectedFrom}`, () => {
    expect(facts.settings).toEqual({ '(all)': [fromBackup ? 'work_mem=64MB' : 'work_mem=32MB'], backup_ro: ['statement_timeout=5s'] });
    expect(preview.impact.databaseProperties).toContainEqual({
      property: 'settings',
      current: 'work_mem=32MB; backup_ro: statement_timeout=5s',
      restored: `work_mem=${fromBackup ? '64MB' : '32MB'}; backup_ro: statement_timeout=5s`,
      from: expectedFrom,
      changes: fromBackup,
    });
  });

  test(`comment: from the ${expectedFrom}, and the preview says so`, () => {
    expect(facts.comment).toBe(fromBackup ? 'Human resources' : 'changed after the backup');
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'comment', current: 'changed after the backup', restored: facts.comment, from: expectedFrom, changes: fromBackup });
    if (fromBackup) expect(preview.impact.warnings.join('\n')).toContain('comment (changed after the backup → Human resources)');
  });

  test(`connection limit: from the ${expectedFrom}`, () => {
    expect(facts.connlimit).toBe(fromBackup ? 7 : 3);
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'connectionLimit', current: '3', restored: fromBackup ? '7' : '3', from: expectedFrom, changes: fromBackup });
  });

  test("encoding and collation: LATIN1 and C, not the server's defaults", () => {
    expect({ encoding: facts.encoding, collate: facts.collate, ctype: facts.ctype }).toEqual({ encoding: 'LATIN1', collate: 'C', ctype: 'C' });
    expect(preview.impact.databaseProperties).toContainEqual({ property: 'encoding', current: 'LATIN1', restored: 'LATIN1', from: expectedFrom, changes: false });
  });
});

describe('properties the copy cannot get', () => {
  test("--no-owner --no-acl keep the replaced database's owner and privileges, whatever the backup had", async () => {
    await setProperties();
    const backup = await holdfast.backup('hr', {});
    await server.query(`ALTER DATABASE hr OWNER TO backup_ro; GRANT CONNECT ON DATABASE hr TO outsider;`);
    const result = await holdfast.restore({ ...base, clean: true, noOwner: true, noAcl: true, ref: backup.id });
    expect(result.impact.databaseProperties).toContainEqual(expect.objectContaining({ property: 'owner', restored: 'backup_ro', from: 'target' }));
    const facts = await databaseFacts(server, 'hr');
    expect(facts.owner).toBe('backup_ro');
    expect(facts.acl).toContain('outsider:CONNECT');
    expect(facts.comment).toBe('Human resources');
  });

  test('an owner role the target lacks refuses the restore before its scratch copy is created; the original is untouched', async () => {
    await setProperties();
    await server.query(`CREATE ROLE short_lived NOLOGIN; ALTER DATABASE hr OWNER TO short_lived;`);
    const backup = await holdfast.backup('hr', {});
    await server.query(`ALTER DATABASE hr OWNER TO app_owner; DROP ROLE short_lived;`);
    const preview = await holdfast.restore({ ...base, clean: true, ref: backup.id, dryRun: true });
    expect(preview.impact.missingRoles).toContain('short_lived');
    // It used to fail only once the whole backup was loaded into the copy (then dropped).
    await expect(holdfast.restore({ ...base, clean: true, ref: backup.id })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringMatching(/"short_lived".*Nothing was created or changed\.$/),
      hint: expect.stringMatching(/roles file.*--no-owner --no-acl/),
    });
    expect((await databaseFacts(server, 'hr')).owner).toBe('app_owner');
    expect(await server.query(`SELECT datname FROM pg_database WHERE datname LIKE 'hr\\_\\_holdfast%'`)).toEqual([]);
  });
});
