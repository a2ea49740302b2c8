// The IPC transport's bookkeeping over a stand-in bridge (the real one is Electron's preload): each
// call's progress reaches only its own listener, and aborting a call cancels it by its id.
import { describe, expect, test } from 'vitest';
import { IpcTransport } from './ipc.ts';
import type { HoldfastBridge, ProgressEvent } from './types.ts';

function fakeBridge() {
  let listener: ((callId: string, event: ProgressEvent) => void) | undefined;
  const cancelled: string[] = [];
  const pending = new Map<string, (value: unknown) => void>();
  const bridge = {
    channels: new Proxy(
      {},
      {
        get: (_target, channel: string) => (input: unknown, options: { callId: string }) =>
          new Promise((resolve) => {
            pending.set(options.callId, resolve);
            if (channel === 'profile.list') resolve({ ok: true, value: [{ input }] });
          }),
      },
    ),
    onProgress(next: (callId: string, event: ProgressEvent) => void) {
      listener = next;
      return () => undefined;
    },
    cancel(callId: string) {
      cancelled.push(callId);
      pending.get(callId)?.({ ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } });
    },
  } as unknown as HoldfastBridge;
  return { bridge, emit: (callId: string, event: ProgressEvent) => listener?.(callId, event), cancelled, pending };
}

describe('IpcTransport', () => {
  test('answers come back as the bridge gives them', async () => {
    const { bridge } = fakeBridge();
    expect(await new IpcTransport(bridge).call('profile.list', {})).toEqual({ ok: true, value: [{ input: {} }] });
  });

  test("progress goes to its own call's listener; abort cancels that call by id", async () => {
    const { bridge, emit, cancelled, pending } = fakeBridge();
    const transport = new IpcTransport(bridge);
    const a: ProgressEvent[] = [];
    const b: ProgressEvent[] = [];
    const controller = new AbortController();
    const first = transport.call('backup.restore', { ref: 'x', to: 'p' }, { onProgress: (e) => a.push(e), signal: controller.signal });
    const second = transport.call('backup.restore', { ref: 'y', to: 'p' }, { onProgress: (e) => b.push(e) });
    const [idA, idB] = [...pending.keys()];
    emit(idA!, { operation: 'restore', phase: 'restoring' });
    emit(idB!, { operation: 'restore', phase: 'verifying' });
    emit('someone-else', { operation: 'restore', phase: 'swapping' });
    controller.abort();
    expect(await first).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(cancelled).toEqual([idA]);
    expect(a).toEqual([{ operation: 'restore', phase: 'restoring' }]);
    expect(b).toEqual([{ operation: 'restore', phase: 'verifying' }]);
    pending.get(idB!)?.({ ok: true, value: 'done' });
    expect(await second).toEqual({ ok: true, value: 'done' });
  });
});
