import { describe, expect, test } from 'vitest';
import { DRILL_WORDS } from '../../../main/core/model/drill-words.ts';
import { IMPORT_CHECK_WORDS } from '../../../main/core/model/import-check-words.ts';
import { encryptionBadge, KEY_NOT_HERE_BADGE, scopeBadge, statusBadge, verifiedBadge } from './badges.ts';

describe('badge descriptions (drawn by React and by the first screen painted before it)', () => {
  test('a run state has its tone and words, with a dot; an unknown one shows as itself, muted', () => {
    expect(statusBadge('completed')).toEqual({ tone: 'ok', label: 'Completed', dot: true });
    expect(statusBadge('missing')).toEqual({ tone: 'warn', label: 'File missing', dot: true });
    expect(statusBadge('<b>odd</b>')).toEqual({ tone: 'muted', label: '<b>odd</b>', dot: true });
  });

  test('the Verified column shows the strongest proof, and a failed drill never looks green', () => {
    expect(verifiedBadge({ verified: 'valid', restoreTest: 'passed' })).toMatchObject({ tone: 'ok', label: DRILL_WORDS.passed });
    expect(verifiedBadge({ verified: 'checksum-only', restoreTest: null })).toMatchObject({ tone: 'warn', label: 'Checksum only' });
    expect(verifiedBadge({ verified: 'valid', restoreTest: 'failed' })).toMatchObject({ tone: 'bad', label: DRILL_WORDS.failed });
    expect(verifiedBadge({ verified: 'invalid', restoreTest: 'passed' })).toMatchObject({ tone: 'bad', label: 'Verify failed' });
  });

  test("an imported dump never verified since says its import checked it, not 'Not verified', and how to verify it", () => {
    expect(verifiedBadge({ verified: 'checked-at-import', restoreTest: null })).toMatchObject({
      tone: 'muted',
      label: IMPORT_CHECK_WORDS.label,
      title: expect.stringContaining('Verify'),
    });
    // A drill or a verify since says more than the import did.
    expect(verifiedBadge({ verified: 'checked-at-import', restoreTest: 'passed' })).toMatchObject({ label: DRILL_WORDS.passed });
  });

  test('a full backup wears no scope badge; a partial one does', () => {
    expect(scopeBadge({ scope: 'full' })).toBeNull();
    expect(scopeBadge({ scope: null })).toBeNull();
    expect(scopeBadge({ scope: 'schema-only' })).toMatchObject({ tone: 'warn' });
  });
});

test('an encrypted backup is marked whether or not its key is here; one that is not encrypted is not', () => {
  expect(encryptionBadge({ encryptedTo: ['age1abc'], keyHere: true })).toMatchObject({ label: 'Encrypted', title: expect.stringContaining('a key that opens it is on this machine') });
  expect(encryptionBadge({ encryptedTo: ['age1abc'], keyHere: false })).toBe(KEY_NOT_HERE_BADGE);
  expect(encryptionBadge({ encryptedTo: null })).toBeNull();
  expect(encryptionBadge(null)).toBeNull();
});
