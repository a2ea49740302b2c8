import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, test, vi } from 'vitest';
import type { RunRecord } from '../core/model/types.ts';
import { TrayView } from './tray.ts';
import type { EngineEvent } from '../core/events/events.ts';
import type { BackupMetadata } from '../core/model/types.ts';
import { redrawsTray, runningAfter, trayIconName, trayMenuTemplate, trayState, trayStatusText, type RunningBackups, type TrayActions, type TrayState } from './tray-model.ts';

type Run = Pick<RunRecord, 'kind' | 'profile' | 'status' | 'startedAt'>;
const run = (profile: string, status: RunRecord['status'], minute: number): Run => ({ kind: 'backup', profile, status, startedAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z` });

const base = { profiles: ['prod', 'staging'], busyProfiles: [] as string[], runs: [] as Run[], schedulesPaused: false, startAtLogin: false };

const actions = () =>
  ({
    backupNow: vi.fn((_profile: string) => {}),
    openWindow: vi.fn(() => {}),
    setSchedulesPaused: vi.fn((_paused: boolean) => {}),
    setStartAtLogin: vi.fn((_enabled: boolean) => {}),
    quit: vi.fn(() => {}),
  }) satisfies TrayActions;

const item = (template: MenuItemConstructorOptions[], id: string) => {
  const found = template.find((entry) => entry.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
};
const click = (entry: MenuItemConstructorOptions) => (entry.click as () => void)();

describe('trayState', () => {
  test('ok when every profile’s latest finished backup completed', () => {
    const state = trayState({ ...base, runs: [run('prod', 'failed', 1), run('prod', 'completed', 2), run('staging', 'completed', 3)] });
    expect(state).toMatchObject({ status: 'ok', failedProfiles: [], noBackupsYet: false });
    expect(trayStatusText(state)).toBe('Backups OK');
  });

  test('failed while any profile’s latest finished backup failed or was interrupted, even if another succeeded later', () => {
    const state = trayState({ ...base, runs: [run('prod', 'completed', 1), run('prod', 'interrupted', 2), run('staging', 'completed', 3)] });
    expect(state).toMatchObject({ status: 'failed', failedProfiles: ['prod'] });
    expect(trayStatusText(state)).toBe('Last backup failed: prod');
  });

  test('running while a profile is busy; a run still in progress does not count as a result', () => {
    const state = trayState({ ...base, busyProfiles: ['staging'], runs: [run('staging', 'failed', 1), run('staging', 'running', 2)] });
    expect(state.status).toBe('running');
    expect(state.failedProfiles).toEqual(['staging']);
    expect(trayStatusText(state)).toBe('Backing up staging…');
  });

  test('runs of removed profiles and of other kinds are ignored; no runs at all is ok, "no backups yet"', () => {
    const state = trayState({ ...base, runs: [run('gone', 'failed', 1), { ...run('prod', 'failed', 2), kind: 'restore' }] });
    expect(state).toMatchObject({ status: 'ok', noBackupsYet: true });
    expect(trayStatusText({ ...state, schedulesPaused: true })).toBe('No backups yet (schedules paused)');
  });

  test('one icon per status', () => {
    expect(['ok', 'failed', 'running'].map((status) => trayIconName(status as TrayState['status']))).toEqual(['tray-ok.png', 'tray-failed.png', 'tray-running.png']);
  });
});

describe('running backups from engine events', () => {
  const manual = { kind: 'manual' } as const;
  const started = (profile: string): EngineEvent => ({ kind: 'backup.started', profile, trigger: manual });
  const completed = (profile: string): EngineEvent => ({ kind: 'backup.completed', profile, backup: { filename: 'f' } as BackupMetadata, trigger: manual });
  const failed = (profile: string): EngineEvent => ({ kind: 'backup.failed', profile, database: 'd', error: { code: 'CANCELLED', message: 'cancelled' }, trigger: manual });

  test('started counts a profile in, completed or failed counts it out; two runs of one profile need two ends', () => {
    let running: RunningBackups = new Map();
    for (const event of [started('prod'), started('prod'), started('staging'), completed('prod')]) running = runningAfter(running, event);
    expect([...running]).toEqual([
      ['prod', 1],
      ['staging', 1],
    ]);
    for (const event of [failed('prod'), completed('staging')]) running = runningAfter(running, event);
    expect(running.size).toBe(0);
    expect(trayState({ ...base, busyProfiles: [...runningAfter(running, started('staging')).keys()] }).status).toBe('running');
  });

  test('progress and other events leave the count alone; only backups starting or ending and profile changes redraw', () => {
    const running: RunningBackups = new Map([['prod', 1]]);
    const progress: EngineEvent = { kind: 'backup.progress', profile: 'prod', progress: { phase: 'dumping', bytes: 1, elapsedMs: 1, expectedBytes: undefined } };
    expect(runningAfter(running, progress)).toBe(running);
    expect(redrawsTray(progress)).toBe(false);
    expect(redrawsTray({ kind: 'schedule.removed', id: 'x' })).toBe(false);
    expect([started('prod'), completed('prod'), failed('prod'), { kind: 'profile.removed', name: 'prod', backups: 'kept' } as EngineEvent].every(redrawsTray)).toBe(true);
  });
});

describe('trayMenuTemplate', () => {
  test('the menu: status, Back up now ▸ each profile, Open, Pause schedules, Start at login, Quit', () => {
    const template = trayMenuTemplate(trayState(base), actions());
    expect(template.map((entry) => entry.id ?? entry.type)).toEqual(['status', 'separator', 'backup-now', 'open', 'separator', 'pause-schedules', 'start-at-login', 'separator', 'quit']);
    expect(item(template, 'status')).toMatchObject({ label: 'No backups yet', enabled: false });
    const submenu = item(template, 'backup-now').submenu as MenuItemConstructorOptions[];
    expect(submenu.map((entry) => [entry.label, entry.enabled])).toEqual([
      ['prod', true],
      ['staging', true],
    ]);
    expect(item(template, 'pause-schedules')).toMatchObject({ type: 'checkbox', checked: false });
    expect(item(template, 'start-at-login')).toMatchObject({ type: 'checkbox', checked: false });
  });

  test('each item calls its action', () => {
    const fns = actions();
    const template = trayMenuTemplate(trayState({ ...base, schedulesPaused: true, startAtLogin: true }), fns);
    click((item(template, 'backup-now').submenu as MenuItemConstructorOptions[])[1]!);
    expect(fns.backupNow).toHaveBeenCalledWith('staging');
    click(item(template, 'open'));
    expect(fns.openWindow).toHaveBeenCalled();
    expect(item(template, 'pause-schedules').checked).toBe(true);
    click(item(template, 'pause-schedules'));
    expect(fns.setSchedulesPaused).toHaveBeenCalledWith(false);
    click(item(template, 'start-at-login'));
    expect(fns.setStartAtLogin).toHaveBeenCalledWith(false);
    click(item(template, 'quit'));
    expect(fns.quit).toHaveBeenCalled();
  });

  test('a busy profile cannot be backed up again from the tray; the status line names it', () => {
    const template = trayMenuTemplate(trayState({ ...base, busyProfiles: ['prod'] }), actions());
    expect((item(template, 'backup-now').submenu as MenuItemConstructorOptions[]).map((entry) => entry.enabled)).toEqual([false, true]);
    expect(item(template, 'status').label).toBe('Backing up prod…');
  });

  test('no profiles: a disabled placeholder; "&" in a name is shown literally', () => {
    expect((item(trayMenuTemplate(trayState({ ...base, profiles: [] }), actions()), 'backup-now').submenu as MenuItemConstructorOptions[])[0]).toMatchObject({
      label: 'No profiles yet',
      enabled: false,
    });
    const template = trayMenuTemplate(trayState({ ...base, profiles: ['R&D'] }), actions());
    expect((item(template, 'backup-now').submenu as MenuItemConstructorOptions[])[0]!.label).toBe('R&&D');
  });
});

describe('TrayView', () => {
  test('switches the icon with the status and rebuilds tooltip and menu on every update', () => {
    const tray = { images: [] as string[], tooltip: '', menus: [] as MenuItemConstructorOptions[][], clicks: [] as Array<() => void>, destroyed: false };
    const view = new TrayView(
      {
        createTray: (icon) => {
          tray.images.push(icon);
          return {
            setImage: (image: string) => tray.images.push(image),
            setToolTip: (text: string) => (tray.tooltip = text),
            setContextMenu: (menu: MenuItemConstructorOptions[]) => tray.menus.push(menu),
            on: (_event: 'click', listener: () => void) => tray.clicks.push(listener),
            destroy: () => (tray.destroyed = true),
          };
        },
        buildMenu: (template) => template,
      },
      '/icons',
      actions(),
      trayState(base),
    );
    expect(tray.images).toEqual(['/icons/tray-ok.png']);
    expect(tray.tooltip).toBe('Holdfast — No backups yet');
    view.update(trayState({ ...base, busyProfiles: ['prod'] }));
    view.update(trayState({ ...base, runs: [run('prod', 'failed', 1)] }));
    view.update(trayState({ ...base, runs: [run('prod', 'failed', 1)] }));
    expect(tray.images).toEqual(['/icons/tray-ok.png', '/icons/tray-running.png', '/icons/tray-failed.png']);
    expect(tray.tooltip).toBe('Holdfast — Last backup failed: prod');
    expect(tray.menus).toHaveLength(4);
    expect(tray.clicks).toHaveLength(1);
    view.destroy();
    expect(tray.destroyed).toBe(true);
  });
});
