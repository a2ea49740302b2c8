// Electron transport: the preload's `window.holdfast` bridge. Each call gets an id so its progress
// events can be told apart and it can be cancelled.
import {
  cancelled,
  failure,
  type CallOptions,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type Envelope,
  type HoldfastBridge,
  type OperationView,
  type ProgressEvent,
  type Transport,
} from './types.ts';

let serial = 0;
function newCallId(): string {
  serial += 1;
  return `${Date.now().toString(36)}-${serial}-${Math.random().toString(36).slice(2, 8)}`;
}

export class IpcTransport implements Transport {
  readonly kind = 'ipc' as const;
  private readonly listeners = new Map<string, (event: ProgressEvent) => void>();

  constructor(private readonly bridge: HoldfastBridge) {
    bridge.onProgress((callId, event) => this.listeners.get(callId)?.(event));
  }

  async call<C extends Channel>(channel: C, input: ChannelInput<C>, options: CallOptions = {}): Promise<Envelope<ChannelOutput<C>>> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return cancelled();
    const callId = newCallId();
    if (onProgress) this.listeners.set(callId, onProgress);
    const onAbort = () => this.bridge.cancel(callId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // The bridge's map is keyed by channel; TypeScript cannot tie C's input to C's function here.
      const fn = this.bridge.channels[channel] as unknown as (input: ChannelInput<C>, options: { callId: string }) => Promise<Envelope<ChannelOutput<C>>>;
      if (typeof fn !== 'function') return failure(`This Holdfast app does not offer "${channel}".`, 'Update the desktop app.');
      return await fn(input, { callId });
    } catch (error) {
      return failure(`The desktop app's engine did not answer: ${(error as Error).message}`, 'Restart Holdfast.');
    } finally {
      this.listeners.delete(callId);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // The window owns its calls (quitting gives them a grace period, then cancels them): nothing runs
  // on in the engine for a reloaded window to find.
  async operations(): Promise<Envelope<OperationView[]>> {
    return { ok: true, value: [] };
  }

  async attach<O extends OperationView>(operation: O): Promise<Envelope<ChannelOutput<O['channel']>>> {
    return failure(`The desktop app has no operation ${operation.id} to follow.`);
  }
}
