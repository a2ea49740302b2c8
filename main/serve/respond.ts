// How `holdfast serve` answers: the REST routes' envelope ({ success, data } / { success, error }),
// the contract's own under /api/rpc ({ ok, value } / { ok, error }), HTTP statuses for engine error
// codes, and denials, which are always audited.
import { posix } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalogue } from '../core/catalogue/catalogue.ts';
import type { Principal } from './auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent it, once authenticated; null for public routes and requests refused before that. */
    principal: Principal | null;
    /** Set once the request has its audit entry, so it gets exactly one. */
    audited: boolean;
  }
  interface FastifyContextConfig {
    /** public: no token (logging in); health: no token when --public-health is on. */
    access?: 'public' | 'health';
  }
}

export interface ApiError {
  code: string;
  message: string;
  hint?: string;
  /** The hint in the app's words, and the step it names (model/hint-actions.ts), when they differ from the CLI's. */
  appHint?: string;
  action?: string;
  /** The failed run whose tools' stderr is kept: GET it through run.toolOutput. */
  runId?: string;
}

export type RestEnvelope<T> = { success: true; data: T } | { success: false; error: ApiError };

export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The path a request names once %xx is decoded and `.`, `..` and repeated slashes are resolved: the
 * router and the static files' route act on that, whatever the spelling (/%69ndex.html, /assets/../index.html).
 */
export function resolvedPath(url: string): string {
  const raw = pathOf(url);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed %xx: the router refuses it, so the raw path is as good as any.
  }
  return posix.normalize(decoded);
}

/** Only the renderer's content-hashed files may be kept by a browser or a shared cache; every other answer is no-store. */
export function mayBeStored(url: string): boolean {
  return resolvedPath(url).startsWith('/assets/');
}

export function isRpc(url: string): boolean {
  return url.startsWith('/api/rpc/');
}

export function errorBody(url: string, error: ApiError): { ok: false; error: ApiError } | { success: false; error: ApiError } {
  return isRpc(url) ? { ok: false, error } : { success: false, error };
}

/** HTTP status for an engine error code; operations that ran and failed are 422. */
export function statusFor(code: string): number {
  switch (code) {
    case 'BAD_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'INTERNAL':
      return 500;
    default:
      return 422;
  }
}

/** Audit entry target for a request: method and path, never the query string (it may hold a token). */
export function requestTarget(request: FastifyRequest): string {
  return `${request.method} ${pathOf(request.url)}`;
}

/** Refuses a request and records who was refused, what they asked for and why. */
export function deny(
  catalogue: Catalogue,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  error: ApiError,
  options: { name?: string; detail?: Record<string, unknown>; audit?: boolean } = {},
): FastifyReply {
  if (options.audit !== false)
    catalogue.audit(request.principal?.name ?? options.name ?? 'anonymous', 'api.denied', requestTarget(request), { status, code: error.code, address: request.ip, ...options.detail });
  request.audited = true;
  return reply.code(status).send(errorBody(request.url, error));
}
