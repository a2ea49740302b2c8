import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { connect } from './connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-ssl-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = (ssl: { sslrootcert?: string; sslcert?: string; sslkey?: string }) => ({ name: 'x', host: '127.0.0.1', port: 1, user: 'u', dbname: 'd', sslmode: 'require' as const, ...ssl });

test.skipIf(process.platform === 'win32')('an SSL file that is a FIFO or a device is refused at once: reading it blocked the whole process (holdfast serve answered nobody)', async () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const ssl of [{ sslrootcert: fifo }, { sslcert: fifo }, { sslkey: fifo }, { sslrootcert: '/dev/zero' }]) {
    const started = Date.now();
    await expect(connect(target(ssl), 2)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('not a regular file') });
    expect(Date.now() - started).toBeLessThan(1000);
  }
});

test('an SSL file larger than any certificate is refused', async () => {
  const big = join(dir, 'big.pem');
  writeFileSync(big, 'x'.repeat(2 * 1024 * 1024));
  await expect(connect(target({ sslrootcert: big }), 2)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('larger than') });
});
