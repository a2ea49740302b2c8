// The contract over Electron IPC: one ipcMain.handle per contract channel, each one checking that the
// call comes from the app's own page, then going through invoke() (zod parse, handler, envelope) like
// the CLI and HTTP shells. Progress goes back to the calling window tagged with the call's id, and
// IPC_CANCEL(callId) aborts that call's AbortSignal.
import { IPC_CANCEL, IPC_PROGRESS, ipcChannel } from '../bridge.ts';
import { contract, invoke, type CallContext, type Channel, type Envelope, type ProgressEvent } from '../contract.ts';
import type { Holdfast } from '../core/holdfast.ts';
import { isAppUrl } from './app-origin.ts';
import { settleWithin } from './settle.ts';

export interface IpcSender {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** The parts of IpcMainInvokeEvent / IpcMainEvent the handlers use. */
export interface IpcEvent {
  readonly senderFrame: { readonly url: string } | null;
  readonly sender: IpcSender;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => void): unknown;
}

/** What the tray shows comes from the engine's events (desktop.ts), not from watching these calls. */
export interface IpcHooks {
  log?(message: string): void;
  /** The contract's invoke(); replaceable so a spec can hold a call open to cancel it. */
  invoke?: (holdfast: Holdfast, channel: Channel, input: unknown, context: CallContext) => Promise<Envelope<unknown>>;
}

export interface IpcRegistration {
  /** Calls in flight. */
  readonly activeCalls: number;
  /** Aborts every call in flight. */
  cancelAll(): void;
  /** On quit: calls in flight get `graceMs` to finish, then are cancelled; resolves when all have ended. */
  settle(graceMs: number): Promise<'finished' | 'cancelled'>;
  /** Removes every handler this registration added. */
  dispose(): void;
}

const CALL_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Only the app's own page (holdfast://app/…) may reach the engine; anything else is refused. */
export function isTrustedSender(event: IpcEvent): boolean {
  return isAppUrl(event.senderFrame?.url);
}

function describeSender(event: IpcEvent): string {
  const url = event.senderFrame?.url;
  if (!url) return 'a destroyed or unknown frame';
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'a frame with an unparseable URL';
  }
}

export function registerIpc(ipcMain: IpcMainLike, holdfast: Holdfast, hooks: IpcHooks = {}): IpcRegistration {
  const calls = new Map<string, { controller: AbortController; senderId: number }>();
  const controllers = new Map<AbortController, Promise<unknown>>();
  const channels = Object.keys(contract) as Channel[];
  const call = hooks.invoke ?? invoke;

  for (const channel of channels) {
    ipcMain.handle(ipcChannel(channel), async (event, rawInput, rawCallId): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event)) {
        hooks.log?.(`refused IPC ${channel} from ${describeSender(event)}`);
        // A rejection, not an envelope: a foreign page gets no contract-shaped answer at all.
        throw new Error('Refused: only the Holdfast window may call Holdfast.');
      }
      if (rawCallId !== undefined && (typeof rawCallId !== 'string' || !CALL_ID.test(rawCallId))) {
        return { ok: false, error: { code: 'BAD_INPUT', message: 'A call id is 1–128 letters, digits, "-" or "_".' } };
      }
      const callId = rawCallId as string | undefined;
      if (callId !== undefined && calls.has(callId)) {
        return { ok: false, error: { code: 'CONFLICT', message: `Call id ${callId} is already in use by a running call.`, hint: 'Give every call its own id.' } };
      }
      const controller = new AbortController();
      let finished: () => void = () => {};
      controllers.set(controller, new Promise<void>((resolve) => (finished = resolve)));
      if (callId !== undefined) calls.set(callId, { controller, senderId: event.sender.id });
      const sender = event.sender;
      const onProgress =
        callId === undefined
          ? undefined
          : (progress: ProgressEvent) => {
              if (!sender.isDestroyed()) sender.send(IPC_PROGRESS, callId, progress);
            };
      try {
        return await call(holdfast, channel, rawInput ?? {}, { signal: controller.signal, ...(onProgress ? { onProgress } : {}) });
      } finally {
        controllers.delete(controller);
        finished();
        if (callId !== undefined) calls.delete(callId);
      }
    });
  }

  const onCancel = (event: IpcEvent, callId: unknown) => {
    if (!isTrustedSender(event)) {
      hooks.log?.(`refused IPC cancel from ${describeSender(event)}`);
      return;
    }
    const call = typeof callId === 'string' ? calls.get(callId) : undefined;
    // A window may cancel only its own calls.
    if (call && call.senderId === event.sender.id) call.controller.abort();
  };
  ipcMain.on(IPC_CANCEL, onCancel);

  return {
    get activeCalls() {
      return controllers.size;
    },
    cancelAll() {
      for (const controller of controllers.keys()) controller.abort();
    },
    settle(graceMs) {
      const inFlight = [...controllers];
      return settleWithin(
        inFlight.map(([, done]) => done),
        graceMs,
        () => inFlight.forEach(([controller]) => controller.abort()),
      );
    },
    dispose() {
      for (const channel of channels) ipcMain.removeHandler(ipcChannel(channel));
      ipcMain.removeListener(IPC_CANCEL, onCancel);
    },
  };
}
