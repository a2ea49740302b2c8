// Code loaded the first time it is needed (an import() each: a chunk of its own in dist/cli-chunks),
// so a `holdfast` command pays only for what it uses: the on-demand operations (../on-demand.ts), the
// S3, Azure and SFTP media and their SDKs, nodemailer, age, serve's metrics. Every such import() goes
// through onFirstUse (first-use.test.ts fails on one that does not), which makes the list: whatever
// has been registered by the modules loaded so far.
//
// A process that stays up (serve, the daemon) loads the whole list early (loadEverythingNow): an
// upgrade rebuilds the bundle under it, the build removes the previous build's chunks, and code first
// asked for after that could not be loaded ("Cannot find module …/s3-destination-….mjs"). The AWS
// SDK's own import()s (a browser's user agent, event streams) make chunks too; Holdfast's S3 calls
// reach neither (test/serve-across-rebuild.test.ts tests a bucket with every chunk gone).

const registered = new Set<() => Promise<unknown>>();

/** `load` run once, when first called (again after a failure), and listed for loadEverythingNow. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  const once = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  registered.add(once);
  return once;
}

/** Loads everything registered, and what the loaded code registers in turn; for processes that stay up. */
export async function loadEverythingNow(): Promise<void> {
  const loaded = new Set<() => Promise<unknown>>();
  for (;;) {
    const pending = [...registered].filter((load) => !loaded.has(load));
    if (pending.length === 0) return;
    for (const load of pending) loaded.add(load);
    // Each is tried, so one that fails (its chunk already gone) does not keep the others out.
    const failed = (await Promise.allSettled(pending.map((load) => load()))).find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
