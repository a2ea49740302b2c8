// The tray icon and its menu, redrawn from tray-model.ts whenever the state changes.
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { trayIconName, trayMenuTemplate, trayStatusText, type TrayActions, type TrayState } from './tray-model.ts';

export interface TrayHandle<M> {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayFactory<M> {
  createTray(iconPath: string): TrayHandle<M>;
  buildMenu(template: MenuItemConstructorOptions[]): M;
}

export class TrayView<M> {
  private readonly tray: TrayHandle<M>;
  private icon: string;

  constructor(
    private readonly factory: TrayFactory<M>,
    private readonly iconDir: string,
    private readonly actions: TrayActions,
    initial: TrayState,
  ) {
    this.icon = join(iconDir, trayIconName(initial.status));
    this.tray = factory.createTray(this.icon);
    // Windows and most Linux trays: a left click opens the window; the menu is on the right click.
    this.tray.on('click', () => actions.openWindow());
    this.update(initial);
  }

  update(state: TrayState): void {
    const icon = join(this.iconDir, trayIconName(state.status));
    if (icon !== this.icon) {
      this.icon = icon;
      this.tray.setImage(icon);
    }
    this.tray.setToolTip(`Holdfast — ${trayStatusText(state)}`);
    this.tray.setContextMenu(this.factory.buildMenu(trayMenuTemplate(state, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
