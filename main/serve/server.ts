// `holdfast serve`: the contract over HTTP on loopback, for a browser and for scripts.
// - Every /api/* request (and /metrics) needs a token: `Authorization: Bearer <token>`, or the
//   HttpOnly, SameSite=Strict session cookie a browser gets by opening the printed URL (or from
//   POST /api/session). The printed token is the owner's (a super-admin); `holdfast user add` makes
//   others. A credential that works always works: failed ones are counted (past ten a minute from one
//   address, or a hundred from all, they are answered 429) and audited within bounds, never held
//   against a valid token or session.
// - A cookie session is a random id mapped to its user here, with a CSRF token of its own.
// - Denials and every state-changing request are audited with the user's name.
// - On loopback, a Host header other than the bound address or localhost is refused (403): DNS rebinding.
//   Beyond loopback it needs TLS (or an explicit insecure), and the token is the protection.
// - Bodies: JSON only (400 otherwise), at most 1 MB (413; 4 KB for POST /api/session, which anybody may
//   send), nested at most 32 levels (400, found before parsing).
// - POST /api/rpc/<channel> answers the contract's envelope; with `Accept: text/event-stream` it
//   streams progress events and then the result. A backup, verify, restore drill or restore runs in the
//   server whatever becomes of the request (operations.ts): its stream starts with the operation's id,
//   GET /api/operations/<id>/events attaches to it again, and only POST /api/operations/<id>/cancel
//   cancels it. For every other call, closing the request cancels it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { contract, invoke, type Channel } from '../contract.ts';
import { HoldfastError } from '../core/model/errors.ts';
import type { Holdfast } from '../core/holdfast.ts';
import { runAs } from '../core/users/acting.ts';
import { channelAudited, channelRole, FailureLedger, hasRole, principalForToken, sameSecret, sessionPrincipal, SessionStore, type Principal, type Session } from './auth.ts';
import { JSON_TOO_DEEP, parseJsonBodies } from './json-body.ts';
import { detachedCall, Operations, type OperationView } from './operations.ts';
import { encryptionChoiceRefusal } from './encryption-refusal.ts';
import { deny, errorBody, isRpc, mayBeStored, pathOf, requestTarget, statusFor } from './respond.ts';
import { registerDownload } from './rest/download.ts';
import { registerUpload } from './rest/upload.ts';
import { registerRest, type Answer, type SessionHost } from './rest/routes.ts';
import { PROBE_CHANNELS, ProbeLimiter, probeRefusal } from './probe-limit.ts';

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const COOKIE = 'holdfast_session';
/** Readable by the page (not HttpOnly): the renderer echoes it as X-CSRF-Token (double submit). */
export const CSRF_COOKIE = 'holdfast_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const MAX_BODY = 1024 * 1024;
/**
 * The longest path parameter the router passes on (Fastify's default is 100): a backup's file name is
 * up to 255 bytes, each %XX-encoded in at most 3 characters. At 100 a backup of a 64-character profile
 * with a suffix could not be downloaded, verified or pinned, and the router's 414 skipped every hook
 * (the token, the Host check, the security headers). The routes' own schemas bound each parameter.
 */
const MAX_PATH_PARAM = 3 * 255;

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
  /** PEM certificate and key: serve https. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Allow a non-loopback bind without TLS (something else protects the connection). */
  insecure?: boolean;
  /** GET /api/backup/health answers without a token (the verdict, not the reasons), for monitors. */
  publicHealth?: boolean;
  /**
   * Failed authentications from one address per authFailureWindowMs before its failures are answered
   * 429 (ten times as many from all addresses together); default 10 per minute. Never a valid credential.
   */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
}

/**
 * Fastify's schema compilers, for a route that declares a JSON schema: Holdfast's routes validate
 * with zod (rest/schemas.ts) and answer with JSON.stringify, so one that declares a Fastify schema
 * is refused when it is registered. Without these, Fastify would load ajv and fast-json-stringify at
 * every start, which the bundle leaves out.
 */
