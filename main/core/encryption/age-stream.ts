// age (age-encryption.org/v1) as Node streams. The header — the file key wrapped for each recipient
// and its MAC — comes from the reference implementation (age-encryption); the payload is the same
// STREAM construction done with Node's native ChaCha20-Poly1305, because the pure-JS cipher is several
// times slower than pg_dump writes: 64 KiB plaintext chunks, each sealed with a 12-byte nonce that is an
// 11-byte big-endian chunk counter and a last-chunk flag, under HKDF-SHA-256(file key, salt = the
// 16-byte file nonce, info "payload"). The output is byte-for-byte what `age` writes, so the standard
// tool decrypts it (`age -d -i key.txt backup.dump.age`), and files `age` wrote are read here.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Recipient } from 'age-encryption';
import { onFirstUse } from '../process/first-use.ts';
import { freeNow, letGo } from '../fsutil/lent-buffers.ts';

/**
 * The age library, loaded when a key is made or read or a file first encrypted or decrypted: it is
 * large, and most commands never need it. Imported once (onFirstUse): every import() call goes through
 * the module loader again (under a loader hook, a round trip to its thread), and a verify's header
 * waited on two of them.
 */
export const loadAge = onFirstUse(() => import('age-encryption'));
/** Passphrase recipients and identities; they import the age library too, so they load with it. */
const loadScrypt = onFirstUse(() => import('./scrypt.ts'));

export const CHUNK_SIZE = 64 * 1024;
const TAG_SIZE = 16;
const NONCE_SIZE = 16;
/** The header ends with its MAC line: "--- " and 43 base64 characters. */
const MAC_LINE = Buffer.from('\n--- ');
/** A header larger than this is not one Holdfast or `age` would write for a handful of recipients. */
const MAX_HEADER_SIZE = 64 * 1024;

function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 11 bytes big-endian; a JS number covers 2^53 chunks (512 PiB), far beyond any dump.
  nonce.writeUIntBE(Math.floor(counter / 2 ** 48), 0, 5);
  nonce.writeUIntBE(counter % 2 ** 48, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Thrown for a file that is not age, is damaged, truncated, or is for someone else. */
export class AgeError extends Error {}

/** Who a file is encrypted to: X25519 recipients (age1…), or one passphrase (age forbids mixing the two). */
export type AgeTarget = { recipients: readonly string[] } | { passphrase: string };
/** What opens a file: an X25519 identity (AGE-SECRET-KEY-1…) or a passphrase. */
export type AgeSecret = { identity: string } | { passphrase: string };

/** The header and file nonce for `target`, and the payload key, via the reference implementation. */
async function newHeader(target: AgeTarget): Promise<{ prefix: Buffer; key: Buffer }> {
  const { Encrypter } = await loadAge();
  const encrypter = new Encrypter();
  if ('passphrase' in target) encrypter.addRecipient((await loadScrypt()).scryptRecipient(target.passphrase));
  else for (const recipient of target.recipients) encrypter.addRecipient(recipient);
  let fileKey: Uint8Array | undefined;
  // Adds no stanza: it only sees the random file key the real recipients wrap (so a scrypt stanza stays the only one).
  const witness: Recipient = {
    wrapFileKey(key: Uint8Array) {
      fileKey = key;
      return [];
    },
  };
  encrypter.addRecipient(witness);
  // An empty payload is the header, the 16-byte nonce and one empty last chunk (its 16-byte tag).
  const whole = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
  const prefix = Buffer.from(whole.subarray(0, whole.length - TAG_SIZE));
  if (!fileKey) throw new AgeError('the age library did not hand out a file key');
  return { prefix, key: payloadKey(fileKey, prefix.subarray(prefix.length - NONCE_SIZE)) };
}

/**
 * Encrypts what is written to it into an age file for `target`. Holds at most one chunk back:
 * the last chunk carries a flag, so a chunk is sealed only once the next byte (or the end) is known.
 */
export class AgeEncryptStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The chunks written to it that `pending` holds views of. */
  private held: Buffer[] = [];
  private counter = 0;
  private ready: Promise<Buffer>;
  /** Plaintext bytes sealed so far: a writer compares it with what it handed over (fsutil/lent-buffers.ts). */
  sealedBytes = 0;

  constructor(target: AgeTarget) {
    super();
    this.ready = newHeader(target).then(({ prefix, key }) => {
      this.push(prefix);
      return key;
    });
    this.ready.catch(() => undefined);
  }

  private seal(key: Buffer, plain: Buffer, last: boolean): void {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(this.counter++, last), { authTagLength: TAG_SIZE });
    this.sealedBytes += plain.length;
    // Body and tag pushed as they are: joining them would copy every byte of the dump once more.
    this.push(cipher.update(plain));
    cipher.final();
    this.push(cipher.getAuthTag());
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.ready.then((key) => {
      let input = chunk;
      // Top up a held partial chunk first (a copy of under 64 KiB), then seal whole chunks straight
      // from the input. Strictly more than a chunk each time: one at the very end is sealed as the last.
      if (this.pendingBytes > 0 && this.pendingBytes + input.length > CHUNK_SIZE) {
        const topUp = CHUNK_SIZE - this.pendingBytes;
        const whole = Buffer.concat([...this.pending, input.subarray(0, topUp)], CHUNK_SIZE);
        input = input.subarray(topUp);
        this.pending = [];
        this.pendingBytes = 0;
        this.letGoOfHeld();
        if (input.length === 0) {
          this.pending = [whole];
          this.pendingBytes = CHUNK_SIZE;
          letGo(chunk);
          done();
          return;
        }
        this.seal(key, whole, false);
        freeNow(whole);
      }
      while (this.pendingBytes === 0 && input.length > CHUNK_SIZE) {
        this.seal(key, input.subarray(0, CHUNK_SIZE), false);
        input = input.subarray(CHUNK_SIZE);
      }
      if (input.length > 0) {
        this.pending.push(input);
        this.pendingBytes += input.length;
        // `pending` holds a view of the chunk: it is let go of once that view is sealed.
        this.held.push(chunk);
      } else letGo(chunk);
      done();
    }, done);
  }

  /** The chunks whose views `pending` held have all been copied out and sealed (fsutil/lent-buffers.ts). */
  private letGoOfHeld(): void {
    for (const chunk of this.held) letGo(chunk);
    this.held = [];
  }

  override _flush(done: TransformCallback): void {
    this.ready.then((key) => {
      this.seal(key, Buffer.concat(this.pending), true);
      this.pending = [];
      this.letGoOfHeld();
      done();
    }, done);
  }
}

