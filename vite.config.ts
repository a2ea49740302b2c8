import { defineConfig } from 'vitest/config';

// Vitest's projects (the renderer's Vite build is renderer/vite.config.ts).
// Two test projects: fast specs beside the code, and slow suites under test/ that start their own
// PostgreSQL servers. Real-server suites use distinct ports and temp dirs, so files may run in parallel.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
