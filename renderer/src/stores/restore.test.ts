// The wizard's own rules: a default new name that never collides, and no start for what its preview says will fail.
import { describe, expect, test } from 'vitest';
import { fixLabel, previewBlockers, restoreInput, unusedDatabaseName, type RestoreChoices, type RestoreResult } from './restore.ts';

const choices: RestoreChoices = {
  backupId: 'b1',
  targetProfile: 'shop',
  mode: 'existing',
  database: 'shop',
  dropExisting: true,
  noOwner: false,
  noAcl: false,
  jobs: 1,
  terminateConnections: false,
  scope: 'all',
  tables: [],
  schemas: [],
};

function preview(impact: Partial<RestoreResult['impact']>): RestoreResult {
  return {
    dryRun: true,
    ok: true,
    backup: { id: 'b1', filename: 'shop.dump' },
    target: { profile: 'shop', host: 'db', port: 5432, database: 'shop', exists: true, relations: 3 },
    client: 'pg_restore 17',
    actions: [],
    durationMs: 1,
    tables: [],
    impact: {
      tables: [],
      blockers: [],
      missingRoles: [],
      unavailableExtensions: [],
      activeConnections: 0,
      targetServer: 'PostgreSQL 17',
      warnings: [],
      appWarnings: [],
      confirmation: 'shop',
      executedFunctions: null,
      targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
      databaseProperties: null,
      ...impact,
    },
  };
}

describe('unusedDatabaseName', () => {
  test('<db>_restored, then _2, _3… past the names the server has', () => {
    expect(unusedDatabaseName('shop', ['shop'])).toBe('shop_restored');
    expect(unusedDatabaseName('shop', ['shop', 'shop_restored', 'shop_restored_2'])).toBe('shop_restored_3');
  });

  test('a long name is cut so the result stays within 63 bytes', () => {
    const long = 'é'.repeat(40);
    const name = unusedDatabaseName(long, [`${long}_restored`]);
    expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(63);
    expect(name.endsWith('_restored')).toBe(true);
  });
});

describe('previewBlockers: the wizard refuses what its own preview says will fail', () => {
  test('open sessions on a database being replaced block it until "End other sessions" is ticked', () => {
    const [blocker] = previewBlockers(preview({ activeConnections: 2 }), choices, 'custom');
    expect(blocker).toMatchObject({ action: 'terminate-connections', fix: { terminateConnections: true } });
    expect(blocker!.text).toContain('2 other sessions are connected to "shop"');
    expect(previewBlockers(preview({ activeConnections: 2 }), { ...choices, terminateConnections: true }, 'custom')).toEqual([]);
    // Into a new database, nobody's sessions matter.
    expect(previewBlockers(preview({ activeConnections: 2 }), { ...choices, mode: 'new', dropExisting: false }, 'custom')).toEqual([]);
  });

  test('missing roles block it until ownership and privileges are both skipped; a plain dump has no such fix', () => {
    const roles = preview({ missingRoles: ['auditor'] });
    expect(previewBlockers(roles, choices, 'custom')).toMatchObject([{ action: 'no-owner', fix: { noOwner: true, noAcl: true } }]);
    expect(previewBlockers(roles, { ...choices, noOwner: true }, 'custom')).toHaveLength(1);
    expect(previewBlockers(roles, { ...choices, noOwner: true, noAcl: true }, 'custom')).toEqual([]);
    expect(previewBlockers(roles, choices, 'plain')[0]).not.toHaveProperty('fix');
  });

  test("a fix's button names the app's controls, never a flag", () => {
    expect(fixLabel('terminate-connections')).toBe('Tick "End other sessions on the database", then preview again');
    expect(fixLabel('no-owner')).not.toMatch(/--/);
  });
});

describe('restoreInput', () => {
  test('chosen tables or schemas go to the engine only with their scope', () => {
    expect(restoreInput({ ...choices, scope: 'tables', tables: ['public.users'], schemas: ['x'] }, true)).toMatchObject({ tables: ['public.users'] });
    expect(restoreInput({ ...choices, scope: 'tables', tables: ['public.users'] }, true)).not.toHaveProperty('schemas');
    expect(restoreInput({ ...choices, tables: ['public.users'] }, true)).not.toHaveProperty('tables');
  });
});
