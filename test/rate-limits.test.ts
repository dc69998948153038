/**
 * Pacing to an endpoint's rate limits: the pacer on a fake clock, the providers' headers as they are sent, and
 * whole runs against a loopback endpoint that enforces a requests-per-minute limit with a bucket holding one
 * second's worth (bench/rate-limited-server.ts), the case where eight workers retrying on their own schedules
 * used to lose half of LLMBar to 429s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRateLimitedServer, type RateLimitedServer } from '../bench/rate-limited-server.ts';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import { Pacer, type Clock } from '../harness/pacer.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { readRateLimits, resetMs } from '../judges/adapters/rate-limit-headers.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe('rate-limit headers', () => {
  it('reads OpenAI’s, Anthropic’s and the IETF draft’s', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(
      readRateLimits(
        new Headers({
          'x-ratelimit-limit-requests': '500',
          'x-ratelimit-remaining-requests': '499',
          'x-ratelimit-reset-requests': '120ms',
          'x-ratelimit-limit-tokens': '30000',
          'x-ratelimit-remaining-tokens': '28000',
          'x-ratelimit-reset-tokens': '6m0s',
        }),
        now,
      ),
    ).toEqual({
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30000, remaining: 28000, resetMs: 360_000 },
    });
    expect(
      readRateLimits(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2026-12-06T10:00:02Z',
          'anthropic-ratelimit-input-tokens-limit': '40000',
        },
        now,
      ),
    ).toEqual({ requests: { limit: 50, remaining: 0, resetMs: 2000 }, tokens: { limit: 40000 } });
    expect(
      readRateLimits({ 'RateLimit-Limit': '100', 'RateLimit-Remaining': '7', 'RateLimit-Reset': '3' }, now),
    ).toEqual({
      requests: { limit: 100, remaining: 7, resetMs: 3000 },
    });
    expect(readRateLimits({ 'content-type': 'application/json' })).toBeUndefined();
    expect(resetMs('1m30.5s')).toBe(90_500);
    expect(resetMs('soon')).toBeUndefined();
  });
});

describe('Pacer', () => {
  it('spaces requests at the announced limit (with headroom), and follows a raised limit', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({}, clock);
    await pacer.acquire(10); // unpaced until the endpoint says otherwise
    pacer.answered({ requests: { limit: 600 } });
    const at: number[] = [];
    for (let i = 0; i < 20; i++) {
      await pacer.acquire(10);
      at.push(clock.t);
    }
    // 600 a minute at 95%: one every 105.3 ms, after the 200 ms a late worker may take up.
    const gaps = at.slice(6).map((t, i) => t - at[i + 5]!);
    for (const gap of gaps) expect(gap).toBeCloseTo(60_000 / 570, 0);
    pacer.answered({ requests: { limit: 6000 } });
    const before = clock.t;
    for (let i = 0; i < 20; i++) await pacer.acquire(10);
    // Ten times faster now: 20 slots of 10.5 ms after the one the old pace had already booked (105 ms).
    expect(clock.t - before).toBeLessThan(105 + 20 * 15);
  });

  it('paces tokens too: a request takes its share of a minute of the token limit', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ tokensPerMinute: 60_000 }, clock);
    for (let i = 0; i < 11; i++) await pacer.acquire(1000);
    // Ten intervals of 1 s, less what the tolerance for late wake-ups lets the first ones take early.
    expect(clock.t).toBeGreaterThanOrEqual(10 * 1000 - 400);
    expect(clock.t).toBeLessThanOrEqual(10 * 1000);
  });

  it('holds everyone until a 429’s Retry-After, and until the reset when a reply says nothing is left', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 60_000 }, clock);
    pacer.rateLimited(2_500, undefined);
    await pacer.acquire(1);
    expect(clock.t).toBeGreaterThanOrEqual(2_500);
    const t = clock.t;
    pacer.answered({ requests: { limit: 60_000, remaining: 0, resetMs: 5_000 } });
    await pacer.acquire(1);
    expect(clock.t - t).toBeGreaterThanOrEqual(1); // one slot's worth: 60 s / 60,000
    expect(clock.t - t).toBeLessThan(5_000);
    expect(pacer.throttled).toBe(1);
  });

  it(
    'without announced limits or Retry-After, ' + 'slows to 70% of what went through on a 429 and creeps back up',
    async () => {
      const clock = fakeClock();
      const pacer = new Pacer({}, clock);
      for (let i = 0; i < 100; i++) {
        await pacer.acquire(1);
        clock.t += 50; // 20 a second: 1,200 a minute
      }
      pacer.rateLimited(5_000, undefined); // a Retry-After: hold, keep the pace
      expect(pacer.requestsPerMinute).toBeUndefined();
      clock.t += 5_000;
      for (let i = 0; i < 100; i++) {
        await pacer.acquire(1);
        clock.t += 50;
      }
      pacer.rateLimited(undefined, undefined); // no Retry-After, no limits announced: slow down
      expect(pacer.requestsPerMinute).toBeCloseTo(0.7 * 1200, -1);
      const slowed = pacer.requestsPerMinute!;
      for (let i = 0; i < 10; i++) pacer.answered(undefined);
      expect(pacer.requestsPerMinute).toBeCloseTo(slowed * 1.002 ** 10, 5);
    },
  );
});

describe('a run against an endpoint that allows 6,000 requests a minute (a second’s worth at a time)', () => {
  let server: RateLimitedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runLlmbar(announce: boolean) {
    server = await startRateLimitedServer({ requestsPerMinute: 6000, announce, delayMs: 20 });
    const dir = tempDir();
    const config = path.join(dir, 'judges.json');
    const limits = { concurrency: 8, maxAttempts: 5, baseDelayMs: 50 };
    fs.writeFileSync(
      config,
      JSON.stringify({ judges: { paced: { extends: 'llama-3-70b', baseURL: server.baseURL, limits } } }),
    );
    const judge = await createJudge('paced', { dataDir: DATA_DIR, seed: 0, configFile: config, env: {} });
    const store = Store.open(':memory:');
    const started = performance.now();
    const run = await runEval({ judge, benchmarks: [llmbar], dataDir: DATA_DIR, seed: 0, store, progress: false });
    const seconds = (performance.now() - started) / 1000;
    store.close();
    return { run, seconds, server };
  }

  it('with x-ratelimit headers: every item answered, next to no 429s, close to the allowed pace', async () => {
    const { run, server: s } = await runLlmbar(true);
    const b = run.benchmarks[0]!;
    expect(b.summary.errors).toBe(0);
    expect(s.accepted).toBe(419);
    expect(s.rejected / (s.accepted + s.rejected)).toBeLessThan(0.02);
    // What the endpoint allowed over the run: its rate, plus the second's worth its bucket held at the start.
    const minutes = (s.lastAt! - s.firstAt!) / 60_000;
    const allowed = (6000 * minutes + 100) / minutes;
    const pace = s.accepted / minutes;
    expect(pace).toBeLessThanOrEqual(allowed);
    expect(pace / allowed).toBeGreaterThan(0.8); // the bench holds the 90% target on a quiet machine
  });

  it('with only 429s and retry-after-ms to go by: every item answered all the same', async () => {
    const { run, server: s } = await runLlmbar(false);
    expect(run.benchmarks[0]!.summary.errors).toBe(0);
    expect(s.accepted).toBe(419);
    // Each 429 holds every request until its retry-after-ms; none uses up an item's attempts.
    expect(s.rejected).toBeGreaterThan(0);
  });
});
