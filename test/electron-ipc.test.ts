// The desktop shell's IPC and tray against a real PostgreSQL server: a backup called from the app's page
// streams its progress to that window and completes; IPC_CANCEL ends a running dump (blocked behind a
// table lock) with CANCELLED and no file left; "Back up now" from the tray ends OK with a notification.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IPC_CANCEL, IPC_PROGRESS, ipcChannel } from '../main/bridge.ts';
import type { Envelope, ProgressEvent } from '../main/contract.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { APP_ENTRY } from '../main/electron/app-origin.ts';
import { Desktop, type Notice } from '../main/electron/desktop.ts';
import { settingsStore } from '../main/electron/desktop-settings.ts';
import { registerIpc, type IpcRegistration } from '../main/electron/ipc.ts';
import { eventFrom, FakeIpcMain, FakeSender } from '../main/electron/test-support.ts';
import type { TrayState } from '../main/electron/tray-model.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, waitFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let ipcMain: FakeIpcMain;
let registration: IpcRegistration;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500));
  ipcMain = new FakeIpcMain();
  registration = registerIpc(ipcMain, holdfast);
});
afterAll(async () => {
  registration?.dispose();
  await closeShop({ server, home, holdfast });
});

const progressOf = (sender: FakeSender, callId: string) => sender.sent.filter(([channel, id]) => channel === IPC_PROGRESS && id === callId).map(([, , event]) => event as ProgressEvent);

describe('Electron IPC against a real server', () => {
  test('a backup from the app’s page streams progress to its window and completes', async () => {
    const window = new FakeSender(1);
    const result = (await ipcMain.invoke(eventFrom(APP_ENTRY, window), ipcChannel('backup.create'), { profile: 'shop', options: {} }, 'backup-1')) as Envelope<BackupMetadata>;
    expect(result).toMatchObject({ ok: true, value: { profile: 'shop', status: 'completed' } });
    const phases = progressOf(window, 'backup-1').map((event) => (event.operation === 'backup' ? event.progress.phase : event.phase));
    expect(phases).toEqual(expect.arrayContaining(['connecting', 'dumping', 'done']));
    expect(window.sent.every(([channel, id]) => channel === IPC_PROGRESS && id === 'backup-1')).toBe(true);
  });

  test('IPC_CANCEL from the calling window ends a running dump: CANCELLED, no file left', async () => {
    const lock = await server.lockTable('shop', 'users');
    const window = new FakeSender(1);
    try {
      const pending = ipcMain.invoke(eventFrom(APP_ENTRY, window), ipcChannel('backup.create'), { profile: 'shop', options: { suffix: 'cancelled' } }, 'backup-2') as Promise<Envelope<unknown>>;
      await waitFor('pg_dump to start', () => progressOf(window, 'backup-2').some((event) => event.operation === 'backup' && event.progress.phase === 'dumping') || undefined);
      // A foreign page cannot cancel it.
      ipcMain.send(eventFrom('https://evil.example/', window), IPC_CANCEL, 'backup-2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(holdfast.isProfileBusy('shop')).toBe(true);
      ipcMain.send(eventFrom(APP_ENTRY, window), IPC_CANCEL, 'backup-2');
      expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      expect(readdirSync(join(home.home, 'backups')).filter((name) => name.includes('cancelled'))).toEqual([]);
    } finally {
      await lock.end();
    }
  });

  test('"Back up now" from the tray: running, then OK, with a notification', async () => {
    const notices: Notice[] = [];
    const states: TrayState[] = [];
    const desktop = await Desktop.start({
      holdfast,
      settings: settingsStore(home.home),
      loginItem: { isEnabled: () => false, setEnabled: () => {} },
      notify: (notice) => notices.push(notice),
      onState: (state) => states.push(state),
      startTicker: () => ({ resumed: () => {}, stop: () => {} }),
    });
    try {
      const result = await desktop.backupNow('shop');
      expect(result.ok).toBe(true);
      expect(states.some((state) => state.status === 'running')).toBe(true);
      expect(states.at(-1)).toMatchObject({ status: 'ok', busyProfiles: [] });
      expect(notices).toEqual([{ title: 'Holdfast: backup of shop completed', body: expect.stringMatching(/^backup-.*-shop\.dump \(/) }]);
    } finally {
      await desktop.stop(0);
    }
  });
});
