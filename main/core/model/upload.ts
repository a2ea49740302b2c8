// The one size limit on a dump received as an upload (core/backup/import-upload.ts), read by serve's
// route and by the renderer's Import dialog, which refuses a larger file before sending a byte.

/** The largest dump accepted as an upload; a larger one is imported from a path on the host (holdfast import). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
