import { describe, expect, test } from 'vitest';
import { DatabasePropertiesRefused, propertyValueProblems, type RestoringRole } from './database-property-checks.ts';
import { defaultAcl, normalAcl, type DatabaseProperties } from './database-property-values.ts';
import { skipOwnershipStep } from './restore-tool.ts';

const properties: DatabaseProperties = {
  owner: 'app_owner',
  acl: normalAcl([...defaultAcl('app_owner'), { grantee: 'backup_ro', privileges: ['CONNECT'], grantable: [] }]),
  settings: [],
  comment: null,
  connectionLimit: 7,
  locale: null,
};
/** An archive's restore (pg_restore can leave ownership out), and a plain dump's (psql cannot). */
const archive = (rolesFile: string | null) => ({ rolesFile, skipOwnership: skipOwnershipStep('custom') });
const plain = (rolesFile: string | null) => ({ rolesFile, skipOwnership: null });
const superuser: RestoringRole = { name: 'postgres', superuser: true, roles: new Set(['postgres', 'app_owner', 'backup_ro']), mayOwnAs: new Set() };

describe('propertyValueProblems', () => {
  test('nothing to say when every role exists, the restoring role may hand the database over and the limit is one PostgreSQL takes', () => {
    expect(propertyValueProblems(properties, superuser, archive('hr.globals.sql'))).toEqual([]);
    expect(propertyValueProblems({ ...properties, connectionLimit: -1 }, superuser, archive(null))).toEqual([]);
    expect(propertyValueProblems({ ...properties, connectionLimit: 2_147_483_647 }, superuser, archive(null))).toEqual([]);
  });

  test.each([-2, -5, 2_147_483_648, 99_999_999_999, Number.NaN, 1.5])('a connection limit of %s is named, with the archive called altered', (limit) => {
    const problems = propertyValueProblems({ ...properties, connectionLimit: limit }, superuser, archive(null));
    expect(problems).toEqual([expect.objectContaining({ kind: 'connection-limit', what: expect.stringContaining(`connection limit ${limit} is not one PostgreSQL takes`) })]);
  });

  test('an owner or grantee the server lacks is named, with the roles file and --no-owner as the way out', () => {
    const problems = propertyValueProblems(properties, { ...superuser, roles: new Set(['postgres']) }, archive('hr.globals.sql'));
    expect(problems).toEqual([
      {
        kind: 'missing-roles',
        what: expect.stringContaining('"app_owner", "backup_ro", and the target server has no such roles'),
        fix: expect.stringMatching(/roles file \(hr\.globals\.sql\).*\{\{no-owner\}\}/),
        lifts: { owner: true, acl: true },
      },
    ]);
  });

  test("a plain dump's restore cannot leave ownership out: its fixes never offer --no-owner, and an owner it cannot hand over is left by restoring beside", () => {
    const lowly: RestoringRole = { ...superuser, name: 'restorer', superuser: false, roles: new Set(['postgres', 'restorer']) };
    const problems = propertyValueProblems(properties, lowly, plain('hr.globals.sql'));
    expect(problems).toEqual([expect.objectContaining({ kind: 'missing-roles', fix: "Restore the backup's roles file (hr.globals.sql) first so they exist." })]);
    // A single restore knows the command that applies it, and says it.
    const said = propertyValueProblems(properties, lowly, { ...plain('hr.globals.sql'), rolesCommand: "psql -X -h db -p 5432 -U admin -d postgres -f '/b/hr {x}.globals.sql'" });
    expect(said).toEqual([
      expect.objectContaining({ kind: 'missing-roles', fix: "Restore the backup's roles file first so they exist: psql -X -h db -p 5432 -U admin -d postgres -f '/b/hr \\{x\\}.globals.sql'." }),
    ]);
    const owner = propertyValueProblems(properties, { ...lowly, roles: new Set(['restorer', 'app_owner', 'backup_ro']) }, plain(null));
    expect(owner).toEqual([
      expect.objectContaining({ kind: 'owner', fix: 'Grant "app_owner" to "restorer", restore as a superuser, or {{restore-beside}}: a new database is the restoring role\'s own.' }),
    ]);
  });

  test('a restoring role that is neither superuser nor a member of the owner cannot hand the database over', () => {
    const lowly: RestoringRole = { ...superuser, name: 'restorer', superuser: false };
    expect(propertyValueProblems(properties, lowly, archive(null))).toEqual([
      expect.objectContaining({ kind: 'owner', what: expect.stringContaining('"restorer" cannot make "app_owner" the database\'s owner') }),
    ]);
    expect(propertyValueProblems(properties, { ...lowly, mayOwnAs: new Set(['app_owner']) }, archive(null))).toEqual([]);
    expect(propertyValueProblems({ ...properties, owner: 'restorer', acl: normalAcl(defaultAcl('restorer')) }, { ...lowly, roles: new Set(['restorer']) }, archive(null))).toEqual([]);
  });
});

test('the refusal names every problem, says nothing was created, and gives each fix once', () => {
  const problems = propertyValueProblems({ ...properties, connectionLimit: -5 }, { ...superuser, roles: new Set(['postgres']) }, archive(null));
  const error = new DatabasePropertiesRefused('hr_copy', problems);
  expect(error.code).toBe('RESTORE_REFUSED');
  expect(error.message).toMatch(/^The restore cannot give "hr_copy" the backup's database-level properties: .*no such roles; .*connection limit -5 .*\. Nothing was created or changed\.$/);
  expect(error.hint).toContain('--no-owner --no-acl');
});

test('an owner named like a hint placeholder is said as its name, not as a flag', () => {
  const lowly: RestoringRole = { ...superuser, name: 'restorer', superuser: false, roles: new Set(['restorer', '{{create}}', 'backup_ro']) };
  const owned = { ...properties, owner: '{{create}}', acl: normalAcl(defaultAcl('{{create}}')) };
  const error = new DatabasePropertiesRefused('hr_copy', propertyValueProblems(owned, lowly, archive('{{confirm}}.globals.sql')));
  // Only --no-owner: the owner is what it cannot give, so skipping privileges too would lose them for nothing.
  expect(error.hint).toBe('Grant "{{create}}" to "restorer", restore as a superuser, or use --no-owner to have the restoring role own it.');
  expect(error.toInfo().action).toBe('skip-ownership');
});
