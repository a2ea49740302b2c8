// Email over SMTP (nodemailer): the title as the subject, the fields, error and hint as plain text.
// Configured by HOLDFAST_SMTP_URL (smtp[s]://user:password@host:port), HOLDFAST_EMAIL_FROM and
// HOLDFAST_EMAIL_TO, or as a channel added in the app (its password in the secret store). The
// password never appears in an attempt's error; a refused login is not retried, a busy server is.

import * as z from 'zod';
import { onFirstUse } from '../../process/first-use.ts';
import { lazySchema } from '../../model/lazy-schema.ts';
import { HoldfastError } from '../../model/errors.ts';
import type { NotifyChannel, NotifyTarget } from '../channel.ts';
import { scrub, type Attempt } from '../delivery.ts';
import { describeEvent, type NotifyEvent } from '../message.ts';

/** nodemailer, loaded when an email is sent: most commands never send one, and every command would pay its load. */
const loadNodemailer = onFirstUse(async () => (await import('nodemailer')).default);

const Address = lazySchema(() => z.string().trim().email('not an email address'));

/** What an email channel needs besides its password: stored as is (none of it is a secret). */
export const EmailSettingsSchema = lazySchema(() =>
  z
    .object({
      host: z.string().trim().min(1, 'give the SMTP server').max(255),
      port: z.number().int().min(1).max(65535).default(587),
      /** tls: TLS from the start (port 465); starttls: upgrade, required; none: plain (a local relay). */
      security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
      user: z.string().trim().max(255).optional(),
      from: Address,
      to: z.array(Address).min(1, 'give at least one recipient').max(20),
    })
    .strict(),
);

export type EmailSettings = z.output<typeof EmailSettingsSchema>;

export function emailText(event: NotifyEvent): { subject: string; text: string } {
  const { title, fields, failure } = describeEvent(event);
  const lines = [title, '', ...fields.map(([name, value]) => `${name}: ${value}`)];
  if (failure) lines.push('', `Error: ${failure.message}`, ...(failure.hint ? [`Hint: ${failure.hint}`] : []));
  lines.push('', `Holdfast · ${event.at}`);
  return { subject: title, text: `${lines.join('\n')}\n` };
}

export function emailTarget(settings: EmailSettings, password: string | undefined, label = 'email'): NotifyTarget {
  return {
    channel: 'email',
    label,
    async send(event, timeoutMs) {
      const transport = (await loadNodemailer()).createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.security === 'tls',
        requireTLS: settings.security === 'starttls',
        ignoreTLS: settings.security === 'none',
        ...(settings.user ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        const { subject, text } = emailText(event);
        await transport.sendMail({ from: settings.from, to: settings.to, subject, text });
        return { ok: true };
      } catch (error) {
        return emailFailure(error, label, password);
      } finally {
        transport.close();
      }
    },
  };
}

function emailFailure(error: unknown, label: string, password: string | undefined): Attempt {
  const detail = error as { code?: string; responseCode?: number; message?: string };
  const message = scrub(String(detail.message ?? error), password ? [password] : []);
  // 4xx: the server is busy or greylisting, try again; 5xx and a refused login: the request itself is wrong.
  const retryable = detail.code === 'EAUTH' ? false : detail.responseCode !== undefined ? detail.responseCode < 500 : true;
  return { ok: false, retryable, error: `${label} could not be sent: ${message}` };
}

/** HOLDFAST_SMTP_URL's parts; errors name the variable, never the URL (it carries the password). */
function fromEnv(env: NodeJS.ProcessEnv): NotifyTarget | undefined {
  const raw = env.HOLDFAST_SMTP_URL?.trim();
  if (!raw) return undefined;
  const refuse = (why: string) =>
    new HoldfastError(
      'BAD_INPUT',
      `Environment variable HOLDFAST_SMTP_URL is not valid: ${why}.`,
      'Set it to smtp://user:password@host:587 (or smtps://… for TLS on 465) with HOLDFAST_EMAIL_FROM and HOLDFAST_EMAIL_TO, or unset it.',
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('it is not a URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw refuse('it must start with smtp:// or smtps://');
  const parsed = EmailSettingsSchema.safeParse({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    security: url.protocol === 'smtps:' ? 'tls' : url.searchParams.get('security') === 'none' ? 'none' : 'starttls',
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    from: env.HOLDFAST_EMAIL_FROM ?? '',
    to: (env.HOLDFAST_EMAIL_TO ?? '')
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const variable = field === 'from' ? 'HOLDFAST_EMAIL_FROM' : field === 'to' ? 'HOLDFAST_EMAIL_TO' : 'HOLDFAST_SMTP_URL';
    throw new HoldfastError(
      'BAD_INPUT',
      `Environment variable ${variable} is not valid for email notifications: ${issue?.message ?? 'invalid value'}.`,
      'Set HOLDFAST_EMAIL_FROM to one address and HOLDFAST_EMAIL_TO to one or more, comma-separated.',
    );
  }
  return emailTarget(parsed.data, url.password ? decodeURIComponent(url.password) : undefined);
}

export const email: NotifyChannel<'email'> = { id: 'email', variables: ['HOLDFAST_SMTP_URL', 'HOLDFAST_EMAIL_FROM', 'HOLDFAST_EMAIL_TO'], fromEnv };
