// What a named destination is, as the catalogue keeps it and the contract accepts it: a type and
// its settings. Parsed with zod wherever it enters (the contract, a catalogue row, the environment),
// so a bad bucket name or a relative path fails once, loudly, naming the field. A destination's
// secret is never part of its settings: it lives in this host's secret store (destinations.ts).
import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { LOCAL_DESTINATION } from './location.ts';

export const DESTINATION_TYPES = ['directory', 's3'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** The destination BACKUP_REMOTE_BUCKET defines, when it is set. */
export const ENVIRONMENT_DESTINATION = 'remote';

export const DestinationNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a destination name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .refine((name) => name !== LOCAL_DESTINATION, `"${LOCAL_DESTINATION}" is BACKUP_DIR's own name`)
  .refine((name) => name !== ENVIRONMENT_DESTINATION, `"${ENVIRONMENT_DESTINATION}" is the destination BACKUP_REMOTE_BUCKET defines`);

/** A key prefix: relative, "/" between parts, no "..", no leading or trailing "/" once trimmed. */
const PrefixSchema = z
  .string()
  .max(512)
  .transform((prefix) => prefix.replace(/^\/+|\/+$/g, ''))
  .refine((prefix) => prefix === '' || prefix.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), 'a prefix is "/"-separated parts with no empty, "." or ".." part')
  .refine((prefix) => !/[\\\0]/.test(prefix), 'a prefix cannot hold a backslash or NUL');

export const DirectorySettingsSchema = z
  .object({
    path: z
      .string()
      .min(1, 'give the directory (--path)')
      .max(4096)
      .refine((path) => isAbsolute(path), 'the directory must be an absolute path'),
  })
  .strict();

export const S3SettingsSchema = z
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
  })
  .strict();

export type DirectorySettings = z.output<typeof DirectorySettingsSchema>;
export type S3Settings = z.output<typeof S3SettingsSchema>;

export type DestinationSpec = { type: 'directory'; settings: DirectorySettings } | { type: 's3'; settings: S3Settings };

export const DestinationSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('directory'), settings: DirectorySettingsSchema }).strict(),
  z.object({ type: z.literal('s3'), settings: S3SettingsSchema }).strict(),
]);

/** A destination as listed: never its secret, only whether one is stored. */
export interface DestinationRecord {
  name: string;
  type: DestinationType;
  settings: DirectorySettings | S3Settings;
  /** 'catalogue': added with `holdfast destination add`; 'environment': BACKUP_REMOTE_BUCKET. */
  source: 'catalogue' | 'environment';
  hasSecret: boolean;
  createdAt: string | null;
}

/** Where a destination keeps its objects, in words a DBA recognises. */
export function describeSpec(spec: DestinationSpec): string {
  if (spec.type === 'directory') return spec.settings.path;
  const { bucket, prefix, endpoint } = spec.settings;
  return `s3://${bucket}${prefix ? `/${prefix}` : ''}${endpoint ? ` at ${endpoint}` : ''}`;
}
