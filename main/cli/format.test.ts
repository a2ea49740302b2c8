import { describe, expect, test } from 'vitest';
import { IMPORT_CHECK_WORDS } from '../core/model/import-check-words.ts';
import type { RestoreResult } from '../core/restore/restore.ts';
import type { TableImpact } from '../core/restore/impact.ts';
import type { Profile } from '../core/model/types.ts';
import type { ProfileTestReport } from '../core/profiles/profiles.ts';
import { formatCleanup, formatList, formatProfile, formatProfileTest, formatRestore, formatStats, formatVerify, humanBytes, humanDuration, profileTarget, tableCountLine } from './format.ts';
import type { BackupStats } from '../core/stats/stats.ts';
import type { BackupMetadata } from '../core/model/types.ts';
import { progressBar } from './progress.ts';
import { newProfileRecord } from '../../test/support/profile-record.ts';

describe('terminal output', () => {
  test('sizes and durations read like a person would say them', () => {
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1536)).toBe('1.5 KB');
    expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(humanDuration(850)).toBe('850 ms');
    expect(humanDuration(12_300)).toBe('12.3 s');
    expect(humanDuration(125_000)).toBe('2 min 5 s');
  });

  test('one of a thing is said in the singular: "Deleted 1 backup", "removed 1 copy"', () => {
    const destination = { destination: 'bucket', policy: '30d', dryRun: false, decisions: [], deleted: ['a'], errors: [] };
    expect(formatCleanup({ dryRun: false, deleted: 1, freedBytes: 1024, errors: 0, profiles: [], destinations: [destination] })).toBe(
      'Deleted 1 backup, freeing 1.0 KB.\nDestination bucket (its policy 30d): removed 1 copy',
    );
    expect(formatCleanup({ dryRun: true, deleted: 2, freedBytes: 0, errors: 0, profiles: [], destinations: [{ ...destination, dryRun: true, deleted: ['a', 'b'] }] })).toBe(
      'Would delete 2 backups, freeing 0 B.\nDestination bucket (its policy 30d): would remove 2 copies',
    );
  });

  test('an encrypted backup verified without its key is valid by checksum only, and the headline says so', () => {
    const checks = [
      { name: 'checksum' as const, status: 'ok' as const, detail: 'sha256 matches' },
      { name: 'decrypt' as const, status: 'skipped' as const, detail: "The content could not be checked, only the stored file's checksum: no key here" },
    ];
    expect(formatVerify({ id: 'abc', filename: 'b.dump.age', valid: true, checks }).split('\n')[0]).toBe('Valid, checksum only (the contents could not be checked): b.dump.age (abc)');
    expect(formatVerify({ id: 'abc', filename: 'b.dump.age', valid: true, checks: [checks[0]!] }).split('\n')[0]).toBe('Valid: b.dump.age (abc)');
  });

  test('the progress bar measures against the previous backup and never passes 100%', () => {
    expect(progressBar(50, 100, 10)).toBe('[#####-----]  50% ');
    expect(progressBar(300, 100, 10)).toBe('[##########] 100% ');
    expect(progressBar(300, undefined)).toBe('');
  });

  test('list marks an encrypted backup whose key is not on this machine, and only that one', () => {
    const backup = (id: string, keyHere?: boolean) =>
      ({
        id,
        timestamp: '2026-01-01T02:00:00.000Z',
        status: 'completed',
        profile: 'shop',
        size: 2048,
        filename: `backup-${id}.dump.age`,
        lastVerified: null,
        restoreTest: null,
        pinned: false,
        format: 'custom',
        checksum: 'sha256:0',
        ...(keyHere === undefined ? {} : { keyHere }),
      }) as unknown as BackupMetadata;
    const [theirs, mine, plain] = formatList([backup('theirs', false), backup('mine', true), backup('plain')]).split('\n');
    expect(theirs).toContain('KEY NOT HERE (holdfast key import)');
    expect(mine).not.toContain('KEY NOT HERE');
    expect(plain).not.toContain('KEY NOT HERE');
  });

  test('list says an imported dump was checked at import until a verify says more', () => {
    const entry = (id: string, fields: Partial<BackupMetadata>) =>
      ({
        id,
        timestamp: '2026-01-01T02:00:00.000Z',
        status: 'completed',
        profile: 'shop',
        size: 2048,
        filename: `backup-${id}.dump`,
        lastVerified: null,
        restoreTest: null,
        pinned: true,
        format: 'custom',
        checksum: 'sha256:0',
        ...fields,
      }) as unknown as BackupMetadata;
    const from = { from: '/tmp/shop.dump', at: '2026-01-01T02:00:00.000Z', pgRestore: 'ok' as const };
    const [fresh, verified, own] = formatList([
      entry('fresh', { imported: from }),
      entry('verified', { imported: from, lastVerified: { at: '2026-01-02T00:00:00.000Z', valid: true } }),
      entry('own', {}),
    ]).split('\n');
    expect(fresh).toContain(IMPORT_CHECK_WORDS.cli);
    expect(verified).toContain('verified');
    expect(verified).not.toContain(IMPORT_CHECK_WORDS.cli);
    expect(own).not.toContain(IMPORT_CHECK_WORDS.cli);
  });

  test("a whole-server profile's connection test lists every database it would back up with its size, those left out and the total", () => {
    const report: ProfileTestReport = {
      profile: 'whole',
      serverVersion: 'PostgreSQL 15.8',
      serverMajor: 15,
      currentUser: 'reader',
      superuser: false,
      readAllData: true,
      unreadable: [],
      databaseSize: 7_000_000,
      ssl: false,
      passwordSource: 'keychain',
      clientTools: { compatible: true, version: '15.8', dir: '/usr/lib/postgresql/15/bin' },
      wholeServer: {
        databases: [
          { database: 'crm', sizeBytes: 8 * 1024 ** 2, unreadable: [], problem: null },
          { database: 'locked', sizeBytes: null, unreadable: [], problem: 'the role may not CONNECT to "locked": a set would be partial without it' },
          { database: 'shop', sizeBytes: 2 * 1024 ** 3, unreadable: ['public.ledger'], problem: 'the role cannot read 1 table or large object in "shop" (public.ledger)' },
        ],
        excluded: ['scratch_1'],
        totalBytes: 2 * 1024 ** 3 + 8 * 1024 ** 2,
      },
    };
    const text = formatProfileTest(report, 'keychain');
    expect(text).toContain('  every database (3), 2.0 GB in all; left out: scratch_1');
    expect(text).toContain('    ✓ crm  8.0 MB');
    expect(text).toContain('    ✗ shop  2.0 GB  the role cannot read 1 table or large object in "shop" (public.ledger)');
    expect(text).toContain('    ✗ locked  the role may not CONNECT to "locked"');
    expect(text).not.toContain('database size');
    // The maintenance database's own check is not the server's: shop's and locked's ✗ stand.
    expect(text).not.toContain('every table is readable');
    const fine = formatProfileTest({ ...report, wholeServer: { ...report.wholeServer!, databases: [report.wholeServer!.databases[0]!] } }, 'keychain');
    expect(fine).toContain('  ✓ every table in every database is readable');
  });

  test('a restore preview lists the functions from the backup the restore runs and the role it runs them as', () => {
    const preview: RestoreResult = {
      dryRun: true,
      ok: true,
      backup: { id: 'b1', filename: 'app.dump' },
      target: { profile: 'app', host: 'db', port: 5432, database: 'copy', exists: false, relations: 0 },
      client: 'pg_restore 15.4',
      actions: ['create database "copy"'],
      durationMs: 10,
      tables: [],
      impact: {
        tables: [],
        blockers: [],
        missingRoles: [],
        unavailableExtensions: [],
        activeConnections: 0,
        targetServer: 'PostgreSQL 15.4',
        warnings: ['The restore runs 1 function from the backup (…)'],
        appWarnings: ['The restore runs 1 function from the backup (…)'],
        leftOut: [],
        confirmation: null,
        executedFunctions: [
          { function: 'public.audit_ok', usedBy: ['CHECK on public.audit_flags'], securityDefiner: false, duringRestore: true },
          { function: 'public.stamp', usedBy: ['trigger s on public.orders (later writes)'], securityDefiner: true, duringRestore: false },
        ],
        targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
        databaseProperties: null,
      },
    };
    const text = formatRestore(preview);
    expect(text).toContain('runs as superuser "postgres"');
    expect(text).toContain('    public.audit_ok — CHECK on public.audit_flags\n    public.stamp (SECURITY DEFINER) — trigger s on public.orders (later writes)');
    expect(text).toContain('  ! The restore runs 1 function from the backup');
  });

  test('a restore preview into a new database says what it gets, with no current value for a database that does not exist', () => {
    const impact = { tables: [], blockers: [], missingRoles: [], unavailableExtensions: [], activeConnections: 0, targetServer: 'PostgreSQL 15.4', warnings: [], appWarnings: [], leftOut: [] };
    const preview: RestoreResult = {
      dryRun: true,
      ok: true,
      backup: { id: 'b1', filename: 'hr.dump' },
      target: { profile: 'hr', host: 'db', port: 5432, database: 'hr_copy', exists: false, relations: 0 },
      client: 'pg_restore 15.4',
      actions: ['create database "hr_copy"'],
      durationMs: 10,
      tables: [],
      impact: {
        ...impact,
        confirmation: null,
        executedFunctions: null,
        targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
        databaseProperties: [
          { property: 'owner', current: null, restored: 'app_owner', from: 'backup', changes: true },
          { property: 'comment', current: null, restored: '(none)', from: 'default', changes: false },
        ],
      },
    };
    const text = formatRestore(preview);
    expect(text).toContain(`  gets     database owner: app_owner (from the backup)\n  gets     database comment: (none) (a new database's default)\n`);
    expect(text).not.toContain('→');
  });

  test("after a real restore, what the database did not get from the backup is said again; the preview's --confirm line is not", () => {
    // A DBA's walk-through: a restore without --dry-run printed ✓ lines only, and the backup's
    // session_preload_libraries, left out, was said only by a preview nobody had run.
    const leftOut = 'The backup sets session_preload_libraries=auto_explain (it loads a library into the server) on its database: left out, because …';
    const logging = "The backup sets log_statement='none' (it decides what the server logs) on its database: left out, … set it yourself after the restore:";
    const statement = `ALTER DATABASE "shop_copy" SET "log_statement" TO 'none'`;
    const restored: RestoreResult = {
      dryRun: false,
      ok: true,
      backup: { id: 'b1', filename: 'shop.dump' },
      target: { profile: 'shop', host: 'db', port: 5432, database: 'shop_copy', exists: false, relations: 0 },
      client: 'pg_restore 15.18',
      actions: ['create database "shop_copy"'],
      durationMs: 2500,
      tables: [{ table: 'sales.customers', expected: 20_000, actual: 20_000 }],
      impact: {
        tables: [],
        blockers: [],
        missingRoles: [],
        unavailableExtensions: [],
        activeConnections: 0,
        targetServer: 'PostgreSQL 15.18',
        warnings: ['Profile "shop" is tagged production: Add --confirm with the name "shop/shop_copy".', leftOut],
        appWarnings: ['Profile "shop" is tagged production: Type the name in the confirmation box "shop/shop_copy".', leftOut],
        leftOut: [
          { message: leftOut, settings: [{ setting: { role: null, name: 'session_preload_libraries', values: ['auto_explain'] }, statement: null }] },
          { message: logging, settings: [{ setting: { role: null, name: 'log_statement', values: ['none'] }, statement }] },
        ],
        confirmation: 'shop/shop_copy',
        executedFunctions: null,
        targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
        databaseProperties: null,
      },
    };
    const text = formatRestore(restored);
    expect(text).toContain(`  ! ${leftOut}\n  ! ${logging}\n      ${statement};\n`);
    expect(text).not.toContain('--confirm');
    expect(text).not.toContain('tagged production');
  });

  test('a restore preview lists what stops it, each with the flags that lift it, before the confirmation it would ask for', () => {
    const preview = {
      dryRun: true,
      ok: false,
      backup: { id: 'b1', filename: 'hr.dump' },
      target: { profile: 'hr', host: 'db', port: 5432, database: 'hr', exists: true, relations: 3 },
      client: 'pg_restore 15.4',
      actions: [],
      durationMs: 10,
      tables: [],
      impact: {
        tables: [],
        blockers: [
          {
            kind: 'other-sessions',
            message: '1 other session is connected to "hr"; replacing it fails while it is.',
            hint: 'Add --terminate-connections to end it.',
            appHint: 'Tick "End other sessions on the database" to end it.',
            action: 'terminate-connections',
          },
          { kind: 'connection-limit', message: "The backup's connection limit -5 is not one PostgreSQL takes: the restore would be refused.", hint: 'Restore an earlier backup.' },
        ],
        missingRoles: [],
        unavailableExtensions: [],
        activeConnections: 1,
        targetServer: 'PostgreSQL 15.4',
        warnings: [],
        appWarnings: [],
        leftOut: [],
        confirmation: 'hr',
        executedFunctions: null,
        targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
        databaseProperties: null,
      },
    } satisfies RestoreResult;
    const text = formatRestore(preview);
    expect(text).toContain(
      [
        '  would be refused (2):',
        '  ✗ 1 other session is connected to "hr"; replacing it fails while it is. Add --terminate-connections to end it.',
        "  ✗ The backup's connection limit -5 is not one PostgreSQL takes: the restore would be refused. Restore an earlier backup.",
      ].join('\n'),
    );
    expect(text).not.toContain('Tick');
    expect(text.indexOf('would be refused')).toBeLessThan(text.indexOf('--confirm=hr'));
  });

  test('a restored table\'s rows and the backup\'s are written alike: "20,000 / 20,000 rows", not "20000 / 20,000"', () => {
    expect(tableCountLine({ table: 'public.blobs', expected: 20_000, actual: 20_000 })).toBe('  ✓ public.blobs: 20,000 / 20,000 rows');
    expect(tableCountLine({ table: 'public.orders', expected: 1_200, actual: 1_199 })).toBe('  ✗ public.orders: 1,199 / 1,200 rows');
    expect(tableCountLine({ table: 'public.gone', expected: 1, actual: null })).toBe('  ✗ public.gone: missing / 1 row');
  });

  /** A dry run of app.dump into app/app whose preview lists `tables` and nothing else of note. */
  const previewOf = (tables: TableImpact[]): RestoreResult => ({
    dryRun: true,
    ok: true,
    backup: { id: 'b1', filename: 'app.dump' },
    target: { profile: 'app', host: 'db', port: 5432, database: 'app', exists: true, relations: 1 },
    client: 'pg_restore 15.4',
    actions: [],
    durationMs: 10,
    tables: [],
    impact: {
      tables,
      blockers: [],
      missingRoles: [],
      unavailableExtensions: [],
      activeConnections: 0,
      targetServer: 'PostgreSQL 15.4',
      warnings: [],
      appWarnings: [],
      leftOut: [],
      confirmation: 'app',
      executedFunctions: null,
      targetRole: { name: 'postgres', superuser: true, privileged: true, via: ['superuser'] },
      databaseProperties: null,
    },
  });

  test('a preview\'s replaced table says both counts alike: "1,200,000 rows now → 1,200,000 from the backup", not "→ 1200000"', () => {
    // A DBA's walk-through: the row count now had its thousands separators and the backup's beside it did not.
    const preview = previewOf([
      { table: 'public.big', action: 'replace', targetRows: 1_200_000, backupRows: 1_200_000, partitioned: false },
      { table: 'public.new', action: 'replace', targetRows: 5, backupRows: null, partitioned: false },
    ]);
    const text = formatRestore(preview);
    expect(text).toContain('  replaced public.big: 1,200,000 rows now → 1,200,000 from the backup');
    expect(text).toContain('  replaced public.new: 5 rows now → ? from the backup');
  });

  // A DBA review: the partitioned parent read "? rows", as if its count were lost; it has no rows of
  // its own to count, and its partitions are listed with theirs.
  test('a partitioned table says its rows are in its partitions, never "? rows"', () => {
    const text = formatRestore(
      previewOf([
        { table: 'public.events', action: 'replace', targetRows: 0, backupRows: null, partitioned: true },
        { table: 'public.events_2024', action: 'replace', targetRows: 4, backupRows: 500, partitioned: false },
        { table: 'public.measurements', action: 'create', targetRows: null, backupRows: null, partitioned: true },
        { table: 'public.old_log', action: 'lost', targetRows: 0, backupRows: null, partitioned: true },
      ]),
    );
    expect(text).toContain('  replaced public.events: partitioned: rows in its partitions');
    expect(text).toContain('  replaced public.events_2024: 4 rows now → 500 from the backup');
    expect(text).toContain('  created  public.measurements: partitioned: rows in its partitions');
    expect(text).toContain('  LOST     public.old_log: partitioned: rows in its partitions');
    expect(text).not.toContain('?');
  });
});

