// POST /api/backup/import/upload?profile=P&name=N[&modified=MS]: a dump picked in the browser, its bytes
// the request body (application/octet-stream), streamed to the engine's import (core/backup/import-upload.ts)
// — never read whole into memory. The role is backup.import's, so a path import and an upload need the
// same one. The body is only read once the role, the query and the declared size have been accepted.
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { lazySchema } from '../../core/model/lazy-schema.ts';
import { describeZodError } from '../../contract.ts';
import { ProfileNameSchema } from '../../core/profiles/profile-schema.ts';
import { MAX_UPLOAD_BYTES } from '../../core/model/upload.ts';
import type { Holdfast } from '../../core/holdfast.ts';
import { toErrorInfo } from '../../core/model/errors.ts';
import { channelRole, hasRole } from '../auth.ts';
import { deny, statusFor } from '../respond.ts';
import { UPLOAD_PATH } from './upload-path.ts';

/** The channel whose role an upload needs: the same import, from a path. */
const SAME_ROLE_AS = 'backup.import';

const Query = lazySchema(() =>
  z
    .object({
      profile: ProfileNameSchema,
      name: z.string().min(1).max(1024),
      modified: z.coerce.number().int().nonnegative().optional(),
    })
    .strict(),
);

export function registerUpload(app: FastifyInstance, holdfast: Holdfast): void {
  // Its own scope: the raw body parser serves this route only; every other route keeps JSON.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    scope.post(UPLOAD_PATH, async (request, reply) => {
      const principal = request.principal;
      const needed = channelRole(SAME_ROLE_AS);
      if (!principal || !hasRole(principal, needed)) {
        return deny(holdfast.catalogue, request, reply, 403, {
          code: 'FORBIDDEN',
          message: `Importing a dump needs a ${needed}; ${principal?.name ?? 'this caller'} is ${principal?.role ?? 'not signed in'}.`,
          hint: 'Ask a super-admin (or the owner of holdfast serve) to import it, or to give you that role.',
        });
      }
      const query = Query.safeParse(request.query ?? {});
      if (!query.success) {
        return reply.code(400).send({
          success: false,
          error: { code: 'BAD_INPUT', message: `Invalid upload: ${describeZodError(query.error)}`, hint: 'Send ?profile=PROFILE&name=FILE_NAME, the file as an application/octet-stream body.' },
        });
      }
      if (!(request.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
        return reply
          .code(415)
          .send({ success: false, error: { code: 'BAD_INPUT', message: 'An upload is sent as Content-Type: application/octet-stream.', hint: 'Send the file itself as the body.' } });
      }
      const declared = Number(request.headers['content-length']);
      if (request.headers['content-length'] === undefined || !Number.isSafeInteger(declared)) {
        return reply.code(411).send({
          success: false,
          error: {
            code: 'BAD_INPUT',
            message: 'An upload needs a Content-Length: the free space is checked before a byte is written.',
            hint: `Send the file with its length (at most ${MAX_UPLOAD_BYTES} bytes).`,
          },
        });
      }
      try {
        const imported = await holdfast.importUpload({
          profile: query.data.profile,
          name: query.data.name,
          size: declared,
          ...(query.data.modified === undefined ? {} : { modifiedAt: new Date(query.data.modified) }),
          body: request.raw,
        });
        return reply.code(201).send({ success: true, data: imported });
      } catch (error) {
        const info = toErrorInfo(error);
        return reply.code(statusFor(info.code)).send({ success: false, error: info });
      }
    });
  });
}
