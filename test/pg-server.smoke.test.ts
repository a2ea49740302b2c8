import { expect, test } from 'vitest';
import { startPgServer } from './support/pg-server.ts';

test('throwaway servers of two majors start, answer and stop', async () => {
  for (const major of [15, 17]) {
    const server = await startPgServer({ major });
    try {
      const rows = await server.query<{ v: string }>("select current_setting('server_version') as v");
      expect(rows[0]?.v.startsWith(String(major))).toBe(true);
    } finally {
      await server.stop();
    }
  }
});
