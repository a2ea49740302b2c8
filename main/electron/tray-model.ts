// The tray as plain data: state in, menu template and icon name out. tray.ts only hands the result to
// Electron, so every state's menu is checked by the spec beside this file.
import type { MenuItemConstructorOptions } from 'electron';
import type { EngineEvent } from '../core/events/events.ts';
import type { RunRecord } from '../core/model/types.ts';

export type TrayStatus = 'ok' | 'failed' | 'running';

export interface TrayState {
  status: TrayStatus;
  profiles: string[];
  /** Profiles with a backup running now (in this app, the daemon or the CLI). */
  busyProfiles: string[];
  /** Profiles whose latest finished backup failed or was interrupted. */
  failedProfiles: string[];
  /** No backup has finished yet for any current profile. */
  noBackupsYet: boolean;
  schedulesPaused: boolean;
  startAtLogin: boolean;
}

export interface TrayActions {
  backupNow(profile: string): void;
  openWindow(): void;
  setSchedulesPaused(paused: boolean): void;
  setStartAtLogin(enabled: boolean): void;
  quit(): void;
}

type RunSummary = Pick<RunRecord, 'kind' | 'profile' | 'status' | 'startedAt'>;

/**
 * The tray's state from the catalogue's backup runs: running while any profile is busy; failed while
 * any current profile's latest finished backup failed (one bad profile is not hidden by a good one).
 */
export function trayState(input: { profiles: string[]; busyProfiles: string[]; runs: RunSummary[]; schedulesPaused: boolean; startAtLogin: boolean }): TrayState {
  const latest = new Map<string, RunSummary>();
  for (const run of input.runs) {
    if (run.kind !== 'backup' || run.status === 'running' || run.profile === null || !input.profiles.includes(run.profile)) continue;
    const seen = latest.get(run.profile);
    if (!seen || seen.startedAt <= run.startedAt) latest.set(run.profile, run);
  }
  const failedProfiles = input.profiles.filter((profile) => {
    const status = latest.get(profile)?.status;
    return status === 'failed' || status === 'interrupted';
  });
  const status: TrayStatus = input.busyProfiles.length > 0 ? 'running' : failedProfiles.length > 0 ? 'failed' : 'ok';
  return {
    status,
    profiles: input.profiles,
    busyProfiles: input.busyProfiles,
    failedProfiles,
    noBackupsYet: latest.size === 0,
    schedulesPaused: input.schedulesPaused,
    startAtLogin: input.startAtLogin,
  };
}

/** Backups running in this process by profile (one profile may run twice: from the window and on schedule). */
export type RunningBackups = ReadonlyMap<string, number>;

/** What runs after an engine event: backup.started adds one for its profile, .completed or .failed takes it away. */
export function runningAfter(running: RunningBackups, event: EngineEvent): RunningBackups {
  if (event.kind !== 'backup.started' && event.kind !== 'backup.completed' && event.kind !== 'backup.failed') return running;
  const next = new Map(running);
  const count = (next.get(event.profile) ?? 0) + (event.kind === 'backup.started' ? 1 : -1);
  if (count > 0) next.set(event.profile, count);
  else next.delete(event.profile);
  return next;
}

/** Events that change what the tray shows: a backup starting or ending, the list of profiles changing. */
export function redrawsTray(event: EngineEvent): boolean {
  switch (event.kind) {
    case 'backup.started':
    case 'backup.completed':
    case 'backup.failed':
    case 'profile.added':
    case 'profile.edited':
    case 'profile.imported':
    case 'profile.removed':
      return true;
    default:
      return false;
  }
}

export function trayIconName(status: TrayStatus): string {
  return `tray-${status}.png`;
}

export function trayStatusText(state: TrayState): string {
  const paused = state.schedulesPaused ? ' (schedules paused)' : '';
  if (state.status === 'running') return `Backing up ${state.busyProfiles.join(', ')}…${paused}`;
  if (state.status === 'failed') return `Last backup failed: ${state.failedProfiles.join(', ')}${paused}`;
  return `${state.noBackupsYet ? 'No backups yet' : 'Backups OK'}${paused}`;
}

/** Menu labels treat & as a mnemonic marker on Windows and Linux; a profile called "R&D" must show as typed. */
function literalLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const backupItems: MenuItemConstructorOptions[] = state.profiles.length
    ? state.profiles.map((profile) => ({
        id: `backup-now:${profile}`,
        label: literalLabel(profile),
        enabled: !state.busyProfiles.includes(profile),
        click: () => actions.backupNow(profile),
      }))
    : [{ id: 'backup-now:none', label: 'No profiles yet', enabled: false }];
  return [
    { id: 'status', label: literalLabel(trayStatusText(state)), enabled: false },
    { type: 'separator' },
    { id: 'backup-now', label: 'Back up now', submenu: backupItems },
    { id: 'open', label: 'Open Holdfast', click: () => actions.openWindow() },
    { type: 'separator' },
    { id: 'pause-schedules', label: 'Pause schedules', type: 'checkbox', checked: state.schedulesPaused, click: () => actions.setSchedulesPaused(!state.schedulesPaused) },
    { id: 'start-at-login', label: 'Start at login', type: 'checkbox', checked: state.startAtLogin, click: () => actions.setStartAtLogin(!state.startAtLogin) },
    { type: 'separator' },
    { id: 'quit', label: 'Quit', click: () => actions.quit() },
  ];
}
