// The shape every notification channel has (one module each under channels/): how its target is
// read from the environment, and how one attempt sends an event there. Retrying, filtering by
// HOLDFAST_NOTIFY_ON and keeping failures from the caller are the notifier's, not the channel's.
import type { Attempt } from './delivery.ts';
import type { NotifyEvent } from './message.ts';

export interface NotifyTarget {
  /** The channel's id, as outcomes and logs name it. */
  readonly channel: string;
  /** How errors name it ("Slack webhook"): never by its URL, which may carry the credential. */
  readonly label: string;
  /** One attempt; resolves with what happened (errors scrubbed of secrets), rejects only on a bug. */
  send(event: NotifyEvent, timeoutMs: number): Promise<Attempt>;
}

export interface NotifyChannel<Id extends string = string> {
  readonly id: Id;
  /** The environment variables that configure it, for the settings page and error hints. */
  readonly variables: readonly string[];
  /** Its target, or undefined when unset; a HoldfastError naming the variable (never its value) when invalid. */
  fromEnv(env: NodeJS.ProcessEnv): NotifyTarget | undefined;
}
