import { describe, expect, test, vi } from 'vitest';
import { CHANNELS_ARGUMENT, IPC_CANCEL, IPC_PROGRESS, ipcChannel } from '../main/bridge.ts';
import { contract } from '../main/contract.ts';
import { channelsArgument, channelsFromArgv } from './channels.ts';
import { createBridge, type RendererIpc } from './create-bridge.ts';

describe('the preload’s channel list', () => {
  test('is exactly the contract’s channels, as main hands them over', () => {
    const argv = ['/opt/Holdfast/holdfast', '--type=renderer', channelsArgument(Object.keys(contract)), '--enable-sandbox'];
    expect(channelsFromArgv(argv)).toEqual(Object.keys(contract));
  });

  test('names that are not channel-shaped are dropped; no argument means no channels', () => {
    expect(channelsFromArgv([`${CHANNELS_ARGUMENT}profile.list,__proto__,constructor,a.b.c,../x,profile.list`])).toEqual(['profile.list', 'a.b.c']);
    expect(channelsFromArgv(['/opt/Holdfast/holdfast'])).toEqual([]);
  });
});

function fakeIpc() {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } })),
    send: vi.fn((_channel: string, ..._args: unknown[]) => {}),
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      listeners.get(channel)?.delete(listener);
    },
    emit(channel: string, ...args: unknown[]) {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: 'ipc internals', ports: [] }, ...args);
    },
    listenerCount: (channel: string) => listeners.get(channel)?.size ?? 0,
  };
  return ipc satisfies RendererIpc;
}

describe('createBridge', () => {
  test('exposes channels, onProgress and cancel, and nothing else', () => {
    const bridge = createBridge(fakeIpc(), Object.keys(contract) as Array<keyof typeof contract>, () => 'id');
    expect(Object.keys(bridge).sort()).toEqual(['cancel', 'channels', 'onProgress']);
    expect(Object.keys(bridge.channels)).toEqual(Object.keys(contract));
    expect(Object.isFrozen(bridge.channels)).toBe(true);
  });

  test('a channel function invokes its IPC channel with the input and a call id', async () => {
    const ipc = fakeIpc();
    const bridge = createBridge(ipc, ['profile.list', 'backup.create'], () => 'generated');
    await bridge.channels['profile.list']({});
    await bridge.channels['backup.create']({ profile: 'prod', options: {} }, { callId: 'mine' });
    expect(ipc.invoke.mock.calls).toEqual([
      [ipcChannel('profile.list'), {}, 'generated'],
      [ipcChannel('backup.create'), { profile: 'prod', options: {} }, 'mine'],
    ]);
  });

  test('progress listeners get (callId, event) but never the IPC event; unsubscribe stops them', () => {
    const ipc = fakeIpc();
    const bridge = createBridge(ipc, [], () => 'id');
    const listener = vi.fn();
    const unsubscribe = bridge.onProgress(listener);
    ipc.emit(IPC_PROGRESS, 'call-1', { operation: 'restore', phase: 'restoring' });
    ipc.emit(IPC_PROGRESS, 42, { operation: 'restore', phase: 'ignored' });
    expect(listener.mock.calls).toEqual([['call-1', { operation: 'restore', phase: 'restoring' }]]);
    unsubscribe();
    expect(ipc.listenerCount(IPC_PROGRESS)).toBe(0);
  });

  test('cancel sends the call id; anything else is ignored', () => {
    const ipc = fakeIpc();
    const bridge = createBridge(ipc, [], () => 'id');
    bridge.cancel('call-1');
    bridge.cancel({ toString: () => 'x' } as unknown as string);
    expect(ipc.send.mock.calls).toEqual([[IPC_CANCEL, 'call-1']]);
  });
});
