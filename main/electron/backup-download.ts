// The desktop app's Download: the renderer's link is the one `holdfast serve` answers
// (/api/backup/<file name>/download[?part=roles]); in the app, holdfast://app/ answers it here from
// the engine's stream (core/storage/download.ts), never reading the file whole. Electron's download
// manager sees an attachment and asks where to save it (saveDialogOptions), then writes it as it
// streams. Only the glue in main.ts touches Electron; this module is plain Node with a spec.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Catalogue } from '../core/catalogue/catalogue.ts';
import type { HoldfastConfig } from '../core/config/config.ts';
import { statusFor } from '../serve/respond.ts';
import { toErrorInfo, type ErrorInfo } from '../core/model/errors.ts';
import { contentDisposition, openBackupDownload, type DownloadPart } from '../core/storage/download.ts';
import { backupStorage } from '../core/storage/storage.ts';
import { appUrl } from './app-origin.ts';

export interface DownloadRequest {
  filename: string;
  part: DownloadPart;
}

const DOWNLOAD_PATH = /^\/api\/backup\/([^/]+)\/download$/;

/** The backup a holdfast://app/ URL asks to download, or null when it is no download link (anything else the app protocol answers). */
export function downloadRequest(url: string): DownloadRequest | null {
  const parsed = appUrl(url);
  if (!parsed) return null;
  const match = DOWNLOAD_PATH.exec(parsed.pathname);
  if (!match) return null;
  let filename: string;
  try {
    filename = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  const part = parsed.searchParams.get('part') ?? 'backup';
  if (part !== 'backup' && part !== 'roles') return null;
  return { filename, part };
}

function errorResponse(error: ErrorInfo): Response {
  return new Response(JSON.stringify({ success: false, error }), { status: statusFor(error.code), headers: { 'Content-Type': 'application/json' } });
}

/**
 * The answer to a download link: the stored bytes as an attachment (their SHA-256 is the catalogue's,
 * repeated in X-Holdfast-Checksum), or the engine's error. The name is looked up in the catalogue and
 * nowhere else, so a name that is not there ("../" included) touches no file.
 */
export async function serveBackupDownload(engine: { catalogue: Catalogue; config: HoldfastConfig }, request: DownloadRequest): Promise<Response> {
  const backup = engine.catalogue.findBackup(request.filename);
  if (!backup || backup.status === 'deleted') return errorResponse({ code: 'NOT_FOUND', message: `No backup named "${request.filename}" in the catalogue.` });
  try {
    const download = await openBackupDownload(backupStorage(engine.config), backup, request.part);
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(download.size),
      'Content-Disposition': contentDisposition(download.filename),
      'Cache-Control': 'no-store',
    };
    if (download.checksum) headers['X-Holdfast-Checksum'] = download.checksum;
    return new Response(Readable.toWeb(download.stream) as ReadableStream<Uint8Array>, { status: 200, headers });
  } catch (error) {
    return errorResponse(toErrorInfo(error));
  }
}

/** What the save dialog offers: the backup's own name in the user's downloads folder. */
export function saveDialogOptions(filename: string, downloadsDir: string): { title: string; defaultPath: string; buttonLabel: string } {
  return { title: 'Save backup', defaultPath: join(downloadsDir, filename), buttonLabel: 'Save' };
}
