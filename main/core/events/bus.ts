// The engine's event bus. emit() calls every subscriber at once, in the order they subscribed, so a
// synchronous subscriber (the audit rows) has written before emit returns, and in the caller's async
// context (the acting API user). Its promise settles when the asynchronous ones (notifications) have;
// the engine awaits it where it awaited the notification before. A subscriber's failure, thrown or
// rejected, is reported and swallowed: it never fails the operation that emitted the event — except
// a transactional subscriber's (the audit rows) when the change is emitted inside its catalogue
// transaction ({ inTransaction: true }): then the change and its record commit together or not at
// all, so a delete or a pin is never made without its audit row.
import type { EmittedEvent, EngineEvent, EventKind } from './events.ts';

export interface Subscriber {
  /** Names it in the report of a failure. */
  readonly name: string;
  handle(event: EmittedEvent): void | Promise<void>;
  /** Synchronous, and written in the caller's transaction: its failure undoes an in-transaction change. */
  readonly transactional?: boolean;
}

export interface EmitOptions {
  /** Emitted inside the catalogue transaction that makes the change: a transactional subscriber's failure is thrown. */
  inTransaction?: boolean;
}

export type SubscriberFailure = (failure: { subscriber: string; event: EventKind; error: unknown }) => void;

export class EventBus {
  private readonly subscribers: Subscriber[] = [];

  constructor(
    private readonly onFailure: SubscriberFailure,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds a subscriber after those already there; the function returned removes it. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers.splice(index, 1);
    };
  }

  /** Never rejects; throws only a transactional subscriber's failure, and only with { inTransaction: true }. */
  emit(event: EngineEvent, options: EmitOptions = {}): Promise<void> {
    const emitted: EmittedEvent = { ...event, at: this.now().toISOString() };
    const pending: Array<Promise<void>> = [];
    // A copy: a subscriber that unsubscribes while handling must not make the next one be skipped.
    for (const subscriber of [...this.subscribers]) {
      try {
        const result = subscriber.handle(emitted);
        if (result) pending.push(result.catch((error: unknown) => this.fail(subscriber, event, error)));
      } catch (error) {
        if (options.inTransaction && subscriber.transactional) throw error;
        this.fail(subscriber, event, error);
      }
    }
    return pending.length ? Promise.all(pending).then(() => undefined) : Promise.resolve();
  }

  private fail(subscriber: Subscriber, event: EngineEvent, error: unknown): void {
    try {
      this.onFailure({ subscriber: subscriber.name, event: event.kind, error });
    } catch {
      // The report itself failing (a full disk under the log) must not reach the operation either.
    }
  }
}
