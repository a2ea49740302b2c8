// Retention against a real server, through the CLI as a DBA runs it (issue 12, B and 5): a partial
// backup never takes a full one's place, a backup that failed verify protects nothing, a pinned one
// stays, and health judges the profile by its newest full backup.
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/types.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, runCli, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
const full: BackupMetadata[] = [];
let partial: BackupMetadata;

interface Decision {
  id: string;
  filename: string;
  size: number;
  action: 'keep' | 'delete';
  reasons: string[];
}

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(300));
  for (let i = 0; i < 3; i += 1) full.push(await holdfast.backup('shop', {}));
  partial = await holdfast.backup('shop', { tables: ['users'] });
});

afterAll(() => closeShop({ server, home, holdfast }));

async function cli(...args: string[]) {
  return runCli(args, home.env);
}

async function dryRun(): Promise<Map<string, Decision>> {
  const result = await cli('cleanup', '--policy', 'gfs:7d,4w,12m', '--dry-run', '--json');
  expect(result.code, result.stderr).toBe(0);
  const plan = JSON.parse(result.stdout) as { profiles: Array<{ decisions: Decision[] }> };
  return new Map(plan.profiles[0]!.decisions.map((d) => [d.id, d]));
}

describe('retention', () => {
  test('issue 12 B: with a table-filtered backup newest, cleanup --dry-run keeps a full backup in the slots and names every file', async () => {
    const plan = await dryRun();
    expect(plan.get(partial.id)).toMatchObject({ action: 'keep', filename: partial.filename, reasons: ['partial backup, kept within 7 days'] });
    expect(plan.get(full[2]!.id)).toMatchObject({ action: 'keep', size: full[2]!.size, reasons: expect.arrayContaining(['newest good full backup of the profile']) });
    expect(plan.get(full[2]!.id)!.reasons.some((r) => r.startsWith('daily slot'))).toBe(true);
    // All four were taken within the same day: GFS keeps one of that day, and it is a full one.
    expect([full[0]!.id, full[1]!.id].map((id) => plan.get(id)!.action)).toEqual(['delete', 'delete']);

    const preview = JSON.parse((await cli('retention-preview', '--policy', 'gfs:7d,4w,12m', '--profile', 'shop', '--json')).stdout) as { existing: Decision[] };
    expect(preview.existing.filter((d) => d.action === 'delete').map((d) => d.filename).sort()).toEqual([full[0]!.filename, full[1]!.filename].sort());
  });

  test('issue 12 item 5: the newest full backup fails verify; the one before it becomes the protected good copy', async () => {
    appendFileSync(full[2]!.path, 'rot');
    const verify = await cli('verify', full[2]!.id, '--json');
    expect(verify.code).toBe(1);
    const plan = await dryRun();
    expect(plan.get(full[2]!.id)).toMatchObject({ action: 'keep', reasons: ['backup that failed verification, kept within 7 days'] });
    expect(plan.get(full[1]!.id)).toMatchObject({ action: 'keep', reasons: expect.arrayContaining(['newest good full backup of the profile']) });
    expect(plan.get(full[0]!.id)!.action).toBe('delete');
  });

  test('issue 12 D: a profile whose newest full backup failed verify is failing, even though its newest backup (a partial one) is fine', async () => {
    const health = await cli('health', '--json');
    expect(health.code).toBe(1);
    const report = JSON.parse(health.stdout) as { reasons: Array<{ code: string; profile?: string; message: string }> };
    expect(report.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'NEWEST_BACKUP_FAILED_CHECK', profile: 'shop', message: expect.stringContaining(full[2]!.filename) })]));
  });

  test('a pinned backup is kept whatever the policy; unpinned, the policy decides again', async () => {
    const pinned = await cli('pin', full[0]!.id, '--json');
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ id: full[0]!.id, pinned: true });
    expect((await dryRun()).get(full[0]!.id)).toMatchObject({ action: 'keep', reasons: ['pinned'] });
    expect(JSON.parse((await cli('list', 'shop', '--json')).stdout).find((b: BackupMetadata) => b.id === full[0]!.id)).toMatchObject({ pinned: true });
    expect((await cli('list', 'shop')).stdout).toMatch(new RegExp(`${full[0]!.filename}.*pinned`));

    const real = JSON.parse((await cli('cleanup', 'shop', '--policy', 'gfs:7d,4w,12m', '--json')).stdout) as { deleted: number };
    expect(real.deleted).toBe(0);
    expect((await cli('unpin', full[0]!.filename)).code).toBe(0);
    expect((await dryRun()).get(full[0]!.id)!.action).toBe('delete');
    const audit = JSON.parse((await cli('audit', '--json')).stdout) as Array<{ action: string; target: string }>;
    expect(audit.filter((e) => e.target === full[0]!.filename && e.action.endsWith('pin')).map((e) => e.action)).toEqual(['backup.unpin', 'backup.pin']);
    expect((await cli('pin', 'no-such-backup')).code).toBe(1);
  });
});
