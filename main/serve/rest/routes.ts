// The REST admin API (the specification's /api/backup/* routes, sessions, OpenAPI, metrics). Each
// route is thin: it validates the specification's request shape, maps it onto contract channels,
// runs them as the calling user, and wraps the answer in { success, data } / { success, error }.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as z from 'zod';
import { contract, describeZodError, type Channel, type ChannelInput, type ChannelOutput, type Envelope } from '../../contract.ts';
import { onFirstUse } from '../../core/process/first-use.ts';
import type { Holdfast } from '../../core/holdfast.ts';
import type { BackupMetadata } from '../../core/model/types.ts';
import { channelRole, hasRole, type Principal } from '../auth.ts';
import { encryptionChoiceRefusal } from '../encryption-refusal.ts';
import type { Operations } from '../operations.ts';
import { deny, statusFor, type ApiError } from '../respond.ts';
import { pageOf } from './list.ts';
import type { Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import {
  BackupPage,
  CreateBody,
  EmptyBody,
  HealthSchema,
  ListQuery,
  LoginBody,
  OperationList,
  OperationParams,
  OperationSchema,
  OperationsQuery,
  ImportBody,
  PinBody,
  RestoreBody,
  RestoreSchema,
  ScheduleStatusSchema,
  SessionSchema,
  StatsSchema,
  BackupMetadataSchema,
  VerifyParams,
  VerifyQuery,
  VerifySchema,
} from './schemas.ts';

/** admin and super-admin: roles; health: anyone when --public-health is on; public: no token (login). */
export type Access = 'admin' | 'super-admin' | 'health' | 'public';

export type Answer = { ok: true; value: unknown } | { ok: false; error: ApiError };

export interface RouteContext<B, Q, P> {
  request: FastifyRequest;
  reply: FastifyReply;
  /** Null only on public routes, and on health when --public-health let a request in without a token. */
  principal: Principal | null;
  body: B;
  query: Q;
  params: P;
  /**
   * Calls a contract channel as the requesting user. A backup, verify, drill or restore runs on if the
   * client goes away (GET /api/operations finds it); anything else is cancelled.
   */
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Envelope<ChannelOutput<C>>>;
}

export interface RestRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  summary: string;
  description?: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response: z.ZodType;
  successStatus?: number;
  /** Bytes; default the server's 1 MB. */
  bodyLimit?: number;
  handle(context: RouteContext<unknown, unknown, unknown>): Promise<Answer>;
}

function route<B extends z.ZodType = typeof EmptyBody, Q extends z.ZodType = typeof EmptyBody, P extends z.ZodType = typeof EmptyBody>(
  spec: Omit<RestRoute, 'handle' | 'body' | 'query' | 'params'> & { body?: B; query?: Q; params?: P; handle(context: RouteContext<z.output<B>, z.output<Q>, z.output<P>>): Promise<Answer> },
): RestRoute {
  return spec as unknown as RestRoute;
}

/** prom-client and the gauges over the catalogue, loaded on the first scrape (registerRest says why). */
const loadMetrics = onFirstUse(() => import('./metrics.ts'));

const fail = (code: string, message: string, hint?: string): Answer => ({ ok: false, error: hint ? { code, message, hint } : { code, message } });

/** The login side of sessions, which server.ts owns (cookies, the session store, the failure limit). */
export interface SessionHost {
  login(request: FastifyRequest, reply: FastifyReply, token: string): Answer;
  logout(request: FastifyRequest, reply: FastifyReply): Answer;
  current(request: FastifyRequest): Answer;
}

/**
 * A :filename (or backupFilename) is looked up in the catalogue and nowhere else: a name that is not
 * there, "../" tricks included, is a 404 before any file is touched.
 */
function catalogued(holdfast: Holdfast, filename: string): BackupMetadata | undefined {
  const backup = holdfast.catalogue.findBackup(filename);
  return backup && backup.status !== 'deleted' ? backup : undefined;
}

const notCatalogued = (filename: string) => fail('NOT_FOUND', `No backup named "${filename}" in the catalogue.`, 'List backups with GET /api/backup/list.');

