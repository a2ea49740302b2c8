// Replace restores a crash (or a failed undo) left mid-swap, settled at every start and on request
// (`holdfast restore --recover`), each told as an event (audited, logged). What a start settled is
// kept until the next request, so the DBA who asks sees it too.
import type { EventBus } from '../events/bus.ts';
import { recoverInterruptedSwaps, type RecoveryContext, type SwapRecovery } from './swap-journal.ts';

export class RestoreRecovery {
  /** Swaps this process's start settled, until a recover() call reports them. */
  private readonly settledAtStart: SwapRecovery[] = [];

  constructor(private readonly engine: RecoveryContext & { events: Pick<EventBus, 'emit'> }) {}

  async recover(options: { atStart?: boolean }): Promise<SwapRecovery[]> {
    const recovered = await recoverInterruptedSwaps(this.engine, { atStart: options.atStart === true });
    for (const recovery of recovered) await this.engine.events.emit({ kind: 'restore.recovered', recovery });
    if (options.atStart) {
      this.settledAtStart.push(...recovered.filter((r) => r.action !== 'not-reached'));
      return recovered;
    }
    return [...this.settledAtStart.splice(0), ...recovered];
  }
}
