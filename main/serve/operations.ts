// Long, state-changing operations started through `holdfast serve` — a backup, a verify, a restore
// drill, a restore — run in the server, not in the request that started them: a reloaded or closed
// tab, or a dropped connection, leaves them running (a backup used to die with its tab, recorded as
// cancelled by whoever started it). Each is registered here with who started it and its progress so
// far (bounded), so a page finds it after a reload and attaches to its progress again. Only an
// explicit cancel, by someone holding the role that starting it needed, ends one early, and the audit
// log names who did. Reads stay tied to their request: closing it still cancels them.
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import { LONG_RUNNING_CHANNELS, type ChannelRole, type LongRunningChannel } from '../channels.ts';
import { contract, type CallContext, type Channel, type ChannelOutput, type Envelope, type ProgressEvent } from '../contract.ts';
import { channelRole, hasRole, type Principal } from './auth.ts';
import type { ApiError } from './respond.ts';

/** Channels whose calls run detached from their request: the long-running ones (main/channels.ts). */
export const DETACHED_CHANNELS = LONG_RUNNING_CHANNELS;
export type DetachedChannel = LongRunningChannel;

type ParsedInput<C extends Channel> = z.output<(typeof contract)[C]['input']>;
/** `input` as the contract parsed it (defaults filled in); `raw` as it came, which is what runs. */
export type DetachedCall = { [C in DetachedChannel]: { channel: C; input: ParsedInput<C>; raw: unknown } }[DetachedChannel];

/**
 * The call as it runs detached, or undefined when it stays tied to its request: another channel, input
 * the contract will refuse (answered at once, never registered), or a restore's dry run, which only reads.
 */
export function detachedCall(channel: string, raw: unknown): DetachedCall | undefined {
  if (!(DETACHED_CHANNELS as readonly string[]).includes(channel)) return undefined;
  const parsed = contract[channel as DetachedChannel].input.safeParse(raw);
  if (!parsed.success) return undefined;
  const call = { channel, input: parsed.data, raw } as DetachedCall;
  return (call.channel === 'backup.restore' || call.channel === 'restore.start') && call.input.dryRun ? undefined : call;
}

/** What an operation works on, as the audit log names it: the profile backed up, or the backup's ref. */
export function operationTarget(call: DetachedCall): string {
  if (call.channel === 'backup.create' || call.channel === 'backup.take') return call.input.profile;
  if (call.channel === 'copies.retry') return call.input.ref ?? 'every copy not verified';
  return call.channel === 'schedule.runNow' ? `schedule ${call.input.id}` : call.input.ref;
}

export const OPERATION_STATES = ['running', 'finished'] as const;

/** An operation as the API shows it. */
export type OperationView = {
  [C in DetachedChannel]: {
    id: string;
    channel: C;
    input: ParsedInput<C>;
    startedBy: string;
    startedAt: string;
    state: (typeof OPERATION_STATES)[number];
    /** The latest progress event, if any. */
    progress: ProgressEvent | null;
    /** Who asked for it to end, once someone has. */
    cancelledBy: string | null;
  };
}[DetachedChannel];

export interface OperationListener {
  progress(event: ProgressEvent): void;
  result(envelope: Envelope<unknown>): void;
}

export interface OperationLimits {
  /** Progress steps kept to replay to a page that attaches late (a step: one backup phase, one restore phase). */
  events: number;
  /** Finished operations kept, with their results, for a page that comes back after the end... */
  finished: number;
  /** ...for at most this long. */
  finishedForMs: number;
}

const DEFAULT_LIMITS: OperationLimits = { events: 100, finished: 50, finishedForMs: 15 * 60_000 };

/** Who ended the operations still running when the server stopped, in the audit log. */
export const SERVER_STOPPING = 'holdfast serve';

interface Operation {
  readonly id: string;
  readonly call: DetachedCall;
  readonly role: ChannelRole;
  readonly startedBy: string;
  readonly startedAt: Date;
  readonly abort: AbortController;
  readonly events: ProgressEvent[];
  readonly listeners: Set<OperationListener>;
  result: Envelope<unknown> | undefined;
  finishedAtMs: number | undefined;
  cancelledBy: string | null;
  readonly finished: Promise<Envelope<unknown>>;
}

export type CancelAnswer = { ok: true; value: OperationView } | { ok: false; error: ApiError };

/**
 * Progress steps: a backup reports its bytes every half second within a phase, so each report
 * replaces the last one of the same phase; a new phase (or restore phase) is a step of its own.
 */
function sameStep(a: ProgressEvent, b: ProgressEvent): boolean {
  // A whole-server set reports several databases at once: each database's phase is a step of its own.
  if (a.operation === 'backup' && b.operation === 'backup') return a.progress.phase === b.progress.phase && a.progress.database === b.progress.database;
  return a.operation === 'restore' && b.operation === 'restore' && a.phase === b.phase;
}

/** What the registry needs from the server: a way to run a contract call as someone, and the audit log. */
export interface OperationHost {
  /** Runs a contract call for the named user (the audit log's actor); never throws. */
  run(channel: Channel, raw: unknown, actor: string, context: CallContext): Promise<Envelope<unknown>>;
  audit(actor: string, action: string, target: string | null, detail?: Record<string, unknown>): void;
}

export class Operations {
  /** Running ones, and finished ones for a while (see OperationLimits). */
  private readonly operations = new Map<string, Operation>();
  private readonly limits: OperationLimits;

