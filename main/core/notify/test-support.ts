// Real local HTTP servers (real sockets) standing in for Slack and webhook receivers in the notify specs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifyEvent } from './message.ts';

export interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec reads whatever JSON the channel sent
  body: any;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface TestServer {
  url: (path?: string) => string;
  requests: Recorded[];
  close: () => Promise<void>;
}

export const servers: TestServer[] = [];

/** Answers the queued replies in order, then 200 "ok"; records every request it receives. */
export async function startServer(replies: Reply[] = []): Promise<TestServer> {
  const requests: Recorded[] = [];
  const queue = [...replies];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined });
      const reply = queue.shift() ?? { status: 200, body: 'ok' };
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** For afterEach: closes every server a test started. */
export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

/** An injected sleep that records the delays and returns at once, so backoff is checked without waiting. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

export const at = '2024-01-15T02:00:42.000Z';
export const completed: NotifyEvent = { kind: 'backup.completed', profile: 'prod', database: 'shop', filename: 'prod-shop-2024.dump', size: 1536 * 1024, durationMs: 42_000, at };
export const failed: NotifyEvent = {
  kind: 'backup.failed',
  profile: 'prod',
  database: 'shop',
  error: { code: 'CONNECTION_FAILED', message: 'Cannot connect to db.example.com:5432: password authentication failed', hint: 'Check the password stored for profile <prod>.' },
  durationMs: 1200,
  at,
};
