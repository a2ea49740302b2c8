// The environment every CLI child, spawned process and engine in the suites starts from: what a
// process needs to run, plus what the test itself sets, and nothing else of the developer's shell. A
// BACKUP_SLACK_WEBHOOK there would post to a real channel, BACKUP_DIR would put test dumps in a real
// backup folder, PG* would point libpq at another server and BACKUP_DAILY_SCHEDULE would change what a
// test expects; none of them may reach a test's Holdfast (test/clean-env.test.ts shows they do not).

/** Enough to run: find the tools, a home for libpq's and node's defaults, the test's temp dir, messages. */
const RUNTIME = ['PATH', 'HOME', 'TMPDIR', 'LANG'] as const;

/**
 * A minimal environment with `extra` on top (undefined values are left out). The keychain's D-Bus
 * address is passed only inside test/with-keyring.sh's private session (HOLDFAST_TEST_KEYRING), so a
 * test never writes to the developer's own keychain.
 */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of RUNTIME) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  if (process.env.HOLDFAST_TEST_KEYRING && process.env.DBUS_SESSION_BUS_ADDRESS) {
    env.HOLDFAST_TEST_KEYRING = process.env.HOLDFAST_TEST_KEYRING;
    env.DBUS_SESSION_BUS_ADDRESS = process.env.DBUS_SESSION_BUS_ADDRESS;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}
