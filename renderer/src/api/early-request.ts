// The request first-request.js sent before the entry module ran (the Backups page's first page,
// issue 17 bench row 7), parked on the window. The entry draws the first screen from its copy
// (first-page/early-draw.ts); the HTTP transport takes its response for the first request to the
// same path, if that request is the same (same body): one request, answered earlier. Taken once; a
// different body (another sort, a changed default) forgets it and asks again.

/** What first-request.js parks: the path and body it sent, fetch's promise of the response, and of a copy to draw from. */
export interface EarlyRequest {
  path: string;
  body: string;
  response: Promise<Response>;
  copy: Promise<Response>;
}

/** The window's slot for it (the name first-request.js writes). */
export const EARLY_REQUEST_GLOBAL = '__holdfastEarlyRequest';

type Slot = Partial<Record<typeof EARLY_REQUEST_GLOBAL, unknown>>;

function isEarlyRequest(value: unknown): value is EarlyRequest {
  if (typeof value !== 'object' || value === null) return false;
  const parked = value as Partial<EarlyRequest>;
  return typeof parked.path === 'string' && typeof parked.body === 'string' && parked.response instanceof Promise && parked.copy instanceof Promise;
}

/** The copy of the parked response, for drawing; the parked request stays for the transport. */
export function earlyResponseCopy(scope: Slot | undefined = typeof window === 'undefined' ? undefined : (window as Slot)): Promise<Response> | undefined {
  const parked = scope?.[EARLY_REQUEST_GLOBAL];
  return isEarlyRequest(parked) ? parked.copy : undefined;
}

/**
 * The parked response when path and body are the ones it was sent with, else undefined; either way
 * the first request to its path ends the parking (what comes later is a newer question).
 */
export function takeEarlyResponse(path: string, body: string | undefined, scope: Slot | undefined = typeof window === 'undefined' ? undefined : (window as Slot)): Promise<Response> | undefined {
  const parked = scope?.[EARLY_REQUEST_GLOBAL];
  if (!scope || !isEarlyRequest(parked) || parked.path !== path) return undefined;
  delete scope[EARLY_REQUEST_GLOBAL];
  if (parked.body !== body) {
    parked.response.catch(() => undefined);
    return undefined;
  }
  return parked.response;
}
