// HTTP transport for `holdfast serve`: POST /api/rpc/<channel> with the session cookie and the CSRF
// header (double submit: the page echoes the readable holdfast_csrf cookie). Long operations ask for
// Server-Sent Events and read them from the fetch body, so progress arrives as it happens. A backup,
// verify, drill or restore runs in the server whatever becomes of this page: its stream opens with the
// operation's id, aborting asks the server to cancel it (closing the page does not), a dropped stream
// is picked up again by id, and after a reload operations() and attach() find it and follow it again.
// Any other call is cancelled by closing its request.
import { LONG_RUNNING_CHANNELS } from '../../../main/channels.ts';
import { UPLOAD_PATH } from '../../../main/serve/rest/upload-path.ts';
import { CSRF_COOKIE, readCookie } from './csrf.ts';
import { takeEarlyResponse } from './early-request.ts';
import { SseParser } from './sse.ts';
import {
  cancelled,
  failure,
  type CallOptions,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type Envelope,
  type ErrorInfo,
  type OperationView,
  type ProgressEvent,
  type Transport,
  type UploadedFile,
} from './types.ts';

/** Channels whose calls can run for minutes: they stream progress and are cancellable (the server runs them detached: main/serve/operations.ts). */
export const STREAMING_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(LONG_RUNNING_CHANNELS);

export { CSRF_COOKIE, readCookie };

export interface HttpTransportOptions {
  /** Origin of the server; '' (the default) means the page's own. */
  baseUrl?: string;
  /** Where the CSRF cookie is read from; default document.cookie. */
  cookies?: () => string;
  /** Extra headers on every request (tests use a Cookie header; a browser sends its own). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && (value.ok === true ? 'value' in value : 'error' in value);
}

/** The contract's envelope, from it or from a REST route's ({ success, data } / { success, error }). */
function asEnvelope(value: unknown): Envelope<unknown> | undefined {
  if (isEnvelope(value)) return value;
  if (typeof value !== 'object' || value === null || !('success' in value)) return undefined;
  if (value.success === true && 'data' in value) return { ok: true, value: value.data };
  if (value.success === false && 'error' in value) return { ok: false, error: value.error as ErrorInfo };
  return undefined;
}

/**
 * What a streamed call has learnt so far. Until its first event it may be an operation the server
 * runs detached (cancelled by asking, id known from that event) or a call tied to its request
 * (cancelled by closing it: its first event is progress or the result).
 */
interface Exchange {
  operation: string | undefined;
  tied: boolean;
  cancelWanted: boolean;
  connection: AbortController;
}

/** Times a dropped stream of a detached operation is picked up again before the call gives up. */
const REATTACHES = 3;

export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  private readonly baseUrl: string;
  private readonly cookies: () => string;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;

