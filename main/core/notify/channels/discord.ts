// Discord webhooks (HOLDFAST_DISCORD_WEBHOOK, or a Discord channel added in the app): an embed with the
// fields, red on failure. Mentions are switched off: an error message must not ping anyone.
import { httpChannel } from '../http.ts';
import { describeEvent, type NotifyEvent } from '../message.ts';

/** Discord's limits: a field value holds at most 1024 characters, a title 256. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export const discord = httpChannel({ id: 'discord', variable: 'HOLDFAST_DISCORD_WEBHOOK', label: 'Discord webhook', body: discordMessage });

export function discordMessage(event: NotifyEvent): Record<string, unknown> {
  const { title, fields, failure } = describeEvent(event);
  const embedFields = fields.map(([name, value]) => ({ name, value: clip(value, 1024), inline: true }));
  if (failure) {
    embedFields.push({ name: 'Error', value: clip(failure.message, 1024), inline: false });
    if (failure.hint) embedFields.push({ name: 'Hint', value: clip(failure.hint, 1024), inline: false });
  }
  return {
    content: clip(title, 2000),
    allowed_mentions: { parse: [] },
    embeds: [{ title: clip(title, 256), color: failure ? 0xd93025 : 0x1e8e3e, fields: embedFields, footer: { text: 'Holdfast' }, timestamp: event.at }],
  };
}
