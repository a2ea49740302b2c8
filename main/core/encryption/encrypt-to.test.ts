import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { describe, expect, test } from 'vitest';
import { describeZodError } from '../../contract.ts';
import { EncryptToSchema } from './encrypt-to.ts';

const problem = (value: unknown) => {
  const parsed = EncryptToSchema.safeParse(value);
  return parsed.success ? null : describeZodError(parsed.error);
};

describe('EncryptToSchema', () => {
  test('takes "none", recipients and key names', async () => {
    const recipient = await identityToRecipient(await generateX25519Identity());
    expect(EncryptToSchema.parse('none')).toBe('none');
    expect(EncryptToSchema.parse([recipient, 'team-key', recipient])).toEqual([recipient, 'team-key']);
  });

  test('a mistyped recipient is refused at the boundary with what is wrong, not read as a key name', async () => {
    const recipient = await identityToRecipient(await generateX25519Identity());
    expect(problem(['age1short'])).toBe('0: that starts like an age recipient but is not one: an X25519 age recipient is age1 and 58 characters');
    const flipped = `${recipient.slice(0, -1)}${recipient.endsWith('q') ? 'p' : 'q'}`;
    expect(problem([flipped])).toMatch(/^0: that age recipient cannot be decoded \(its bech32 checksum is wrong/);
  });

  test('an identity is refused without being repeated', async () => {
    const identity = await generateX25519Identity();
    expect(problem([identity])).toMatch(/that is an identity/);
    expect(problem([identity])).not.toContain(identity);
  });
});
