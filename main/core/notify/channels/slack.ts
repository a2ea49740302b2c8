// Slack incoming webhooks (BACKUP_SLACK_WEBHOOK): a readable message, `text` as the notification and
// fallback line, `blocks` as the full layout.
import { httpChannel } from '../http.ts';
import { describeEvent, type NotifyEvent } from '../message.ts';

export const slack = httpChannel({ id: 'slack', variable: 'BACKUP_SLACK_WEBHOOK', label: 'Slack webhook', body: slackMessage });

export const slackTarget = slack.target;

export function slackMessage(event: NotifyEvent): { text: string; blocks: unknown[] } {
  const { title, fields, failure } = describeEvent(event);
  const lines = fields.map(([name, value]) => `*${name}:* ${escapeSlack(value)}`);
  if (failure) {
    lines.push(`*Error:* ${escapeSlack(failure.message)}`);
    if (failure.hint) lines.push(`*Hint:* ${escapeSlack(failure.hint)}`);
  }
  const text = [title, ...lines].join('\n');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') || ' ' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Holdfast · ${escapeSlack(event.at)}` }] },
  ];
  return { text, blocks };
}

// Slack treats &, < and > as markup (links, mentions); an error message must not become one.
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
