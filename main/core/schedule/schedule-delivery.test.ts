import { describe, expect, test } from 'vitest';
import { describeDelivery, scheduleDelivery } from './schedule-delivery.ts';

describe("a schedule's delivery: its copy destinations, local copy and encryption", () => {
  test("each choice left unset is the profile's, and says so", () => {
    const delivery = scheduleDelivery({ copyTo: null, options: {} });
    expect(delivery).toEqual({ copyTo: 'profile', localCopy: 'profile', encryptTo: 'profile' });
    expect(describeDelivery(delivery)).toBe("copies: the profile's destinations · local copy: the profile's choice · encryption: the profile's choice, then BACKUP_ENCRYPTION_KEY");
  });

  test("the schedule's own choices, as schedule edit sets them", () => {
    const own = scheduleDelivery({ copyTo: ['nas', 'vault'], options: { noLocalCopy: true, encryptTo: ['ops-key'] } });
    expect(own).toEqual({ copyTo: ['nas', 'vault'], localCopy: 'destinations only', encryptTo: ['ops-key'] });
    expect(describeDelivery(own)).toBe('copies to nas, vault · local copy: none (destinations only) · encrypted to ops-key');
    const kept = scheduleDelivery({ copyTo: [], options: { noLocalCopy: false, encryptTo: 'none' } });
    expect(describeDelivery(kept)).toBe('copies: none · local copy kept · not encrypted (the schedule says so)');
  });
});