  constructor(
    private readonly host: OperationHost,
    limits: Partial<OperationLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Registers the call and starts it with a signal and a progress sink of its own, never its request's. */
  start(call: DetachedCall, principal: Principal): OperationView {
    this.prune();
    let settle!: (result: Envelope<unknown>) => void;
    const operation: Operation = {
      id: randomBytes(16).toString('base64url'),
      call,
      role: channelRole(call.channel, call.raw),
      startedBy: principal.name,
      startedAt: new Date(this.now()),
      abort: new AbortController(),
      events: [],
      listeners: new Set(),
      result: undefined,
      finishedAtMs: undefined,
      cancelledBy: null,
      finished: new Promise((resolve) => (settle = resolve)),
    };
    this.operations.set(operation.id, operation);
    const onProgress = (event: ProgressEvent) => {
      const last = operation.events.at(-1);
      if (last && sameStep(last, event)) operation.events[operation.events.length - 1] = event;
      else operation.events.push(event);
      if (operation.events.length > this.limits.events) operation.events.shift();
      for (const listener of operation.listeners) listener.progress(event);
    };
    // invoke() never throws; the catch is for a bug, which must not leave the operation running forever.
    void this.host
      .run(call.channel, call.raw, principal.name, { signal: operation.abort.signal, onProgress })
      .catch((error: unknown): Envelope<unknown> => ({ ok: false, error: { code: 'INTERNAL', message: (error as Error).message } }))
      .then((result) => {
        operation.result = result;
        operation.finishedAtMs = this.now();
        settle(result);
        for (const listener of operation.listeners) listener.result(result);
        operation.listeners.clear();
      });
    return this.view(operation);
  }

  /**
   * A contract call made by an HTTP request: a detached one is registered and runs whatever becomes of
   * the request; any other ends when `signal` (the request going away) aborts. Without a principal (a
   * public health check) it runs as anonymous, and never detached.
   */
  call<C extends Channel>(channel: C, raw: unknown, principal: Principal | null, signal: AbortSignal): Promise<Envelope<ChannelOutput<C>>> {
    const detached = principal ? detachedCall(channel, raw) : undefined;
    const result = !principal || !detached ? this.host.run(channel, raw, principal?.name ?? 'anonymous', { signal }) : this.operations.get(this.start(detached, principal).id)!.finished;
    // The host runs the contract's handler for `channel`, so the envelope holds that channel's output.
    return result as Promise<Envelope<ChannelOutput<C>>>;
  }

  /** The operation's result, once it has one. */
  finished(id: string): Promise<Envelope<unknown>> | undefined {
    return this.operations.get(id)?.finished;
  }

  /** Operations the principal may see (those it holds the role for), or only those it started; oldest first. */
  list(principal: Principal, filter: { mine?: boolean } = {}): OperationView[] {
    this.prune();
    return [...this.operations.values()].filter((operation) => hasRole(principal, operation.role) && (!filter.mine || operation.startedBy === principal.name)).map((operation) => this.view(operation));
  }

  /** The operation, if it exists and the principal may see it. */
  find(id: string, principal: Principal): OperationView | undefined {
    this.prune();
    const operation = this.operations.get(id);
    return operation && hasRole(principal, operation.role) ? this.view(operation) : undefined;
  }

  /**
   * Replays the progress kept so far to the listener, then passes on what comes, then the result
   * (at once when finished already). Returns the detach function.
   */
  attach(id: string, listener: OperationListener): () => void {
    const operation = this.operations.get(id);
    if (!operation) return () => undefined;
    for (const event of operation.events) listener.progress(event);
    if (operation.result) {
      listener.result(operation.result);
      return () => undefined;
    }
    operation.listeners.add(listener);
    return () => operation.listeners.delete(listener);
  }

  /** Asks a running operation to end; its result then says CANCELLED. Audited with who asked. */
  cancel(id: string, principal: Principal): CancelAnswer {
    this.prune();
    const operation = this.operations.get(id);
    if (!operation)
      return { ok: false, error: { code: 'NOT_FOUND', message: `No operation ${id} is running here.`, hint: 'GET /api/operations lists them; a finished one is kept for a while, then forgotten.' } };
    if (!hasRole(principal, operation.role)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: `Cancelling this ${operation.call.channel} needs a ${operation.role}, as starting it did; ${principal.name} is ${principal.role}.` } };
    }
    if (operation.result) return { ok: false, error: { code: 'CONFLICT', message: `Operation ${id} has finished already; there is nothing to cancel.` } };
    if (operation.cancelledBy === null) this.end(operation, principal.name);
    return { ok: true, value: this.view(operation) };
  }

  /** The server is stopping: every running operation is cancelled, and this waits until each has ended. */
  async stop(): Promise<void> {
    const running = [...this.operations.values()].filter((operation) => !operation.result);
    for (const operation of running) if (operation.cancelledBy === null) this.end(operation, SERVER_STOPPING);
    await Promise.all(running.map((operation) => operation.finished));
  }

  private end(operation: Operation, by: string): void {
    operation.cancelledBy = by;
    this.host.audit(by, 'operation.cancel', operationTarget(operation.call), { operation: operation.id, channel: operation.call.channel, startedBy: operation.startedBy });
    operation.abort.abort();
  }

  /** Finished operations past their time, and beyond the number kept, are forgotten, oldest first. */
  private prune(): void {
    const finished = [...this.operations.values()].filter((operation) => operation.finishedAtMs !== undefined);
    const expired = finished.filter((operation, index) => this.now() - operation.finishedAtMs! > this.limits.finishedForMs || index < finished.length - this.limits.finished);
    for (const operation of expired) this.operations.delete(operation.id);
  }

  private view(operation: Operation): OperationView {
    return {
      id: operation.id,
      channel: operation.call.channel,
      input: operation.call.input,
      startedBy: operation.startedBy,
      startedAt: operation.startedAt.toISOString(),
      state: operation.result ? 'finished' : 'running',
      progress: operation.events.at(-1) ?? null,
      cancelledBy: operation.cancelledBy,
    } as OperationView;
  }
}
