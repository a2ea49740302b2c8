import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { channelsFromArgv } from '../../preload/channels.ts';
import { createBridge } from '../../preload/create-bridge.ts';
import { IPC_CANCEL, IPC_PROGRESS, ipcChannel } from '../bridge.ts';
import { contract, type CallContext, type Envelope, type ProgressEvent } from '../contract.ts';
import { APP_ENTRY } from './app-origin.ts';
import { registerIpc, type IpcRegistration } from './ipc.ts';
import { eventFrom, FakeIpcMain, FakeSender, openTempHoldfast, silentServer, type TempHoldfast } from './test-support.ts';
import { mainWindowOptions } from './window.ts';

let temp: TempHoldfast;
let ipcMain: FakeIpcMain;
let registration: IpcRegistration;

beforeAll(async () => {
  temp = await openTempHoldfast();
});
afterAll(() => temp.close());

function register(hooks: Parameters<typeof registerIpc>[2] = {}) {
  ipcMain = new FakeIpcMain();
  registration = registerIpc(ipcMain, temp.holdfast, hooks);
  return registration;
}
afterEach(() => registration?.dispose());

const fromApp = (sender = new FakeSender(1)) => eventFrom(APP_ENTRY, sender);

describe('registerIpc', () => {
  test('one handler per contract channel and a cancel listener; dispose removes them', () => {
    register();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      Object.keys(contract)
        .map((channel) => ipcChannel(channel as keyof typeof contract))
        .sort(),
    );
    expect([...ipcMain.listeners.keys()]).toEqual([IPC_CANCEL]);
    registration.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listeners.size).toBe(0);
  });

  test('calls from any frame but the app’s own page are refused and never reach the engine', async () => {
    register();
    const profile = { name: 'intruder', host: '127.0.0.1', port: 5432, user: 'u', dbname: 'd' };
    for (const url of ['https://evil.example/', 'http://127.0.0.1:5173/', 'file:///tmp/page.html', 'holdfast://evil/index.html', 'devtools://devtools/bundled/inspector.html', 'about:blank', null]) {
      await expect(ipcMain.invoke(eventFrom(url), ipcChannel('profile.add'), profile), String(url)).rejects.toThrow(/Refused/);
    }
    expect(await ipcMain.invoke(fromApp(), ipcChannel('profile.list'), {})).toEqual({ ok: true, value: [] });
  });

  test('the app’s page reaches the real engine through the contract', async () => {
    register();
    const added = (await ipcMain.invoke(fromApp(), ipcChannel('profile.add'), { name: 'local', host: '127.0.0.1', port: 5432, user: 'app', dbname: 'shop' })) as Envelope<{ name: string }>;
    expect(added).toMatchObject({ ok: true, value: { name: 'local' } });
    // Missing input is {} (as over HTTP).
    const listed = (await ipcMain.invoke(fromApp(), ipcChannel('profile.list'))) as Envelope<Array<{ name: string }>>;
    expect(listed.ok && listed.value.map((profile) => profile.name)).toEqual(['local']);
    expect(await ipcMain.invoke(fromApp(), ipcChannel('profile.show'), { name: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ipcMain.invoke(fromApp(), ipcChannel('profile.list'), { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('extra') } });
    expect(await ipcMain.invoke(fromApp(), ipcChannel('profile.list'), {}, 'bad id with spaces')).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await ipcMain.invoke(fromApp(), ipcChannel('profile.remove'), { name: 'local' })).toMatchObject({ ok: true });
  });

  test('progress of a real backup goes to the calling window only, tagged with the call id', async () => {
    const server = await silentServer();
    register();
    try {
      await temp.holdfast.addProfile({ name: 'silent', host: '127.0.0.1', port: server.port, user: 'app', dbname: 'shop' });
      const caller = new FakeSender(1);
      const bystander = new FakeSender(2);
      const result = (await ipcMain.invoke(fromApp(caller), ipcChannel('backup.create'), { profile: 'silent', options: {} }, 'call-1')) as Envelope<unknown>;
      expect(result.ok).toBe(false);
      expect(caller.sent[0]).toEqual([IPC_PROGRESS, 'call-1', { operation: 'backup', progress: expect.objectContaining({ phase: 'connecting' }) }]);
      expect(caller.sent.every(([channel, callId]) => channel === IPC_PROGRESS && callId === 'call-1')).toBe(true);
      expect(bystander.sent).toEqual([]);
    } finally {
      await temp.holdfast.removeProfile('silent', 'keep');
      await server.close();
    }
  });
});

