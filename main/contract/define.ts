// What every room of the contract shares: the envelope a call answers, the context it runs in, and
// how one operation is defined (its zod input schema and its handler over the engine).
import * as z from 'zod';
import { lazySchema } from '../core/model/lazy-schema.ts';
import type { BackupProgress } from '../core/backup/backup.ts';
import type { ErrorInfo } from '../core/model/errors.ts';
import type { Holdfast } from '../core/holdfast.ts';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export interface CallContext {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent = { operation: 'backup'; progress: BackupProgress } | { operation: 'restore'; phase: string };

/**
 * One operation: its input schema, built on the first call that parses with it (every command loads
 * every channel; building all their schemas at load was paid by each start, issues 12 and 17), and
 * its handler.
 */
export function define<I extends z.ZodType, O>(input: () => I, handler: (holdfast: Holdfast, input: z.output<I>, context: CallContext) => Promise<O> | O) {
  return { input: lazySchema(input), handler };
}

/** A backup's cancel signal and progress, handed through from the call's context. */
export function backupHooks(context: CallContext): { signal?: AbortSignal; onProgress: (progress: BackupProgress) => void } {
  return { ...(context.signal ? { signal: context.signal } : {}), onProgress: (progress) => context.onProgress?.({ operation: 'backup', progress }) };
}
