import { describe, expect, test } from 'vitest';
import { cadenceInSentence, scheduleErrorPlacement, scheduleTypeLabel } from './schedule-form.ts';

describe('schedule form', () => {
  test("a bad cron expression is shown on the Cron field, with the engine's example", () => {
    const placed = scheduleErrorPlacement(
      { code: 'BAD_INPUT', message: 'the cron expression "61 * * *" has 4 fields; a schedule needs 5 (minute hour day-of-month month day-of-week).', hint: 'Example: "0 2 * * *" is 02:00 every day.' },
      'custom',
    );
    expect(placed.notice).toBeNull();
    expect(placed.cron).toBe('The cron expression "61 * * *" has 4 fields; a schedule needs 5 (minute hour day-of-month month day-of-week). Example: "0 2 * * *" is 02:00 every day.');
  });

  test('other errors, and cron words on a preset, stay in the notice', () => {
    const other = { code: 'NOT_FOUND' as const, message: 'No profile named "gone".' };
    expect(scheduleErrorPlacement(other, 'custom')).toEqual({ cron: null, notice: other });
    const preset = { code: 'BAD_INPUT' as const, message: 'the cron expression in BACKUP_DAILY_SCHEDULE is not valid' };
    expect(scheduleErrorPlacement(preset, 'daily')).toEqual({ cron: null, notice: preset });
  });

  test('the "custom" type reads as the Cron choice it came from', () => {
    expect(scheduleTypeLabel('custom')).toBe('cron');
    expect(scheduleTypeLabel('daily')).toBe('daily');
  });
});

describe('cadenceInSentence', () => {
  test('lowers the first letter only: the day and month names keep their capitals', () => {
    expect(cadenceInSentence('At 03:00, only on Sunday')).toBe('at 03:00, only on Sunday');
    expect(cadenceInSentence('At 04:00, on day 1 of the month, only in January')).toBe('at 04:00, on day 1 of the month, only in January');
  });
});