/** The header's length (through the MAC line) when `head` holds all of it, else undefined. */
function headerLength(head: Buffer): number | undefined {
  if (!head.subarray(0, 21).toString('latin1').startsWith('age-encryption.org/v1')) {
    throw new AgeError(`it is not an age file (it starts with ${JSON.stringify(head.subarray(0, 16).toString('latin1'))})`);
  }
  const mac = head.indexOf(MAC_LINE);
  if (mac < 0) return undefined;
  const end = head.indexOf(0x0a, mac + MAC_LINE.length);
  return end < 0 ? undefined : end + 1;
}

/** Which identity opened a file. */
export interface DecryptedBy {
  /** Index into the identities given, of the one that unwrapped the file key. */
  identityIndex: number;
}

type Decrypter = InstanceType<Awaited<ReturnType<typeof loadAge>>['Decrypter']>;

/**
 * A decrypter for each identity, made before the header arrives: an X25519 identity derives its
 * recipient (a scalar multiplication on libuv's pool) when it is added, so that work and the library's
 * load overlap the first read instead of following it.
 */
async function prepareDecrypters(identities: readonly AgeSecret[]): Promise<Array<{ decrypter: Decrypter } | { problem: string }>> {
  const [{ Decrypter }, { scryptIdentity }] = await Promise.all([loadAge(), loadScrypt()]);
  return identities.map((identity, index) => {
    const decrypter = new Decrypter();
    try {
      if ('passphrase' in identity) decrypter.addIdentity(scryptIdentity(identity.passphrase));
      else decrypter.addIdentity(identity.identity);
    } catch {
      // The library's message quotes the identity: a secret. Say which one, never what it holds.
      return { problem: `identity ${index + 1} of ${identities.length} is not a valid age identity` };
    }
    return { decrypter };
  });
}

/**
 * Decrypts an age file written to it with the first of `identities` (identities or passphrases) that opens it.
 * Fails with an AgeError for a file that is not age, none of the identities fit, a header whose MAC
 * is wrong, any chunk that does not authenticate (a flipped byte), or a file cut short (the STREAM's
 * last chunk is flagged, so a cut at a chunk boundary is caught too). `onKey` says which identity fit.
 */
export class AgeDecryptStream extends Transform {
  private head: Buffer | undefined = Buffer.alloc(0);
  private key: Buffer | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  private sawPayload = false;

  /** One decrypter per identity, or why that identity is unusable: made while the header is still being read. */
  private readonly decrypters: Promise<Array<{ decrypter: Decrypter } | { problem: string }>>;