export const NO_ROUTE_SCHEMAS = {
  buildValidator: () => (route: { method?: string; url?: string }) => {
    throw new Error(`${route.method} ${route.url} declares a Fastify validation schema: Holdfast's routes validate with zod (main/serve/rest/schemas.ts).`);
  },
  buildSerializer: () => (route: { method?: string; url?: string }) => {
    throw new Error(`${route.method} ${route.url} declares a Fastify response schema: Holdfast's answers are plain JSON.stringify.`);
  },
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Off loopback, tokens and backups would cross the network: only with TLS, or when told it is fine. */
export function checkBind(host: string, options: Pick<ServeOptions, 'tls' | 'insecure'>): void {
  if (LOOPBACK.has(host) || options.tls || options.insecure) return;
  throw new HoldfastError(
    'BAD_INPUT',
    `Serving on ${host} would send tokens and backups over the network in clear text.`,
    'Give --tls-cert <file> --tls-key <file>, or --insecure if something else (a VPN, a TLS proxy, an SSH tunnel) protects the connection.',
  );
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  app: FastifyInstance;
  /** Settles once the server has sent its first answer, whatever it was: serve's start-up chores wait for it. */
  firstAnswer: Promise<void>;
  close(): Promise<void>;
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
  checkBind(host, options);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const scheme = options.tls ? 'https' : 'http';
  // One instance type whichever the transport: the routes never look at the socket.
  // On close, end every connection, also a browser's open keep-alive one that never sent a
  // request: stopping `holdfast serve` must not wait on a tab. Running operations are cancelled.
  // No logger, no route schemas and @fastify/static's wildcard route: the bundle leaves out what
  // Fastify needs only for those (build/cli-bundle-options.mjs, SERVE_LEAVES_OUT).
  const base = { bodyLimit: MAX_BODY, maxParamLength: MAX_PATH_PARAM, logger: false, forceCloseConnections: true, schemaController: { compilersFactory: NO_ROUTE_SCHEMAS } } as const;
  const app = (options.tls ? Fastify({ ...base, https: { cert: options.tls.cert, key: options.tls.key } }) : Fastify(base)) as unknown as FastifyInstance;
  parseJsonBodies(app);
  const sessions = new SessionStore();
  const failures = new FailureLedger({ perAddress: options.authFailureLimit ?? 10, windowMs: options.authFailureWindowMs ?? 60_000 });
  // Refusals that guess nothing (no credentials, a foreign Host) are never answered 429, but are
  // audited within the same bounds, so a page hammering the port cannot grow the audit log either.
  const noise = new FailureLedger();
  const auditNoise = (request: FastifyRequest): boolean => noise.record(request.ip).audit;
  /** One audit entry per ledger for the failures of a window not audited one by one; at close, the current window's too. */
  const auditSummaries = (endWindow: boolean) => {
    for (const [ledger, what] of [
      [failures, 'failed authentications'],
      [noise, 'no credentials or a foreign Host'],
    ] as const) {
      const summary = ledger.takeSummary(endWindow);
      if (!summary) continue;
      const { fromMs, toMs, ...counts } = summary;
      audit.audit('anonymous', 'api.denied', null, { summary: what, ...counts, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
    }
  };
  app.addHook('onClose', async () => auditSummaries(true));
  let answered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  app.addHook('onResponse', async () => answered());
  const secure = options.tls ? '; Secure' : '';
  const loopback = LOOPBACK.has(host);
  const audit = holdfast.catalogue;
  const operations = new Operations({
    run: (channel, raw, actor, context) => runAs(actor, () => invoke(holdfast, channel, raw, context)),
    audit: (...entry) => audit.audit(...entry),
  });
  const probes = new ProbeLimiter();
  // Runs left going would write into a catalogue that is about to close: they end as interrupted first.
  app.addHook('onClose', async () => operations.stop());
  let port = 0;

  const allowedHosts = () => new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  const sessionCookies = (session: Session) => [`${COOKIE}=${session.id}; HttpOnly; SameSite=Strict; Path=/${secure}`, `${CSRF_COOKIE}=${session.csrf}; SameSite=Strict; Path=/${secure}`];

  app.decorateRequest('principal', null);
  app.decorateRequest('audited', false);

  /**
   * A credential that did not work (one that works never gets here, so this stops nobody): 401, or 429
   * while its address, or everyone, has failed too often this window. Audited one by one within the
   * ledger's bounds, the rest in its summary.
   */
  const authFailed = (request: FastifyRequest, reply: FastifyReply, message: string, name?: string): FastifyReply => {
    const verdict = failures.record(request.ip);
    const how = { ...(name ? { name } : {}), audit: verdict.audit };
    if (verdict.retryAfterMs === 0)
      return deny(audit, request, reply, 401, { code: 'UNAUTHORIZED', message, hint: 'Send Authorization: Bearer <token>, or open the URL holdfast serve printed.' }, how);
    const seconds = Math.ceil(verdict.retryAfterMs / 1000);
    void reply.header('Retry-After', String(seconds));
    const hint = `Wait ${seconds} s before trying another; a valid token or session is accepted meanwhile.`;
    return deny(audit, request, reply, 429, { code: 'RATE_LIMITED', message: `${message} Too many failed authentications have come from this address, or from all, for now.`, hint }, how);
  };
  /** A cookie naming no live session (e.g. from before a restart) is cleared, so the browser stops sending it. */
  const clearSessionCookies = (reply: FastifyReply) =>
    reply.header('Set-Cookie', [`${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure}`, `${CSRF_COOKIE}=; SameSite=Strict; Path=/; Max-Age=0${secure}`]);

  app.addHook('onRequest', async (request, reply) => {
    auditSummaries(false);
    void reply.header('Content-Security-Policy', CSP).header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
    if (loopback && !allowedHosts().has(request.headers.host ?? '')) {
      return deny(audit, request, reply, 403, { code: 'FORBIDDEN', message: 'This host name is not served here.', hint: `Open ${scheme}://${host}:${port}/` }, { audit: auditNoise(request) });
    }
    // The router decodes %xx before it matches, so /%61pi/rpc/… is /api/rpc/…: the route it matched
    // decides, and the raw path covers requests that match no route.
    const path = pathOf(request.url);
    const route = request.routeOptions.url ?? '';
    if (!isGuarded(path) && !isGuarded(route)) return undefined;
    const access = request.routeOptions.config?.access;
    if (access === 'public') return undefined;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const sessionId = cookieValue(request.headers.cookie, COOKIE);
    if (access === 'health' && options.publicHealth && bearer === undefined && sessionId === undefined) return undefined;
    if (bearer !== undefined) {
      const found = principalForToken(bearer, token, holdfast.users);
      if (!found) return authFailed(request, reply, 'That token is not valid here.');
      request.principal = found.principal;
      return undefined;
    }
    if (sessionId === undefined) {
      // Nothing was presented, so nothing was guessed: refused, but not counted as a failed authentication.
      return deny(
        audit,
        request,
        reply,
        401,
        { code: 'UNAUTHORIZED', message: 'A token is required.', hint: 'Send Authorization: Bearer <token>, or open the URL holdfast serve printed.' },
        { audit: auditNoise(request) },
      );
    }
    const session = sessions.get(sessionId);
    if (!session) {
      clearSessionCookies(reply);
      return authFailed(request, reply, 'The session has ended; log in again.');
    }
    const principal = sessionPrincipal(session, holdfast.users);
    if (!principal) {
      // The user was removed or given a new token since logging in.
      sessions.delete(session.id);
      clearSessionCookies(reply);
      return authFailed(request, reply, 'The session has ended because its user was removed or given a new token; log in again.', session.principal.name);
    }
    request.principal = principal;
    // A cookie rides along with any site's request; only our own page can read the CSRF cookie.
    const header = request.headers[CSRF_HEADER];
    if (request.method !== 'GET' && request.method !== 'HEAD' && !sameSecret(typeof header === 'string' ? header : undefined, session.csrf)) {
      return deny(audit, request, reply, 403, {
        code: 'FORBIDDEN',
        message: 'A request with the session cookie needs the X-CSRF-Token header.',
        hint: `Send the value of the ${CSRF_COOKIE} cookie as X-CSRF-Token.`,
      });
    }
    return undefined;
  });

  // Every state-changing request gets one audit entry with who, what and the outcome (denials
  // already have theirs). onSend, not onResponse, so the entry exists before the client has the answer.
  app.addHook('onSend', async (request, reply, payload) => {
    // The index page starts a session (its token traded for cookies, then its first request) and the
    // API answers with the catalogue: neither kept by a browser or a shared cache, under any spelling
    // of its path. send's own Cache-Control (public, max-age=0) is replaced here.
    if (!mayBeStored(request.url)) void reply.header('Cache-Control', 'no-store');
    if (request.principal && !request.audited && isAudited(request)) {
      request.audited = true;
      audit.audit(request.principal.name, 'api.request', requestTarget(request), { status: reply.statusCode });
    }
    return payload;
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorBody(request.url, { code: 'BAD_INPUT', message: `The body is larger than ${request.routeOptions.bodyLimit ?? MAX_BODY} bytes.` }));
    }
    if (error.code === JSON_TOO_DEEP) return reply.code(400).send(errorBody(request.url, { code: 'BAD_INPUT', message: error.message }));
    if (error.statusCode === 415) {
      return reply.code(415).send(errorBody(request.url, { code: 'BAD_INPUT', message: `The body must be sent as application/json (${error.message}).` }));
    }
    // Fastify's content-type parser: an empty, malformed or prototype-polluting JSON body.
    if (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP_')) {
      return reply.code(400).send(errorBody(request.url, { code: 'BAD_INPUT', message: `The body is not valid JSON: ${error.message}` }));
    }
    // Refusals raised inside Fastify or its plugins (e.g. @fastify/static's 403 for a path that
    // climbs out of the renderer directory, 416 for a range past the file's end, 400 for a NUL in
    // the path) keep their status: they are the client's fault, not ours.
    if (error.statusCode === 403) return reply.code(403).send(errorBody(request.url, { code: 'FORBIDDEN', message: error.message }));
    if (error.statusCode === 404) return reply.code(404).send(errorBody(request.url, { code: 'NOT_FOUND', message: error.message }));
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody(request.url, { code: 'BAD_INPUT', message: `The request was refused: ${error.message}` }));
    }
    return reply.code(500).send(errorBody(request.url, { code: 'INTERNAL', message: error.message }));
  });

  app.setNotFoundHandler((request, reply) => {
    if (pathOf(request.url).startsWith('/api/')) {
      return reply.code(404).send(errorBody(request.url, { code: 'NOT_FOUND', message: `No route ${request.method} ${pathOf(request.url)}.`, hint: 'GET /api/openapi.json lists every route.' }));
    }
    return reply.code(404).send({ message: `Route ${request.method}:${pathOf(request.url)} not found`, error: 'Not Found', statusCode: 404 });
  });

  /**
   * Logging in, by the URL's token or POST /api/session: a token that works becomes a session whose
   * cookies go on the reply; a wrong token has its answer (401 or 429) sent already.
   */
  const startSession = (request: FastifyRequest, reply: FastifyReply, given: string, via: 'api' | 'url', refusal: string): Session | undefined => {
    const found = principalForToken(given, token, holdfast.users);
    if (!found) {
      authFailed(request, reply, refusal);
      return undefined;
    }
    const session = sessions.create(found.principal, found.tokenHash);
    audit.audit(found.principal.name, 'session.login', null, { via, address: request.ip });
    void reply.header('Set-Cookie', sessionCookies(session));
    return session;
  };

  const sessionHost: SessionHost = {
    login(request, reply, given): Answer {
      const started = startSession(request, reply, given, 'api', 'That token is not valid here.');
      // The refusal's reply is sent already; this answer only completes the route.
      if (!started) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'That token is not valid here.' } };
      request.audited = true;
      return { ok: true, value: { name: started.principal.name, role: started.principal.role, csrfToken: started.csrf } };
    },
    logout(request, reply): Answer {
      const id = cookieValue(request.headers.cookie, COOKIE);
      if (id) sessions.delete(id);
      clearSessionCookies(reply);
      return { ok: true, value: {} };
    },
    current(request): Answer {
      const principal = request.principal as Principal;
      return { ok: true, value: { name: principal.name, role: principal.role } };
    },
  };
  await registerRest(app, holdfast, sessionHost, operations);
  registerDownload(app, holdfast);
  registerUpload(app, holdfast);

  const staticRoot = options.rendererDir ?? rendererDir();
  // wildcard: true, one route for every file: `false` would glob the directory at start (left out of the bundle).
  if (staticRoot) await app.register(fastifyStatic, { root: staticRoot, index: false, wildcard: true });

  // Never stored, as no answer but the hashed files under /assets is (the onSend hook above).
  const sendIndex = (reply: FastifyReply) => reply.sendFile('index.html');
  if (staticRoot) app.get('/index.html', async (_request, reply) => sendIndex(reply));

  app.get('/', async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply: FastifyReply) => {
    if (request.query.token !== undefined) {
      // Trade the token in the URL for a session cookie, and drop it from the address bar.
      const started = startSession(request, reply, request.query.token, 'url', 'That token is not valid for this server.');
      return started ? reply.redirect('/') : reply;
    }
    if (staticRoot) return sendIndex(reply);
    return reply
      .type('text/html')
      .send(
        '<!doctype html><meta charset="utf-8"><title>Holdfast</title><p>The Holdfast API is served here (POST /api/rpc/&lt;channel&gt;). The browser UI is not built: run <code>npm run build</code>.</p>',
      );
  });

  /**
   * An operation as Server-Sent Events: the operation itself, its progress so far and as it comes,
   * then its result. Closing the stream detaches from the operation and leaves it running.
   */
  const streamOperation = (reply: FastifyReply, operation: OperationView): FastifyReply => {
    const send = openEventStream(reply);
    send('operation', operation);
    const detach = operations.attach(operation.id, {
      progress: (event) => send('progress', event),
      result: (result) => {
        send('result', result);
        reply.raw.end();
      },
    });
    reply.raw.on('close', detach);
    return reply;
  };

  app.get('/api/operations/:id/events', async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const operation = request.principal && operations.find(request.params.id, request.principal);
    if (!operation) {
      return reply.code(404).send(
        errorBody(request.url, {
          code: 'NOT_FOUND',
          message: `No operation ${request.params.id} is running here.`,
          hint: 'GET /api/operations lists those you may see; a finished one is kept for a while, then forgotten.',
        }),
      );
    }
    return streamOperation(reply, operation);
  });

  app.post('/api/rpc/:channel', async (request: FastifyRequest<{ Params: { channel: string } }>, reply: FastifyReply) => {
    const channel = request.params.channel;
    if (!Object.hasOwn(contract, channel)) {
      return reply.code(404).send({ ok: false, error: { code: 'NOT_FOUND', message: `No operation "${channel}".`, hint: `Known: ${Object.keys(contract).join(', ')}` } });
    }
    const principal = request.principal;
    if (!principal) return deny(audit, request, reply, 401, { code: 'UNAUTHORIZED', message: 'A token is required.' });
    const needed = channelRole(channel, request.body);
    if (!hasRole(principal, needed)) {
      return deny(
        audit,
        request,
        reply,
        403,
        encryptionChoiceRefusal(channel, request.body, `${principal.name} is ${principal.role}`) ?? {
          code: 'FORBIDDEN',
          message: needed === 'host-only' ? `${channel} is offered only on the host, never over holdfast serve.` : `${channel} needs a ${needed}; ${principal.name} is ${principal.role}.`,
          hint: needed === 'host-only' ? 'Run it with the holdfast CLI (or the desktop app) on the machine Holdfast runs on.' : 'Ask a super-admin (or the owner of holdfast serve) to do it.',
        },
      );
    }
    if (PROBE_CHANNELS.has(channel)) {
      // Keyed by the user, whether it came by session or token: a token opens sessions at will, so a count per session was a count per login.
      const verdict = probes.take(`user:${principal.name}`);
      if (!verdict.allowed) {
        const { message, hint, retryAfterSeconds } = probeRefusal(verdict.retryAfterMs);
        void reply.header('Retry-After', String(retryAfterSeconds));
        return deny(audit, request, reply, 429, { code: 'RATE_LIMITED', message, hint });
      }
    }
    const input = request.body ?? {};
    const streaming = (request.headers.accept ?? '').includes('text/event-stream');
    const detached = detachedCall(channel, input);
    if (detached) {
      const operation = operations.start(detached, principal);
      if (!streaming) {
        const result = await operations.finished(operation.id)!;
        return reply.code(rpcStatus(result)).send(result);
      }
      // A hijacked reply skips onSend, so the stream is audited as it opens.
      audit.audit(principal.name, 'api.request', requestTarget(request), { status: 200, stream: true, operation: operation.id });
      request.audited = true;
      return streamOperation(reply, operation);
    }
    const abort = new AbortController();
    // The response's 'close' before it finished means the client went away; the request's own
    // 'close' only says its body was read, so it cannot be the cancel signal.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const call = (context: Parameters<typeof invoke>[3]) => runAs(principal.name, () => invoke(holdfast, channel as Channel, input, context));
    if (!streaming) {
      const result = await call({ signal: abort.signal });
      return reply.code(rpcStatus(result)).send(result);
    }
    if (isAudited(request)) audit.audit(principal.name, 'api.request', requestTarget(request), { status: 200, stream: true });
    request.audited = true;
    const send = openEventStream(reply);
    const result = await call({ signal: abort.signal, onProgress: (progress) => send('progress', progress) });
    send('result', result);
    reply.raw.end();
    return reply;
  });

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `${scheme}://${shownHost}:${port}/?token=${token}`, token, port, app, firstAnswer, close: () => app.close() };
}

/** The contract's envelope over HTTP: 200 when it worked, else the status of its error. */
function rpcStatus(result: { ok: boolean; error?: { code: string } }): number {
  // One mapping for every HTTP surface (respond.ts), so a CONFLICT is 409 here as on the REST routes.
  return result.ok ? 200 : statusFor(result.error?.code ?? 'INTERNAL');
}

/** Starts a Server-Sent Events answer; the function it answers sends one event. */
function openEventStream(reply: FastifyReply): (event: string, data: unknown) => void {
  reply.hijack();
  reply.raw.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Content-Security-Policy': CSP });
  return (event, data) => {
    if (!reply.raw.writableEnded && !reply.raw.destroyed) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

/** Paths that need a token: the API and the metrics. */
function isGuarded(path: string): boolean {
  return path.startsWith('/api/') || path === '/metrics';
}

/** Audited: any non-GET, except contract calls that only read and stay on the host (profile.list, backup.stats, …). */
function isAudited(request: FastifyRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  if (!isRpc(request.url)) return true;
  return channelAudited(pathOf(request.url).slice('/api/rpc/'.length));
}
