import { describe, expect, test } from 'vitest';
import { formatRetentionPolicy, parseRetentionPolicy, planRetention, simulateRetention, type RetentionCandidate, type RetentionDecision, type RetentionPolicy } from './policy.ts';

const DAY = 24 * 60 * 60 * 1000;

function candidate(
  timestamp: string,
  profile = 'prod',
  id = `${profile}@${timestamp}`,
  facts: Partial<Pick<RetentionCandidate, 'scope' | 'failedCheck' | 'pinned' | 'imported'>> = {},
): RetentionCandidate {
  return { id, profile, timestamp, size: 100, scope: 'full', failedCheck: null, pinned: false, ...facts };
}

/** One backup a day at 02:00 UTC, from `first` for `count` days. */
function dailyBackups(first: string, count: number, profile = 'prod'): RetentionCandidate[] {
  const start = Date.parse(`${first}T02:00:00.000Z`);
  return Array.from({ length: count }, (_, i) => candidate(new Date(start + i * DAY).toISOString(), profile));
}

const kept = (decisions: RetentionDecision[]): RetentionDecision[] => decisions.filter((d) => d.action === 'keep');
const keptDays = (decisions: RetentionDecision[]): string[] => kept(decisions).map((d) => d.timestamp.slice(0, 10));
const byTimestamp = (decisions: RetentionDecision[], timestamp: string): RetentionDecision => {
  const found = decisions.find((d) => d.timestamp === timestamp);
  if (!found) throw new Error(`no decision for ${timestamp}`);
  return found;
};

const NEWEST = 'newest good full backup of the profile';
const days30: RetentionPolicy = { kind: 'days', keepDays: 30 };

describe('days policy', () => {
  const now = new Date('2025-04-01T00:00:00.000Z');

  test('keeps exactly keepDays old, deletes one millisecond older', () => {
    const decisions = planRetention([candidate('2025-03-31T02:00:00.000Z'), candidate('2025-03-02T00:00:00.000Z'), candidate('2025-03-01T23:59:59.999Z')], days30, now, 'UTC');
    expect(decisions.map((d) => [d.timestamp, d.action, d.reasons])).toEqual([
      ['2025-03-31T02:00:00.000Z', 'keep', ['within 30 days', NEWEST, 'minimum of 1 kept']],
      ['2025-03-02T00:00:00.000Z', 'keep', ['within 30 days']],
      ['2025-03-01T23:59:59.999Z', 'delete', ['older than 30 days']],
    ]);
  });

  test('a daily 02:00 backup with cleanup just after it keeps keepDays backups', () => {
    const backups = dailyBackups('2025-01-01', 90);
    const decisions = planRetention(backups, days30, new Date('2025-03-31T02:05:00.000Z'), 'UTC');
    expect(kept(decisions)).toHaveLength(30);
    expect(keptDays(decisions).at(-1)).toBe('2025-03-02');
  });

  test('when backups have been failing for 60 days, the last success stays', () => {
    // Only completed backups are candidates; the failed runs of the last 60 days produced none.
    const backups = [
      candidate(new Date(now.getTime() - 60 * DAY).toISOString()),
      candidate(new Date(now.getTime() - 61 * DAY).toISOString()),
      candidate(new Date(now.getTime() - 62 * DAY).toISOString()),
    ];
    const decisions = planRetention(backups, days30, now, 'UTC');
    expect(decisions.map((d) => d.action)).toEqual(['keep', 'delete', 'delete']);
    expect(decisions[0]!.reasons).toEqual([NEWEST, 'minimum of 1 kept']);
    expect(decisions[1]!.reasons).toEqual(['older than 30 days']);
  });

  test('an imported dump, unpinned and newer, never stands in for the last backup Holdfast took: it is no sign its own backups run', () => {
    const ownLast = new Date(now.getTime() - 60 * DAY).toISOString();
    const importedAt = new Date(now.getTime() - 1 * DAY).toISOString();
    const backups = [candidate(importedAt, 'prod', 'imported', { imported: true }), candidate(ownLast), candidate(new Date(now.getTime() - 61 * DAY).toISOString())];
    const decisions = planRetention(backups, days30, now, 'UTC');
    expect(decisions.map((d) => d.action)).toEqual(['keep', 'keep', 'delete']);
    expect(decisions[0]!.reasons).toEqual(['imported dump, kept within 30 days']);
    expect(decisions[1]!.reasons).toEqual([NEWEST, 'minimum of 1 kept']);
  });

  test('a single backup is kept whatever its age', () => {
    const decisions = planRetention([candidate('2001-01-01T00:00:00.000Z')], { kind: 'days', keepDays: 1 }, now, 'UTC');
    expect(decisions).toEqual([{ id: 'prod@2001-01-01T00:00:00.000Z', profile: 'prod', timestamp: '2001-01-01T00:00:00.000Z', action: 'keep', reasons: [NEWEST, 'minimum of 1 kept'] }]);
  });

  test('minKeep keeps that many newest, counting the newest', () => {
    const backups = [100, 101, 102, 103, 104].map((age) => candidate(new Date(now.getTime() - age * DAY).toISOString()));
    const decisions = planRetention(backups, { kind: 'days', keepDays: 30, minKeep: 3 }, now, 'UTC');
    expect(decisions.map((d) => d.action)).toEqual(['keep', 'keep', 'keep', 'delete', 'delete']);
    expect(decisions.map((d) => d.reasons)).toEqual([[NEWEST, 'minimum of 3 kept'], ['minimum of 3 kept'], ['minimum of 3 kept'], ['older than 30 days'], ['older than 30 days']]);
  });

  test('minKeep does not delete anything the policy keeps', () => {
    const backups = dailyBackups('2025-03-20', 10);
    expect(kept(planRetention(backups, { kind: 'days', keepDays: 30, minKeep: 2 }, now, 'UTC'))).toHaveLength(10);
  });

  test('singular wording for one day', () => {
    const decisions = planRetention([candidate('2025-03-31T12:00:00.000Z'), candidate('2025-03-20T12:00:00.000Z')], { kind: 'days', keepDays: 1 }, now, 'UTC');
    expect(decisions[0]!.reasons[0]).toBe('within 1 day');
    expect(decisions[1]!.reasons).toEqual(['older than 1 day']);
  });
});