  constructor(options: HttpTransportOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.cookies = options.cookies ?? (() => document.cookie);
    this.headers = options.headers ?? {};
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async call<C extends Channel>(channel: C, input: ChannelInput<C>, options: CallOptions = {}): Promise<Envelope<ChannelOutput<C>>> {
    const streaming = STREAMING_CHANNELS.has(channel);
    const request = { method: 'POST', body: JSON.stringify(input ?? {}) };
    return (await this.exchange(`/api/rpc/${encodeURIComponent(channel)}`, request, streaming, options, undefined, REATTACHES)) as Envelope<ChannelOutput<C>>;
  }

  async operations(): Promise<Envelope<OperationView[]>> {
    return (await this.exchange('/api/operations?mine=true', { method: 'GET' }, false, {}, undefined, 0)) as Envelope<OperationView[]>;
  }

  async attach<O extends OperationView>(operation: O, options: CallOptions = {}): Promise<Envelope<ChannelOutput<O['channel']>>> {
    return (await this.attachById(operation.id, options, REATTACHES)) as Envelope<ChannelOutput<O['channel']>>;
  }

  async uploadDump(file: UploadedFile, profile: string, options: CallOptions = {}): Promise<Envelope<ChannelOutput<'backup.import'>>> {
    const query = new URLSearchParams({ profile, name: file.name, modified: String(file.lastModified) });
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${UPLOAD_PATH}?${query.toString()}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...this.requestHeaders('application/json'), 'content-type': 'application/octet-stream' },
        body: file,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) return cancelled();
      return failure(`The upload did not reach Holdfast: ${(error as Error).message}`, 'Check that `holdfast serve` is still running, then upload again.');
    }
    try {
      const body: unknown = await response.json();
      return (asEnvelope(body) as Envelope<ChannelOutput<'backup.import'>> | undefined) ?? failure(`Holdfast answered HTTP ${response.status} without a result.`);
    } catch (error) {
      if (options.signal?.aborted) return cancelled();
      return failure(`Holdfast's answer could not be read (HTTP ${response.status}): ${(error as Error).message}`, 'Look on the Backups page whether it was imported, then try again.');
    }
  }

  private attachById(id: string, options: CallOptions, reattaches: number): Promise<Envelope<unknown>> {
    return this.exchange(`/api/operations/${encodeURIComponent(id)}/events`, { method: 'GET' }, true, options, id, reattaches);
  }

  /**
   * Asks the server to end a detached operation; its stream then brings the CANCELLED result, so the
   * answer itself is only read to its end: a browser holds a request open until its body is read.
   */
  private async cancelOperation(id: string): Promise<void> {
    await this.fetchFn(`${this.baseUrl}/api/operations/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: this.requestHeaders('application/json'),
      body: '{}',
    })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
  }

  private requestHeaders(accept: string): Record<string, string> {
    const csrf = readCookie(this.cookies(), CSRF_COOKIE);
    return { 'content-type': 'application/json', accept, ...(csrf ? { 'x-csrf-token': csrf } : {}), ...this.headers };
  }

  private async exchange(
    path: string,
    request: { method: string; body?: string },
    streaming: boolean,
    options: CallOptions,
    operation: string | undefined,
    reattaches: number,
  ): Promise<Envelope<unknown>> {
    if (options.signal?.aborted && operation === undefined) return cancelled();
    // A call that does not stream is tied to its request from the start.
    const exchange: Exchange = { operation, tied: !streaming, cancelWanted: false, connection: new AbortController() };
    const onAbort = () => {
      exchange.cancelWanted = true;
      if (exchange.operation !== undefined) void this.cancelOperation(exchange.operation);
      else if (exchange.tied) exchange.connection.abort();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      try {
        const send = () =>
          this.fetchFn(`${this.baseUrl}${path}`, {
            method: request.method,
            credentials: 'same-origin',
            headers: this.requestHeaders(streaming ? 'text/event-stream' : 'application/json'),
            ...(request.body === undefined ? {} : { body: request.body }),
            signal: exchange.connection.signal,
          });
        // The page's own early request for this one (first-request.js), if it sent one; asked
        // again here if it could not reach the server.
        const early = this.baseUrl === '' && !streaming ? takeEarlyResponse(path, request.body) : undefined;
        response = await (early ? early.catch(send) : send());
      } catch (error) {
        if (exchange.cancelWanted && exchange.operation === undefined) return cancelled();
        return failure(`Cannot reach Holdfast: ${(error as Error).message}`, 'Check that `holdfast serve` is still running, then reload the page.');
      }
      try {
        if ((response.headers.get('content-type') ?? '').includes('text/event-stream') && response.body) {
          const result = await this.readStream(response.body, options, exchange);
          if (result) return result;
          if (exchange.cancelWanted && exchange.operation === undefined) return cancelled();
          // The stream of an operation running in the server dropped: it still runs; follow it again.
          if (exchange.operation !== undefined && reattaches > 0) return await this.attachById(exchange.operation, options, reattaches - 1);
          return failure('The connection to Holdfast ended before the operation reported its result.', 'Look in Activity for how it ended, then try again.');
        }
        if (exchange.cancelWanted && exchange.operation === undefined) {
          await response.body?.cancel().catch(() => undefined);
          return cancelled();
        }
        const body: unknown = await response.json();
        return asEnvelope(body) ?? failure(`Holdfast answered HTTP ${response.status} without a result.`);
      } catch (error) {
        if (exchange.cancelWanted && exchange.operation === undefined) return cancelled();
        if (exchange.operation !== undefined && reattaches > 0) return await this.attachById(exchange.operation, options, reattaches - 1);
        return failure(`Holdfast's answer could not be read (HTTP ${response.status}): ${(error as Error).message}`, 'Reload the page; if this persists, restart `holdfast serve`.');
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Reads events to the result; undefined when the stream ends without one (or a tied call was cancelled). */
  private async readStream(body: ReadableStream<Uint8Array>, options: CallOptions, exchange: Exchange): Promise<Envelope<unknown> | undefined> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      const events = parser.push(done ? decoder.decode() + '\n\n' : decoder.decode(value, { stream: true }));
      for (const event of events) {
        const data: unknown = JSON.parse(event.data);
        if (event.event === 'operation') {
          exchange.operation = (data as OperationView).id;
          if (exchange.cancelWanted) void this.cancelOperation(exchange.operation);
        } else if (event.event === 'progress') {
          if (exchange.operation === undefined && !exchange.tied) {
            exchange.tied = true;
            if (exchange.cancelWanted) {
              exchange.connection.abort();
              return undefined;
            }
          }
          options.onProgress?.(data as ProgressEvent);
        } else if (event.event === 'result' && isEnvelope(data)) {
          await reader.cancel().catch(() => undefined);
          return data;
        }
      }
      if (done) return undefined;
    }
  }
}
