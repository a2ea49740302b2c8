// Notification channels added in the app (Settings) beside the ones the environment sets: Slack, a
// generic webhook, Teams, Discord, email. The catalogue keeps each one's name, kind, which events it
// wants and what is not secret (an SMTP host, the recipients); its secret — a webhook URL, which
// carries its credential, or an SMTP password — goes to this host's secret store, never the
// catalogue. Each keeps the result of its last delivery, so the page can say whether it works.
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { newId } from '../catalogue/catalogue.ts';
import { HoldfastError } from '../model/errors.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { NotifyTarget } from './channel.ts';
import { discord } from './channels/discord.ts';
import { emailTarget, EmailSettingsSchema, type EmailSettings } from './channels/email.ts';
import { slack } from './channels/slack.ts';
import { teams } from './channels/teams.ts';
import { webhook } from './channels/webhook.ts';
import type { NotifyOutcome } from './delivery.ts';
import { isFailureEvent, type NotifyEvent } from './message.ts';

/** What a notice is about, beyond its wire kind: what a channel's `events` choice filters on. */
export type NotifyTopic = 'backup' | 'restore' | 'cleanup' | 'drill' | 'copy' | 'test';

/** failures: every failure; all: everything; drills: drill failures and drill databases left behind; copies: failed offsite copies. */
export const NOTIFY_EVENT_CHOICES = ['failures', 'all', 'drills', 'copies'] as const;
export type NotifyEventChoice = (typeof NOTIFY_EVENT_CHOICES)[number];

const HTTP_KINDS = { slack, webhook, teams, discord } as const;
export const APP_CHANNEL_KINDS = ['slack', 'webhook', 'teams', 'discord', 'email'] as const;
export type AppChannelKind = (typeof APP_CHANNEL_KINDS)[number];

export const ChannelNameSchema = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'give the channel a name')
    .max(64)
    .regex(/^[\w .@-]+$/, 'a channel name is letters, digits, spaces and . _ @ -'),
);

const WebhookUrl = lazySchema(() =>
  z
    .string()
    .trim()
    .max(2048)
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'the webhook URL must be an http(s) URL'),
);

export const NewChannelSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.enum(['slack', 'webhook', 'teams', 'discord']), name: ChannelNameSchema, events: z.enum(NOTIFY_EVENT_CHOICES).default('failures'), url: WebhookUrl }).strict(),
    z
      .object({
        kind: z.literal('email'),
        name: ChannelNameSchema,
        events: z.enum(NOTIFY_EVENT_CHOICES).default('failures'),
        email: EmailSettingsSchema,
        password: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ]),
);
export type NewChannel = z.input<typeof NewChannelSchema>;

export interface LastDelivery {
  ok: boolean;
  at: string;
  attempts: number;
  error?: string;
}

export interface ChannelView {
  name: string;
  kind: AppChannelKind;
  events: NotifyEventChoice;
  /** Where it goes, without its secret: the webhook's host, or the SMTP server and recipients. */
  where: string;
  lastDelivery: LastDelivery | null;
  createdAt: string;
}

interface ChannelRow {
  id: string;
  name: string;
  kind: AppChannelKind;
  events: NotifyEventChoice;
  settings: string;
  has_secret: number;
  last_result: string | null;
  created_at: string;
}

/** A target with the channel's own filter, and where its outcome is recorded. */
export interface AppTarget {
  target: NotifyTarget;
  wants(event: NotifyEvent, topic: NotifyTopic): boolean;
  record(outcome: NotifyOutcome): void;
}

export function wantsEvent(choice: NotifyEventChoice, event: NotifyEvent, topic: NotifyTopic): boolean {
  if (topic === 'test') return true;
  switch (choice) {
    case 'all':
      return true;
    case 'failures':
      return isFailureEvent(event);
    case 'drills':
      return topic === 'drill';
    case 'copies':
      return topic === 'copy';
  }
}

const secretAccount = (id: string) => `notify:${id}`;

