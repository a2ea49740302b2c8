import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellWord } from '../model/shell-word.ts';
import { excludeDatabaseArgs, failedMemberHint } from './member-hint.ts';

const limited = { name: 'limited', wholeServer: { excludeDatabases: ['sho?', 'lat*'], parallelDatabases: 1 } };

describe("a failed member's next step", () => {
  test('a database the role may not CONNECT to: grant it, or leave it out, in flags for the CLI and in the form for the app', () => {
    const said = failedMemberHint(limited, { database: 'secret', role: 'backup_reader', mayNotConnect: true, ownHint: 'Check that the server is running.' });
    expect(said.hint).toBe(
      `GRANT CONNECT ON DATABASE "secret" TO "backup_reader" (as its owner or a superuser), or leave it out of the set: holdfast profile edit --all-databases --exclude-database 'sho?' --exclude-database 'lat*' --exclude-database secret --parallel-databases 1 limited`,
    );
    expect(said.appHint).toBe(
      `GRANT CONNECT ON DATABASE "secret" TO "backup_reader" (as its owner or a superuser), or leave it out of the set: add it under "Leave out databases" in the connection's form (Connections, Edit)`,
    );
  });

  test("any other failure keeps its own backup's hint, both wordings", () => {
    expect(failedMemberHint(limited, { database: 'shop', role: 'r', mayNotConnect: false, ownHint: 'Restore it beside, {{restore-beside}}.' })).toEqual({
      hint: 'Restore it beside, give --dbname <new name> --create.',
      appHint: 'Restore it beside, choose "Create a new database".',
    });
    expect(failedMemberHint(limited, { database: 'shop', role: 'r', mayNotConnect: false, ownHint: undefined })).toEqual({});
  });

  test('the command a shell runs gives the profile exactly the lists it had plus the database, whatever their names', () => {
    const hostile = { name: "-it's", wholeServer: { excludeDatabases: ["o'k *"], parallelDatabases: null } };
    const database = 'we}ird\\ $(touch x) "db"';
    const hint = failedMemberHint(hostile, { database, role: 'r', mayNotConnect: true, ownHint: undefined }).hint!;
    const args = hint.slice(hint.indexOf('holdfast profile edit ') + 'holdfast profile edit '.length);
    expect(args).toBe(excludeDatabaseArgs(hostile, database));
    // The shell splits it back into the words holdfast's parser is given.
    const words = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${args}`], { encoding: 'utf8' })
      .trimEnd()
      .split('\n');
    expect(words).toEqual(['--all-databases', '--exclude-database', "o'k *", '--exclude-database', database, '--', "-it's"]);
  });

  test('shellWord leaves plain words bare', () => {
    expect(shellWord('crm_2024')).toBe('crm_2024');
    expect(shellWord('-x')).toBe("'-x'");
  });
});
