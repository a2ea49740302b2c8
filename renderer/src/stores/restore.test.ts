// The wizard's own rules: a default new name that never collides, and no start for what its preview says will fail.
import { describe, expect, test } from 'vitest';
import { fixLabel, previewBlockers, restoreInput, startDisabledReason, unusedDatabaseName, type RestoreChoices, type RestoreResult } from './restore.ts';

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
      leftOut: [],
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

describe("previewBlockers: the wizard refuses what the engine's preview says will fail", () => {
  const sessions = {
    kind: 'other-sessions',
    message: '2 other sessions are connected to "shop"; replacing it fails while they are.',
    hint: 'Add --terminate-connections to end them.',
    appHint: 'Tick "End other sessions on the database" to end them.',
    action: 'terminate-connections',
  } as const;
  const roles = {
    kind: 'missing-roles',
    message: 'The target server lacks roles the backup names ("auditor").',
    hint: 'Use --no-owner --no-acl.',
    appHint: 'Tick "Skip ownership" and "Skip privileges".',
    action: 'no-owner',
  } as const;
  const limit = { kind: 'connection-limit', message: "The backup's connection limit -5 is not one PostgreSQL takes.", hint: 'Restore an earlier backup.' } as const;

  test("each blocker's action becomes the wizard's own choices that lift it; one without an action has none", () => {
    expect(previewBlockers(preview({ blockers: [sessions, roles, limit] }))).toEqual([{ ...sessions, fix: { terminateConnections: true } }, { ...roles, fix: { noOwner: true, noAcl: true } }, limit]);
    expect(previewBlockers(preview({ blockers: [] }))).toEqual([]);
  });

  test('the reason beside a disabled Restore names the controls that lift it, or says none does', () => {
    expect(startDisabledReason(previewBlockers(preview({ blockers: [roles] })))).toBe(
      'Can\'t start: 1 problem above would make it fail. To lift it: tick "Skip ownership" and "Skip privileges", then preview again.',
    );
    expect(startDisabledReason(previewBlockers(preview({ blockers: [limit] })))).toBe("Can't start: 1 problem above would make it fail. No option in this wizard lifts it.");
    const both = startDisabledReason(previewBlockers(preview({ blockers: [sessions, limit] })));
    expect(both).toBe('Can\'t start: 2 problems above would make it fail. To lift some: tick "End other sessions on the database", then preview again.');
    expect(both).not.toMatch(/--/);
    expect(startDisabledReason([])).toBeUndefined();
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
