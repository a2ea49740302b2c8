// A destination in an Azure Blob Storage container (or anything that speaks its API: azurite).
//
// - Keys live under the destination's prefix: "<prefix>/<key>", as block blobs.
// - put streams through uploadStream: blocks of BLOCK_SIZE staged at most CONCURRENCY at a time
//   (bounded memory whatever the file's size), then one Put Block List makes the blob appear. The
//   bytes are hashed on their way out and a stream whose SHA-256 or size is not the expected one
//   errors before its end, so the block list is never committed: staged blocks are invisible and
//   the service drops them uncommitted. The commit is conditional (If-None-Match: *), so an existing
//   blob is never overwritten. Then the blob is read back and hashed again; only a match stays.
// - The secret is a connection string or a SAS URL, kept in this host's secret store. Errors name the
//   service's code (AuthenticationFailed, AuthorizationFailure, ContainerNotFound, …) and never the
//   secret: anything that could carry one (a SAS signature, an account key) is blanked first.
import { Readable } from 'node:stream';
import { BlobServiceClient, ContainerClient, RestError } from '@azure/storage-blob';
import { HoldfastError } from '../model/errors.ts';
import { checkKey, type Destination, type LocalCopy, type ObjectInfo, type ObjectKind } from './destination.ts';
import type { AzureSettings } from './destination-settings.ts';
import { checkedPut, privateDownload, probeBody, treeRefused, type Expected } from './remote-object.ts';

const BLOCK_SIZE = 8 * 1024 * 1024;
const CONCURRENCY = 2;

export type AzureSecret = { connectionString: string } | { sasUrl: string };

export class AzureDestination implements Destination {
  /** put reads the object back and compares it (remote-object.ts). */
  readonly putReadsBack = true;
  private readonly container: ContainerClient;

  constructor(
    readonly name: string,
    private readonly settings: AzureSettings,
    secret: AzureSecret,
  ) {
    this.container = containerClientFor(name, settings.container, secret);
  }

  describe(key: string): string {
    return `azure://${this.settings.container}/${this.blobName(key)}`;
  }

  put(key: string, source: Readable, expected: Expected): Promise<void> {
    return checkedPut({
      where: this.describe(key),
      source,
      expected,
      exists: async () => (await this.stat(key)) !== undefined,
      // If-None-Match: * on the block list's commit: an existing blob is never overwritten, even by a race.
      send: (body) =>
        this.container
          .getBlockBlobClient(this.blobName(key))
          .uploadStream(body, BLOCK_SIZE, CONCURRENCY, { conditions: { ifNoneMatch: '*' } })
          .then(() => undefined),
      open: () => this.open(key),
      remove: () => this.remove(key),
      failure: (what, error) => this.failure(what, error),
    });
  }

  async putTree(key: string): Promise<void> {
    throw treeRefused(this.describe(key), 'an Azure');
  }

  async open(key: string): Promise<Readable> {
    try {
      const answer = await this.container.getBlobClient(this.blobName(key)).download();
      const body = answer.readableStreamBody;
      if (!body) throw new Error('the service sent no body');
      return body instanceof Readable ? body : Readable.from(body as AsyncIterable<Buffer>);
    } catch (error) {
      if (isNotFound(error)) throw new HoldfastError('NOT_FOUND', `Nothing is stored at ${this.describe(key)}.`, 'Check the copy with holdfast verify --copies.');
      throw this.failure(`Reading ${this.describe(key)}`, error);
    }
  }

