// At most N restore drills at once in this process (HOLDFAST_DRILL_CONCURRENCY, default 1): each
// starts a PostgreSQL server and restores a whole database, and six requests used to start six. The
// rest wait their turn in order; a wait ended by its signal leaves the queue without running.
import { HoldfastError } from '../model/errors.ts';

export class DrillSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Resolves with a release function once a slot is free. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw cancelledWhileQueued();
    if (this.running >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(cancelledWhileQueued());
        };
        this.waiting.push(turn);
        signal?.addEventListener('abort', leave, { once: true });
      });
    } else {
      this.running += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next in line, or frees up.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    };
  }

  /** Drills waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}

function cancelledWhileQueued(): HoldfastError {
  return new HoldfastError('CANCELLED', 'The restore drill was cancelled while it waited for another drill to finish; nothing ran.');
}
