// `holdfast key generate|import|add-passphrase` name the store the secret went to: with
// HOLDFAST_SECRET_STORE=file that is the credentials file, not "this machine's keychain".
import { afterAll, describe, expect, test } from 'vitest';
import { makeHome, runCli } from './support/holdfast-env.ts';

const home = makeHome({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' });
afterAll(() => home.cleanup());

describe('key commands with the file secret store', () => {
  test('generate says the secret is in the credentials file', async () => {
    const generated = await runCli(['key', 'generate', '--name', 'filed'], home.env);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('Generated key "filed", stored in the credentials file.');
    expect(generated.stdout).toContain('if the credentials file is lost');
    expect(generated.stdout).not.toContain('keychain');
  });
});
