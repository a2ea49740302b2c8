// The fixture the offsite suites share: the shop database (openShop) on a real PostgreSQL server, its
// secrets in the credentials file (the file store, so no keychain is needed), and two destinations —
// `nas`, a temp directory, and `bucket`, s3rver on loopback under the prefix `prod`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmittedEvent } from '../../main/core/events/events.ts';
import { closeShop, openShop, type ShopFixture } from './holdfast-env.ts';
import { removeS3Server, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, startS3Server, type S3Server } from './s3-server.ts';

export const FILE_STORE = { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' };

export interface OffsiteShop {
  shop: ShopFixture;
  s3: S3Server;
  /** The `nas` destination's directory. */
  nas: string;
  close(): Promise<void>;
}

/**
 * Opens the shop with `rows` rows, the file store and `extraEnv`, then adds `nas` and `bucket`.
 * `events`, when given, collects every engine event from before the destinations are added.
 */
export async function openOffsiteShop(rows: number, options: { extraEnv?: Record<string, string>; events?: EmittedEvent[] } = {}): Promise<OffsiteShop> {
  const s3 = await startS3Server();
  const nas = mkdtempSync(join(tmpdir(), 'holdfast-nas-'));
  const shop = await openShop(rows);
  // openShop's engine uses the host's default store; these suites' secrets go to the credentials file.
  shop.holdfast.close();
  Object.assign(shop.home.env, FILE_STORE, options.extraEnv ?? {});
  shop.holdfast = await shop.home.open();
  const events = options.events;
  if (events) shop.holdfast.events.subscribe({ name: 'test', handle: (event) => void events.push(event) });
  await shop.holdfast.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } });
  await shop.holdfast.offsite.destinations.add({
    name: 'bucket',
    spec: { type: 's3', settings: { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, pathStyle: true, prefix: 'prod', accessKeyId: S3_ACCESS_KEY_ID } },
    secretAccessKey: S3_SECRET_ACCESS_KEY,
  });
  return {
    shop,
    s3,
    nas,
    async close() {
      await closeShop(shop);
      await removeS3Server(s3);
      rmSync(nas, { recursive: true, force: true });
    },
  };
}
