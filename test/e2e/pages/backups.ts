// Backups: the virtual table, the details panel and its actions, the "Back up now" dialog.
import type { Locator, Page } from '@playwright/test';

export class BackupNowDialog {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.locator('dialog[open]');
  }

  async start(profile: string): Promise<void> {
    await this.dialog.getByLabel('Connection').selectOption(profile);
    await this.dialog.getByRole('button', { name: 'Start backup' }).click();
  }

  progress(): Locator {
    return this.dialog.getByRole('progressbar', { name: 'Backup progress' });
  }

  currentPhase(): Locator {
    return this.dialog.getByRole('list', { name: 'Phases' }).locator('[aria-current="step"]');
  }

  async cancel(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Cancel backup' }).click();
  }

  completed(): Locator {
    return this.dialog.getByText('Backup completed');
  }
}

export class BackupsPage {
  readonly table: Locator;
  readonly details: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Backups' });
    this.details = page.getByRole('complementary', { name: 'Backup details' });
  }

  /** Rendered body rows (the table is virtual: only those near the viewport exist). */
  renderedRows(): Locator {
    return this.table.locator('[role="row"][data-index]');
  }

  rowsFor(profile: string, status: string): Locator {
    return this.renderedRows().filter({ hasText: profile }).filter({ hasText: status });
  }

  count(): Locator {
    return this.page.locator('.toolbar__count');
  }

  async verify(): Promise<Locator> {
    await this.details.getByRole('button', { name: 'Verify' }).click();
    return this.details.getByRole('status', { name: 'Verify result' });
  }

  async openRestore(): Promise<void> {
    await this.details.getByRole('button', { name: 'Restore…' }).click();
  }
}
