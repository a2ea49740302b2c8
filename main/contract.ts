// The one typed contract. Every operation is defined once — channel, zod input schema, handler — in
// a room of main/contract/, and the three shells (CLI, Electron IPC, HTTP) only parse input with the
// schema, call the handler and return the envelope. Adding an operation means adding one entry to a
// room (and its facts to main/channels.ts).
import * as z from 'zod';
import type { CHANNELS } from './channels.ts';
import { HoldfastError, toErrorInfo } from './core/model/errors.ts';
import type { Holdfast } from './core/holdfast.ts';
import { adminChannels } from './contract/admin.ts';
import { backupsChannels } from './contract/backups.ts';
import { checksChannels } from './contract/checks.ts';
import type { CallContext, Envelope } from './contract/define.ts';
import { offsiteChannels } from './contract/offsite.ts';
import { profilesChannels } from './contract/profiles.ts';
import { restoresChannels } from './contract/restores.ts';
import { schedulesChannels } from './contract/schedules.ts';
import { settingsChannels } from './contract/settings.ts';
import { describeZodError } from './contract/zod-errors.ts';

export type { CallContext, Envelope, ProgressEvent } from './contract/define.ts';
export { describeZodError } from './contract/zod-errors.ts';

export const contract = {
  ...profilesChannels,
  ...backupsChannels,
  ...checksChannels,
  ...restoresChannels,
  ...offsiteChannels,
  ...schedulesChannels,
  ...settingsChannels,
  ...adminChannels,
} as const;

export type Channel = keyof typeof contract;

// Each channel's facts (changes state, role, long-running) live in main/channels.ts: a channel in
// one and not the other does not compile.
type Missing<A, B> = Exclude<keyof A, keyof B>;
const everyChannelHasFacts: [Missing<typeof contract, typeof CHANNELS>, Missing<typeof CHANNELS, typeof contract>] extends [never, never] ? true : never = true;
void everyChannelHasFacts;
export type ChannelInput<C extends Channel> = z.input<(typeof contract)[C]['input']>;
export type ChannelOutput<C extends Channel> = Awaited<ReturnType<(typeof contract)[C]['handler']>>;

/** Parse, call, and wrap: the only way a shell reaches the engine. Never throws. */
export async function invoke<C extends Channel>(holdfast: Holdfast, channel: C, raw: unknown, context: CallContext = {}): Promise<Envelope<ChannelOutput<C>>> {
  const entry = contract[channel];
  if (!entry) return { ok: false, error: { code: 'BAD_INPUT', message: `Unknown operation "${String(channel)}".` } };
  const parsed = entry.input.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: { code: 'BAD_INPUT', message: `Invalid input for ${channel}: ${describeZodError(parsed.error)}`, hint: 'Fix the named field and try again.' } };
  }
  try {
    const handler = entry.handler as (h: Holdfast, i: unknown, c: CallContext) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
    return { ok: true, value: await handler(holdfast, parsed.data, context) };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, error: { code: 'BAD_INPUT', message: describeZodError(error) } };
    return { ok: false, error: error instanceof HoldfastError ? error.toInfo() : toErrorInfo(error) };
  }
}
