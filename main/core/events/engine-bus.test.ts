import { afterEach, expect, test, vi } from 'vitest';
import type { BackupMetadata } from '../model/types.ts';
import { engineEventBus } from './engine-bus.ts';

afterEach(() => vi.restoreAllMocks());

test("a subscriber's failure reaches stderr with its control characters shown, not sent to the terminal", async () => {
  // A failure's message can carry what a hostile server or dump named (a database, a table, a reply).
  const hostile = 'shop\u001b]0;owned\u0007\u001b[2J\r\u009b\u202eevil';
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  const bus = engineEventBus({
    catalogue: { audit: () => undefined },
    logger: { log: () => undefined },
    notifier: {
      notify: () => Promise.reject(new Error(`the notification for ${hostile} failed`)),
    },
  });
  const backup = { id: 'abc123abc123', filename: 'backup-shop.dump', profile: 'shop', database: 'shop', size: 1, duration: 1, timestamp: '2026-01-01T00:00:00.000Z' } as BackupMetadata;
  await bus.emit({ kind: 'backup.completed', profile: 'shop', backup, trigger: { kind: 'manual' } });
  const line = written.join('');
  expect(line).toContain('could not record the backup.completed event');
  expect(line).toContain('shop\\u001b]0;owned\\u0007\\u001b[2J\\u000d\\u009b\\u202eevil');
  expect(line).not.toMatch(/[\u001b\u0007\r\u009b\u202e]/);
});
