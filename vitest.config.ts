import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // better-sqlite3 is a native addon: separate processes keep each file's handle isolated.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { AUTORATER_DATA: process.env.AUTORATER_DATA ?? '../shared/data' },
  },
});
