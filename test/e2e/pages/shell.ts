// The app's frame: the left navigation and the dialogs it opens.
import type { Locator, Page } from '@playwright/test';

export type PageName = 'Overview' | 'Connections' | 'Backups' | 'Schedules' | 'Destinations' | 'Activity' | 'Settings';

export class Shell {
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async goTo(name: PageName): Promise<void> {
    await this.nav.getByRole('link', { name }).click();
    await this.page.getByRole('heading', { level: 1, name: name }).waitFor();
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  async backUpNow(): Promise<void> {
    await this.nav.getByRole('button', { name: 'Back up now' }).click();
  }

  dialog(name: string | RegExp): Locator {
    return this.page.getByRole('dialog', { name });
  }
}
