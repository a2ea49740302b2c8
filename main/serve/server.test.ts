// Fastify's own schema compilers are replaced by ones that refuse (server.ts, NO_ROUTE_SCHEMAS): the
// bundle leaves ajv and fast-json-stringify out, so a route schema must fail loudly where it is
// declared, not at a user's first request through the bundle.
import Fastify from 'fastify';
import { expect, test } from 'vitest';
import { NO_ROUTE_SCHEMAS } from './server.ts';

const app = () => Fastify({ logger: false, schemaController: { compilersFactory: NO_ROUTE_SCHEMAS } });

test('a route with a Fastify validation schema is refused when the server gets ready, naming the route', async () => {
  const server = app();
  server.post('/api/thing', { schema: { body: { type: 'object' } } }, async () => ({}));
  await expect(server.ready()).rejects.toThrow(/POST \/api\/thing declares a Fastify validation schema: Holdfast's routes validate with zod/);
});

test('a route with a Fastify response schema is refused too', async () => {
  const server = app();
  server.get('/api/thing', { schema: { response: { 200: { type: 'object' } } } }, async () => ({}));
  await expect(server.ready()).rejects.toThrow(/GET \/api\/thing declares a Fastify response schema/);
});

test("routes without schemas, as all of serve's are, answer", async () => {
  const server = app();
  server.post('/api/thing', async () => ({ ok: true }));
  const answer = await server.inject({ method: 'POST', url: '/api/thing', payload: {} });
  expect(answer.json()).toEqual({ ok: true });
});
