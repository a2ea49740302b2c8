// Facts about each contract channel, stated once. Import-free, so the renderer (bundled by Vite), the
// preload, Electron's main process and `holdfast serve` all read the same table; main/contract.ts is
// checked against it at compile time, and channels.test.ts fails when a channel is added to one and
// not the other.
//
// - changesState: whether a call changes anything (serve audits every such call). The tray does not
//   read it: it redraws on the engine's events (core/events), whoever made the change.
// - role: the role a call needs in `holdfast serve` before its input is looked at. serve/auth.ts may
//   raise an admin channel to super-admin for some inputs (tags, where a profile connects, paths on
//   the host); it never lowers one. 'host-only': never over `holdfast serve`, whoever asks — only the
//   CLI on the host and the desktop app (an age identity's secret does not cross the network).
// - longRunning: it reports progress as it goes, and under serve it runs in the server, not in the
//   request: closing the page does not end it, only an explicit cancel does (serve/operations.ts).
// - reachesOut (optional): a read that makes the host connect wherever its input says (testing a typed
//   connection); serve audits it like a change, so probing hosts and ports from the server leaves a trail.

export type ChannelRole = 'admin' | 'super-admin' | 'host-only';

export interface ChannelFacts {
  readonly changesState: boolean;
  readonly role: ChannelRole;
  readonly longRunning: boolean;
  readonly reachesOut?: true;
}

const read = { changesState: false, role: 'admin', longRunning: false } as const;
const outboundRead = { ...read, reachesOut: true } as const;
const change = { changesState: true, role: 'admin', longRunning: false } as const;
const superChange = { changesState: true, role: 'super-admin', longRunning: false } as const;
const longChange = { changesState: true, role: 'admin', longRunning: true } as const;

export const CHANNELS = {
  'profile.add': change,
  'profile.edit': change,
  'profile.list': read,
  'profile.show': read,
  'profile.test': read,
  'profile.testDraft': outboundRead,
  'profile.databases': read,
  'profile.remove': change,
  'profile.import': change,
  'backup.create': longChange,
  'backup.take': longChange,
  'backup.list': read,
  'backup.page': read,
  'backup.show': read,
  'run.toolOutput': read,
  'set.show': read,
  'set.list': read,
  'backup.verify': longChange,
  'backup.check': longChange,
  'backup.verifyCopies': longChange,
  'copies.retry': longChange,
  'copies.cleanup': change,
  'backup.testRestore': longChange,
  'drill.start': longChange,
  'backup.restore': { changesState: true, role: 'super-admin', longRunning: true },
  'restore.start': { changesState: true, role: 'super-admin', longRunning: true },
  'restore.recover': superChange,
  'schedule.add': change,
  'schedule.list': read,
  'schedule.pause': change,
  'schedule.resume': change,
  'schedule.remove': change,
  'schedule.runNow': longChange,
  'schedule.edit': change,
  'schedule.hosts': read,
  'audit.list': read,
  'backup.cleanup': change,
  'retention.preview': read,
  'backup.stats': read,
  'backup.health': read,
  'backup.pin': change,
  'backup.delete': change,
  'settings.get': read,
  'config.list': read,
  'config.get': read,
  // A setting can name a directory on the host (the backup directory): super-admin, as adopt is.
  'config.set': superChange,
  'log.read': read,
  'notify.list': read,
  // A channel holds a credential (a webhook URL, an SMTP password) and says where news of backups goes: super-admin, as a destination is.
  'notify.add': superChange,
  'notify.remove': superChange,
  // Sends one test message and records its result; changes nothing else.
  'notify.test': { changesState: false, role: 'admin', longRunning: false },
  'backup.adopt': superChange,
  // Reads a path on the host and copies it into BACKUP_DIR: super-admin, as adopt is.
  'backup.import': superChange,
  'backup.running': read,
  'user.add': superChange,
  'user.list': { changesState: false, role: 'super-admin', longRunning: false },
  'user.remove': superChange,
  'user.rotate': superChange,
  'key.generate': superChange,
  'key.import': superChange,
  'key.addPassphrase': superChange,
  // It answers a secret: only on the host (the CLI, the desktop app), never over holdfast serve.
  'key.export': { changesState: false, role: 'host-only', longRunning: false },
  'key.list': read,
  // A destination is paths on the host or credentials: super-admin to add or remove it.
  'destination.add': superChange,
  'destination.edit': superChange,
  'destination.list': read,
  'destination.show': read,
  // A first test of an SFTP destination pins the server's host key: a change of what is trusted.
  'destination.test': superChange,
  'destination.remove': superChange,
} as const satisfies Record<string, ChannelFacts>;

export type ChannelName = keyof typeof CHANNELS;

export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[];

export function channelFacts(channel: string): ChannelFacts | undefined {
  return Object.hasOwn(CHANNELS, channel) ? CHANNELS[channel as ChannelName] : undefined;
}

export type LongRunningChannel = { [K in ChannelName]: (typeof CHANNELS)[K]['longRunning'] extends true ? K : never }[ChannelName];

/** Channels whose calls report progress and, under serve, outlive the request that started them. */
export const LONG_RUNNING_CHANNELS = CHANNEL_NAMES.filter((name): name is LongRunningChannel => CHANNELS[name].longRunning) as [LongRunningChannel, ...LongRunningChannel[]];
