// One way for long-running commands (serve, daemon) to wait for SIGTERM/SIGINT. The handlers stay
// installed after the first signal: a terminal's Ctrl-C often arrives twice (once through the
// process group, once forwarded by a wrapper like npm), and Node's default action for the second
// would kill the process halfway through its orderly stop.
export function untilStopSignal(onRepeat?: (signal: NodeJS.Signals) => void): { stopped: Promise<NodeJS.Signals>; dispose(): void } {
  let first: NodeJS.Signals | undefined;
  let resolve!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals) => {
    if (first) return onRepeat?.(signal);
    first = signal;
    resolve(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    stopped,
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
