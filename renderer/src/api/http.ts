// HTTP transport for `holdfast serve`: POST /api/rpc/<channel> with the session cookie and the CSRF
// header (double submit: the page echoes the readable holdfast_csrf cookie). Long operations ask for
// Server-Sent Events and read them from the fetch body, so progress arrives as it happens; aborting
// the fetch closes the request, which is how the server learns to cancel.
import { SseParser } from './sse.ts';
import { cancelled, failure, type CallOptions, type Channel, type ChannelInput, type ChannelOutput, type Envelope, type ProgressEvent, type Transport } from './types.ts';

/** Channels whose calls can run for minutes: they stream progress and are cancellable. */
export const STREAMING_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['backup.create', 'backup.verify', 'backup.testRestore', 'backup.restore']);

export const CSRF_COOKIE = 'holdfast_csrf';

export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

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
    const csrf = readCookie(this.cookies(), CSRF_COOKIE);
    if (options.signal?.aborted) return cancelled();
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}/api/rpc/${encodeURIComponent(channel)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          accept: streaming ? 'text/event-stream' : 'application/json',
          ...(csrf ? { 'x-csrf-token': csrf } : {}),
          ...this.headers,
        },
        body: JSON.stringify(input ?? {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) return cancelled();
      return failure(`Cannot reach Holdfast: ${(error as Error).message}`, 'Check that `holdfast serve` is still running, then reload the page.');
    }
    try {
      if ((response.headers.get('content-type') ?? '').includes('text/event-stream') && response.body) {
        return (await this.readStream(response.body, options.onProgress)) as Envelope<ChannelOutput<C>>;
      }
      const body: unknown = await response.json();
      if (isEnvelope(body)) return body as Envelope<ChannelOutput<C>>;
      return failure(`Holdfast answered HTTP ${response.status} without a result.`);
    } catch (error) {
      if (options.signal?.aborted) return cancelled();
      return failure(`Holdfast's answer could not be read (HTTP ${response.status}): ${(error as Error).message}`, 'Reload the page; if this persists, restart `holdfast serve`.');
    }
  }

  private async readStream(body: ReadableStream<Uint8Array>, onProgress: ((event: ProgressEvent) => void) | undefined): Promise<Envelope<unknown>> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      const events = parser.push(done ? decoder.decode() + '\n\n' : decoder.decode(value, { stream: true }));
      for (const event of events) {
        const data: unknown = JSON.parse(event.data);
        if (event.event === 'progress') onProgress?.(data as ProgressEvent);
        else if (event.event === 'result' && isEnvelope(data)) {
          await reader.cancel().catch(() => undefined);
          return data;
        }
      }
      if (done) return failure('The connection to Holdfast ended before the operation reported its result.', 'Look in Activity for how it ended, then try again.');
    }
  }
}
