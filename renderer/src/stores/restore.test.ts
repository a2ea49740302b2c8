// The wizard's preview refusals point at the wizard's own controls, not at CLI flags.
import { describe, expect, test } from 'vitest';
import type { ErrorInfo } from '../api/types.ts';
import { wizardError } from './restore.ts';

describe('wizardError', () => {
  test('a non-empty target points at the replace checkbox and the new-database choice', () => {
    const error = wizardError({
      code: 'RESTORE_REFUSED',
      message: 'Database "shop" on 127.0.0.1:5432 is not empty (4 tables, views or sequences); it was not touched.',
      hint: 'To replace it: --clean (or --swap to keep the old one) --confirm=shop. To restore beside it: --dbname <new name> --create.',
    });
    expect(error.message).toContain('is not empty');
    expect(error.hint).toContain('Replace what is in the database');
    expect(error.hint).toContain('Create a new database');
    expect(error.hint).not.toMatch(/--\w/);
  });

  test('a missing target points at the new-database choice', () => {
    const error = wizardError({
      code: 'RESTORE_REFUSED',
      message: 'Database "nope" does not exist on 127.0.0.1:5432.',
      hint: 'Add --create to create it, or name an existing database with --dbname.',
    });
    expect(error.hint).toContain('Create a new database');
    expect(error.hint).not.toMatch(/--\w/);
  });

  test('other errors are passed through as the engine wrote them', () => {
    const other: ErrorInfo = { code: 'BACKUP_FAILED', message: 'pg_restore exited with code 1', hint: 'See the log.' };
    expect(wizardError(other)).toBe(other);
  });
});