  constructor(
    identities: readonly AgeSecret[],
    private readonly onKey?: (by: DecryptedBy) => void,
  ) {
    super();
    this.decrypters = prepareDecrypters(identities);
    // Its failure (the library could not load) is reported when the header needs it.
    this.decrypters.catch(() => undefined);
  }

  private async openHeader(): Promise<boolean> {
    const length = headerLength(this.head!);
    if (length === undefined) {
      if (this.head!.length > MAX_HEADER_SIZE) throw new AgeError('its header does not end within 64 KiB: the file is damaged');
      return false;
    }
    if (this.head!.length < length + NONCE_SIZE) return false;
    const header = this.head!.subarray(0, length);
    const nonce = this.head!.subarray(length, length + NONCE_SIZE);
    let lastProblem: string | undefined;
    for (const [index, prepared] of (await this.decrypters).entries()) {
      if ('problem' in prepared) {
        lastProblem = prepared.problem;
        continue;
      }
      try {
        const fileKey = await prepared.decrypter.decryptHeader(header);
        this.key = payloadKey(fileKey, nonce);
        this.onKey?.({ identityIndex: index });
        break;
      } catch (error) {
        lastProblem = (error as Error).message.replace(/AGE-SECRET-KEY-\S*/g, '(an identity)');
      }
    }
    if (!this.key) {
      throw new AgeError(lastProblem && !/no identity matched/i.test(lastProblem) ? `its header could not be opened: ${lastProblem}` : 'none of the available identities can decrypt it');
    }
    this.pending = this.head!.subarray(length + NONCE_SIZE);
    this.head = undefined;
    return true;
  }

  private open(cipherChunk: Buffer, last: boolean): Buffer {
    const decipher = createDecipheriv('chacha20-poly1305', this.key!, chunkNonce(this.counter, last), { authTagLength: TAG_SIZE });
    decipher.setAuthTag(cipherChunk.subarray(cipherChunk.length - TAG_SIZE));
    const plain = decipher.update(cipherChunk.subarray(0, cipherChunk.length - TAG_SIZE));
    try {
      decipher.final();
    } catch {
      throw new AgeError(`chunk ${this.counter} (bytes ${this.counter * CHUNK_SIZE}–${(this.counter + 1) * CHUNK_SIZE} of the content) does not authenticate: the file was changed or damaged`);
    }
    this.counter++;
    return plain;
  }

  /**
   * Opens every sealed chunk that `input` completes, except the final one seen so far (opened as the
   * last in _flush). A held partial chunk is topped up first (a copy of under 64 KiB); whole chunks are
   * opened straight from the input, so the ciphertext is not copied on its way through.
   */
  private drain(input: Buffer): void {
    const size = CHUNK_SIZE + TAG_SIZE;
    if (this.pending.length > 0 && this.pending.length + input.length > size) {
      const topUp = size - this.pending.length;
      const whole = Buffer.concat([this.pending, input.subarray(0, topUp)], size);
      input = input.subarray(topUp);
      if (input.length === 0) {
        this.pending = whole;
        return;
      }
      this.push(this.open(whole, false));
      this.sawPayload = true;
      this.pending = Buffer.alloc(0);
    }
    while (this.pending.length === 0 && input.length > size) {
      this.push(this.open(input.subarray(0, size), false));
      this.sawPayload = true;
      input = input.subarray(size);
    }
    // A copy, not a view: the input is let go of once this returns (fsutil/lent-buffers.ts).
    this.pending = Buffer.concat([this.pending, input]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    (async () => {
      // Nothing here keeps a view of `chunk` past this call (the header and the held tail are copies).
      if (this.head) {
        this.head = Buffer.concat([this.head, chunk]);
        if (!(await this.openHeader())) return;
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        this.drain(rest);
      } else this.drain(chunk);
      letGo(chunk);
    })().then(
      () => done(),
      (error: unknown) => done(error as Error),
    );
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.head) throw new AgeError(this.head.length === 0 ? 'the file is empty' : 'the file ends inside its header: it is truncated');
      if (this.pending.length < TAG_SIZE) throw new AgeError('the file ends without its last chunk: it is truncated');
      if (this.pending.length === TAG_SIZE && this.sawPayload) throw new AgeError('the file ends with an empty chunk after data: it is damaged');
      try {
        this.push(this.open(this.pending, true));
      } catch (error) {
        // A file cut at a chunk boundary ends with a chunk sealed as "not last".
        throw new AgeError(`${(error as Error).message.replace(/: the file was changed or damaged$/, '')}: the file was truncated, changed or damaged`);
      }
      done();
    } catch (error) {
      done(error as Error);
    }
  }
}
