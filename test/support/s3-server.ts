// A real S3-compatible server for the offsite suites: s3rver on loopback, a free port, a temp dir of
// its own, started and stopped by the suite. It refuses an unknown access key id (InvalidAccessKeyId)
// but does not check SigV4 signatures: a wrong secret with a known key id is accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
// s3rver ships no types; its constructor options and run/close are all the suites use.
// @ts-expect-error untyped module
import S3rver from 's3rver';

/** A key pair of s3rver's one account, its secret unlike anything else a suite writes (so a leak check can find it). */
export const S3_ACCESS_KEY_ID = 'HOLDFASTTESTKEY';
export const S3_SECRET_ACCESS_KEY = 'hf-test-secret-Rk3vQ9pLm2';
const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
DUMMY_ACCOUNT.createKeyPair(S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects on disk (its own layout). */
  directory: string;
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (after stop). */
  start(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'holdfast-test'): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'holdfast-s3rver-'));
  const make = (port: number): S3rverInstance => new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket }] }) as S3rverInstance;
  let server = make(0);
  const { port } = await server.run();
  let running = true;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    async stop() {
      if (!running) return;
      running = false;
      await server.close();
    },
    async start() {
      if (running) return;
      server = make(port);
      await server.run();
      running = true;
    },
  };
}

export async function removeS3Server(server: S3Server): Promise<void> {
  await server.stop();
  rmSync(server.directory, { recursive: true, force: true });
}
