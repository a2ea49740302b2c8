// The contract's settings room. Settings changed in the app, notification channels, statistics and health.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { settingsView } from '../core/config/settings-view.ts';
import { ChannelNameSchema, NewChannelSchema } from '../core/notify/app-channels.ts';
import { addNotifyChannel, removeNotifyChannel, testNotifyChannel } from '../core/notify/operations.ts';
import { define } from './define.ts';
import { SettingName } from './fields.ts';

export const settingsChannels = {
  'backup.stats': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.stats(),
  ),
  'backup.health': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.health(),
  ),
  'settings.get': define(
    () => z.object({}).strict(),
    (holdfast) => settingsView(holdfast),
  ),
  // Settings changed in the app: the value as its environment variable would hold it; null resets it to the default.
  'config.list': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.settings.entries(),
  ),
  'config.get': define(
    () => z.object({ name: SettingName }).strict(),
    (holdfast, input) => holdfast.settings.entry(input.name),
  ),
  'config.set': define(
    () => z.object({ name: SettingName, value: z.string().max(4096).nullable() }).strict(),
    (holdfast, input) => holdfast.settings.change(input.name, input.value, holdfast.events),
  ),
  // Notification channels added in the app; a webhook URL or SMTP password crosses the contract only on its way to the secret store.
  'notify.list': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.notifyChannels.list(),
  ),
  'notify.add': define(
    () => NewChannelSchema,
    (holdfast, input) => addNotifyChannel(holdfast, input),
  ),
  'notify.remove': define(
    () => z.object({ name: ChannelNameSchema }).strict(),
    (holdfast, input) => removeNotifyChannel(holdfast, input.name),
  ),
  'notify.test': define(
    () => z.object({ name: ChannelNameSchema }).strict(),
    (holdfast, input) => testNotifyChannel(holdfast, input.name),
  ),
} as const;
