// Structured logs: one JSON object per line in $HOLDFAST_HOME/logs/holdfast.log (pino's line shape:
// level, time, msg), rotated by size to holdfast.log.1 … .N. Files are 0600. Detail keys that could
// hold a secret are dropped before anything is written, so no password or webhook URL reaches a log.
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';
const LEVEL_NUMBERS: Record<LogLevel, number> = { info: 30, warn: 40, error: 50 };
const SECRET_KEY = /pass(word)?|secret|token|webhook|authorization|cookie/i;

export interface Logger {
  log(level: LogLevel, message: string, detail?: Record<string, unknown>): void;
}

export function redact(detail: Record<string, unknown>): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (SECRET_KEY.test(key)) continue;
    clean[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? redact(value as Record<string, unknown>) : value;
  }
  return clean;
}

export function fileLogger(dir: string, options: { maxBytes?: number; keep?: number } = {}): Logger {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 5;
  const file = join(dir, 'holdfast.log');
  const rotate = () => {
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    renameSync(file, `${file}.1`);
  };
  return {
    log(level, message, detail = {}) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (existsSync(file) && statSync(file).size >= maxBytes) rotate();
        const line = `${JSON.stringify({ level: LEVEL_NUMBERS[level], time: Date.now(), pid: process.pid, msg: message, ...redact(detail) })}\n`;
        appendFileSync(file, line, { mode: 0o600 });
        chmodSync(file, 0o600);
      } catch {
        // Logging must never break a backup; a full disk shows up in the backup's own error.
      }
    },
  };
}
