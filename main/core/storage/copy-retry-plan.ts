// When a copy that did not count is tried again on its own: the scheduler's tick uploads it once its
// retry time has come (copy-auto-retry.ts), each round after a longer pause, and gives up (with a
// notification) after the last one. Bounded, so a destination removed for good is not hammered forever.

/** The pauses before each automatic round: five rounds over about 17 hours, then it gives up. */
export const AUTO_RETRY_DELAYS_MS: readonly number[] = [5 * 60_000, 15 * 60_000, 60 * 60_000, 4 * 60 * 60_000, 12 * 60 * 60_000];

/** The next automatic try after `autoRetries` rounds already made, or null when it gives up (or the error is one a retry cannot mend). */
export function nextRetryAt(autoRetries: number, retryable: boolean, now: Date): string | null {
  const delay = AUTO_RETRY_DELAYS_MS[autoRetries];
  return retryable && delay !== undefined ? new Date(now.getTime() + delay).toISOString() : null;
}