  localFile(key: string): Promise<LocalCopy> {
    return privateDownload(key, () => this.open(key));
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const blobName = this.blobName(key);
    try {
      const properties = await this.container.getBlobClient(blobName).getProperties();
      return { kind: 'file', size: properties.contentLength ?? 0 };
    } catch (error) {
      if (!isNotFound(error)) throw this.failure(`Looking up ${this.describe(key)}`, error);
    }
    let size = 0;
    let any = false;
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix: `${blobName}/` })) {
        any = true;
        size += blob.properties.contentLength ?? 0;
      }
    } catch (error) {
      throw this.failure(`Listing ${this.describe(key)}/`, error);
    }
    return any ? { kind: 'tree', size } : undefined;
  }

  async list(prefix: string): Promise<Array<{ key: string; kind: ObjectKind }>> {
    checkKey(prefix, { allowRoot: true });
    const base = prefix === '' ? this.rootPrefix() : `${this.blobName(prefix)}/`;
    const relativeKey = (blobName: string) => blobName.slice(this.rootPrefix().length).replace(/\/$/, '');
    const found: Array<{ key: string; kind: ObjectKind }> = [];
    try {
      for await (const item of this.container.listBlobsByHierarchy('/', { prefix: base })) {
        if (item.kind === 'prefix') found.push({ key: relativeKey(item.name), kind: 'tree' });
        else if (!item.name.endsWith('/')) found.push({ key: relativeKey(item.name), kind: 'file' });
      }
    } catch (error) {
      throw this.failure(`Listing azure://${this.settings.container}/${base}`, error);
    }
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async remove(key: string): Promise<void> {
    const blobName = this.blobName(key);
    try {
      await this.container.getBlobClient(blobName).deleteIfExists();
      for await (const blob of this.container.listBlobsFlat({ prefix: `${blobName}/` })) await this.container.getBlobClient(blob.name).deleteIfExists();
    } catch (error) {
      if (!isNotFound(error)) throw this.failure(`Removing ${this.describe(key)}`, error);
    }
  }

  /**
   * After a crash: nothing to clear. An interrupted put never committed its block list, so nothing is
   * under the key, and the service discards uncommitted blocks by itself (after a week at most).
   */
  async clearAbandonedPut(): Promise<{ cleared: string[]; problems: string[] }> {
    return { cleared: [], problems: [] };
  }

  /** A small blob written, read back, compared and removed: what `holdfast destination test` does. */
  async probe(): Promise<void> {
    const { key, body, expected } = probeBody();
    await this.put(key, Readable.from([body]), expected);
    await this.remove(key);
  }

  private rootPrefix(): string {
    return this.settings.prefix ? `${this.settings.prefix}/` : '';
  }

  private blobName(key: string): string {
    return `${this.rootPrefix()}${checkKey(key)}`;
  }

  private failure(what: string, error: unknown): HoldfastError {
    return azureFailure(this.name, what, error);
  }
}

/**
 * A connection string opens the account; a SAS URL is either the account's (…blob.core.windows.net/?sv=…)
 * or the container's own (…/<container>?sv=…), told apart by its last path segment.
 */
function containerClientFor(destination: string, container: string, secret: AzureSecret): ContainerClient {
  try {
    if ('connectionString' in secret) return BlobServiceClient.fromConnectionString(secret.connectionString).getContainerClient(container);
    const url = new URL(secret.sasUrl);
    const lastSegment = url.pathname.split('/').filter(Boolean).at(-1);
    return lastSegment === container ? new ContainerClient(secret.sasUrl) : new BlobServiceClient(secret.sasUrl).getContainerClient(container);
  } catch {
    // The parser's own message may quote the secret: say which one is malformed, not what it holds.
    throw new HoldfastError(
      'BAD_INPUT',
      `Destination "${destination}"'s ${'connectionString' in secret ? 'connection string' : 'SAS URL'} cannot be read.`,
      `Store a new one: holdfast destination edit ${destination} ${'connectionString' in secret ? '--connection-string-stdin' : '--sas-url-stdin'} (copy it again from the Azure portal).`,
    );
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof RestError ? error.statusCode === 404 : (error as { statusCode?: number })?.statusCode === 404;
}

/** Blanks whatever in a message could be a secret: a SAS signature, an account key, a whole SAS query. */
export function redactAzure(text: string): string {
  return text
    .replace(/([?&]sig=)[^&\s"']+/gi, '$1…')
    .replace(/(AccountKey=)[^;\s"']+/gi, '$1…')
    .replace(/(SharedAccessSignature=)[^;\s"']+/gi, '$1…');
}

const CREDENTIAL_CODES = new Set(['AuthenticationFailed', 'AuthorizationFailure', 'AuthorizationPermissionMismatch', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);

/** The service's code and first line of its message, with a next step; never the secret. */
export function azureFailure(destination: string, what: string, error: unknown): HoldfastError {
  const e = error as { code?: string; statusCode?: number; message?: string; details?: { errorCode?: string } };
  const code = e?.details?.errorCode ?? e?.code ?? 'Error';
  const status = e?.statusCode;
  const message = redactAzure((e?.message ?? String(error)).split('\n')[0] ?? '');
  const detail = `${code}${status ? ` (HTTP ${status})` : ''}: ${message}`;
  const hint =
    CREDENTIAL_CODES.has(code) || status === 403
      ? `Check destination "${destination}"'s connection string or SAS URL (holdfast destination edit ${destination} --connection-string-stdin or --sas-url-stdin stores a new one), and that it may read, write, list and delete in the container.`
      : code === 'ContainerNotFound'
        ? `Create the container, or correct destination "${destination}"'s container name (holdfast destination edit ${destination} --container NAME).`
        : /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|socket hang up/i.test(detail)
          ? 'Check that the service is reachable from this host (endpoint, network, proxy), then try again.'
          : `Check destination "${destination}" with holdfast destination test.`;
  return new HoldfastError('CONNECTION_FAILED', `${what} on destination "${destination}" failed: ${detail}`, hint);
}
