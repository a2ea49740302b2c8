// Quitting with work in flight: let it finish within a grace period, then cancel it and wait for the
// cancellation to land (a cancelled backup removes its temp file and records its run as interrupted).

/** Resolves 'finished' when every promise settles within `graceMs`, else cancels and resolves 'cancelled' once they settle. */
export async function settleWithin(pending: Array<Promise<unknown>>, graceMs: number, cancel: () => void): Promise<'finished' | 'cancelled'> {
  if (pending.length === 0) return 'finished';
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const all = Promise.allSettled(pending);
  const first = await Promise.race([all.then(() => 'done' as const), graceOver]);
  clearTimeout(timer);
  if (first === 'done') return 'finished';
  cancel();
  await all;
  return 'cancelled';
}
