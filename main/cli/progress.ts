// Progress of long operations on stderr: a redrawn bar on a terminal, one line per phase otherwise.
import type { ProgressEvent } from '../contract.ts';
import { describeLockWait } from '../core/model/lock-wait.ts';
import { humanBytes, humanDuration } from './format.ts';
import type { Io } from './io.ts';

/** A bar against the previous backup's size; without one there is nothing honest to draw. */
export function progressBar(bytes: number, expectedBytes: number | undefined, width = 20): string {
  if (!expectedBytes) return '';
  const fraction = Math.min(bytes / expectedBytes, 1);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% `;
}

export function progressPrinter(io: Io) {
  let lastPhase = '';
  // Which lock a non-terminal was last told of: a wait is written once, and again when it changes.
  let lastWait = '';
  return (event: ProgressEvent) => {
    if (event.operation === 'restore') {
      io.stderr(`${event.phase}…\n`);
      return;
    }
    const { phase, bytes, elapsedMs, expectedBytes, lockWait } = event.progress;
    if (io.isTTY) {
      const waiting = lockWait ? ` · ${describeLockWait(lockWait)}` : '';
      io.stderr(`\r\u001b[K${progressBar(bytes, expectedBytes)}${phase} ${humanBytes(bytes)} · ${humanDuration(elapsedMs)}${waiting}${phase === 'done' ? '\n' : ''}`);
    } else {
      const wait = lockWait ? `${lockWait.relation}/${lockWait.blocker?.pid ?? ''}` : '';
      if (lockWait && wait !== lastWait) io.stderr(`${describeLockWait(lockWait)}\n`);
      else if (!lockWait && lastWait) io.stderr(`lock granted; ${phase}\n`);
      else if (phase !== lastPhase) io.stderr(`${phase}${bytes ? ` (${humanBytes(bytes)})` : ''} at ${humanDuration(elapsedMs)}\n`);
      lastWait = wait;
    }
    lastPhase = phase;
  };
}