describe('cancel', () => {
  /** An invoke that stays open until its signal aborts, as a long backup does. */
  const heldOpen = vi.fn(
    (_holdfast: unknown, _channel: unknown, _input: unknown, context: CallContext): Promise<Envelope<unknown>> =>
      new Promise((resolve) => {
        context.onProgress?.({ operation: 'restore', phase: 'restoring' } satisfies ProgressEvent);
        context.signal?.addEventListener('abort', () => resolve({ ok: false, error: { code: 'CANCELLED', message: 'cancelled' } }));
      }),
  );

  test('only the window that made the call can cancel it, and only from the app’s page', async () => {
    register({ invoke: heldOpen });
    const owner = new FakeSender(1);
    const pending = ipcMain.invoke(fromApp(owner), ipcChannel('backup.restore'), {}, 'restore-1');
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.waitFor(() => expect(registration.activeCalls).toBe(1));
    expect(await ipcMain.invoke(fromApp(owner), ipcChannel('backup.restore'), {}, 'restore-1')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    ipcMain.send(eventFrom('https://evil.example/', owner), IPC_CANCEL, 'restore-1');
    ipcMain.send(fromApp(new FakeSender(2)), IPC_CANCEL, 'restore-1');
    ipcMain.send(fromApp(owner), IPC_CANCEL, 'no-such-call');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    ipcMain.send(fromApp(owner), IPC_CANCEL, 'restore-1');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(owner.sent).toEqual([[IPC_PROGRESS, 'restore-1', { operation: 'restore', phase: 'restoring' }]]);
    expect(registration.activeCalls).toBe(0);
  });

  test('progress is not sent to a window that is gone', async () => {
    register({ invoke: heldOpen });
    const owner = new FakeSender(1);
    owner.destroyed = true;
    const pending = ipcMain.invoke(fromApp(owner), ipcChannel('backup.restore'), {}, 'restore-2');
    await vi.waitFor(() => expect(registration.activeCalls).toBe(1));
    registration.cancelAll();
    await pending;
    expect(owner.sent).toEqual([]);
  });

  test('on quit, calls in flight get a grace period and are then cancelled', async () => {
    register({ invoke: heldOpen });
    const pending = ipcMain.invoke(fromApp(), ipcChannel('backup.create'), {}, 'backup-1');
    await vi.waitFor(() => expect(registration.activeCalls).toBe(1));
    expect(await registration.settle(30)).toBe('cancelled');
    expect(await pending).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(await registration.settle(30)).toBe('finished');
  });
});

describe('the preload bridge over this IPC', () => {
  test('window.holdfast has one function per contract channel, onProgress and cancel, and reaches the engine', async () => {
    register();
    const sender = new FakeSender(7);
    const progressListeners = new Set<(event: unknown, ...args: unknown[]) => void>();
    // The renderer side of IPC, delivering main's sends to the page's listeners.
    sender.send = (channel: string, ...args: unknown[]) => {
      if (channel === IPC_PROGRESS) for (const listener of progressListeners) listener({ sender: 'not for the page' }, ...args);
    };
    const rendererIpc = {
      invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(fromApp(sender), channel, ...args),
      send: (channel: string, ...args: unknown[]) => ipcMain.send(fromApp(sender), channel, ...args),
      on: (_channel: string, listener: (event: unknown, ...args: unknown[]) => void) => progressListeners.add(listener),
      removeListener: (_channel: string, listener: (event: unknown, ...args: unknown[]) => void) => progressListeners.delete(listener),
    };
    const argv = mainWindowOptions({ preload: '/p.cjs' }).webPreferences!.additionalArguments!;
    let ids = 0;
    const bridge = createBridge(rendererIpc, channelsFromArgv(argv), () => `generated-${(ids += 1)}`);
    expect(Object.keys(bridge).sort()).toEqual(['cancel', 'channels', 'onProgress']);
    expect(Object.keys(bridge.channels).sort()).toEqual(Object.keys(contract).sort());
    expect(await bridge.channels['profile.list']({})).toEqual({ ok: true, value: [] });

    const server = await silentServer();
    try {
      await temp.holdfast.addProfile({ name: 'silent', host: '127.0.0.1', port: server.port, user: 'app', dbname: 'shop' });
      const seen: Array<[string, ProgressEvent]> = [];
      const unsubscribe = bridge.onProgress((callId, event) => seen.push([callId, event]));
      const result = await bridge.channels['backup.create']({ profile: 'silent', options: {} });
      expect(result.ok).toBe(false);
      expect(seen[0]).toEqual(['generated-2', { operation: 'backup', progress: expect.objectContaining({ phase: 'connecting' }) }]);
      unsubscribe();
      expect(progressListeners.size).toBe(0);
    } finally {
      await temp.holdfast.removeProfile('silent', 'keep');
      await server.close();
    }
  });
});