describe('GFS policy', () => {
  const gfs: RetentionPolicy = { kind: 'gfs', daily: 7, weekly: 4, monthly: 12, yearly: 3 };

  test('7d,4w,12m,3y over two years of daily backups', () => {
    const backups = dailyBackups('2023-01-01', 731);
    expect(backups.at(-1)!.timestamp).toBe('2024-12-31T02:00:00.000Z');
    const decisions = planRetention(backups, gfs, new Date('2025-01-01T00:00:00.000Z'), 'UTC');
    expect(decisions).toHaveLength(731);
    const monthEnds2024 = ['2024-11-30', '2024-10-31', '2024-09-30', '2024-08-31', '2024-07-31', '2024-06-30', '2024-05-31', '2024-04-30', '2024-03-31', '2024-02-29', '2024-01-31'];
    expect(keptDays(decisions)).toEqual([
      // 7 daily: 25–31 December; 31 December is also the week, month and year slot.
      '2024-12-31',
      '2024-12-30',
      '2024-12-29',
      '2024-12-28',
      '2024-12-27',
      '2024-12-26',
      '2024-12-25',
      // weekly: 2025-W01 (31 Dec), 2024-W52 (29 Dec, already daily), W51, W50: Sundays.
      '2024-12-22',
      '2024-12-15',
      ...monthEnds2024,
      // yearly: 2024 (31 Dec 2024) and 2023; there is no third year of backups.
      '2023-12-31',
    ]);
    expect(kept(decisions)).toHaveLength(21);
    expect(decisions.filter((d) => d.action === 'delete')).toHaveLength(710);

    expect(byTimestamp(decisions, '2024-12-31T02:00:00.000Z').reasons).toEqual([
      'daily slot 2024-12-31',
      'weekly slot 2025-W01',
      'monthly slot 2024-12',
      'yearly slot 2024',
      NEWEST,
      'minimum of 1 kept',
    ]);
    expect(byTimestamp(decisions, '2024-12-29T02:00:00.000Z').reasons).toEqual(['daily slot 2024-12-29', 'weekly slot 2024-W52']);
    expect(byTimestamp(decisions, '2024-12-15T02:00:00.000Z').reasons).toEqual(['weekly slot 2024-W50']);
    expect(byTimestamp(decisions, '2024-02-29T02:00:00.000Z').reasons).toEqual(['monthly slot 2024-02']);
    expect(byTimestamp(decisions, '2023-12-31T02:00:00.000Z').reasons).toEqual(['yearly slot 2023']);
    expect(byTimestamp(decisions, '2024-12-24T02:00:00.000Z')).toMatchObject({ action: 'delete', reasons: ['outside every slot (7 daily, 4 weekly, 12 monthly, 3 yearly)'] });
  });

  test('empty periods do not use up slots', () => {
    const backups = ['2025-01-10T02:00:00.000Z', '2025-02-20T02:00:00.000Z', '2025-03-01T02:00:00.000Z', '2025-03-01T01:00:00.000Z'].map((t) => candidate(t));
    const decisions = planRetention(backups, { kind: 'gfs', daily: 3, weekly: 0, monthly: 0, yearly: 0 }, new Date('2025-06-01T00:00:00.000Z'), 'UTC');
    expect(decisions.map((d) => [d.timestamp.slice(0, 13), d.action, d.reasons[0]])).toEqual([
      ['2025-03-01T02', 'keep', 'daily slot 2025-03-01'],
      ['2025-03-01T01', 'delete', 'outside every slot (3 daily)'],
      ['2025-02-20T02', 'keep', 'daily slot 2025-02-20'],
      ['2025-01-10T02', 'keep', 'daily slot 2025-01-10'],
    ]);
  });

  test('the newest backup of a day takes the slot', () => {
    const backups = ['2025-05-05T06:00:00.000Z', '2025-05-05T18:00:00.000Z', '2025-05-05T12:00:00.000Z'].map((t) => candidate(t));
    const decisions = planRetention(backups, { kind: 'gfs', daily: 1, weekly: 0, monthly: 0, yearly: 0 }, new Date('2025-05-06T00:00:00.000Z'), 'UTC');
    expect(decisions.map((d) => [d.timestamp.slice(11, 13), d.action])).toEqual([
      ['18', 'keep'],
      ['12', 'delete'],
      ['06', 'delete'],
    ]);
  });

  describe('day buckets across DST changes', () => {
    const daily: RetentionPolicy = { kind: 'gfs', daily: 10, weekly: 0, monthly: 0, yearly: 0 };
    const slotOf = (decisions: RetentionDecision[], timestamp: string): string | undefined => byTimestamp(decisions, timestamp).reasons.find((r) => r.startsWith('daily slot'));

    test('Europe/Berlin, spring forward (30 March 2025)', () => {
      const backups = [
        '2025-03-29T22:30:00.000Z', // 29 Mar 23:30 CET
        '2025-03-29T23:30:00.000Z', // 30 Mar 00:30 CET, the change day; still 29 Mar in UTC
        '2025-03-30T21:30:00.000Z', // 30 Mar 23:30 CEST
      ].map((t) => candidate(t));
      const decisions = planRetention(backups, daily, new Date('2025-04-01T00:00:00.000Z'), 'Europe/Berlin');
      expect(slotOf(decisions, '2025-03-30T21:30:00.000Z')).toBe('daily slot 2025-03-30');
      expect(byTimestamp(decisions, '2025-03-29T23:30:00.000Z').action).toBe('delete');
      expect(slotOf(decisions, '2025-03-29T22:30:00.000Z')).toBe('daily slot 2025-03-29');
      // Bucketing in UTC would have put 00:30 local on the 29th.
      const utc = planRetention(backups, daily, new Date('2025-04-01T00:00:00.000Z'), 'UTC');
      expect(slotOf(utc, '2025-03-29T23:30:00.000Z')).toBe('daily slot 2025-03-29');
    });

    test('Europe/Berlin, fall back (26 October 2025, a 25-hour day)', () => {
      const backups = [
        '2025-10-25T21:30:00.000Z', // 25 Oct 23:30 CEST
        '2025-10-25T22:30:00.000Z', // 26 Oct 00:30 CEST
        '2025-10-26T22:30:00.000Z', // 26 Oct 23:30 CET
      ].map((t) => candidate(t));
      const decisions = planRetention(backups, daily, new Date('2025-11-01T00:00:00.000Z'), 'Europe/Berlin');
      expect(decisions.map((d) => [d.action, d.reasons[0]])).toEqual([
        ['keep', 'daily slot 2025-10-26'],
        ['delete', 'outside every slot (10 daily)'],
        ['keep', 'daily slot 2025-10-25'],
      ]);
    });

    test('America/New_York, spring forward (9 March 2025)', () => {
      const backups = [
        '2025-03-09T04:30:00.000Z', // 8 Mar 23:30 EST
        '2025-03-09T05:30:00.000Z', // 9 Mar 00:30 EST, the change day
        '2025-03-10T03:30:00.000Z', // 9 Mar 23:30 EDT; already 10 Mar in UTC
      ].map((t) => candidate(t));
      const decisions = planRetention(backups, daily, new Date('2025-03-11T00:00:00.000Z'), 'America/New_York');
      expect(decisions.map((d) => [d.timestamp, d.action, d.reasons[0]])).toEqual([
        ['2025-03-10T03:30:00.000Z', 'keep', 'daily slot 2025-03-09'],
        ['2025-03-09T05:30:00.000Z', 'delete', 'outside every slot (10 daily)'],
        ['2025-03-09T04:30:00.000Z', 'keep', 'daily slot 2025-03-08'],
      ]);
    });

    test('America/New_York, fall back (2 November 2025) including the repeated 01:30', () => {
      const backups = [
        '2025-11-02T04:30:00.000Z', // 2 Nov 00:30 EDT
        '2025-11-02T05:30:00.000Z', // 2 Nov 01:30 EDT
        '2025-11-02T06:30:00.000Z', // 2 Nov 01:30 EST
        '2025-11-02T03:30:00.000Z', // 1 Nov 23:30 EDT
      ].map((t) => candidate(t));
      const decisions = planRetention(backups, { kind: 'gfs', daily: 2, weekly: 0, monthly: 0, yearly: 0, minKeep: 1 }, new Date('2025-11-03T00:00:00.000Z'), 'America/New_York');
      expect(decisions.map((d) => [d.timestamp, d.action, d.reasons[0]])).toEqual([
        ['2025-11-02T06:30:00.000Z', 'keep', 'daily slot 2025-11-02'],
        ['2025-11-02T05:30:00.000Z', 'delete', 'outside every slot (2 daily)'],
        ['2025-11-02T04:30:00.000Z', 'delete', 'outside every slot (2 daily)'],
        ['2025-11-02T03:30:00.000Z', 'keep', 'daily slot 2025-11-01'],
      ]);
    });
  });

  describe('ISO weeks', () => {
    const weekly: RetentionPolicy = { kind: 'gfs', daily: 0, weekly: 10, monthly: 0, yearly: 0 };
    const weekOf = (decisions: RetentionDecision[], timestamp: string): string | undefined => byTimestamp(decisions, timestamp).reasons.find((r) => r.startsWith('weekly slot'));

    test('Sunday closes the week, Monday opens the next', () => {
      const backups = ['2025-03-08T12:00:00.000Z', '2025-03-09T23:59:59.999Z', '2025-03-10T00:00:00.000Z'].map((t) => candidate(t));
      const decisions = planRetention(backups, weekly, new Date('2025-03-11T00:00:00.000Z'), 'UTC');
      expect(decisions.map((d) => [d.timestamp, d.action, d.reasons[0]])).toEqual([
        ['2025-03-10T00:00:00.000Z', 'keep', 'weekly slot 2025-W11'],
        ['2025-03-09T23:59:59.999Z', 'keep', 'weekly slot 2025-W10'],
        ['2025-03-08T12:00:00.000Z', 'delete', 'outside every slot (10 weekly)'],
      ]);
    });

    test('weeks that straddle a year belong to the year of their Thursday', () => {
      const backups = ['2024-12-29T12:00:00.000Z', '2024-12-30T12:00:00.000Z', '2021-01-01T12:00:00.000Z', '2021-01-03T12:00:00.000Z', '2021-01-04T12:00:00.000Z'].map((t) => candidate(t));
      const decisions = planRetention(backups, weekly, new Date('2025-01-01T00:00:00.000Z'), 'UTC');
      expect(weekOf(decisions, '2024-12-30T12:00:00.000Z')).toBe('weekly slot 2025-W01');
      expect(weekOf(decisions, '2024-12-29T12:00:00.000Z')).toBe('weekly slot 2024-W52');
      expect(weekOf(decisions, '2021-01-04T12:00:00.000Z')).toBe('weekly slot 2021-W01');
      expect(weekOf(decisions, '2021-01-03T12:00:00.000Z')).toBe('weekly slot 2020-W53');
      expect(byTimestamp(decisions, '2021-01-01T12:00:00.000Z').action).toBe('delete');
    });

    test('the week boundary is local midnight', () => {
      // Sunday 9 March 23:30 in New York is Monday 10 March in UTC.
      const backups = [candidate('2025-03-10T03:30:00.000Z'), candidate('2025-03-10T12:00:00.000Z')];
      const newYork = planRetention(backups, weekly, new Date('2025-03-11T00:00:00.000Z'), 'America/New_York');
      expect(weekOf(newYork, '2025-03-10T03:30:00.000Z')).toBe('weekly slot 2025-W10');
      const utc = planRetention(backups, weekly, new Date('2025-03-11T00:00:00.000Z'), 'UTC');
      expect(byTimestamp(utc, '2025-03-10T03:30:00.000Z').action).toBe('delete');
    });
  });
});

