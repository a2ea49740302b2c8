import { describe, expect, test } from 'vitest';
import type { LockWait } from '../core/model/lock-wait.ts';
import { terminal, type Terminal } from './io.ts';
import { progressPrinter } from './progress.ts';

const wait: LockWait = {
  relation: 'public.events',
  mode: 'AccessShareLock',
  waitedMs: 125_000,
  blocker: { pid: 4711, statement: 'ALTER TABLE events ADD COLUMN x int', state: 'idle in transaction' },
  blockers: 1,
};

function captured(isTTY: boolean): { io: Terminal; text: () => string } {
  let text = '';
  return { io: terminal({ stdout: () => undefined, stderr: (chunk) => (text += chunk), isTTY }), text: () => text };
}

describe('backup progress on stderr', () => {
  test('a dump waiting for a lock says on what and behind whom, once per wait when not on a terminal', () => {
    const out = captured(false);
    const print = progressPrinter(out.io);
    const base = { phase: 'dumping' as const, bytes: 0, elapsedMs: 1000, expectedBytes: undefined };
    print({ operation: 'backup', progress: base });
    print({ operation: 'backup', progress: { ...base, lockWait: wait } });
    print({ operation: 'backup', progress: { ...base, lockWait: { ...wait, waitedMs: 127_000 } } });
    print({ operation: 'backup', progress: { ...base, bytes: 2048 } });
    const lines = out.text().trim().split('\n');
    expect(lines).toEqual([
      'dumping at 1.0 s',
      'waiting for a lock on public.events held by pid 4711 (`ALTER TABLE events ADD COLUMN x int`, idle in transaction, 2 min 5 s)',
      'lock granted; dumping',
    ]);
  });

  test('on a terminal the redrawn line carries the wait', () => {
    const out = captured(true);
    progressPrinter(out.io)({ operation: 'backup', progress: { phase: 'dumping', bytes: 0, elapsedMs: 1000, expectedBytes: undefined, lockWait: wait } });
    expect(out.text()).toContain('dumping 0 B · 1.0 s · waiting for a lock on public.events held by pid 4711');
  });

  test("on a terminal the bar redraws its line, and a database's name cannot send a control sequence of its own", () => {
    const out = captured(true);
    progressPrinter(out.io)({ operation: 'backup', progress: { phase: 'dumping', bytes: 0, elapsedMs: 1000, expectedBytes: undefined, database: 'hr\r\u001b[2J' } });
    expect(out.text()).toBe('\r\u001b[Khr\\u000d\\u001b[2J: dumping 0 B · 1.0 s');
  });

  test("a whole-server set's members say which database each line is about, and each member's phases are its own", () => {
    const out = captured(false);
    const print = progressPrinter(out.io);
    const at = (database: string, phase: 'dumping' | 'failed' | 'done', elapsedMs: number) =>
      print({ operation: 'backup', progress: { phase, bytes: 0, elapsedMs, expectedBytes: undefined, database } });
    at('shop', 'dumping', 10);
    at('hr', 'dumping', 20);
    at('hr', 'failed', 300);
    at('shop', 'done', 900);
    expect(out.text().trim().split('\n')).toEqual(['shop: dumping at 10 ms', 'hr: dumping at 20 ms', 'hr: failed at 300 ms', 'shop: done at 900 ms']);
  });
});
