import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { EndpointError } from '../core/errors.ts';
import { judgeFingerprint, runEval, type RunOptions } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { httpCallError } from '../judges/call-error.ts';
import type { Judge, JudgeReply } from '../judges/judge.ts';
import { DATA_DIR } from './helpers.ts';

const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5, timeoutMs: 500 };
const N = 40;

/** A judge answering "better response: A" as text after `behave` lets it (by attempt number per item). */
function textJudge(
  id: string,
  behave: (attempt: number, itemId: string) => Promise<void> | void,
  extra: Partial<Judge> = {},
): Judge & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    id,
    config: { adapter: 'test', id },
    tasks: ['pairwise'],
    concurrency: 4,
    limits: FAST,
    calls,
    async judge(request): Promise<JudgeReply> {
      const attempt = (calls.get(request.itemId) ?? 0) + 1;
      calls.set(request.itemId, attempt);
      await behave(attempt, request.itemId);
      return {
        type: 'text',
        text: 'explanation: fine\nbetter response: A',
        usage: { inputTokens: 1000, outputTokens: 100 },
      };
    },
    ...extra,
  };
}

function run(judge: Judge, store: Store, extra: Partial<RunOptions> = {}) {
  return runEval({
    judge,
    benchmarks: [rewardbench],
    dataDir: DATA_DIR,
    seed: 0,
    store,
    limit: N,
    progress: false,
    ...extra,
  });
}

describe('failures during a run', () => {
  it('retries 503s and stores each item once, with the number of attempts it took', async () => {
    const store = Store.open(':memory:');
    const judge = textJudge('flaky', (attempt) => {
      if (attempt < 3) throw httpCallError(503, 'unavailable');
    });
    const result = await run(judge, store);
    const b = result.benchmarks[0]!;
    expect(b.summary.errors).toBe(0);
    expect(result.status).toBe('complete');
    expect(b.judgments.every((j) => j!.attempts === 3 && j!.error === null)).toBe(true);
    expect([...judge.calls.values()].every((c) => c === 3)).toBe(true);
  });

  it('stores an item that keeps failing as an error, counts it, and asks it again on the next run', async () => {
    const store = Store.open(':memory:');
    const failing = textJudge(
      'down',
      () => {
        throw httpCallError(500, 'internal error');
      },
      { limits: { ...FAST, maxAttempts: 3 } },
    );
    const first = await run(failing, store);
    expect(first.status).toBe('incomplete');
    expect(first.benchmarks[0]!.summary.errors).toBe(N);
    expect(
      first.benchmarks[0]!.judgments.every(
        (j) => j!.error === 'HTTP 500: internal error (after 3 attempts)' && j!.attempts === 3,
      ),
    ).toBe(true);

    const recovered = textJudge('down', () => {}); // same id and config: same fingerprint
    const second = await run(recovered, store);
    expect(second.benchmarks[0]!.asked).toBe(N);
    expect(second.status).toBe('complete');
    expect(second.benchmarks[0]!.judgments.every((j) => j!.error === null && j!.attempts === 4)).toBe(true);
  });

  it('a request that hangs is cut off by the timeout and stored as an error', async () => {
    const store = Store.open(':memory:');
    const judge = textJudge(
      'hangs',
      (_a, itemId) => (itemId.endsWith('/30') ? new Promise<void>(() => {}) : undefined),
      {
        limits: { ...FAST, timeoutMs: 50, maxAttempts: 2 },
      },
    );
    const result = await run(judge, store);
    const errors = result.benchmarks[0]!.judgments.filter((j) => j!.error !== null);
    expect(errors.map((j) => j!.itemId)).toEqual(['alpacaeval-easy/30']);
    expect(errors[0]!.error).toBe('no complete reply within 0.1s (after 2 attempts)');
  });

  it('a rejected key stops the whole run with one message instead of failing every item', async () => {
    const store = Store.open(':memory:');
    const judge = textJudge(
      'bad-key',
      () => {
        throw httpCallError(401, 'invalid x-api-key');
      },
      { concurrency: 2 },
    );
    const failure = await run(judge, store).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EndpointError);
    expect((failure as EndpointError).exitCode).toBe(7);
    expect((failure as Error).message).toBe(
      'bad-key: HTTP 401: invalid x-api-key. The key was refused: check the API key. ' +
        'Stopped the run before storing any item as failed: every request would fail the same way.',
    );
    expect(judge.calls.size).toBeLessThanOrEqual(2);
    // Nothing is stored as failed: the configuration, not the items, is at fault.
    expect(store.judgments(judgeFingerprint(judge), 'rewardbench').size).toBe(0);
  });

  it('Ctrl-C stops sending, lets the requests in flight finish and stores them', async () => {
    const store = Store.open(':memory:');
    const controller = new AbortController();
    const judge = textJudge(
      'slow',
      async () => {
        if (judge.calls.size === 10) controller.abort(); // Ctrl-C while two requests are in flight
        await sleep(20);
      },
      { concurrency: 2 },
    );
    const result = await run(judge, store, { signal: controller.signal, limit: undefined });
    expect(result.status).toBe('interrupted');
    const stored = result.benchmarks[0]!.judgments.filter((j) => j !== undefined);
    // Both requests in flight at the interrupt (the 10th and the other worker's) are answered and kept.
    expect(judge.calls.size).toBe(10);
    expect(stored).toHaveLength(10);
    expect(stored.every((j) => j!.error === null)).toBe(true);
  });
});

describe('usage, cost and --max-cost', () => {
  const price = { inputPerMillion: 1, outputPerMillion: 10 }; // a reply of 1000 in + 100 out tokens costs $0.002

  it('adds up tokens and dollars from the usage of each reply', async () => {
    const store = Store.open(':memory:');
    const result = await run(
      textJudge('priced', () => {}, { price, maxOutputTokens: 100 }),
      store,
    );
    expect(result.spend.inputTokens).toBe(N * 1000);
    expect(result.spend.outputTokens).toBe(N * 100);
    expect(result.spend.costUsd).toBeCloseTo(N * 0.002, 10);
    expect(result.benchmarks[0]!.judgments.every((j) => Math.abs(j!.costUsd! - 0.002) < 1e-12)).toBe(true);
    expect(result.benchmarks[0]!.usage).toEqual(result.spend);
  });

  it('stops before it could spend more than --max-cost, and a rerun with a higher limit continues', async () => {
    const store = Store.open(':memory:');
    const judge = textJudge('priced', () => {}, { price, maxOutputTokens: 100, concurrency: 1 });
    const first = await run(judge, store, { maxCostUsd: 0.02 });
    expect(first.status).toBe('stopped');
    expect(first.spend.costUsd).toBeLessThanOrEqual(0.02);
    const asked = first.benchmarks[0]!.asked;
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThan(N);
    const second = await run(judge, store, { maxCostUsd: 10 });
    expect(second.status).toBe('complete');
    expect(second.benchmarks[0]!.asked).toBe(N - asked);
  });

  it('refuses --max-cost for a judge without a price', async () => {
    await expect(
      run(
        textJudge('free', () => {}),
        Store.open(':memory:'),
        { maxCostUsd: 1 },
      ),
    ).rejects.toThrow('--max-cost needs a price for free');
  });
});
