// Every notification channel, in the order targets are notified and outcomes listed. A new channel is
// its own module beside these plus its line here; settings, the settings page's flags and outcomes
// follow from this list.
import { slack } from './slack.ts';
import { webhook } from './webhook.ts';

export const NOTIFY_CHANNELS = [slack, webhook] as const;

export type ChannelId = (typeof NOTIFY_CHANNELS)[number]['id'];
