// A destination on any S3-compatible service (AWS, MinIO, R2, B2, Wasabi, GCS's S3 endpoint).
//
// - Keys live under the destination's prefix: "<prefix>/<key>".
// - put streams through lib-storage's Upload (multipart for anything over one part; at most
//   QUEUE_SIZE parts of PART_SIZE in memory whatever the file's size). The bytes are hashed on their
//   way out and a stream whose SHA-256 or size is not the expected one errors before its end, so
//   Upload aborts instead of completing: a multipart upload shows nothing under its key until it is
//   completed, and a failed one is aborted (leavePartsOnError: false). Then the object is read back
//   and hashed again; only a match is left under the key.
// - Checksums: the SDK's own request/response checksums are set to WHEN_REQUIRED. Recent SDKs send
//   CRC32 trailing checksums (aws-chunked bodies) on every upload by default, which MinIO releases,
//   R2, B2, s3rver and others reject or mishandle; Holdfast's integrity check is its own SHA-256,
//   compared after reading each object back, which works on every service. TLS and SigV4 cover the
//   transport.
// - Errors name the service's own code (InvalidAccessKeyId, SignatureDoesNotMatch, NoSuchBucket, …)
//   and never the secret.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
  type ServerSideEncryption,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { HoldfastError } from '../model/errors.ts';
import { checkKey, type Destination, type LocalCopy, type ObjectInfo, type ObjectKind, type PutHooks } from './destination.ts';
import type { S3Settings } from './destination-settings.ts';
import { checkedPut, privateDownload, probeBody, treeRefused, type Expected } from './remote-object.ts';

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export class S3Destination implements Destination {
  /** put reads the object back and compares it (remote-object.ts). */
  readonly putReadsBack = true;
  private readonly client: S3Client;

  /** credentials undefined: the SDK's default chain (AWS_* variables, ~/.aws, instance roles). */
  constructor(
    readonly name: string,
    private readonly settings: S3Settings,
    credentials: S3Credentials | undefined,
  ) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.pathStyle,
      ...(credentials ? { credentials } : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  describe(key: string): string {
    return `s3://${this.settings.bucket}/${this.objectKey(key)}${this.settings.endpoint ? ` at ${this.settings.endpoint}` : ''}`;
  }

  put(key: string, source: Readable, expected: Expected, hooks: PutHooks = {}): Promise<void> {
    return checkedPut({
      where: this.describe(key),
      source,
      expected,
      exists: async () => (await this.stat(key)) !== undefined,
      send: async (body) => {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.settings.bucket, Key: this.objectKey(key), Body: body, ...uploadOptions(this.settings) },
          partSize: PART_SIZE,
          queueSize: QUEUE_SIZE,
          leavePartsOnError: false,
        });
        // The id is known once the upload is created; told at the first part, so a crash after it can be aborted by id.
        let told: string | undefined;
        upload.on('httpUploadProgress', () => {
          if (upload.uploadId && told !== upload.uploadId) hooks.onMultipartUpload?.((told = upload.uploadId));
        });
        await upload.done();
        if (told) hooks.onMultipartUpload?.(null);
      },
      open: () => this.open(key),
      remove: () => this.remove(key),
      failure: (what, error) => this.failure(what, error),
    });
  }

  async putTree(key: string): Promise<void> {
    throw treeRefused(this.describe(key), 'an S3');
  }

  async open(key: string): Promise<Readable> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      if (!(answer.Body instanceof Readable)) throw new Error('the service sent no body');
      return answer.Body;
    } catch (error) {
      if (isNotFound(error)) throw new HoldfastError('NOT_FOUND', `Nothing is stored at ${this.describe(key)}.`, 'Check the copy with holdfast verify --copies.');
      throw this.failure(`Reading ${this.describe(key)}`, error);
    }
  }

  /** A private download: a 0600 file in a fresh 0700 directory, removed by release() (and on any failure here). */
  localFile(key: string): Promise<LocalCopy> {
    return privateDownload(key, () => this.open(key));
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return { kind: 'file', size: head.ContentLength ?? 0 };
    } catch (error) {
      if (!isNotFound(error)) throw this.failure(`Looking up ${this.describe(key)}`, error);
    }
    let size = 0;
    let any = false;
    for await (const page of this.pages(`${this.objectKey(key)}/`)) {
      for (const object of page.Contents ?? []) {
        any = true;
        size += object.Size ?? 0;
      }
    }
    return any ? { kind: 'tree', size } : undefined;
  }

  async list(prefix: string): Promise<Array<{ key: string; kind: ObjectKind }>> {
    checkKey(prefix, { allowRoot: true });
    const base = prefix === '' ? this.rootPrefix() : `${this.objectKey(prefix)}/`;
    const found: Array<{ key: string; kind: ObjectKind }> = [];
    const relativeKey = (objectKey: string) => objectKey.slice(this.rootPrefix().length).replace(/\/$/, '');
    for await (const page of this.pages(base, '/')) {
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) found.push({ key: relativeKey(common.Prefix), kind: 'tree' });
      for (const object of page.Contents ?? []) if (object.Key && !object.Key.endsWith('/')) found.push({ key: relativeKey(object.Key), kind: 'file' });
    }
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  /** The object, or every object under a tree's key; one DeleteObject each (DeleteObjects needs a checksum header some services reject). */
  async remove(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
      for await (const page of this.pages(`${objectKey}/`)) {
        for (const object of page.Contents ?? []) if (object.Key) await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: object.Key }));
      }
    } catch (error) {
      if (!isNotFound(error)) throw this.failure(`Removing ${this.describe(key)}`, error);
    }
  }

  /**
   * The multipart uploads open under this exact object key: the recorded one, then any the service
   * lists (ListMultipartUploads; a service that does not implement it, like s3rver, is told as a problem).
   */
  async clearAbandonedPut(key: string, uploadId: string | null): Promise<{ cleared: string[]; problems: string[] }> {
    const objectKey = this.objectKey(key);
    const result = { cleared: [] as string[], problems: [] as string[] };
    const ids = new Set<string>(uploadId ? [uploadId] : []);
    try {
      const listed = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.settings.bucket, Prefix: objectKey }));
      for (const upload of listed.Uploads ?? []) if (upload.Key === objectKey && upload.UploadId) ids.add(upload.UploadId);
    } catch (error) {
      result.problems.push(`listing the open uploads of ${this.describe(key)}: ${this.failure('Listing', error).message}`);
    }
    for (const id of ids) {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: objectKey, UploadId: id }));
        result.cleared.push(`multipart upload ${id} of ${this.describe(key)}`);
      } catch (error) {
        if (isNotFound(error)) continue;
        result.problems.push(`aborting multipart upload ${id} of ${this.describe(key)}: ${this.failure('Aborting', error).message}`);
      }
    }
    return result;
  }

  /** A small object written, read back, compared and removed: what `holdfast destination test` does. */
  async probe(): Promise<void> {
    const { key, body, expected } = probeBody();
    await this.put(key, Readable.from([body]), expected);
    await this.remove(key);
  }

  destroy(): void {
    this.client.destroy();
  }

  private rootPrefix(): string {
    return this.settings.prefix ? `${this.settings.prefix}/` : '';
  }

  private objectKey(key: string): string {
    return `${this.rootPrefix()}${checkKey(key)}`;
  }

  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (error) {
        throw this.failure(`Listing s3://${this.settings.bucket}/${prefix}`, error);
      }
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private failure(what: string, error: unknown): HoldfastError {
    return s3Failure(this.name, what, error);
  }
}

