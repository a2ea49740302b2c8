import { describe, expect, test } from 'vitest';
import { DrillSlots } from './drill-slots.ts';

describe('DrillSlots', () => {
  test('never more than the limit at once; the rest run in order as slots free', async () => {
    const slots = new DrillSlots(1);
    const order: string[] = [];
    const first = await slots.acquire();
    const second = slots.acquire().then((release) => (order.push('second'), release));
    const third = slots.acquire().then((release) => (order.push('third'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(slots.queued).toBe(2);
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(slots.queued).toBe(0);
    // All released: the next one starts at once.
    (await slots.acquire())();
  });

  test('a drill cancelled while queued leaves the queue and says nothing ran; releasing twice frees one slot', async () => {
    const slots = new DrillSlots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('nothing ran') });
    expect(slots.queued).toBe(0);
    held();
    held();
    const again = await slots.acquire();
    let thirdStarted = false;
    void slots.acquire().then(() => (thirdStarted = true));
    await Promise.resolve();
    expect(thirdStarted).toBe(false);
    again();
  });
});
