// JSON bodies are measured before they are parsed. A body within the size limit can still nest half a
// million arrays deep, and parsing and collecting that costs the server a second of CPU per request,
// for anyone who can reach a route that reads a body before a token is checked (POST /api/session,
// a path no route serves). One pass over the text finds it without building anything.
import type { FastifyInstance } from 'fastify';

/** Far deeper than any Holdfast input (the deepest, profile.edit's changes, is three levels). */
export const MAX_JSON_DEPTH = 32;

/** The error's code, for the server's error handler. */
export const JSON_TOO_DEEP = 'HOLDFAST_JSON_TOO_DEEP';

/** Whether `text` opens more than `max` arrays or objects inside each other; brackets in strings do not count. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // \x: whatever x is, it does not end the string
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** application/json: Fastify's own parser (prototype poisoning refused), behind the depth check. */
export function parseJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        Object.assign(new Error(`The body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels; no Holdfast input needs more than a few.`), { statusCode: 400, code: JSON_TOO_DEEP }),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