export function restRoutes(holdfast: Holdfast, sessions: SessionHost, operations: Operations): RestRoute[] {
  return [
    route({
      method: 'GET',
      path: '/api/backup/list',
      summary: 'Backups in the catalogue, newest first, with filters and pages',
      access: 'admin',
      query: ListQuery,
      response: BackupPage,
      async handle({ query, call }) {
        const listed = await call('backup.list', query.profile ? { profile: query.profile } : {});
        if (!listed.ok) return listed;
        // Without `all` the list holds catalogued backups only; the guard just tells TypeScript so.
        const backups = listed.value.filter((entry): entry is BackupMetadata => 'checksum' in entry);
        return { ok: true, value: pageOf(backups, query) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/backup/create',
      summary: 'Take a backup now; answers its metadata',
      description: 'profile may be left out when exactly one profile exists. includeSchema: false is a data-only dump; includeData: false a schema-only one.',
      access: 'admin',
      body: CreateBody,
      response: BackupMetadataSchema,
      successStatus: 201,
      async handle({ body, call }) {
        let profile = body.profile;
        if (profile === undefined) {
          const profiles = await call('profile.list', {});
          if (!profiles.ok) return profiles;
          const names = profiles.value.map((p) => p.name);
          if (names.length !== 1) {
            return names.length === 0
              ? fail('BAD_INPUT', 'There are no profiles to back up.', 'Add one with `holdfast profile add`.')
              : fail('BAD_INPUT', `profile: there are ${names.length} profiles, so say which one to back up.`, `One of: ${names.join(', ')}`);
          }
          profile = names[0]!;
        }
        return call('backup.create', {
          profile,
          options: {
            tables: body.specificTables,
            schemaOnly: !body.includeData,
            dataOnly: !body.includeSchema,
            ...(body.customSuffix === undefined ? {} : { suffix: body.customSuffix }),
            ...(body.format === undefined ? {} : { format: body.format }),
            ...(body.encryptTo === undefined ? {} : { encryptTo: body.encryptTo }),
          },
        });
      },
    }),
    route({
      method: 'POST',
      path: '/api/backup/restore',
      summary: 'Restore a backup (super-admin); dryRun answers the plan and changes nothing',
      description:
        'The backup is verified first. A target database that has tables is only replaced with dropExisting (restored beside it, row counts compared, then swapped in), and, unless dryRun, confirm set to the database name.',
      access: 'super-admin',
      body: RestoreBody,
      response: RestoreSchema,
      async handle({ body, call }) {
        const backup = catalogued(holdfast, body.backupFilename);
        if (!backup) return notCatalogued(body.backupFilename);
        return call('backup.restore', {
          ref: backup.id,
          to: body.targetProfile ?? backup.profile,
          ...(body.targetDatabase === undefined ? {} : { dbname: body.targetDatabase }),
          // Restoring into a database that does not exist yet (a lost one, or a copy) creates it.
          create: true,
          clean: body.dropExisting,
          dryRun: body.dryRun,
          terminateConnections: body.terminateConnections,
          ...(body.confirm === undefined ? {} : { confirm: body.confirm }),
        });
      },
    }),
    route({
      method: 'POST',
      path: '/api/backup/:filename/verify',
      summary: 'Verify a backup: size, SHA-256, structure, pg_restore; ?testRestore=true also restores it into a scratch server',
      access: 'admin',
      params: VerifyParams,
      query: VerifyQuery,
      body: EmptyBody,
      response: VerifySchema,
      async handle({ params, query, call }) {
        const backup = catalogued(holdfast, params.filename);
        if (!backup) return notCatalogued(params.filename);
        if (query.testRestore !== 'true') return call('backup.verify', { ref: backup.id });
        const drill = await call('backup.testRestore', { ref: backup.id, ...(query.onMajor === undefined ? {} : { major: query.onMajor }) });
        return drill.ok ? { ok: true, value: { valid: drill.value.ok, ...drill.value } } : drill;
      },
    }),
    route({
      method: 'POST',
      path: '/api/backup/import',
      summary: 'Import a dump made elsewhere (a path on the host): copied into BACKUP_DIR, checked, catalogued as imported and pinned',
      access: 'super-admin',
      body: ImportBody,
      response: BackupMetadataSchema,
      handle: ({ body, call }) => call('backup.import', body),
    }),
    route({
      method: 'POST',
      path: '/api/backup/:filename/pin',
      summary: 'Pin a backup: retention keeps it whatever the policy; { "pinned": false } unpins it',
      access: 'admin',
      params: VerifyParams,
      body: PinBody,
      response: BackupMetadataSchema,
      async handle({ params, body, call }) {
        const backup = catalogued(holdfast, params.filename);
        if (!backup) return notCatalogued(params.filename);
        return call('backup.pin', { ref: backup.id, pinned: body.pinned });
      },
    }),
    route({
      method: 'GET',
      path: '/api/backup/stats',
      summary: "Backup statistics (the specification's fields, plus per profile)",
      access: 'admin',
      query: EmptyBody,
      response: StatsSchema,
      handle: ({ call }) => call('backup.stats', {}),
    }),
    route({
      method: 'GET',
      path: '/api/backup/schedule/status',
      summary: 'Schedules, backups running now, and run counts',
      access: 'admin',
      query: EmptyBody,
      response: ScheduleStatusSchema,
      async handle({ call }) {
        const [schedules, running, stats, scheduling] = [await call('schedule.list', {}), await call('backup.running', {}), await call('backup.stats', {}), await call('schedule.hosts', {})];
        if (!schedules.ok) return schedules;
        if (!running.ok) return running;
        if (!stats.ok) return stats;
        if (!scheduling.ok) return scheduling;
        const { totalBackups, successfulBackups, failedBackups } = stats.value;
        return {
          ok: true,
          value: {
            enabled: schedules.value.some((s) => s.enabled),
            schedules: schedules.value,
            runningBackups: running.value,
            stats: { totalBackups, successfulBackups, failedBackups },
            scheduling: scheduling.value,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/backup/health',
      summary: 'healthy, degraded or unhealthy; with --public-health also without a token (then without the reasons)',
      access: 'health',
      query: EmptyBody,
      response: HealthSchema,
      async handle({ principal, call }) {
        const health = await call('backup.health', {});
        if (!health.ok || principal) return health;
        // A monitor without a token learns the verdict, not profile names or paths.
        const { status, totalBackups, hasRecentBackup, lastBackup, timestamp } = health.value;
        return { ok: true, value: { status, totalBackups, hasRecentBackup, lastBackup, timestamp } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/session',
      summary: 'Log in: trade a token for an HttpOnly, SameSite=Strict session cookie; answers the CSRF token',
      access: 'public',
      // Anybody may send this one: a token is at most 512 characters, so more is not read.
      bodyLimit: 4096,
      body: LoginBody,
      response: SessionSchema,
      handle: async ({ request, reply, body }) => sessions.login(request, reply, body.token),
    }),
    route({
      method: 'GET',
      path: '/api/session',
      summary: 'Who this token or session is',
      access: 'admin',
      query: EmptyBody,
      response: SessionSchema,
      handle: async ({ request }) => sessions.current(request),
    }),
    route({
      method: 'DELETE',
      path: '/api/session',
      summary: 'Log out: end this cookie session',
      access: 'admin',
      response: EmptyBody,
      handle: async ({ request, reply }) => sessions.logout(request, reply),
    }),
    route({
      method: 'GET',
      path: '/api/operations',
      summary: 'Backups, verifies, restore drills and restores running in the server, and those finished in the last minutes',
      description:
        'Started through /api/rpc or these routes, they run whatever becomes of the request that started them. GET /api/operations/{id}/events streams one (Server-Sent Events: the operation, its progress so far and as it comes, then its result). Lists those whose role you hold.',
      access: 'admin',
      query: OperationsQuery,
      response: OperationList,
      handle: async ({ principal, query }) => ({ ok: true, value: operations.list(principal as Principal, { mine: query.mine === 'true' }) }),
    }),
    route({
      method: 'POST',
      path: '/api/operations/:id/cancel',
      summary: 'Cancel a running operation; it needs the role that starting it needed, and the audit log names who cancelled',
      access: 'admin',
      params: OperationParams,
      body: EmptyBody,
      response: OperationSchema,
      handle: async ({ principal, params }) => operations.cancel(params.id, principal as Principal),
    }),
  ];
}

function parse(schema: z.ZodType | undefined, raw: unknown, what: string): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  if (!schema) return { ok: true, value: undefined };
  const parsed = schema.safeParse(raw ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        error: { code: 'BAD_INPUT', message: `Invalid ${what}: ${describeZodError(parsed.error)}`, hint: 'Fix the named field and try again; GET /api/openapi.json describes every field.' },
      };
}

export async function registerRest(app: FastifyInstance, holdfast: Holdfast, sessions: SessionHost, operations: Operations): Promise<void> {
  const routes = restRoutes(holdfast, sessions, operations);
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.path,
      ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
      ...(spec.access === 'public' || spec.access === 'health' ? { config: { access: spec.access } } : {}),
      handler: async (request, reply) => {
        const principal = request.principal;
        if ((spec.access === 'admin' || spec.access === 'super-admin') && (!principal || !hasRole(principal, spec.access))) {
          return deny(holdfast.catalogue, request, reply, 403, {
            code: 'FORBIDDEN',
            message: `${spec.method} ${spec.path} needs a ${spec.access}; ${principal?.name ?? 'this caller'} is ${principal?.role ?? 'not signed in'}.`,
            hint: 'Ask a super-admin (or the owner of holdfast serve) to do it, or to give you that role.',
          });
        }
        const params = parse(spec.params, request.params, 'path');
        const query = params.ok ? parse(spec.query, request.query, 'query') : params;
        const body = query.ok ? parse(spec.body, request.body, 'body') : query;
        if (!params.ok || !query.ok || !body.ok) {
          const error = [params, query, body].find((p) => !p.ok) as { error: ApiError };
          return reply.code(400).send({ success: false, error: error.error });
        }
        const abort = new AbortController();
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) abort.abort();
        });
        const answer = await spec.handle({
          request,
          reply,
          principal,
          body: body.value,
          query: query.value,
          params: params.value,
          call: (channel, input) => {
            // The route's access is the channel's base role; some inputs raise it (auth.ts), as on /api/rpc.
            const needed = channelRole(channel, input);
            if (principal ? hasRole(principal, needed) : needed === 'admin') return operations.call(channel, input, principal, abort.signal);
            const error = encryptionChoiceRefusal(channel, input, `${principal?.name ?? 'this caller'} is ${principal?.role ?? 'not signed in'}`) ?? {
              code: 'FORBIDDEN',
              message: `${spec.method} ${spec.path} with these fields calls ${channel}, which then needs a ${needed}; ${principal?.name ?? 'this caller'} is ${principal?.role ?? 'not signed in'}.`,
              hint: 'Leave those fields out, or ask a super-admin (or the owner of holdfast serve) to do it.',
            };
            deny(holdfast.catalogue, request, reply, 403, error);
            // The 403 is sent; the handler only has to stop (FORBIDDEN is serve's code, not the engine's).
            return Promise.resolve({ ok: false, error } as unknown as Envelope<never>);
          },
        });
        if (reply.sent) return reply;
        return answer.ok ? reply.code(spec.successStatus ?? 200).send({ success: true, data: answer.value }) : reply.code(statusFor(answer.error.code)).send({ success: false, error: answer.error });
      },
    });
  }

  // Both are built on their first request, not at start: the OpenAPI document turns every schema into
  // JSON Schema (~40 ms) and prom-client is a library of its own, neither needed for serve's first
  // answer (issue 17: serve answers within 500 ms of its start on a 10,000-backup home).
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/api/openapi.json', async () => (document ??= openApiDocument(routes, Object.keys(contract))));

  let metrics: Promise<Metrics> | undefined;
  app.get('/metrics', async (_request, reply) => {
    metrics ??= loadMetrics().then(({ createMetrics }) => createMetrics(holdfast));
    const ready = await metrics;
    return reply.type(ready.registry.contentType).send(await ready.scrape());
  });
}
