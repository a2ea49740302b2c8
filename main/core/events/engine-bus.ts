// The bus every Holdfast engine opens with: audit first (its rows are read as soon as an operation
// returns), then the file log, then notifications. Shells add their own subscribers after these.
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { Logger } from '../log/log.ts';
import { showControls } from '../model/terminal-text.ts';
import type { Notifier } from '../notify/notifier.ts';
import { auditSubscriber } from './audit.ts';
import { EventBus } from './bus.ts';
import { logSubscriber } from './log.ts';
import { notifySubscriber } from './notify.ts';

export function engineEventBus(parts: { catalogue: Pick<Catalogue, 'audit'>; logger: Logger; notifier: Pick<Notifier, 'notify'> }): EventBus {
  const bus = new EventBus(({ subscriber, event, error }) => {
    const message = error instanceof Error ? error.message : String(error);
    parts.logger.log('error', 'an event subscriber failed; the operation went on', { subscriber, event, error: message });
    // The log may be what failed; the terminal (or the service's journal) still hears of it, its
    // controls shown: the message can carry names a hostile server or dump chose.
    process.stderr.write(`holdfast: ${subscriber} could not record the ${event} event: ${showControls(message)}\n`);
  });
  bus.subscribe(auditSubscriber(parts.catalogue));
  bus.subscribe(logSubscriber(parts.logger));
  bus.subscribe(notifySubscriber(parts.notifier));
  return bus;
}