describe("where a profile's password is said to be: this host's secret store", () => {
  const profile: Profile = { ...newProfileRecord('shop', { host: 'db1', user: 'shop' }), id: 'p1', keychainPassword: true, createdAt: '2026-12-05T00:00:00.000Z' };

  test('a host on the credentials file (HOLDFAST_SECRET_STORE=file) does not say the OS keychain', () => {
    expect(formatProfile(profile, 'file')).toMatch(/^password\s+in the credentials file$/m);
    expect(formatProfile(profile, 'file')).not.toContain('keychain');
    expect(formatProfile(profile, 'keychain')).toMatch(/^password\s+in the OS keychain$/m);
  });
});

describe('where a profile points, in one line (profile add, edit and list)', () => {
  const profile: Profile = { ...newProfileRecord('shop', { host: 'db1', port: 5433, user: 'shop' }), id: 'p1', keychainPassword: false, createdAt: '2026-12-05T00:00:00.000Z' };

  test('a database profile names its database', () => {
    expect(profileTarget(profile)).toBe('shop@db1:5433/shop');
  });

  test('a whole-server profile says every database, not the maintenance database it connects to', () => {
    const server: Profile = { ...profile, name: 'server', dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: null } };
    expect(profileTarget(server)).toBe('shop@db1:5433/* (every database)');
  });

  test('a profile that connects through a service names the service, as the Connections page does', () => {
    expect(profileTarget({ ...profile, service: 'prod' })).toBe('service prod');
  });
});

