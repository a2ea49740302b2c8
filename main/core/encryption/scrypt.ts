// age's passphrase mode (the "scrypt" recipient of age-encryption.org/v1) done with Node's native
// scrypt and ChaCha20-Poly1305: the reference library's pure-JS scrypt takes seconds at age's work
// factor. The stanza is exactly what `age -p` writes — "-> scrypt <salt> <logN>" over the file key
// sealed with a zero nonce under scrypt(label || salt) — so `age -d` (asking for the passphrase) and
// the age library open Holdfast's files, and Holdfast opens theirs. age allows a scrypt stanza only
// as the one stanza of a header: a passphrase cannot be mixed with other recipients.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { Stanza, type Identity, type Recipient } from 'age-encryption';

const LABEL = 'age-encryption.org/v1/scrypt';
/** age's default work factor (age 1.1 and the library both write 18). */
export const SCRYPT_LOG_N = 18;
/** age refuses more than this when reading; so do we, or a crafted header could make us compute for hours. */
const MAX_LOG_N = 20;
const TAG_SIZE = 16;

function derive(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·r·N bytes (256 MiB at age's work factor); Node refuses above 32 MiB unless told.
  return new Promise((resolve, reject) =>
    scrypt(passphrase, Buffer.concat([Buffer.from(LABEL), salt]), 32, { N, r: 8, p: 1, maxmem: 128 * 8 * N + 32 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Wraps the file key for a passphrase: the one stanza of a passphrase-encrypted file. */
export function scryptRecipient(passphrase: string, logN = SCRYPT_LOG_N): Recipient {
  return {
    async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
      const salt = randomBytes(16);
      const cipher = createCipheriv('chacha20-poly1305', await derive(passphrase, salt, logN), Buffer.alloc(12), { authTagLength: TAG_SIZE });
      const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
      return [new Stanza(['scrypt', salt.toString('base64').replace(/=+$/, ''), String(logN)], new Uint8Array(body))];
    },
  };
}

/** Opens a file encrypted to a passphrase; null for files encrypted to keys (or other passphrases' stanzas it cannot open). */
export function scryptIdentity(passphrase: string): Identity {
  return {
    async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
      const stanza = stanzas.find((candidate) => candidate.args[0] === 'scrypt');
      if (!stanza) return null;
      if (stanzas.length !== 1) throw new Error('its scrypt (passphrase) stanza is not the only one in the header, which age forbids');
      const [, saltText, logNText] = stanza.args;
      const salt = Buffer.from(saltText ?? '', 'base64');
      if (stanza.args.length !== 3 || salt.length !== 16 || !/^[1-9][0-9]*$/.test(logNText ?? '') || stanza.body.length !== 32) throw new Error('its scrypt stanza is malformed');
      const logN = Number(logNText);
      if (logN > MAX_LOG_N) throw new Error(`its scrypt work factor (2^${logN}) is higher than age accepts (2^${MAX_LOG_N})`);
      const decipher = createDecipheriv('chacha20-poly1305', await derive(passphrase, salt, logN), Buffer.alloc(12), { authTagLength: TAG_SIZE });
      decipher.setAuthTag(Buffer.from(stanza.body.subarray(32 - TAG_SIZE)));
      const fileKey = decipher.update(Buffer.from(stanza.body.subarray(0, 32 - TAG_SIZE)));
      try {
        decipher.final();
      } catch {
        return null; // another passphrase
      }
      return new Uint8Array(fileKey);
    },
  };
}
