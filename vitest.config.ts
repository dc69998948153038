import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // better-sqlite3 is a native addon: separate processes keep each file's handle isolated.
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine. Most test time is spent waiting
    // for CLI child processes and loopback servers, so two files at once take 300 s instead of 490 s there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { AUTORATER_DATA: process.env.AUTORATER_DATA ?? '../shared/data' },
  },
});
