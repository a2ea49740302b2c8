// A hostile database names its objects with terminal control sequences: a title change (ESC ] … BEL),
// a screen clear (ESC [ 2 J), a carriage return that writes over the line, and the 8-bit CSI (U+009B)
// some terminals obey. The CLI prints those names in backups, lists, restore previews and errors; it
// must never hand the sequences to the DBA's terminal, only show them, in human and JSON output alike.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, usePrivateTmpdir, type CliResult, type TestHome } from './support/holdfast-env.ts';

const HOSTILE_TABLE = 'evil\u001b]0;pwned\u0007\r\u001b[2Jgone\u009b2J';
const HOSTILE_SCHEMA = 'sch\u001b[31mred';

/** Every control character but the newline and tab the CLI writes itself; DEL; and C1 (U+0080–U+009F). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE hostile');
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  await server.query(
    `CREATE SCHEMA ${quote(HOSTILE_SCHEMA)};
     CREATE TABLE ${quote(HOSTILE_SCHEMA)}.${quote(HOSTILE_TABLE)} (v int);
     INSERT INTO ${quote(HOSTILE_SCHEMA)}.${quote(HOSTILE_TABLE)} VALUES (1), (2);`,
    'hostile',
  );
  home = makeHome();
});

afterAll(async () => {
  home?.cleanup();
  await server?.stop();
  privateTmp.remove();
});

const cli = (...args: string[]) => runCli(args, home.env);

function expectNoRawControl(result: CliResult): void {
  expect(RAW_CONTROL.exec(result.stdout)?.[0], `stdout: ${JSON.stringify(result.stdout)}`).toBeUndefined();
  expect(RAW_CONTROL.exec(result.stderr)?.[0], `stderr: ${JSON.stringify(result.stderr)}`).toBeUndefined();
}

describe('names with terminal control characters', () => {
  let backupId: string;

  test('backup, list, verify and a restore preview show the names escaped, never raw', async () => {
    const added = await cli('profile', 'add', 'hostile', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'hostile');
    expect(added.code, added.stderr).toBe(0);
    const backup = await cli('backup', 'hostile', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    backupId = JSON.parse(backup.stdout).id;
    expectNoRawControl(backup);

    for (const args of [['list'], ['verify', backupId], ['restore', backupId, '--to', 'hostile', '--dbname', 'hostile_copy', '--create', '--dry-run']]) {
      const result = await cli(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expectNoRawControl(result);
    }
    const preview = await cli('restore', backupId, '--to', 'hostile', '--dbname', 'hostile_copy', '--create', '--dry-run');
    // Shown as escapes a DBA can read, the name's other characters as they are.
    expect(preview.stdout).toContain('sch\\u001b[31mred');
    expect(preview.stdout).toContain('evil\\u001b]0;pwned\\u0007\\u000d\\u001b[2Jgone\\u009b2J');
  });

  test('JSON output escapes them too and still reads back as the exact names', async () => {
    const preview = await cli('restore', backupId, '--to', 'hostile', '--dbname', 'hostile_copy', '--create', '--dry-run', '--json');
    expect(preview.code, preview.stderr).toBe(0);
    expectNoRawControl(preview);
    const tables = (JSON.parse(preview.stdout) as { impact: { tables: Array<{ table: string }> } }).impact.tables.map((t) => t.table);
    expect(tables).toEqual([`"${HOSTILE_SCHEMA}"."${HOSTILE_TABLE}"`]);
  });

  test('an error naming what the DBA typed shows it escaped', async () => {
    const result = await cli('restore', backupId, '--to', 'hostile', '--dbname', 'hostile_copy', '--create', '--table', `${HOSTILE_SCHEMA}.nope\u001b[2J`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('nope\\u001b[2J');
    expectNoRawControl(result);
  });
});
