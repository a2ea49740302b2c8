// The notification channels' operations as the shells call them: added and removed with their audit
// row (never their secret), tested with one delivery whose result becomes the channel's last one.
import type { EventBus } from '../events/bus.ts';
import { actorName } from '../users/acting.ts';
import type { AppChannels, ChannelView, NewChannel } from './app-channels.ts';
import type { NotifyOutcome } from './delivery.ts';
import type { Notifier } from './notifier.ts';

interface NotifyEngine {
  notifyChannels: AppChannels;
  notifier: Pick<Notifier, 'sendTest'>;
  events: Pick<EventBus, 'emit'>;
}

export async function addNotifyChannel(engine: NotifyEngine, input: NewChannel): Promise<ChannelView> {
  const channel = await engine.notifyChannels.add(input);
  await engine.events.emit({ kind: 'notifyChannel.added', name: channel.name, channelKind: channel.kind, events: channel.events, where: channel.where });
  return channel;
}

export async function removeNotifyChannel(engine: NotifyEngine, name: string): Promise<{ removed: string }> {
  const removed = await engine.notifyChannels.remove(name);
  await engine.events.emit({ kind: 'notifyChannel.removed', name: removed.removed });
  return removed;
}

export async function testNotifyChannel(engine: NotifyEngine, name: string): Promise<NotifyOutcome & { channel: ChannelView }> {
  const target = await engine.notifyChannels.targetFor(name);
  const outcome = await engine.notifier.sendTest(target, actorName());
  const channel = engine.notifyChannels.list().find((view) => view.name === target.target.channel)!;
  return { ...outcome, channel };
}
