// Who a backup is encrypted to decides who can read it, so only a super-admin chooses it (auth.ts).
// When that choice is what lifts a call above an admin, the refusal says so — naming the field — and
// gives the step an admin can take instead: leave it to the inherited choice (the schedule's, the
// profile's, BACKUP_ENCRYPTION_KEY), which the CLI says as its flags and the app as its control.
import { hintFields } from '../core/model/errors.ts';
import { channelRole } from './auth.ts';
import type { ApiError } from './respond.ts';

const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);

/** The input as it would be with no encryption choice: encryptTo left out of its options or changes, no inheritEncryption. */
function withoutEncryptionChoice(input: unknown): unknown {
  const fields = record(input);
  if (!fields) return input;
  const { inheritEncryption: _cleared, ...rest } = fields;
  const copy: Record<string, unknown> = rest;
  for (const part of ['options', 'changes']) {
    const inner = record(fields[part]);
    if (inner && 'encryptTo' in inner) {
      const { encryptTo: _left, ...rest } = inner;
      copy[part] = rest;
    }
  }
  return copy;
}

const HINT = 'Leave it to the inherited choice (the schedule’s, the connection’s or the default recipients): {{inherit-encryption}}. Or ask a super-admin to choose it.';

/** The refusal for a caller below super-admin when the encryption choice alone is what needs one; else undefined. */
export function encryptionChoiceRefusal(channel: string, input: unknown, caller: string): ApiError | undefined {
  if (channelRole(channel, input) !== 'super-admin' || channelRole(channel, withoutEncryptionChoice(input)) !== 'admin') return undefined;
  return {
    code: 'FORBIDDEN',
    message: `${channel}: choosing who a backup is encrypted to (encryptTo) needs a super-admin, since it decides who can read the backup; ${caller}.`,
    ...hintFields(HINT),
  };
}
