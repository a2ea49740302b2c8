// The one API client the stores use. Electron's preload exposes `window.holdfast`; in a browser
// opened from `holdfast serve` there is none, and calls go over HTTP to the page's own origin.
import { HttpTransport } from './http.ts';
import { IpcTransport } from './ipc.ts';
import type { CallOptions, Channel, ChannelInput, ChannelOutput, Envelope, HoldfastBridge, OperationView, Transport } from './types.ts';

export interface ApiClient {
  readonly transport: Transport['kind'];
  call<C extends Channel>(channel: C, input: ChannelInput<C>, options?: CallOptions): Promise<Envelope<ChannelOutput<C>>>;
  operations(): Promise<Envelope<OperationView[]>>;
  attach<O extends OperationView>(operation: O, options?: CallOptions): Promise<Envelope<ChannelOutput<O['channel']>>>;
  /** Present where the transport can upload (a browser against holdfast serve). */
  uploadDump?: Transport['uploadDump'];
}

export function createClient(transport: Transport): ApiClient {
  return {
    transport: transport.kind,
    call: (channel, input, options) => transport.call(channel, input, options),
    operations: () => transport.operations(),
    attach: (operation, options) => transport.attach(operation, options),
    ...(transport.uploadDump ? { uploadDump: transport.uploadDump.bind(transport) } : {}),
  };
}

export function pickTransport(scope: { holdfast?: HoldfastBridge | undefined }): Transport {
  return scope.holdfast ? new IpcTransport(scope.holdfast) : new HttpTransport();
}

declare global {
  interface Window {
    holdfast?: HoldfastBridge;
  }
}

export const api: ApiClient = createClient(pickTransport(typeof window === 'undefined' ? {} : window));
