// Microsoft Teams incoming webhooks (HOLDFAST_TEAMS_WEBHOOK, or a Teams channel added in the app): an
// Adaptive Card, the layout Teams' Workflows webhooks take, with the title, the fields as facts, and
// the error and its hint on failure.
import { httpChannel } from '../http.ts';
import { describeEvent, type NotifyEvent } from '../message.ts';

export const teams = httpChannel({ id: 'teams', variable: 'HOLDFAST_TEAMS_WEBHOOK', label: 'Teams webhook', body: teamsMessage });

export function teamsMessage(event: NotifyEvent): Record<string, unknown> {
  const { title, fields, failure } = describeEvent(event);
  const facts = fields.map(([name, value]) => ({ title: name, value }));
  if (failure) {
    facts.push({ title: 'Error', value: failure.message });
    if (failure.hint) facts.push({ title: 'Hint', value: failure.hint });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, color: failure ? 'Attention' : 'Good' },
            { type: 'FactSet', facts },
            { type: 'TextBlock', text: `Holdfast · ${event.at}`, isSubtle: true, size: 'Small' },
          ],
        },
      },
    ],
  };
}