describe('planning in general', () => {
  const now = new Date('2025-04-01T00:00:00.000Z');

  test('profiles are planned independently, in name order, newest first', () => {
    const backups = [
      candidate('2025-03-30T02:00:00.000Z', 'beta'),
      candidate('2024-12-01T02:00:00.000Z', 'alpha'),
      candidate('2025-03-31T02:00:00.000Z', 'beta'),
      candidate('2024-11-01T02:00:00.000Z', 'alpha'),
    ];
    const decisions = planRetention(backups, days30, now, 'UTC');
    expect(decisions.map((d) => [d.profile, d.timestamp.slice(0, 10), d.action])).toEqual([
      ['alpha', '2024-12-01', 'keep'],
      ['alpha', '2024-11-01', 'delete'],
      ['beta', '2025-03-31', 'keep'],
      ['beta', '2025-03-30', 'keep'],
    ]);
    expect(decisions[0]!.reasons).toEqual([NEWEST, 'minimum of 1 kept']);
    expect(decisions[3]!.reasons).toEqual(['within 30 days']);
  });

  test('GFS slots are per profile', () => {
    const backups = [candidate('2025-03-31T02:00:00.000Z', 'a'), candidate('2025-03-31T03:00:00.000Z', 'b'), candidate('2025-03-30T02:00:00.000Z', 'a')];
    const decisions = planRetention(backups, { kind: 'gfs', daily: 1, weekly: 0, monthly: 0, yearly: 0 }, now, 'UTC');
    expect(decisions.map((d) => [d.profile, d.action, d.reasons[0]])).toEqual([
      ['a', 'keep', 'daily slot 2025-03-31'],
      ['a', 'delete', 'outside every slot (1 daily)'],
      ['b', 'keep', 'daily slot 2025-03-31'],
    ]);
  });

  test('the result does not depend on input order; equal timestamps are ordered by id', () => {
    const backups = [
      candidate('2025-03-01T02:00:00.000Z', 'p', 'b'),
      candidate('2025-03-01T02:00:00.000Z', 'p', 'a'),
      candidate('2025-01-01T02:00:00.000Z', 'p', 'c'),
      candidate('2025-03-02T02:00:00.000Z', 'q', 'd'),
    ];
    const forward = planRetention(backups, { kind: 'gfs', daily: 1, weekly: 0, monthly: 2, yearly: 0 }, now, 'UTC');
    const backward = planRetention([...backups].reverse(), { kind: 'gfs', daily: 1, weekly: 0, monthly: 2, yearly: 0 }, now, 'UTC');
    expect(backward).toEqual(forward);
    expect(forward.map((d) => [d.id, d.action])).toEqual([
      ['a', 'keep'],
      ['b', 'delete'],
      ['c', 'keep'],
      ['d', 'keep'],
    ]);
  });

  test('a timestamp that cannot be read is never deleted and does not count as the newest', () => {
    const backups = [candidate('garbage', 'p', 'x'), candidate('2020-01-01T00:00:00.000Z', 'p', 'old'), candidate('2020-01-02T00:00:00.000Z', 'p', 'newer')];
    const decisions = planRetention(backups, days30, now, 'UTC');
    expect(decisions.map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['newer', 'keep', [NEWEST, 'minimum of 1 kept']],
      ['old', 'delete', ['older than 30 days']],
      ['x', 'keep', ['timestamp not understood; never deleted']],
    ]);
  });

  test('no candidates, no decisions; bad input is refused', () => {
    expect(planRetention([], days30, now, 'UTC')).toEqual([]);
    expect(() => planRetention([], days30, new Date('nope'), 'UTC')).toThrow(/clock/);
    expect(() => planRetention([], { kind: 'days', keepDays: 0 }, now)).toThrow(/keepDays/);
    expect(() => planRetention([], { kind: 'days', keepDays: 30, minKeep: 0 }, now)).toThrow(/minKeep/);
    expect(() => planRetention([], { kind: 'gfs', daily: 0, weekly: 0, monthly: 0, yearly: 0 }, now)).toThrow(/non-zero/);
    expect(() => planRetention([], { kind: 'gfs', daily: 1.5, weekly: 0, monthly: 0, yearly: 0 }, now)).toThrow(/daily/);
    expect(() => planRetention([candidate('2025-01-01T00:00:00.000Z')], days30, now, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });

  test('the default time zone is the process zone', () => {
    const decisions = planRetention([candidate('2025-03-31T02:00:00.000Z')], { kind: 'gfs', daily: 1, weekly: 0, monthly: 0, yearly: 0 }, now);
    expect(decisions[0]!.reasons[0]).toMatch(/^daily slot 2025-03-3[01]$/);
  });
});

describe('what counts as a good copy', () => {
  const gfs: RetentionPolicy = { kind: 'gfs', daily: 7, weekly: 4, monthly: 12, yearly: 0 };
  const actions = (decisions: RetentionDecision[]) => decisions.map((d) => [d.id, d.action]);

  test('issue 12 B: a partial backup taken after three full ones the same day takes none of their slots', () => {
    // The DBA's reproduction: three full backups, then a table-filtered one, then cleanup --policy gfs:7d,4w,12m.
    const backups = [
      candidate('2025-03-31T09:00:00.000Z', 'shop', 'full-1'),
      candidate('2025-03-31T09:10:00.000Z', 'shop', 'full-2'),
      candidate('2025-03-31T09:20:00.000Z', 'shop', 'full-3'),
      candidate('2025-03-31T09:30:00.000Z', 'shop', 'partial', { scope: 'partial' }),
    ];
    const decisions = planRetention(backups, gfs, new Date('2025-03-31T10:00:00.000Z'), 'UTC');
    expect(actions(decisions)).toEqual([
      ['partial', 'keep'],
      ['full-3', 'keep'],
      ['full-2', 'delete'],
      ['full-1', 'delete'],
    ]);
    expect(decisions[0]!.reasons).toEqual(['partial backup, kept within 7 days']);
    expect(decisions[1]!.reasons).toEqual(['daily slot 2025-03-31', 'weekly slot 2025-W14', 'monthly slot 2025-03', NEWEST, 'minimum of 1 kept']);
  });

  test("partial, schema-only and data-only backups never take a full backup's slot", () => {
    const backups = [
      candidate('2025-01-15T02:00:00.000Z', 'p', 'full-jan'),
      candidate('2025-02-15T02:00:00.000Z', 'p', 'full-feb'),
      candidate('2025-03-15T02:00:00.000Z', 'p', 'full-mar'),
      candidate('2025-03-29T02:00:00.000Z', 'p', 'schema', { scope: 'schema-only' }),
      candidate('2025-03-30T04:00:00.000Z', 'p', 'data', { scope: 'data-only' }),
      candidate('2025-03-31T02:00:00.000Z', 'p', 'partial', { scope: 'partial' }),
    ];
    const decisions = planRetention(backups, { kind: 'gfs', daily: 1, weekly: 1, monthly: 12, yearly: 0 }, new Date('2025-03-31T03:00:00.000Z'), 'UTC');
    expect(actions(decisions)).toEqual([
      ['partial', 'keep'],
      ['data', 'keep'],
      ['schema', 'delete'],
      ['full-mar', 'keep'],
      ['full-feb', 'keep'],
      ['full-jan', 'keep'],
    ]);
    // The policy's shortest window is its one day.
    expect(decisions[1]!.reasons).toEqual(['data-only backup, kept within 1 day']);
    expect(decisions[2]!.reasons).toEqual(['schema-only backup older than 1 day (only full backups whose checks passed fill slots)']);
    expect(decisions[3]!.reasons).toEqual(['daily slot 2025-03-15', 'weekly slot 2025-W11', 'monthly slot 2025-03', NEWEST, 'minimum of 1 kept']);
  });

  test('issue 12 item 5: a newest full backup that failed verify protects nothing; the older good one is kept', () => {
    const now = new Date('2025-04-01T00:00:00.000Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
    const backups = [candidate(ago(60), 'p', 'corrupt', { failedCheck: 'verify' }), candidate(ago(61), 'p', 'good'), candidate(ago(62), 'p', 'older')];
    const decisions = planRetention(backups, days30, now, 'UTC');
    expect(decisions.map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['corrupt', 'delete', ['backup that failed verification older than 30 days (only full backups whose checks passed fill slots)']],
      ['good', 'keep', [NEWEST, 'minimum of 1 kept']],
      ['older', 'delete', ['older than 30 days']],
    ]);
  });

  test('a recent backup whose restore drill failed is kept for a while, and takes no slot', () => {
    const backups = [candidate('2025-03-31T02:00:00.000Z', 'p', 'drill-failed', { failedCheck: 'drill' }), candidate('2025-03-31T01:00:00.000Z', 'p', 'good')];
    const decisions = planRetention(backups, { kind: 'gfs', daily: 3, weekly: 0, monthly: 0, yearly: 0 }, new Date('2025-03-31T05:00:00.000Z'), 'UTC');
    expect(decisions.map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['drill-failed', 'keep', ['backup that failed its restore drill, kept within 3 days']],
      ['good', 'keep', ['daily slot 2025-03-31', NEWEST, 'minimum of 1 kept']],
    ]);
  });

  test('minKeep counts good full backups only', () => {
    const now = new Date('2025-04-01T00:00:00.000Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
    const backups = [candidate(ago(40), 'p', 'partial', { scope: 'partial' }), candidate(ago(41), 'p', 'a'), candidate(ago(42), 'p', 'b'), candidate(ago(43), 'p', 'c')];
    expect(actions(planRetention(backups, { kind: 'days', keepDays: 30, minKeep: 2 }, now, 'UTC'))).toEqual([
      ['partial', 'delete'],
      ['a', 'keep'],
      ['b', 'keep'],
      ['c', 'delete'],
    ]);
  });

  test('a profile with no good full backup keeps its newest backup, whatever it is', () => {
    const now = new Date('2025-04-01T00:00:00.000Z');
    const backups = [candidate('2025-01-02T00:00:00.000Z', 'p', 'newer', { scope: 'partial' }), candidate('2025-01-01T00:00:00.000Z', 'p', 'old', { failedCheck: 'verify' })];
    expect(planRetention(backups, days30, now, 'UTC').map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['newer', 'keep', ['newest backup of the profile, which has no good full backup']],
      ['old', 'delete', ['backup that failed verification older than 30 days (only full backups whose checks passed fill slots)']],
    ]);
  });

  test('a pinned backup is kept whatever the policy, and says so', () => {
    const now = new Date('2025-04-01T00:00:00.000Z');
    const backups = [
      candidate('2025-03-31T02:00:00.000Z', 'p', 'new'),
      candidate('2024-01-01T02:00:00.000Z', 'p', 'pinned-full', { pinned: true }),
      candidate('2023-01-01T02:00:00.000Z', 'p', 'pinned-partial', { pinned: true, scope: 'partial' }),
      candidate('2023-01-01T01:00:00.000Z', 'p', 'old'),
    ];
    expect(planRetention(backups, days30, now, 'UTC').map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['new', 'keep', ['within 30 days', NEWEST, 'minimum of 1 kept']],
      ['pinned-full', 'keep', ['pinned']],
      ['pinned-partial', 'keep', ['pinned']],
      ['old', 'delete', ['older than 30 days']],
    ]);
  });

  test("the other backups' window is the policy's finest tier", () => {
    const now = new Date('2025-06-30T00:00:00.000Z');
    const partialAged = (days: number) => candidate(new Date(now.getTime() - days * DAY).toISOString(), 'p', `partial-${days}`, { scope: 'partial' });
    const full = candidate('2025-06-29T00:00:00.000Z', 'p', 'full');
    const keptIds = (policy: RetentionPolicy) => kept(planRetention([full, partialAged(6), partialAged(8), partialAged(27), partialAged(29), partialAged(60)], policy, now, 'UTC')).map((d) => d.id);
    expect(keptIds({ kind: 'gfs', daily: 7, weekly: 4, monthly: 0, yearly: 0 })).toEqual(['full', 'partial-6']);
    expect(keptIds({ kind: 'gfs', daily: 0, weekly: 4, monthly: 12, yearly: 0 })).toEqual(['full', 'partial-6', 'partial-8', 'partial-27']);
    expect(keptIds({ kind: 'gfs', daily: 0, weekly: 0, monthly: 2, yearly: 0 })).toEqual(['full', 'partial-6', 'partial-8', 'partial-27', 'partial-29', 'partial-60']);
    expect(keptIds({ kind: 'days', keepDays: 10 })).toEqual(['full', 'partial-6', 'partial-8']);
  });
});

