// /api/openapi.json, generated from the same zod schemas the routes validate with, so the document
// cannot drift from what the server accepts and answers.
import * as z from 'zod';
import { MAX_JSON_DEPTH } from '../json-body.ts';
import type { RestRoute } from './routes.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Fastify's `/x/:name` as OpenAPI's `/x/{name}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, field]) => {
    const fieldSchema = jsonSchema(field, 'input');
    const { description, ...rest } = fieldSchema;
    return { name, in: where, required: where === 'path' || !field.safeParse(undefined).success, schema: rest, ...(description ? { description } : {}) };
  });
}

const errorEnvelope = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { const: false },
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } },
  },
};

const errorResponses = (route: RestRoute): Record<string, JsonSchema> => {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const responses: Record<string, JsonSchema> = {};
  if (route.body || route.query) responses['400'] = error(`Malformed JSON, JSON nested deeper than ${MAX_JSON_DEPTH} levels, or a field the schema refuses (named in the message)`);
  if (route.access !== 'public') {
    responses['401'] = error('No valid token or session');
    responses['403'] = error(route.access === 'super-admin' ? 'Needs a super-admin, or a cookie session without X-CSRF-Token' : 'A cookie session without X-CSRF-Token');
  }
  if (route.params) responses['404'] = error('Not in the catalogue');
  if (route.body) responses['413'] = error(`Body over ${route.bodyLimit === undefined ? '1 MB' : `${route.bodyLimit} bytes`}`);
  if (route.method !== 'GET') responses['422'] = error('The operation ran and failed (the message says why)');
  responses['429'] = error('A credential that did not work, after too many failures from this address or from all (Retry-After says when to try another); a valid one is never refused this way');
  return responses;
};

export function openApiDocument(routes: readonly RestRoute[], channels: readonly string[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      'x-holdfast-role': route.access,
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [String(route.successStatus ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: { type: 'object', required: ['success', 'data'], properties: { success: { const: true }, data: jsonSchema(route.response, 'output') } } } },
        },
        ...errorResponses(route),
      },
    };
    if (route.body) operation.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    if (route.access === 'public') operation.security = [];
    if (route.access === 'health') operation.security = [{}, { bearer: [] }, { session: [] }];
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation;
  }
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics: last success time, duration and size per profile, failures, running backups',
      'x-holdfast-role': 'admin',
      responses: { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  paths['/api/rpc/{channel}'] = {
    post: {
      summary: 'Any contract operation (what the desktop UI and the CLI use); answers { ok, value } or { ok: false, error }',
      description:
        'With Accept: text/event-stream, progress events stream first and then the result. backup.create, backup.verify, backup.testRestore and backup.restore (but a dry run) run in the server whatever becomes of the request: their stream starts with an operation event (its id), and only POST /api/operations/{id}/cancel cancels them; closing any other call cancels it. backup.restore, restore.recover, backup.adopt and user.* need a super-admin, and so do profile.add/profile.edit with pgBinDir or drillChecks and profile.import of a named file.',
      parameters: [{ name: 'channel', in: 'path', required: true, schema: { type: 'string', enum: [...channels] } }],
      requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
      responses: { '200': { description: '{ ok: true, value }' }, '400': { description: '{ ok: false, error } for bad input' }, '403': { description: 'The role may not call this channel' } },
    },
  };
  paths['/api/operations/{id}/events'] = {
    get: {
      summary: "Attach to an operation's progress (Server-Sent Events): the operation, its progress so far and as it comes, then its result",
      description: 'Closing the stream leaves the operation running. A finished operation answers at once with its result, for as long as it is kept.',
      'x-holdfast-role': 'the role starting it needed',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'text/event-stream: event operation, then progress…, then result ({ ok, value } or { ok: false, error })' },
        '404': { description: 'No such operation that you may see' },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Holdfast REST API',
      version: '1',
      description:
        'Backups of PostgreSQL, served by `holdfast serve`. Authenticate with Authorization: Bearer <token> (the token serve printed, or one from `holdfast user add`), or with the session cookie from POST /api/session; cookie sessions send X-CSRF-Token with every state-changing request.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'holdfast_session' },
      },
      schemas: { Error: errorEnvelope },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
