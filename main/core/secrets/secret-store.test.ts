// What a DBA is told when this host has no OS keychain: why, and both ways out — libpq's own password
// file, or (for a host with no desktop session) the encrypted credentials file.
import { expect, test } from 'vitest';
import { noKeychainError } from './secret-store.ts';

test('no keychain: the message does not deny the credentials file, and the hint names it beside ~/.pgpass', () => {
  const error = noKeychainError('Cannot autolaunch D-Bus without X11 $DISPLAY');
  expect(error.message).toContain('no OS keychain');
  expect(error.message).toContain('Cannot autolaunch D-Bus');
  expect(error.message).not.toContain('nowhere else');
  expect(error.hint).toContain('~/.pgpass');
  expect(error.hint).toContain('HOLDFAST_SECRET_STORE=file');
});