describe('parseRetentionPolicy', () => {
  test.each<[string, RetentionPolicy]>([
    ['30d', { kind: 'days', keepDays: 30 }],
    ['days:30', { kind: 'days', keepDays: 30 }],
    [' 7D ', { kind: 'days', keepDays: 7 }],
    ['14d,min:3', { kind: 'days', keepDays: 14, minKeep: 3 }],
    ['gfs:7d,4w,12m,3y', { kind: 'gfs', daily: 7, weekly: 4, monthly: 12, yearly: 3 }],
    ['GFS: 3y, 7d', { kind: 'gfs', daily: 7, weekly: 0, monthly: 0, yearly: 3 }],
    ['gfs:4w', { kind: 'gfs', daily: 0, weekly: 4, monthly: 0, yearly: 0 }],
    ['gfs:0d,6m,min:2', { kind: 'gfs', daily: 0, weekly: 0, monthly: 6, yearly: 0, minKeep: 2 }],
  ])('%s', (text, policy) => {
    expect(parseRetentionPolicy(text)).toEqual(policy);
    expect(parseRetentionPolicy(formatRetentionPolicy(policy))).toEqual(policy);
  });

  test('canonical text form', () => {
    expect(formatRetentionPolicy({ kind: 'days', keepDays: 30 })).toBe('30d');
    expect(formatRetentionPolicy({ kind: 'gfs', daily: 7, weekly: 0, monthly: 12, yearly: 3, minKeep: 2 })).toBe('gfs:7d,12m,3y,min:2');
  });

  test.each<[string, RegExp]>([
    ['', /empty/],
    ['30', /"30" is not understood/],
    ['30x', /"30x" is not understood/],
    ['days:', /"days:" is not understood/],
    ['days:-3', /"days:-3" is not understood/],
    ['0d', /"0d" must keep at least 1 day/],
    ['30d,4w', /"4w" is not understood; only ",min:<n>" may follow a days policy/],
    ['gfs:', /empty part/],
    ['gfs:7d,,4w', /empty part/],
    ['gfs:7q', /"7q" is not understood/],
    ['gfs:7d,1.5w', /"1.5w" is not understood/],
    ['gfs:7d,8d', /"8d" repeats the daily count/],
    ['gfs:0d,0w', /at least one non-zero count/],
    ['gfs:7d,min:0', /"min:0" must keep at least 1/],
    ['gfs:7d,min:2,min:3', /"min" is given twice/],
    ['weekly', /"weekly" is not understood/],
    // "4w" alone reads as "four weeks" to some and "four weekly backups" to others: both spellings are offered.
    ['4w', /"4w" alone is not a policy: "28d" keeps every backup of the last 28 days; "gfs:4w" keeps one backup from each of the last 4 weeks/],
    ['12m', /"12m" alone is not a policy: "372d" keeps every backup of the last 372 days; "gfs:12m" keeps one backup from each of the last 12 months/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRetentionPolicy(text)).toThrow(message);
  });
});

