// Sizes, durations and counts as a person reads them, for the terminal, notifications and the app.

/**
 * A count as en-US writes it, "12,345". Whole numbers are grouped here, not by toLocaleString: the
 * first locale-aware call in a process loads ICU's data (30–250 ms of a fresh renderer's main thread,
 * on the path to the Backups page's first screen: bench row 7); anything else goes to ICU.
 */
export function groupedCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}

/** "1 backup", "2 backups", with the number grouped: one of a thing is never "1 backups". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${groupedCount(n)} ${n === 1 ? word : many}`;
}

export function humanBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
