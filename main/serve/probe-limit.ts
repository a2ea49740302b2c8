// Connection tests under `holdfast serve`: profile.testDraft connects to whatever host and port its
// caller names (and profile.test to a stored profile's), so a session could scan a network through
// the server, reading open, closed and filtered ports from the answers. Each user (its sessions and
// its API token together: a token opens a new session at will) gets PROBES_PER_MINUTE of them in any minute; the next is refused 429 until the oldest leaves
// the window. The desktop app and the CLI are not limited: they already run on the host.

/** The channels that open a connection to a host and port, counted together. */
export const PROBE_CHANNELS: ReadonlySet<string> = new Set(['profile.testDraft', 'profile.test']);
export const PROBES_PER_MINUTE = 10;
const WINDOW_MS = 60_000;
/** Users tracked at most; the oldest entry goes first. */
const MAX_KEYS = 10_000;

export type ProbeVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class ProbeLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one connection test for `key` (the user, however it authenticated) when allowed. */
  take(key: string): ProbeVerdict {
    const now = this.now();
    const kept = (this.recent.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    if (kept.length >= PROBES_PER_MINUTE) {
      this.recent.set(key, kept);
      return { allowed: false, retryAfterMs: WINDOW_MS - (now - kept[0]!) };
    }
    kept.push(now);
    this.recent.delete(key);
    this.recent.set(key, kept);
    if (this.recent.size > MAX_KEYS) this.recent.delete(this.recent.keys().next().value!);
    return { allowed: true };
  }
}

export function probeRefusal(retryAfterMs: number): { message: string; hint: string; retryAfterSeconds: number } {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return {
    retryAfterSeconds,
    message: `Too many connection tests from this session: at most ${PROBES_PER_MINUTE} connection tests a minute under holdfast serve, so the server cannot be used to scan a network.`,
    hint: `Wait ${retryAfterSeconds} s, then test again. Saving a connection does not need a test.`,
  };
}
