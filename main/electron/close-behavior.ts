// Closing the window hides it: the app keeps running schedules from the tray. Only a real quit (the
// tray's Quit, Cmd+Q, the OS logging out) lets the window close.
type Preventable = { preventDefault(): void };

export interface HideableWindow {
  on(event: 'close', listener: (event: Preventable) => void): unknown;
  hide(): void;
}

export interface QuitSignal {
  on(event: 'before-quit', listener: () => void): unknown;
}

export interface CloseBehavior {
  readonly quitting: boolean;
}

export function closeToTray(window: HideableWindow, app: QuitSignal): CloseBehavior {
  const state = { quitting: false };
  app.on('before-quit', () => {
    state.quitting = true;
  });
  window.on('close', (event) => {
    if (state.quitting) return;
    event.preventDefault();
    window.hide();
  });
  return {
    get quitting() {
      return state.quitting;
    },
  };
}
