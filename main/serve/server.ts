// `holdfast serve`: the contract over HTTP on loopback, for a browser and for scripts.
// - Every /api/* request needs the token: `Authorization: Bearer <token>`, or the HttpOnly,
//   SameSite=Strict session cookie a browser gets by opening the printed URL.
// - A Host header other than the bound address or localhost is refused (403): DNS rebinding.
// - Bodies: JSON only (400 otherwise), at most 1 MB (413).
// - POST /api/rpc/<channel> answers the contract's envelope; with `Accept: text/event-stream` it
//   streams progress events and then the result, and closing the request cancels the operation.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { contract, invoke, type Channel } from '../contract.ts';
import type { Holdfast } from '../core/holdfast.ts';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const COOKIE = 'holdfast_session';
/** Readable by the page (not HttpOnly): the renderer echoes it as X-CSRF-Token (double submit). */
export const CSRF_COOKIE = 'holdfast_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const MAX_BODY = 1024 * 1024;

/** The built renderer (vite build → dist/renderer); from the bundle (dist/cli.mjs) or the sources. */
export function rendererDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Where the built renderer is; default rendererDir(). Without one, / says how to build it. */
  rendererDir?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

function sameSecret(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export async function startServer(holdfast: Holdfast, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const app = Fastify({ bodyLimit: MAX_BODY, logger: false });
  // The CSRF token is derived from the session secret, so it needs no server-side state.
  const csrfToken = createHmac('sha256', token).update('holdfast csrf').digest('base64url');
  let port = 0;

  const allowedHosts = () => new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('Content-Security-Policy', CSP).header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
    if (!allowedHosts().has(request.headers.host ?? '')) {
      return reply.code(403).send({ ok: false, error: { code: 'FORBIDDEN', message: 'This host name is not served here.', hint: `Open http://${host}:${port}/` } });
    }
    if (request.url.startsWith('/api/')) {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (sameSecret(bearer, token)) return undefined;
      if (!sameSecret(cookieValue(request.headers.cookie, COOKIE), token)) {
        return reply.code(401).send({ ok: false, error: { code: 'UNAUTHORIZED', message: 'A token is required.', hint: 'Send Authorization: Bearer <token>, or open the URL holdfast serve printed.' } });
      }
      // A cookie rides along with any site's request; only our own page can read the CSRF cookie.
      const header = request.headers[CSRF_HEADER];
      if (request.method !== 'GET' && request.method !== 'HEAD' && !sameSecret(typeof header === 'string' ? header : undefined, csrfToken)) {
        return reply.code(403).send({ ok: false, error: { code: 'FORBIDDEN', message: 'A request with the session cookie needs the X-CSRF-Token header.', hint: `Send the value of the ${CSRF_COOKIE} cookie as X-CSRF-Token.` } });
      }
    }
    return undefined;
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ ok: false, error: { code: 'BAD_INPUT', message: `The body is larger than ${MAX_BODY} bytes.` } });
    }
    if (error.statusCode === 400 || error.statusCode === 415) {
      return reply.code(error.statusCode).send({ ok: false, error: { code: 'BAD_INPUT', message: `The body is not valid JSON: ${error.message}` } });
    }
    return reply.code(500).send({ ok: false, error: { code: 'INTERNAL', message: error.message } });
  });

  const staticRoot = options.rendererDir ?? rendererDir();
  if (staticRoot) await app.register(fastifyStatic, { root: staticRoot, index: false, wildcard: true });

  app.get('/', async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply: FastifyReply) => {
    if (request.query.token !== undefined) {
      if (!sameSecret(request.query.token, token)) return reply.code(401).type('text/plain').send('That token is not valid for this server.');
      // Trade the token in the URL for a cookie, and drop it from the address bar.
      return reply
        .header('Set-Cookie', [`${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, `${CSRF_COOKIE}=${csrfToken}; SameSite=Strict; Path=/`])
        .redirect('/');
    }
    if (staticRoot) return reply.header('Cache-Control', 'no-store').sendFile('index.html');
    return reply
      .type('text/html')
      .send('<!doctype html><meta charset="utf-8"><title>Holdfast</title><p>The Holdfast API is served here (POST /api/rpc/&lt;channel&gt;). The browser UI is not built: run <code>npm run build</code>.</p>');
  });

  app.post('/api/rpc/:channel', async (request: FastifyRequest<{ Params: { channel: string } }>, reply: FastifyReply) => {
    const channel = request.params.channel;
    if (!Object.hasOwn(contract, channel)) {
      return reply.code(404).send({ ok: false, error: { code: 'NOT_FOUND', message: `No operation "${channel}".`, hint: `Known: ${Object.keys(contract).join(', ')}` } });
    }
    const abort = new AbortController();
    // The response's 'close' before it finished means the client went away; the request's own
    // 'close' only says its body was read, so it cannot be the cancel signal.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const input = request.body ?? {};
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      const result = await invoke(holdfast, channel as Channel, input, { signal: abort.signal });
      return reply.code(result.ok ? 200 : result.error.code === 'BAD_INPUT' ? 400 : result.error.code === 'NOT_FOUND' ? 404 : 422).send(result);
    }
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Content-Security-Policy': CSP });
    const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const result = await invoke(holdfast, channel as Channel, input, { signal: abort.signal, onProgress: (progress) => send('progress', progress) });
    send('result', result);
    reply.raw.end();
    return reply;
  });

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://${host}:${port}/?token=${token}`, token, port, app, close: () => app.close() };
}
