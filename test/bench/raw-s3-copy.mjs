// The copies bench's raw floor (issue 14): what any tool needs to put a dump in an S3 bucket and
// read it back once, with no Holdfast code — the same SDK, part size, queue depth and checksum
// settings as Holdfast's S3 destination (main/core/storage/s3-destination.ts), one Upload, then one
// GET hashed with SHA-256. Plain JavaScript run by `node` in a process of its own, as the CLI is, so
// that it and s3rver (in the bench's process) have the same two processes to share the cores.
//
//   node raw-s3-copy.mjs file <path>                         upload a finished file
//   node raw-s3-copy.mjs stream <pg_dump> <pg_dump args>...  pg_dump's stdout piped into the Upload
//
// Then reads the object back and prints {"bytes": n, "sha256": "…"} of what it read; the bench compares
// it with the source. Endpoint, bucket, key and credentials come from RAW_S3_* variables.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const [mode, source, ...dumpArgs] = process.argv.slice(2);
const { RAW_S3_ENDPOINT, RAW_S3_BUCKET, RAW_S3_KEY, RAW_S3_ACCESS_KEY_ID, RAW_S3_SECRET_ACCESS_KEY } = process.env;

const client = new S3Client({
  region: 'us-east-1',
  endpoint: RAW_S3_ENDPOINT,
  forcePathStyle: true,
  credentials: { accessKeyId: RAW_S3_ACCESS_KEY_ID, secretAccessKey: RAW_S3_SECRET_ACCESS_KEY },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

let dump;
let body;
if (mode === 'file') body = createReadStream(source);
else if (mode === 'stream') {
  dump = spawn(source, dumpArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  body = dump.stdout;
} else throw new Error(`mode must be "file" or "stream", not ${mode}`);
const dumped = dump ? new Promise((resolve, reject) => dump.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump exited ${code}`))))) : Promise.resolve();

await new Upload({ client, params: { Bucket: RAW_S3_BUCKET, Key: RAW_S3_KEY, Body: body }, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false }).done();
await dumped;

const hash = createHash('sha256');
let bytes = 0;
const answer = await client.send(new GetObjectCommand({ Bucket: RAW_S3_BUCKET, Key: RAW_S3_KEY }));
for await (const chunk of answer.Body) {
  hash.update(chunk);
  bytes += chunk.length;
}
client.destroy();
process.stdout.write(`${JSON.stringify({ bytes, sha256: hash.digest('hex') })}\n`);
