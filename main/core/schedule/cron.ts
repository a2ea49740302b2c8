// Cron expressions: validated by node-cron (which drives the ticks) and croner (which computes next
// due times in a time zone, DST included), described in words by cronstrue.
import { HoldfastError } from '../model/errors.ts';
import { cronerLibrary, cronstrueLibrary, nodeCronLibrary } from './cron-libraries.ts';

export const SCHEDULE_TYPES = ['daily', 'weekly', 'monthly', 'custom'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function validateTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new HoldfastError('BAD_INPUT', `"${zone}" is not a time zone.`, 'Use an IANA name such as Europe/Berlin or America/New_York.');
  }
}

/** Five fields (minute hour day month weekday); throws BAD_INPUT with the reason. */
export function validateCron(expression: string, label = 'the cron expression'): void {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new HoldfastError(
      'BAD_INPUT',
      `${label} "${expression}" has ${fields.length} fields; a schedule needs 5 (minute hour day-of-month month day-of-week).`,
      'Example: "0 2 * * *" is 02:00 every day.',
    );
  }
  let reason: string | undefined;
  try {
    new (cronerLibrary().Cron)(expression, { paused: true });
  } catch (error) {
    reason = (error as Error).message;
  }
  if (reason === undefined && !nodeCronLibrary().validate(expression)) reason = 'not accepted by node-cron';
  if (reason !== undefined) {
    throw new HoldfastError('BAD_INPUT', `${label} "${expression}" is not valid: ${reason}.`, 'Example: "0 2 * * *" is 02:00 every day; "*/15 * * * *" every 15 minutes.');
  }
}

/** The first due time strictly after `after`, in the schedule's zone (a 02:30 slot on a spring-forward day runs at 03:30, once). */
export function nextRunAfter(expression: string, timeZone: string, after: Date): Date {
  const next = new (cronerLibrary().Cron)(expression, { timezone: timeZone, paused: true }).nextRun(after);
  if (!next) throw new HoldfastError('BAD_INPUT', `"${expression}" never runs again.`);
  return next;
}

export function describeCron(expression: string): string {
  try {
    return cronstrueLibrary().toString(expression, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return expression;
  }
}
