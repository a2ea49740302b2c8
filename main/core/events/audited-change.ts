// A catalogue change and its audit row in one transaction: both are written or neither is, so a
// delete or a pin is never recorded without saying who made it. (Other events are audited after the
// fact, where a lost row is logged and said on stderr rather than failing the finished operation.)
import type Database from 'better-sqlite3';
import { DISK_FULL_HINT, HoldfastError, isDiskFull } from '../model/errors.ts';
import type { EventBus } from './bus.ts';
import type { EngineEvent } from './events.ts';

export function commitAudited(db: Database.Database, bus: Pick<EventBus, 'emit'>, change: () => void, event: EngineEvent, what: string): void {
  db.transaction(() => {
    change();
    try {
      void bus.emit(event, { inTransaction: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HoldfastError(
        'INTERNAL',
        `${what} was not recorded: its audit entry could not be written (${reason}), so the catalogue was left as it was.`,
        isDiskFull(error) ? DISK_FULL_HINT : 'Check that the catalogue in HOLDFAST_HOME is writable (space, permissions), then try again.',
      );
    }
  })();
}
