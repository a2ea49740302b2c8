// What an S3 upload asks of the service beyond the bytes: parameter checks for what s3rver cannot
// show (it ignores server-side encryption headers; it keeps only the storage class).
import { expect, test } from 'vitest';
import { S3SettingsSchema } from './destination-settings.ts';
import { uploadOptions } from './s3-destination.ts';

const base = { bucket: 'backups' };

test('storage class and server-side encryption become the PutObject/CreateMultipartUpload parameters', () => {
  expect(uploadOptions(S3SettingsSchema.parse(base))).toEqual({});
  expect(uploadOptions(S3SettingsSchema.parse({ ...base, storageClass: 'GLACIER_IR', sse: 'AES256' }))).toEqual({ StorageClass: 'GLACIER_IR', ServerSideEncryption: 'AES256' });
  expect(uploadOptions(S3SettingsSchema.parse({ ...base, sse: 'aws:kms', sseKmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' }))).toEqual({
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: 'arn:aws:kms:eu-west-1:1:key/k',
  });
});

test('a KMS key without aws:kms, an unknown algorithm or a malformed class is refused, naming the field', () => {
  const issue = (settings: Record<string, unknown>) => S3SettingsSchema.safeParse({ ...base, ...settings }).error?.issues[0];
  expect(issue({ sseKmsKeyId: 'k' })).toMatchObject({ path: ['sseKmsKeyId'], message: expect.stringMatching(/goes with --sse aws:kms/) });
  expect(issue({ sse: 'aws:kms:dsse' })).toMatchObject({ path: ['sse'] });
  expect(issue({ storageClass: 'standard ia' })).toMatchObject({ path: ['storageClass'] });
});
