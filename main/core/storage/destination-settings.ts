// What a named destination is, as the catalogue keeps it and the contract accepts it: a type and
// its settings. Parsed with zod wherever it enters (the contract, a catalogue row, the environment),
// so a bad bucket name or a relative path fails once, loudly, naming the field. A destination's
// secret is never part of its settings: it lives in this host's secret store (destinations.ts).
import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { LOCAL_DESTINATION } from './location.ts';
import type { DestinationLastTest } from './destination-tests.ts';

export const DESTINATION_TYPES = ['directory', 's3', 'azure', 'sftp'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** The destination BACKUP_REMOTE_BUCKET defines, when it is set. */
export const ENVIRONMENT_DESTINATION = 'remote';

export const DestinationNameSchema = lazySchema(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a destination name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit')
    .refine((name) => name !== LOCAL_DESTINATION, `"${LOCAL_DESTINATION}" is BACKUP_DIR's own name`)
    .refine((name) => name !== ENVIRONMENT_DESTINATION, `"${ENVIRONMENT_DESTINATION}" is the destination BACKUP_REMOTE_BUCKET defines`),
);

/** A key prefix: relative, "/" between parts, no "..", no leading or trailing "/" once trimmed. */
const PrefixSchema = lazySchema(() =>
  z
    .string()
    .max(512)
    .transform((prefix) => prefix.replace(/^\/+|\/+$/g, ''))
    .refine((prefix) => prefix === '' || prefix.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'a prefix is "/"-separated parts with no empty, "." or ".." part')
    .refine((prefix) => !/[\\\0]/.test(prefix), 'a prefix cannot hold a backslash or NUL'),
);

export const DirectorySettingsSchema = lazySchema(() =>
  z
    .object({
      path: z
        .string()
        .min(1, 'give the directory (--path)')
        .max(4096)
        .refine((path) => isAbsolute(path), 'the directory must be an absolute path'),
    })
    .strict(),
);

export const S3SettingsSchema = lazySchema(() =>
  z
    .object({
      // S3's bucket naming rules, loosely: what every S3-compatible service accepts.
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name is 3–63 lower-case letters, digits, "." or "-"'),
      prefix: PrefixSchema.default(''),
      region: z.string().min(1).max(64).default('us-east-1'),
      endpoint: z
        .string()
        .url('the endpoint is a URL such as https://s3.example.com')
        .refine((url) => /^https?:\/\//.test(url), 'the endpoint must be http:// or https://')
        .optional(),
      pathStyle: z.boolean().default(false),
      /** The access key id is not secret (it names the key); the secret access key is, and is not here. */
      accessKeyId: z.string().min(1).max(256).optional(),
      /** Sent as x-amz-storage-class on every upload (STANDARD_IA, GLACIER_IR, …); the service says what it accepts. */
      storageClass: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]{1,39}$/, 'a storage class is upper-case letters, digits and "_", such as STANDARD_IA')
        .optional(),
      /** Server-side encryption asked for on every upload. */
      sse: z.enum(['AES256', 'aws:kms']).optional(),
      /** The KMS key (id, alias or ARN) for sse aws:kms; without it the bucket's default KMS key. */
      sseKmsKeyId: z.string().min(1).max(2048).optional(),
    })
    .strict()
    .refine((settings) => settings.sseKmsKeyId === undefined || settings.sse === 'aws:kms', { message: 'a KMS key id (--sse-kms-key-id) goes with --sse aws:kms', path: ['sseKmsKeyId'] }),
);

export const AzureSettingsSchema = lazySchema(() =>
  z
    .object({
      // Azure's container naming rules: 3–63 lower-case letters, digits and single hyphens.
      container: z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'a container name is 3–63 lower-case letters, digits and single "-"'),
      prefix: PrefixSchema.default(''),
      /** Which secret the store holds: a connection string or a SAS URL (never the secret itself). */
      credential: z.enum(['connection-string', 'sas-url']),
    })
    .strict(),
);

