// GET /api/backup/:filename/download[?part=roles]: a backup's stored file (or its roles file),
// streamed from storage to the browser's save dialog — never read whole into memory — for an admin.
// The bytes are the stored ones, so their SHA-256 is the catalogue's, which X-Holdfast-Checksum repeats.
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { lazySchema } from '../../core/model/lazy-schema.ts';
import { describeZodError } from '../../contract.ts';
import type { Holdfast } from '../../core/holdfast.ts';
import { toErrorInfo } from '../../core/model/errors.ts';
import { contentDisposition, openBackupDownload } from '../../core/storage/download.ts';
import { backupStorage } from '../../core/storage/storage.ts';
import { hasRole } from '../auth.ts';
import { deny, statusFor } from '../respond.ts';

export const DOWNLOAD_PATH = '/api/backup/:filename/download';

const Params = lazySchema(() => z.object({ filename: z.string().min(1).max(255) }).strict());
const Query = lazySchema(() => z.object({ part: z.enum(['backup', 'roles']).default('backup') }).strict());

export function registerDownload(app: FastifyInstance, holdfast: Holdfast): void {
  app.get(DOWNLOAD_PATH, async (request, reply) => {
    const principal = request.principal;
    if (!principal || !hasRole(principal, 'admin')) {
      return deny(holdfast.catalogue, request, reply, 403, {
        code: 'FORBIDDEN',
        message: `Downloading a backup needs an admin; ${principal?.name ?? 'this caller'} is ${principal?.role ?? 'not signed in'}.`,
        hint: 'Ask a super-admin (or the owner of holdfast serve) to give you that role.',
      });
    }
    const params = Params.safeParse(request.params);
    const query = Query.safeParse(request.query ?? {});
    if (!params.success || !query.success) {
      const error = !params.success ? params.error : (query as { error: z.ZodError }).error;
      return reply.code(400).send({ success: false, error: { code: 'BAD_INPUT', message: `Invalid download request: ${describeZodError(error)}`, hint: 'part is backup (the default) or roles.' } });
    }
    // Looked up in the catalogue and nowhere else: a name not there ("../" included) touches no file.
    const backup = holdfast.catalogue.findBackup(params.data.filename);
    if (!backup || backup.status === 'deleted') {
      return reply
        .code(404)
        .send({ success: false, error: { code: 'NOT_FOUND', message: `No backup named "${params.data.filename}" in the catalogue.`, hint: 'List backups with GET /api/backup/list.' } });
    }
    try {
      const download = await openBackupDownload(backupStorage(holdfast.config), backup, query.data.part);
      void reply
        .header('Content-Type', 'application/octet-stream')
        .header('Content-Length', String(download.size))
        .header('Content-Disposition', contentDisposition(download.filename))
        .header('Cache-Control', 'no-store');
      if (download.checksum) void reply.header('X-Holdfast-Checksum', download.checksum);
      return reply.send(download.stream);
    } catch (error) {
      const info = toErrorInfo(error);
      return reply.code(statusFor(info.code)).send({ success: false, error: info });
    }
  });
}