export class AppChannels {
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
  ) {}

  list(): ChannelView[] {
    return this.rows().map(view);
  }

  /** Its secret goes to the secret store first: a channel is never listed without the secret it needs. */
  async add(raw: NewChannel): Promise<ChannelView> {
    const input = NewChannelSchema.parse(raw);
    if (this.row(input.name)) throw new HoldfastError('CONFLICT', `A notification channel named "${input.name}" already exists.`, 'Pick another name, or remove that channel first.');
    const id = newId();
    const secret = input.kind === 'email' ? input.password : input.url;
    const settings = input.kind === 'email' ? { email: input.email } : { host: new URL(input.url).host };
    if (secret !== undefined) await this.secrets.set(secretAccount(id), secret);
    const now = new Date().toISOString();
    try {
      this.db
        .prepare('INSERT INTO notify_channels (id, name, kind, events, settings, has_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, input.kind, input.events, JSON.stringify(settings), secret === undefined ? 0 : 1, now, now);
    } catch (error) {
      await this.secrets.delete(secretAccount(id)).catch(() => undefined);
      throw error;
    }
    return view(this.row(input.name)!);
  }

  async remove(name: string): Promise<{ removed: string }> {
    const row = this.require(name);
    this.db.prepare('DELETE FROM notify_channels WHERE id = ?').run(row.id);
    if (row.has_secret) await this.secrets.delete(secretAccount(row.id)).catch(() => undefined);
    return { removed: row.name };
  }

  /** Every channel as a target, its secret read now (a channel whose secret is gone fails its delivery, saying why). */
  async targets(): Promise<AppTarget[]> {
    return Promise.all(this.rows().map((row) => this.appTarget(row)));
  }

  async targetFor(name: string): Promise<AppTarget> {
    return this.appTarget(this.require(name));
  }

  private async appTarget(row: ChannelRow): Promise<AppTarget> {
    const secret = row.has_secret ? await this.secrets.get(secretAccount(row.id)) : undefined;
    const label = `${row.kind} channel "${row.name}"`;
    const settings = JSON.parse(row.settings) as { email?: EmailSettings };
    const target: NotifyTarget =
      row.kind === 'email'
        ? { ...emailTarget(settings.email!, secret, label), channel: row.name }
        : secret === undefined
          ? missingSecret(row.name, label)
          : { ...HTTP_KINDS[row.kind].target(secret), channel: row.name, label };
    return {
      target,
      wants: (event, topic) => wantsEvent(row.events, event, topic),
      record: (outcome) => {
        const last: LastDelivery = { ok: outcome.ok, at: new Date().toISOString(), attempts: outcome.attempts, ...(outcome.error ? { error: outcome.error } : {}) };
        this.db.prepare('UPDATE notify_channels SET last_result = ? WHERE id = ?').run(JSON.stringify(last), row.id);
      },
    };
  }

  private rows(): ChannelRow[] {
    return this.db.prepare('SELECT * FROM notify_channels ORDER BY name').all() as ChannelRow[];
  }

  private row(name: string): ChannelRow | undefined {
    return this.db.prepare('SELECT * FROM notify_channels WHERE name = ?').get(name) as ChannelRow | undefined;
  }

  private require(name: string): ChannelRow {
    const row = this.row(name);
    if (!row) throw new HoldfastError('NOT_FOUND', `No notification channel named "${name}".`, 'The Settings page lists the channels added in the app.');
    return row;
  }
}

function missingSecret(name: string, label: string): NotifyTarget {
  return {
    channel: name,
    label,
    send: async () => ({
      ok: false,
      retryable: false,
      error: `${label} has no webhook URL in this host's secret store (another host added it, or the store was reset): remove the channel and add it again here.`,
    }),
  };
}

function view(row: ChannelRow): ChannelView {
  const settings = JSON.parse(row.settings) as { host?: string; email?: EmailSettings };
  const where = settings.email ? `${settings.email.host}:${settings.email.port} → ${settings.email.to.join(', ')}` : (settings.host ?? '');
  return {
    name: row.name,
    kind: row.kind,
    events: row.events,
    where,
    lastDelivery: row.last_result ? (JSON.parse(row.last_result) as LastDelivery) : null,
    createdAt: row.created_at,
  };
}