// A DBA review: "3 backups; 2 succeeded, 0 failed" — the imported dump was in the total and in no part
// of it. Backups kept and backup runs are two counts (retention deletes backups whose runs succeeded;
// an import is a backup and no run): each is said as itself, and the backups' parts add up to their total.
describe('holdfast stats', () => {
  const stats: BackupStats = {
    totalBackups: 3,
    importedBackups: 1,
    totalSize: 3 * 1024 * 1024,
    oldestBackup: '2026-12-01T02:00:00.000Z',
    newestBackup: '2026-12-06T02:00:00.000Z',
    averageSize: 1024 * 1024,
    backupsLast24Hours: 1,
    backupsLast7Days: 3,
    compressionUsage: 100,
    averageDuration: 2,
    successfulBackups: 2,
    failedBackups: 0,
    failedInSets: 0,
    missingBackups: 0,
    rolesFiles: { count: 0, bytes: 0 },
    profiles: [{ profile: 'shop', totalBackups: 3, totalSize: 3 * 1024 * 1024, newestBackup: '2026-12-06T02:00:00.000Z', lastRunStatus: 'completed', failedBackups: 0 }],
  };

  test('an imported backup is counted as its own kind: the parts of the total add up to it, and runs are said apart', () => {
    const head = formatStats(stats).split('\n')[0]!;
    expect(head).toBe('3 backups, 3.0 MB (2 taken by Holdfast, 1 imported); backup runs: 2 succeeded, 0 failed');
    const [total, taken, imported] = /^(\d+) backups.*\((\d+) taken by Holdfast, (\d+) imported\)/.exec(head)!.slice(1).map(Number);
    expect(taken! + imported!).toBe(total);
  });

  test('without imports the line does not mention them', () => {
    expect(formatStats({ ...stats, importedBackups: 0, totalBackups: 2 }).split('\n')[0]).toBe('2 backups, 3.0 MB; backup runs: 2 succeeded, 0 failed');
  });

  test("the roles files are said on their own line, apart from the backups' total they are not in", () => {
    expect(formatStats({ ...stats, rolesFiles: { count: 2, bytes: 3072 } }).split('\n')[2]).toBe('roles files: 2, 3.0 KB (beside the backups; not in the total above)');
  });
});
