// The generic webhook (HOLDFAST_WEBHOOK_URL): `{ event: <kind>, ...fields, source: 'holdfast' }` as
// JSON, for scripts and services that read the fields rather than a message.
import { httpChannel } from '../http.ts';
import type { NotifyEvent } from '../message.ts';

export const webhook = httpChannel({ id: 'webhook', variable: 'HOLDFAST_WEBHOOK_URL', label: 'webhook', body: webhookBody });

export const webhookTarget = webhook.target;

export function webhookBody(event: NotifyEvent): Record<string, unknown> {
  const { kind, ...fields } = event;
  return { event: kind, ...fields, source: 'holdfast' };
}
