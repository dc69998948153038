/**
 * The fault drill, small: 240 RewardBench items through the real CLI against a judge that answers 429 with
 * Retry-After, 500, 503, hangs, cuts bodies off and sends empty completions at seeded random; the run is killed
 * with SIGKILL three times and resumed. `npm run bench` runs the same drill over all 2,985 items with 10+ kills.
 */
import { describe, expect, it } from 'vitest';
import { runFaultDrill } from '../bench/fault-drill.ts';
import { FAULT_KINDS } from '../bench/fault-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

describe('fault drill: a run killed with SIGKILL at random moments, against a faulty judge, loses nothing', () => {
  it(
    "ends with the uninterrupted run's summary, never re-asks stored items, " + 'and counts every retried error',
    async () => {
      const report = await runFaultDrill({
        dataDir: DATA_DIR,
        workDir: tempDir('autorater-drill-'),
        limit: 240,
        kills: 3,
        seed: 11,
        concurrency: 8,
        faultRate: 0.35,
        // Long enough that only the server's deliberate hangs time out, even on a loaded machine.
        timeoutMs: 1000,
      });

      // The drill really happened: three kills, and every kind of fault was served.
      expect(report.kills).toBe(3);
      for (const kind of FAULT_KINDS) expect(report.faults[kind], `no ${kind} fault was served`).toBeGreaterThan(0);

      // Nothing missing, nothing failed, and the same scores as a run that was never interrupted.
      expect(report.finalExitCode, report.finalStderr).toBe(0);
      expect(report.finalStderr).not.toMatch(/\n\s+at /);
      expect(report.missing).toBe(0);
      expect(report.uninterrupted.exitCode).toBe(0);
      expect(report.summary).toBeDefined();
      expect(report.summary).toEqual(report.uninterrupted.summary);
      const rewardbench = (report.summary as { rewardbench: { n: number; errors: number; invalid: number } })
        .rewardbench;
      expect(rewardbench.n).toBe(240);
      expect(rewardbench.errors).toBe(0);
      // About 1 in 12 prompts gets a reply without a verdict: stored as invalid, not retried into an error.
      expect(rewardbench.invalid).toBeGreaterThan(0);

      // No stored (paid) item was asked again after a kill; double answers only for items in flight at a kill.
      expect(report.reasked).toEqual([]);
      expect(report.answeredTwiceInFlight).toBe(report.answeredTwice);

      // Retried errors are counted: uninterrupted, the stored attempts are exactly the requests the server saw
      // (items + faults); with kills, only requests cut off by a kill are unaccounted for, at most the requests
      // in flight at each kill (concurrency × the faulty attempts an item can have, plus its answer).
      expect(report.uninterrupted.storedAttempts).toBe(report.uninterrupted.requests);
      expect(report.uninterrupted.requests).toBe(240 + report.uninterrupted.faults);
      expect(report.storedRetries).toBeGreaterThan(0);
      expect(report.lostToKills).toBeGreaterThanOrEqual(0);
      expect(report.lostToKills).toBeLessThanOrEqual(report.kills * 8 * 3);
    },
  );
});
