// One Holdfast per user session: a second launch (a desktop icon clicked again, login autostart while
// already running) focuses the running app's window and exits.
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/** True when this process is the one instance; otherwise it has asked to quit. */
export function claimSingleInstance(app: SingleInstanceApp, focusExisting: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => focusExisting());
  return true;
}