/** Storage class and server-side encryption, as the destination's settings ask, on every upload. */
export function uploadOptions(settings: Pick<S3Settings, 'storageClass' | 'sse' | 'sseKmsKeyId'>): {
  StorageClass?: StorageClass;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
} {
  return {
    ...(settings.storageClass ? { StorageClass: settings.storageClass as StorageClass } : {}),
    ...(settings.sse ? { ServerSideEncryption: settings.sse as ServerSideEncryption } : {}),
    ...(settings.sse === 'aws:kms' && settings.sseKmsKeyId ? { SSEKMSKeyId: settings.sseKmsKeyId } : {}),
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

const CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'CredentialsProviderError']);

/** The service's code and message, with a next step; the SDK's messages hold no secret, and nothing else is added. */
export function s3Failure(destination: string, what: string, error: unknown): HoldfastError {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  // A HEAD answer has no body to name its error: a bare 403 is a refusal of the credentials or of the permission.
  const bare = !e?.code && (e?.name === 'Unknown' || e?.name === '403' || e?.message === 'UnknownError');
  const code = bare && status === 403 ? 'AccessDenied' : (e?.code ?? e?.name ?? 'Error');
  const message = bare && status === 403 ? 'the service refused the request (wrong access key id or secret, or no permission on the bucket)' : (e?.message ?? String(error));
  const detail = `${code}${status ? ` (HTTP ${status})` : ''}: ${message}`;
  const hint = CREDENTIAL_ERRORS.has(code)
    ? `Check the access key id and secret access key of destination "${destination}" (holdfast destination add … --secret-access-key-stdin stores a new one), and that the key may read and write the bucket.`
    : code === 'NoSuchBucket'
      ? `Create the bucket, or correct destination "${destination}"'s bucket name.`
      : /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|socket hang up/i.test(detail)
        ? `Check that the service is reachable from this host (endpoint, network, proxy), then try again.`
        : `Check destination "${destination}" with holdfast destination test.`;
  return new HoldfastError('CONNECTION_FAILED', `${what} on destination "${destination}" failed: ${detail}`, hint);
}
