// The generic webhook (HOLDFAST_WEBHOOK_URL): `{ event: <kind>, ...fields, source: 'holdfast' }` as
// JSON, for scripts and services that read the fields rather than a message.
import type { NotifyChannel, NotifyTarget } from '../channel.ts';
import { postJson, webhookUrlFromEnv } from '../http.ts';
import type { NotifyEvent } from '../message.ts';

const LABEL = 'webhook';

export function webhookTarget(url: string): NotifyTarget {
  return { channel: 'webhook', label: LABEL, send: (event, timeoutMs) => postJson(url, webhookBody(event), { label: LABEL, timeoutMs }) };
}

export const webhook = {
  id: 'webhook',
  variables: ['HOLDFAST_WEBHOOK_URL'],
  fromEnv(env) {
    const url = webhookUrlFromEnv(env, 'HOLDFAST_WEBHOOK_URL');
    return url === undefined ? undefined : webhookTarget(url);
  },
} as const satisfies NotifyChannel<'webhook'>;

export function webhookBody(event: NotifyEvent): Record<string, unknown> {
  const { kind, ...fields } = event;
  return { event: kind, ...fields, source: 'holdfast' };
}
