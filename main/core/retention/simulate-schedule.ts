// A retention policy simulated at a schedule's own cadence (its cron, in its zone): what the schedule
// form's preview shows. A weekly schedule under "30d" keeps about five Sundays, an hourly one under
// "gfs:7d" a week of days' last hours; "a year of daily backups" said neither.
import { describeCron, nextRunAfter } from '../schedule/cron.ts';
import { simulateRetention, type RetentionSimulation } from './policy.ts';
import type { RetentionPolicy } from './policy-text.ts';

/** The most backups one simulated day may take: a cron firing every minute is 1440. */
const MAX_PER_DAY = 1440;

export interface ScheduleSimulation extends RetentionSimulation {
  /** The cadence in words ("At 03:00, only on Sunday"). */
  cadence: string;
  days: number;
}

export function simulateSchedule(policy: RetentionPolicy, options: { start: Date; days: number; cron: string; timeZone: string }): ScheduleSimulation {
  const instantsBetween = (dayStart: number, dayEnd: number): number[] => {
    const instants: number[] = [];
    let at = nextRunAfter(options.cron, options.timeZone, new Date(dayStart - 1)).getTime();
    while (at < dayEnd && instants.length < MAX_PER_DAY) {
      instants.push(at);
      at = nextRunAfter(options.cron, options.timeZone, new Date(at)).getTime();
    }
    return instants;
  };
  const simulation = simulateRetention(policy, { start: options.start, days: options.days, timeZone: options.timeZone, instantsBetween });
  return { ...simulation, cadence: describeCron(options.cron), days: options.days };
}
