// A schedule that names its own destinations, against a real PostgreSQL server and two real
// directories: its backups (on its slot and with `schedule run`) go where it says, overriding the
// profile's default destinations; without a list of its own it follows the profile's; an unknown
// name is refused when the schedule is saved, not at 2 a.m.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { editSchedule } from '../main/core/schedule/schedules.ts';
import { closeShop, openShop, runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
let shop: ShopFixture;
let nas: string;
let vault: string;

const newestCopies = () => {
  const backup = shop.holdfast.catalogue.listBackups({ profile: 'shop' }).at(-1)!;
  return shop.holdfast.offsite.rows.of(backup.id).map((copy) => `${copy.destination}:${copy.state}`);
};

/** The schedule's slot, come: one tick with the clock just past its next run, waited for. */
async function runSlot(id: string): Promise<void> {
  const due = new Date(Date.parse(shop.holdfast.schedules.require(id).nextRun) + 1000);
  const scheduler = shop.holdfast.createScheduler({ now: () => due });
  scheduler.tick();
  await scheduler.whenIdle();
}

beforeAll(async () => {
  nas = mkdtempSync(join(tmpdir(), 'holdfast-nas-'));
  vault = mkdtempSync(join(tmpdir(), 'holdfast-vault-'));
  shop = await openShop(200);
  await shop.holdfast.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } });
  await shop.holdfast.offsite.destinations.add({ name: 'vault', spec: { type: 'directory', settings: { path: vault } } });
  await shop.holdfast.editProfile('shop', { copyTo: ['vault'] });
}, 120_000);

afterAll(async () => {
  await closeShop(shop);
  rmSync(nas, { recursive: true, force: true });
  rmSync(vault, { recursive: true, force: true });
  privateTmp.remove();
});

describe("a schedule's own destinations", () => {
  test('schedule add --copy-to: stored and listed; an unknown name refused', async () => {
    const refused = await runCli(['schedule', 'add', 'shop', '--daily', '--copy-to', 'nowhere'], shop.home.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/nowhere/);
    const added = await runCli(['schedule', 'add', 'shop', '--weekly', '--copy-to', 'nas', '--json'], shop.home.env);
    expect(added.code).toBe(0);
    const weekly = JSON.parse(added.stdout) as { id: string; copyTo: string[] | null };
    expect(weekly.copyTo).toEqual(['nas']);
    // Not left to come due while the next test jumps days ahead.
    shop.holdfast.removeSchedule(weekly.id);
  }, 60_000);

  // schedule list showed none of what schedule edit sets about where backups go (issue 17).
  test("schedule list shows its destinations, local-copy and encryption choices, in words and in JSON; unset ones as the profile's", async () => {
    const own = JSON.parse((await runCli(['schedule', 'add', 'shop', '--weekly', '--copy-to', 'nas', '--json'], shop.home.env)).stdout) as { id: string };
    const inherited = JSON.parse((await runCli(['schedule', 'add', 'shop', '--monthly', '--json'], shop.home.env)).stdout) as { id: string };
    try {
      expect((await runCli(['schedule', 'edit', own.id, '--no-local-copy', '--no-encrypt'], shop.home.env)).code).toBe(0);
      const listed = await runCli(['schedule', 'list'], shop.home.env);
      expect(listed.code).toBe(0);
      const lines = listed.stdout.split('\n');
      const after = (id: string) => lines[lines.findIndex((line) => line.startsWith(id)) + 1];
      expect(after(own.id)).toBe('    custom format, gzip (the default) · copies to nas · local copy: none (destinations only) · not encrypted (the schedule says so)');
      expect(after(inherited.id)).toBe(
        "    custom format, gzip (the default) · copies: the profile's destinations · local copy: the profile's choice · encryption: the profile's choice, then BACKUP_ENCRYPTION_KEY",
      );
      const json = JSON.parse((await runCli(['schedule', 'list', '--json'], shop.home.env)).stdout) as Array<{ id: string; delivery: unknown }>;
      expect(json.find((s) => s.id === own.id)?.delivery).toEqual({ copyTo: ['nas'], localCopy: 'destinations only', encryptTo: 'none' });
      expect(json.find((s) => s.id === inherited.id)?.delivery).toEqual({ copyTo: 'profile', localCopy: 'profile', encryptTo: 'profile' });
    } finally {
      shop.holdfast.removeSchedule(own.id);
      shop.holdfast.removeSchedule(inherited.id);
    }
  }, 90_000);

  test("its slot and schedule run copy to its destinations, not the profile's; with its list removed it follows the profile's", async () => {
    const schedule = shop.holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 1 * * *', copyTo: ['nas'] });
    expect(schedule.copyTo).toEqual(['nas']);
    await runSlot(schedule.id);
    expect(newestCopies()).toEqual(['nas:verified']);

    const ran = await runCli(['schedule', 'run', schedule.id], shop.home.env);
    expect(ran.code).toBe(0);
    expect(newestCopies()).toEqual(['nas:verified']);
    expect(readdirSync(vault)).toEqual([]);

    expect(editSchedule(shop.holdfast, schedule.id, { copyTo: null }, new Date()).copyTo).toBeNull();
    await runSlot(schedule.id);
    expect(shop.holdfast.schedules.require(schedule.id)).toMatchObject({ lastStatus: 'completed', lastError: null });
    expect(newestCopies()).toEqual(['vault:verified']);
    expect(() => editSchedule(shop.holdfast, schedule.id, { copyTo: ['nowhere'] }, new Date())).toThrow(/nowhere/);
  }, 180_000);
});