/** An OpenSSH-style host key fingerprint: "SHA256:" and the unpadded base64 of the key's SHA-256. */
export const HostKeyFingerprintSchema = lazySchema(() => z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a host key fingerprint looks like SHA256:… (43 characters), as ssh-keygen -lf prints it'));

export const SftpSettingsSchema = lazySchema(() =>
  z
    .object({
      host: z
        .string()
        .min(1, 'give the host (--host)')
        .max(255)
        .regex(/^[A-Za-z0-9.:_[\]-]+$/, 'a host is a name or an address'),
      port: z.number().int().min(1).max(65535).default(22),
      user: z
        .string()
        .min(1, 'give the user (--user)')
        .max(64)
        .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'a user name is letters, digits, ".", "_" or "-"'),
      /** The remote directory the copies go under; it must exist. */
      path: z
        .string()
        .min(1, 'give the remote directory (--path)')
        .max(4096)
        .refine((path) => !path.includes('\0'), 'a path cannot hold NUL'),
      /** Which secret the store holds: a private key (and maybe its passphrase) or a password. */
      auth: z.enum(['key', 'password']),
      /** The server's host key, pinned by the first `destination test` (or given at add); every connection is checked against it. */
      hostKey: HostKeyFingerprintSchema.optional(),
    })
    .strict(),
);

export type DirectorySettings = z.output<typeof DirectorySettingsSchema>;
export type S3Settings = z.output<typeof S3SettingsSchema>;
export type AzureSettings = z.output<typeof AzureSettingsSchema>;
export type SftpSettings = z.output<typeof SftpSettingsSchema>;
export type AnySettings = DirectorySettings | S3Settings | AzureSettings | SftpSettings;

export type DestinationSpec =
  { type: 'directory'; settings: DirectorySettings } | { type: 's3'; settings: S3Settings } | { type: 'azure'; settings: AzureSettings } | { type: 'sftp'; settings: SftpSettings };

export const DestinationSpecSchema = lazySchema(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('directory'), settings: DirectorySettingsSchema }).strict(),
    z.object({ type: z.literal('s3'), settings: S3SettingsSchema }).strict(),
    z.object({ type: z.literal('azure'), settings: AzureSettingsSchema }).strict(),
    z.object({ type: z.literal('sftp'), settings: SftpSettingsSchema }).strict(),
  ]),
);

const SecretText = lazySchema(() =>
  z
    .string()
    .min(1, 'the secret is empty')
    .max(65_536)
    .refine((value) => !value.includes('\0'), 'a secret cannot contain NUL'),
);

/**
 * An Azure or SFTP destination's secret, as it crosses the contract on its way to the secret store
 * (an S3 secret access key crosses as secretAccessKey). Which kind it is must match the settings'
 * credential or auth: checked once, in Destinations.
 */
export const DestinationSecretSchema = lazySchema(() =>
  z.union([
    z.object({ connectionString: SecretText }).strict(),
    z.object({ sasUrl: SecretText }).strict(),
    z.object({ privateKey: SecretText, passphrase: SecretText.optional() }).strict(),
    z.object({ password: SecretText }).strict(),
  ]),
);
export type DestinationSecret = z.output<typeof DestinationSecretSchema>;

/** The settings field a secret kind goes with: what Destinations checks before storing it. */
export function secretMatches(spec: DestinationSpec, secret: DestinationSecret): boolean {
  if (spec.type === 'azure') return spec.settings.credential === 'connection-string' ? 'connectionString' in secret : 'sasUrl' in secret;
  if (spec.type === 'sftp') return spec.settings.auth === 'key' ? 'privateKey' in secret : 'password' in secret;
  return false;
}

/** A destination as listed: never its secret, only whether one is stored. */
export interface DestinationRecord {
  name: string;
  type: DestinationType;
  settings: AnySettings;
  /** 'catalogue': added with `holdfast destination add`; 'environment': BACKUP_REMOTE_BUCKET. */
  source: 'catalogue' | 'environment';
  hasSecret: boolean;
  createdAt: string | null;
  /** Its own retention policy ("gfs:7d,4w,12m"), applied to the copies it holds; null: none. */
  retention: string | null;
  /** When it was last tested and how that went (destination-tests.ts); null: never tested. */
  lastTest: DestinationLastTest | null;
}
