// The app log as the Activity page reads it: the newest lines of holdfast.log (and the file rotated
// before it), parsed, filtered by level and text. The log holds no secret (log.ts drops such keys
// before writing), so what is read here may be shown as it is.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLevel } from './log.ts';

const LEVELS: Record<number, LogLevel> = { 30: 'info', 40: 'warn', 50: 'error' };
const RANK: Record<LogLevel, number> = { info: 30, warn: 40, error: 50 };

export interface LogEntry {
  at: string;
  level: LogLevel;
  message: string;
  pid: number | null;
  detail: Record<string, unknown>;
}

export interface LogQuery {
  /** This level and above. */
  level?: LogLevel | undefined;
  /** Case-insensitive, in the message and the detail. */
  search?: string | undefined;
  limit: number;
}

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function parse(line: string): LogEntry | undefined {
  try {
    const { level, time, pid, msg, ...detail } = JSON.parse(line) as { level: number; time: number; pid?: number; msg: string } & Record<string, unknown>;
    const name = LEVELS[level];
    if (!name || typeof msg !== 'string') return undefined;
    return { at: new Date(time).toISOString(), level: name, message: msg, pid: pid ?? null, detail };
  } catch {
    return undefined;
  }
}

/** Newest first. */
export async function readLog(logDir: string, query: LogQuery): Promise<LogEntry[]> {
  const file = join(logDir, 'holdfast.log');
  const all = [...(await lines(`${file}.1`)), ...(await lines(file))];
  const needle = query.search?.trim().toLowerCase();
  const minimum = query.level ? RANK[query.level] : 0;
  const found: LogEntry[] = [];
  for (let index = all.length - 1; index >= 0 && found.length < query.limit; index -= 1) {
    const entry = parse(all[index]!);
    if (!entry || RANK[entry.level] < minimum) continue;
    if (needle && !`${entry.message} ${JSON.stringify(entry.detail)}`.toLowerCase().includes(needle)) continue;
    found.push(entry);
  }
  return found;
}
