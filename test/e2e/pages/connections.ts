// Connections: the profile form (as a user fills it in) and each profile's card and test result.
import type { Locator, Page } from '@playwright/test';

export interface ProfileFields {
  name: string;
  host: string;
  port: string;
  user: string;
  dbname: string;
}

export class ConnectionsPage {
  readonly form: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Connection profile' });
  }

  async openAddForm(): Promise<void> {
    await this.page
      .getByRole('button', { name: /Add (a )?connection/ })
      .first()
      .click();
    await this.form.waitFor();
  }

  async fill(fields: Partial<ProfileFields>): Promise<void> {
    const labels: Record<keyof ProfileFields, string> = { name: 'Name', host: 'Host', port: 'Port', user: 'User', dbname: 'Database' };
    for (const [field, value] of Object.entries(fields) as Array<[keyof ProfileFields, string]>) {
      await this.form.getByLabel(labels[field], { exact: true }).fill(value);
    }
  }

  async submit(): Promise<void> {
    await this.form.getByRole('button', { name: 'Add connection' }).click();
  }

  /** The message shown under a field, as assistive technology reads it (aria-describedby). */
  fieldError(label: string): Locator {
    return this.form
      .locator('.field--invalid')
      .filter({ has: this.page.getByLabel(label, { exact: true }) })
      .locator('.field__error');
  }

  card(name: string): Locator {
    return this.page.getByRole('listitem', { name });
  }

  testResult(name: string): Locator {
    return this.card(name).getByRole('status', { name: 'Connection test result' });
  }
}
