// Stand-ins for Electron's IPC objects (the Electron binary cannot run in unit specs), and a throwaway
// Holdfast with its own HOLDFAST_HOME and a real catalogue.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config/config.ts';
import { Holdfast } from '../core/holdfast.ts';
import type { IpcEvent, IpcMainLike, IpcSender } from './ipc.ts';

type Handler = (event: IpcEvent, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    // Electron throws on a second handler for one channel; so does the stand-in.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Handler): this {
    this.listeners.set(channel, listener);
    return this;
  }
  removeListener(channel: string, listener: Handler): this {
    if (this.listeners.get(channel) === listener) this.listeners.delete(channel);
    return this;
  }
  /** What ipcRenderer.invoke does on the main side. */
  async invoke(event: IpcEvent, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
  /** What ipcRenderer.send does on the main side. */
  send(event: IpcEvent, channel: string, ...args: unknown[]): void {
    this.listeners.get(channel)?.(event, ...args);
  }
}

export class FakeSender implements IpcSender {
  readonly sent: unknown[][] = [];
  destroyed = false;
  constructor(readonly id: number) {}
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export function eventFrom(url: string | null, sender: IpcSender = new FakeSender(1)): IpcEvent {
  return { senderFrame: url === null ? null : { url }, sender };
}

export interface TempHoldfast {
  holdfast: Holdfast;
  home: string;
  close(): void;
}

export async function openTempHoldfast(env: Record<string, string> = {}): Promise<TempHoldfast> {
  const home = mkdtempSync(join(tmpdir(), 'holdfast-electron-'));
  const { holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_CONNECT_TIMEOUT_SECONDS: '1', ...env }));
  return {
    holdfast,
    home,
    close() {
      holdfast.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A TCP port that accepts connections and never says a word: a backup hangs in "connecting" until the connect timeout. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
