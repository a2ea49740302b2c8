// A set restore applies the set's roles file to a real server (not a drill's sandbox, which demotes
// every role afterwards), so an altered file must not leave that server with a login an attacker
// knows the password of, nor widen what a role the server already has may do.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applySetRoles } from '../main/core/sets/apply-roles.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

let server: PgServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE ROLE app LOGIN');
  admin = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'postgres', password: 'unused' });
  await admin.connect();
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

const memberships = async (role: string) =>
  (
    await server.query<{ granted: string }>(
      `SELECT r.rolname AS granted FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '${role}' ORDER BY 1`,
    )
  ).map((row) => row.granted);

describe('a set restore reads its roles file as untrusted', () => {
  test('a role password is refused: Holdfast takes roles with --no-role-passwords, so a file with one was altered; nothing is applied', async () => {
    const text = ['CREATE ROLE intruder;', "ALTER ROLE intruder WITH SUPERUSER LOGIN PASSWORD 'known';", 'CREATE ROLE harmless;', ''].join('\n');
    await expect(applySetRoles(admin, text)).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('password') });
    expect(await server.query("SELECT rolname FROM pg_roles WHERE rolname IN ('intruder', 'harmless')")).toEqual([]);
  });

  test('a role the server already has gains no membership in a privileged role (a superuser, pg_* server roles), only in the ordinary roles the set brings', async () => {
    const text = [
      'CREATE ROLE boss;',
      'ALTER ROLE boss WITH SUPERUSER NOLOGIN;',
      'CREATE ROLE readers;',
      'ALTER ROLE readers WITH NOLOGIN;',
      'GRANT boss TO app;',
      'GRANT pg_execute_server_program TO app;',
      `GRANT ${server.user} TO app;`,
      'GRANT readers TO app;',
      // Through an ordinary-looking role that is itself a member of the superuser one.
      'CREATE ROLE relay;',
      'ALTER ROLE relay WITH NOLOGIN;',
      'GRANT boss TO relay;',
      'GRANT relay TO app;',
      // A role the set itself creates may be given what it had on the source.
      'CREATE ROLE ops;',
      'ALTER ROLE ops WITH NOLOGIN;',
      'GRANT pg_signal_backend TO ops;',
      '',
    ].join('\n');
    const applied = await applySetRoles(admin, text);
    expect(applied.failed).toEqual([]);
    expect(await memberships('app')).toEqual(['readers']);
    expect(await memberships('ops')).toEqual(['pg_signal_backend']);
    expect(applied.skipped.filter((s) => s.includes('"app"'))).toHaveLength(4);
  });

  // The file's own statement is what runs: a value the server reads as pg_catalog while the check read
  // another schema (U&'pg\005Fcatalog', 'pg_' and 'catalog' on two lines) would shadow the catalogue.
  test('a search_path written with U& escapes or a string continued over a line is refused: the server reads pg_catalog in it', async () => {
    const shadowing = ["ALTER ROLE probe SET search_path TO 'evil', U&'pg\\005Fcatalog';", "ALTER ROLE probe SET search_path TO 'evil', 'pg_'\n'catalog';"];
    await server.query('CREATE ROLE probe');
    for (const sql of shadowing) {
      await server.query(sql);
      expect(await server.query("SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'probe'::regrole")).toEqual([{ setconfig: ['search_path=evil, pg_catalog'] }]);
      await expect(applySetRoles(admin, `CREATE ROLE shadow;\n${sql.replace('probe', 'shadow')}\n`)).rejects.toMatchObject({ code: 'RESTORE_REFUSED' });
      expect(await server.query("SELECT rolname FROM pg_roles WHERE rolname = 'shadow'")).toEqual([]);
    }
  });

  // The role is new on the target, so its settings would follow every session it opens there: a file
  // that turns off logging or auditing for it must not, while its ordinary settings still come along.
  test("a new role's logging, audit, custom and catalogue-shadowing settings are left out and said with the statement; its work_mem is set", async () => {
    const text = [
      'CREATE ROLE auditee;',
      'ALTER ROLE auditee WITH LOGIN;',
      "ALTER ROLE auditee SET log_statement TO 'none';",
      'ALTER ROLE auditee SET "pgaudit.log" TO \'none\';',
      'ALTER ROLE auditee SET "app.tenant" TO \'acme\';',
      "ALTER ROLE auditee SET work_mem TO '8MB';",
      'ALTER ROLE auditee SET search_path TO evil, PG_CATALOG;',
      "ALTER ROLE auditee IN DATABASE postgres SET search_path TO 'app', 'public';",
      '',
    ].join('\n');
    const applied = await applySetRoles(admin, text);
    expect(applied.failed).toEqual([]);
    expect(applied.created).toEqual(['auditee']);
    const settings = await server.query<{ config: string[] }>(`SELECT setconfig AS config FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'auditee'`);
    expect(settings.map((row) => row.config).sort()).toEqual([['search_path=app, public'], ['work_mem=8MB']]);
    expect(applied.skipped).toEqual([
      "ALTER ROLE auditee SET log_statement TO 'none' (it decides what the server logs: left out, run it yourself if you mean it)",
      'ALTER ROLE auditee SET "pgaudit.log" TO \'none\' (it decides what pgAudit records: left out, run it yourself if you mean it)',
      "ALTER ROLE auditee SET \"app.tenant\" TO 'acme' (it is an extension's or an application's own setting: left out, run it yourself if you mean it)",
      'ALTER ROLE auditee SET search_path TO evil, PG_CATALOG (it searches a schema before pg_catalog, so its functions and operators would replace the built-in ones in every session: left out, run it yourself if you mean it)',
    ]);
  });
});
