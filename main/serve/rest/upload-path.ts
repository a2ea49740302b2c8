// Where serve takes a dump's upload (rest/upload.ts); the renderer's HTTP transport posts to it. No
// imports, so the renderer's bundle takes the path and nothing of the server.
export const UPLOAD_PATH = '/api/backup/import/upload';
