// window.holdfast: one function per contract channel, a progress subscription and cancel — nothing
// else. The IPC event object never reaches the page (it carries the sender and ports).
import { IPC_CANCEL, IPC_PROGRESS, ipcChannel, type Channel, type ChannelFunctions, type HoldfastBridge, type ProgressEvent } from '../main/bridge.ts';

/** The parts of ipcRenderer the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: RendererIpc, channels: readonly Channel[], newCallId: () => string): HoldfastBridge {
  const functions: Record<string, (input: unknown, options?: { callId?: string }) => Promise<unknown>> = {};
  for (const channel of channels) {
    functions[channel] = (input, options) => {
      const callId = typeof options?.callId === 'string' ? options.callId : newCallId();
      return ipc.invoke(ipcChannel(channel), input, callId);
    };
  }
  return {
    channels: Object.freeze(functions) as unknown as ChannelFunctions,
    onProgress(listener) {
      const forward = (_event: unknown, callId: unknown, progress: unknown) => {
        if (typeof callId === 'string') listener(callId, progress as ProgressEvent);
      };
      ipc.on(IPC_PROGRESS, forward);
      return () => {
        ipc.removeListener(IPC_PROGRESS, forward);
      };
    },
    cancel(callId) {
      if (typeof callId === 'string') ipc.send(IPC_CANCEL, callId);
    },
  };
}
