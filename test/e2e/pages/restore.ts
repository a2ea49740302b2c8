// The restore wizard, step by step.
import type { Locator, Page } from '@playwright/test';

export class RestoreWizard {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Restore a backup' });
  }

  currentStep(): Locator {
    return this.dialog.getByRole('list', { name: 'Restore steps' }).locator('[aria-current="step"]');
  }

  async chooseNewDatabase(name: string): Promise<void> {
    await this.dialog.getByLabel('Create a new database').check();
    await this.dialog.getByLabel('New database name').fill(name);
    await this.next();
  }

  async next(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Next' }).click();
  }

  async preview(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Preview impact' }).click();
  }

  impactTable(): Locator {
    return this.dialog.getByRole('table', { name: 'Restore impact' });
  }

  confirmInput(): Locator {
    return this.dialog.getByLabel(/^Type the/);
  }

  restoreButton(): Locator {
    return this.dialog.getByRole('button', { name: 'Restore', exact: true });
  }

  comparison(): Locator {
    return this.dialog.getByRole('table', { name: 'Row count comparison' });
  }
}
