// Every notification channel, in the order targets are notified and outcomes listed. A new channel is
// its own module beside these plus its line here: a chat webhook (Teams, Discord) is httpChannel() with
// its message layout; another transport (email over SMTP) implements NotifyChannel (../channel.ts)
// and hands one attempt at a time to the shared retries. Settings, the settings page's flags and
// outcomes follow from this list.
import { discord } from './discord.ts';
import { email } from './email.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { webhook } from './webhook.ts';

export const NOTIFY_CHANNELS = [slack, webhook, teams, discord, email] as const;

export type ChannelId = (typeof NOTIFY_CHANNELS)[number]['id'];
