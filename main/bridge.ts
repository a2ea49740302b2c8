// The shape the preload script exposes to the renderer as `window.holdfast` (Electron), and that the
// renderer's HTTP transport mirrors (`holdfast serve`). Types only: the renderer imports nothing
// from main at run time.
import type { Channel, ChannelInput, ChannelOutput, Envelope, ProgressEvent } from './contract.ts';

export type { Channel, ChannelInput, ChannelOutput, Envelope, ProgressEvent };

/** Every call may name itself, so its progress events can be told apart and it can be cancelled. */
export interface CallOptions {
  callId?: string;
}

export type ChannelFunctions = {
  [C in Channel]: (input: ChannelInput<C>, options?: CallOptions) => Promise<Envelope<ChannelOutput<C>>>;
};

export interface HoldfastBridge {
  /** One function per contract channel. */
  channels: ChannelFunctions;
  /** Progress of running calls; returns the unsubscribe function. */
  onProgress(listener: (callId: string, event: ProgressEvent) => void): () => void;
  /** Ends a running call (its result is then a CANCELLED error). */
  cancel(callId: string): void;
}

/** IPC channel names used between preload and main (one invoke channel per contract channel). */
export const IPC_PROGRESS = 'holdfast:progress';
export const IPC_CANCEL = 'holdfast:cancel';
export const ipcChannel = (channel: Channel) => `holdfast:rpc:${channel}`;
/**
 * The window's renderer gets the contract's channel names from main as this command-line argument
 * (webPreferences.additionalArguments), so the sandboxed preload, which cannot load zod or the
 * contract, exposes exactly the channels the running engine has.
 */
export const CHANNELS_ARGUMENT = '--holdfast-channels=';
