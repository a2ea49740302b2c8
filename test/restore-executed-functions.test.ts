// A restore onto a real server runs the backup's own functions as the profile's role (a CHECK is
// evaluated for every row loaded, an index expression for every row indexed). The preview names them,
// says whether that role is privileged, and warns when both are true.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
const backups: Record<'custom' | 'plain', BackupMetadata> = {} as never;
let harmless: BackupMetadata;

const preview = { noOwner: false, noAcl: false, create: true, clean: false, dryRun: true };
const RUNS_CODE = /functions? from the backup/;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE app');
  await server.query(
    `
    CREATE FUNCTION audit_ok(int) RETURNS bool LANGUAGE plpgsql AS $$ BEGIN RETURN true; END $$;
    CREATE TABLE audit_flags(i int CHECK (audit_ok(i)));
    INSERT INTO audit_flags VALUES (1), (2);
    CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN NEW; END $$;
    CREATE FUNCTION next_ref() RETURNS text LANGUAGE sql AS $$ SELECT 'r' $$;
    CREATE TABLE orders(id int, ref text DEFAULT next_ref());
    CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();
    INSERT INTO orders (id) VALUES (1);
    `,
    'app',
  );
  await server.query('CREATE DATABASE plain_data');
  await server.query(`CREATE FUNCTION unused(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (i int CHECK (i > 0)); INSERT INTO t VALUES (1);`, 'plain_data');
  await server.query(`CREATE ROLE restorer LOGIN CREATEDB; CREATE ROLE runner LOGIN CREATEDB IN ROLE pg_execute_server_program;`);
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'app', 'app'));
  await holdfast.addProfile(profileFor(server, 'plain_data', 'plain_data'));
  await holdfast.addProfile({ ...profileFor(server, 'as_restorer', 'app'), user: 'restorer' });
  await holdfast.addProfile({ ...profileFor(server, 'as_runner', 'app'), user: 'runner' });
  backups.custom = await holdfast.backup('app', {});
  backups.plain = await holdfast.backup('app', { format: 'plain' });
  harmless = await holdfast.backup('plain_data', {});
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

describe('the restore preview names the code a restore runs', () => {
  test.each(['custom', 'plain'] as const)('%s backup: the CHECK, trigger and DEFAULT functions, the superuser target and a warning', async (format) => {
    const result = await holdfast.restore({ ...preview, ref: backups[format].id, to: 'app', dbname: `copy_${format}` });
    const { executedFunctions, targetRole, warnings } = result.impact;
    expect(executedFunctions).toEqual(
      expect.arrayContaining([
        { function: 'public.audit_ok', usedBy: ['CHECK on public.audit_flags'], securityDefiner: false, duringRestore: true },
        { function: 'public.stamp', usedBy: [expect.stringMatching(/^trigger orders_stamp on public\.orders\b/)], securityDefiner: true, duringRestore: false },
        { function: 'public.next_ref', usedBy: [expect.stringMatching(/^DEFAULT on public\.orders\.ref\b/)], securityDefiner: false, duringRestore: false },
      ]),
    );
    expect(executedFunctions).toHaveLength(3);
    expect(targetRole).toEqual({ name: server.user, superuser: true, privileged: true, via: ['superuser'] });
    const warning = warnings.find((w) => RUNS_CODE.test(w));
    expect(warning).toContain(`The restore runs 1 function from the backup (public.audit_ok in a CHECK on public.audit_flags) as superuser "${server.user}"`);
    expect(warning).toContain('running programs on the server');
    // The renderer shows this text as it is: no CLI flags in it.
    expect(warning).not.toMatch(/--/);
  });

  test('a backup whose functions nothing calls has none listed and no such warning', async () => {
    const result = await holdfast.restore({ ...preview, ref: harmless.id, to: 'app', dbname: 'copy_harmless' });
    expect(result.impact.executedFunctions).toEqual([]);
    expect(result.impact.targetRole.superuser).toBe(true);
    expect(result.impact.warnings.filter((w) => RUNS_CODE.test(w))).toEqual([]);
  });

  test('an ordinary role still sees the list but no warning; one that may run server programs is warned', async () => {
    const plain = await holdfast.restore({ ...preview, ref: backups.custom.id, to: 'as_restorer', dbname: 'copy_restorer' });
    expect(plain.impact.targetRole).toEqual({ name: 'restorer', superuser: false, privileged: false, via: [] });
    expect(plain.impact.executedFunctions?.map((f) => f.function)).toContain('public.audit_ok');
    expect(plain.impact.warnings.filter((w) => RUNS_CODE.test(w))).toEqual([]);

    const runner = await holdfast.restore({ ...preview, ref: backups.custom.id, to: 'as_runner', dbname: 'copy_runner' });
    expect(runner.impact.targetRole).toEqual({ name: 'runner', superuser: false, privileged: true, via: ['pg_execute_server_program'] });
    expect(runner.impact.warnings.find((w) => RUNS_CODE.test(w))).toMatch(/as role "runner" \(member of pg_execute_server_program\).*running programs on the server/);
  });
});
