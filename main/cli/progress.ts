// Progress of long operations on stderr: a redrawn bar on a terminal, one line per phase otherwise.
import type { ProgressEvent } from '../contract.ts';
import { describeLockWait } from '../core/model/lock-wait.ts';
import { humanBytes, humanDuration } from './format.ts';
import type { Terminal } from './io.ts';

/** A bar against the previous backup's size; without one there is nothing honest to draw. */
export function progressBar(bytes: number, expectedBytes: number | undefined, width = 20): string {
  if (!expectedBytes) return '';
  const fraction = Math.min(bytes / expectedBytes, 1);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% `;
}

export function progressPrinter(io: Terminal) {
  // Per database of a whole-server set (several dump at once; '' for a single backup): the phase and
  // the lock a non-terminal was last told of, so each member's lines are its own and a wait is written
  // once, and again when it changes.
  const lastPhase = new Map<string, string>();
  const lastWait = new Map<string, string>();
  return (event: ProgressEvent) => {
    if (event.operation === 'restore') {
      io.stderr(`${event.phase}…\n`);
      return;
    }
    const { phase, bytes, elapsedMs, expectedBytes, lockWait, database } = event.progress;
    const key = database ?? '';
    const member = database === undefined ? '' : `${database}: `;
    if (io.isTTY) {
      const waiting = lockWait ? ` · ${describeLockWait(lockWait)}` : '';
      io.redrawStderr(`${member}${progressBar(bytes, expectedBytes)}${phase} ${humanBytes(bytes)} · ${humanDuration(elapsedMs)}${waiting}${phase === 'done' ? '\n' : ''}`);
    } else {
      const wait = lockWait ? `${lockWait.relation}/${lockWait.blocker?.pid ?? ''}` : '';
      const waited = lastWait.get(key) ?? '';
      if (lockWait && wait !== waited) io.stderr(`${member}${describeLockWait(lockWait)}\n`);
      else if (!lockWait && waited) io.stderr(`${member}lock granted; ${phase}\n`);
      else if (phase !== lastPhase.get(key)) io.stderr(`${member}${phase}${bytes ? ` (${humanBytes(bytes)})` : ''} at ${humanDuration(elapsedMs)}\n`);
      lastWait.set(key, wait);
    }
    lastPhase.set(key, phase);
  };
}
