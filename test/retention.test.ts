// Retention against a real server, through the CLI as a DBA runs it (issue 12, B, 5 and D): a partial
// backup never takes a full one's place, a backup that failed verify protects nothing, a pinned one
// stays, health judges the profile by its newest full backup, and scheduled re-verification finds rot.
// Each test backs up a profile of its own, so none depends on another.
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { reverifyBackups } from '../main/core/verify/reverify.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, runCli, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

interface Decision {
  id: string;
  filename: string;
  size: number;
  action: 'keep' | 'delete';
  reasons: string[];
}

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(300));
});

afterAll(() => closeShop({ server, home, holdfast }));

/** A profile of the test's own on the shop database: three full backups, then a table-filtered one, within the same day. */
async function backedUp(profile: string): Promise<{ full: BackupMetadata[]; partial: BackupMetadata }> {
  await holdfast.addProfile(profileFor(server, profile, 'shop'));
  const full: BackupMetadata[] = [];
  for (let i = 0; i < 3; i += 1) full.push(await holdfast.backup(profile, {}));
  return { full, partial: await holdfast.backup(profile, { tables: ['users'] }) };
}

async function cli(...args: string[]) {
  return runCli(args, home.env);
}

async function dryRun(profile: string): Promise<Map<string, Decision>> {
  const result = await cli('cleanup', profile, '--policy', 'gfs:7d,4w,12m', '--dry-run', '--json');
  expect(result.code, result.stderr).toBe(0);
  const plan = JSON.parse(result.stdout) as { profiles: Array<{ decisions: Decision[] }> };
  return new Map(plan.profiles[0]!.decisions.map((d) => [d.id, d]));
}

describe('retention', () => {
  test('issue 12 B: with a table-filtered backup newest, cleanup --dry-run keeps a full backup in the slots and names every file', async () => {
    const { full, partial } = await backedUp('b');
    const plan = await dryRun('b');
    expect(plan.get(partial.id)).toMatchObject({ action: 'keep', filename: partial.filename, reasons: ['partial backup, kept within 7 days'] });
    expect(plan.get(full[2]!.id)).toMatchObject({ action: 'keep', size: full[2]!.size, reasons: expect.arrayContaining(['newest good full backup of the profile']) });
    expect(plan.get(full[2]!.id)!.reasons.some((r) => r.startsWith('daily slot'))).toBe(true);
    // All four were taken within the same day: GFS keeps one of that day, and it is a full one.
    expect([full[0]!.id, full[1]!.id].map((id) => plan.get(id)!.action)).toEqual(['delete', 'delete']);

    const preview = JSON.parse((await cli('retention-preview', '--policy', 'gfs:7d,4w,12m', '--profile', 'b', '--json')).stdout) as { existing: Decision[] };
    expect(
      preview.existing
        .filter((d) => d.action === 'delete')
        .map((d) => d.filename)
        .sort(),
    ).toEqual([full[0]!.filename, full[1]!.filename].sort());
  });

  test('issue 12 item 5 and D: the newest full backup fails verify; the one before it becomes the protected copy, and the profile is failing', async () => {
    const { full } = await backedUp('five');
    appendFileSync(full[2]!.path, 'rot');
    const verify = await cli('verify', full[2]!.id, '--json');
    expect(verify.code).toBe(1);

    const plan = await dryRun('five');
    expect(plan.get(full[2]!.id)).toMatchObject({ action: 'keep', reasons: ['backup that failed verification, kept within 7 days'] });
    expect(plan.get(full[1]!.id)).toMatchObject({ action: 'keep', reasons: expect.arrayContaining(['newest good full backup of the profile']) });
    expect(plan.get(full[0]!.id)!.action).toBe('delete');

    // Its newest backup (the partial one) is fine, and its last run completed: neither hides the failure.
    const health = await cli('health', '--json');
    expect(health.code).toBe(1);
    const report = JSON.parse(health.stdout) as { reasons: Array<{ code: string; profile?: string; message: string }> };
    expect(report.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'NEWEST_BACKUP_FAILED_CHECK', profile: 'five', message: expect.stringContaining(full[2]!.filename) })]));
  });

  test('a pinned backup is kept whatever the policy; unpinned, the policy decides again', async () => {
    const { full } = await backedUp('pins');
    const pinned = await cli('pin', full[0]!.id, '--json');
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ id: full[0]!.id, pinned: true });
    expect((await dryRun('pins')).get(full[0]!.id)).toMatchObject({ action: 'keep', reasons: ['pinned'] });
    expect(JSON.parse((await cli('list', 'pins', '--json')).stdout).find((b: BackupMetadata) => b.id === full[0]!.id)).toMatchObject({ pinned: true });
    expect((await cli('list', 'pins')).stdout).toMatch(new RegExp(`${full[0]!.filename}.*pinned`));

    const real = JSON.parse((await cli('cleanup', 'pins', '--policy', 'gfs:7d,4w,12m', '--json')).stdout) as { deleted: number; profiles: Array<{ deleted: string[] }> };
    expect(real.profiles[0]!.deleted).toEqual([full[1]!.id]);
    expect((await cli('unpin', full[0]!.filename)).code).toBe(0);
    expect((await dryRun('pins')).get(full[0]!.id)!.action).toBe('delete');
    const audit = JSON.parse((await cli('audit', '--json')).stdout) as Array<{ action: string; target: string }>;
    expect(audit.filter((e) => e.target === full[0]!.filename && e.action.endsWith('pin')).map((e) => e.action)).toEqual(['backup.unpin', 'backup.pin']);
    expect((await cli('pin', 'no-such-backup')).code).toBe(1);
  });

  test('issue 12 D: scheduled re-verification reads every stored backup back and flags the one that rotted', async () => {
    const { full, partial } = await backedUp('rot');
    appendFileSync(full[1]!.path, 'rot');

    const report = await reverifyBackups(holdfast);

    // Every profile's backups are read; this test looks at its own.
    expect(report.errors).toEqual([]);
    expect(report.failed.filter((f) => f.profile === 'rot')).toEqual([expect.objectContaining({ id: full[1]!.id, problem: expect.stringContaining('bytes on disk') })]);
    for (const backup of [full[0]!, full[2]!, partial]) expect(holdfast.catalogue.findBackup(backup.id)?.lastVerified?.valid).toBe(true);
    expect(holdfast.catalogue.findBackup(full[1]!.id)?.lastVerified?.valid).toBe(false);
    // Found before any restore needed it: retention no longer counts it as a good copy.
    expect((await dryRun('rot')).get(full[1]!.id)!.reasons).toEqual(['backup that failed verification, kept within 7 days']);
  });
});