describe('simulateRetention', () => {
  test('GFS 7d,4w,12m,3y over two years ends with the same 21 backups as one plan', () => {
    const result = simulateRetention({ kind: 'gfs', daily: 7, weekly: 4, monthly: 12, yearly: 3 }, { start: new Date('2023-01-01T00:00:00.000Z'), days: 731, timeZone: 'UTC' });
    expect(result.keptCount).toBe(21);
    expect(result.deletedCount).toBe(710);
    expect(result.kept[0]).toEqual({
      at: '2024-12-31T02:00:00.000Z',
      reasons: ['daily slot 2024-12-31', 'weekly slot 2025-W01', 'monthly slot 2024-12', 'yearly slot 2024', NEWEST, 'minimum of 1 kept'],
    });
    expect(result.kept.at(-1)).toEqual({ at: '2023-12-31T02:00:00.000Z', reasons: ['yearly slot 2023'] });
  });

  test('a year of 30-day retention keeps 30', () => {
    const result = simulateRetention(days30, { start: new Date('2025-01-01T00:00:00.000Z'), days: 365, timeZone: 'UTC' });
    expect(result).toMatchObject({ keptCount: 30, deletedCount: 335 });
    expect(result.kept.at(-1)!.at).toBe('2025-12-02T02:00:00.000Z');
  });

  test('several backups a day: only the day slots survive', () => {
    const result = simulateRetention({ kind: 'gfs', daily: 7, weekly: 0, monthly: 0, yearly: 0 }, { start: new Date('2025-01-01T00:00:00.000Z'), days: 365, backupsPerDay: 4, timeZone: 'UTC' });
    expect(result).toMatchObject({ keptCount: 7, deletedCount: 365 * 4 - 7 });
    expect(result.kept.map((k) => k.at.slice(11, 16))).toEqual(Array(7).fill('20:00'));
  });

  test('backups are at 02:00 local, moving forward when DST skips it', () => {
    const result = simulateRetention({ kind: 'days', keepDays: 400 }, { start: new Date('2025-03-28T12:00:00.000Z'), days: 4, timeZone: 'Europe/Berlin' });
    expect(result.kept.map((k) => k.at)).toEqual([
      '2025-03-31T00:00:00.000Z', // 02:00 CEST
      '2025-03-30T01:00:00.000Z', // 02:00 does not exist that day: 03:00 CEST
      '2025-03-29T01:00:00.000Z', // 02:00 CET
      '2025-03-28T01:00:00.000Z',
    ]);
    expect(result.deletedCount).toBe(0);
  });

  test('zero days, and bad options refused', () => {
    expect(simulateRetention(days30, { start: new Date('2025-01-01T00:00:00.000Z'), days: 0, timeZone: 'UTC' })).toEqual({ kept: [], deletedCount: 0, keptCount: 0, backups: 0 });
    expect(() => simulateRetention(days30, { start: new Date('2025-01-01T00:00:00.000Z'), days: -1 })).toThrow(/days/);
    expect(() => simulateRetention(days30, { start: new Date('2025-01-01T00:00:00.000Z'), days: 10, backupsPerDay: 0 })).toThrow(/backups a day/);
  });
});
