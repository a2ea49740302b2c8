// Progress of long operations on stderr: a redrawn bar on a terminal, one line per phase otherwise.
import type { ProgressEvent } from '../contract.ts';
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
  return (event: ProgressEvent) => {
    if (event.operation === 'restore') {
      io.stderr(`${event.phase}…\n`);
      return;
    }
    const { phase, bytes, elapsedMs, expectedBytes } = event.progress;
    if (io.isTTY) {
      io.stderr(`\r\u001b[K${progressBar(bytes, expectedBytes)}${phase} ${humanBytes(bytes)} · ${humanDuration(elapsedMs)}${phase === 'done' ? '\n' : ''}`);
    } else if (phase !== lastPhase) {
      io.stderr(`${phase}${bytes ? ` (${humanBytes(bytes)})` : ''} at ${humanDuration(elapsedMs)}\n`);
    }
    lastPhase = phase;
  };
}
