import { describe, expect, test } from 'vitest';
import { EventBus, type Subscriber } from './bus.ts';
import type { EmittedEvent, EngineEvent } from './events.ts';

const started: EngineEvent = { kind: 'backup.started', profile: 'prod', trigger: { kind: 'manual' } };
const removed: EngineEvent = { kind: 'schedule.removed', id: 'abc' };

function recordingBus() {
  const failures: Array<{ subscriber: string; event: string; error: unknown }> = [];
  const bus = new EventBus(
    (failure) => failures.push(failure),
    () => new Date('2026-01-01T00:00:00.000Z'),
  );
  return { bus, failures };
}

describe('EventBus', () => {
  test('every subscriber gets the event, stamped, in the order they subscribed; synchronous ones have run when emit returns', () => {
    const { bus } = recordingBus();
    const seen: string[] = [];
    bus.subscribe({ name: 'first', handle: (event) => void seen.push(`first ${event.kind} ${event.at}`) });
    bus.subscribe({ name: 'second', handle: (event) => void seen.push(`second ${event.kind}`) });
    void bus.emit(started);
    expect(seen).toEqual(['first backup.started 2026-01-01T00:00:00.000Z', 'second backup.started']);
  });

  test('a subscriber that throws does not fail the emit or stop the others, and is reported with the event it failed on', async () => {
    const { bus, failures } = recordingBus();
    const seen: string[] = [];
    bus.subscribe({
      name: 'audit',
      handle: () => {
        throw new Error('database is locked');
      },
    });
    bus.subscribe({ name: 'log', handle: (event) => void seen.push(event.kind) });
    await expect(bus.emit(removed)).resolves.toBeUndefined();
    expect(seen).toEqual(['schedule.removed']);
    expect(failures).toEqual([{ subscriber: 'audit', event: 'schedule.removed', error: new Error('database is locked') }]);
  });

  test('emit resolves after asynchronous subscribers settle, and a rejection is reported, not passed on', async () => {
    const { bus, failures } = recordingBus();
    let delivered = false;
    bus.subscribe({
      name: 'notifications',
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        delivered = true;
      },
    });
    bus.subscribe({
      name: 'flaky',
      handle: async () => {
        throw new Error('socket hang up');
      },
    });
    await bus.emit(started);
    expect(delivered).toBe(true);
    expect(failures).toEqual([{ subscriber: 'flaky', event: 'backup.started', error: new Error('socket hang up') }]);
  });

  test('a failing failure report is swallowed too; unsubscribing stops delivery, even from inside a handler', async () => {
    const bus = new EventBus(() => {
      throw new Error('log disk full');
    });
    const seen: EmittedEvent[] = [];
    bus.subscribe({
      name: 'broken',
      handle: () => {
        throw new Error('x');
      },
    });
    const once: Subscriber = {
      name: 'once',
      handle: (event) => {
        seen.push(event);
        stop();
      },
    };
    const stop = bus.subscribe(once);
    bus.subscribe({ name: 'after', handle: (event) => void seen.push(event) });
    await expect(bus.emit(started)).resolves.toBeUndefined();
    await bus.emit(removed);
    expect(seen.map((event) => event.kind)).toEqual(['backup.started', 'backup.started', 'schedule.removed']);
  });

  test("inside a transaction a transactional subscriber's failure is thrown, before the others run; outside one it is reported", () => {
    const failures: string[] = [];
    const seen: string[] = [];
    const bus = new EventBus(({ subscriber }) => void failures.push(subscriber));
    bus.subscribe({
      name: 'audit',
      transactional: true,
      handle: () => {
        throw new Error('refused');
      },
    });
    bus.subscribe({ name: 'log', handle: (event) => void seen.push(event.kind) });
    const event = { kind: 'user.removed', name: 'bob' } as const;
    expect(() => bus.emit(event, { inTransaction: true })).toThrow('refused');
    expect(seen).toEqual([]);
    void bus.emit(event);
    expect(failures).toEqual(['audit']);
    expect(seen).toEqual(['user.removed']);
  });
});
