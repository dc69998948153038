/**
 * Bootstrap intervals, McNemar's exact test, the paired permutation test and Holm's correction, checked against
 * values computed independently (exact binomial sums with Python's math.comb, the normal approximation of a
 * proportion's interval, Holm's procedure by hand), and the intervals every report row carries on real data.
 */
import { describe, expect, it } from 'vitest';
import { hhh } from '../benchmarks/heldout/hhh/index.ts';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import type { AnyBenchmark, ItemResult } from '../benchmarks/benchmark.ts';
import {
  bootstrapIntervals,
  forEachClusterDraw,
  forEachResample,
  percentileInterval,
  strataOf,
  streamSeed,
} from '../core/bootstrap.ts';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { metricIntervals } from '../harness/intervals.ts';
import { holm, mcnemarExact, pairedPermutationTest } from '../core/paired.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR } from './helpers.ts';

async function resultsOf(judgeId: string, benchmark: AnyBenchmark = rewardbench): Promise<ItemResult[]> {
  const store = Store.open(':memory:');
  try {
    const judge = await createJudge(judgeId, { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({ judge, benchmarks: [benchmark], dataDir: DATA_DIR, seed: 0, store, progress: false });
    return run.benchmarks[0]!.results;
  } finally {
    store.close();
  }
}

describe("McNemar's exact test", () => {
  // Two-sided exact binomial p-values from Python: min(1, 2 * sum(comb(n, i) for i in range(min(b, c) + 1)) / 2**n).
  it.each([
    [10, 2, 0.03857421875],
    [0, 7, 0.015625],
    [5, 5, 1],
    [30, 45, 0.10534226887460488],
    [120, 150, 0.0773893989802185],
  ])('b=%i c=%i gives p=%f', (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 10);
    expect(mcnemarExact(c, b)).toBeCloseTo(p, 10);
  });

  it('handles a very lopsided table without underflowing to nonsense', () => {
    const p = mcnemarExact(387, 17);
    expect(p).toBeGreaterThan(0);
    expect(p / 2.0582525291248445e-92).toBeCloseTo(1, 6);
  });

  it('is 1 with no discordant pairs', () => {
    expect(mcnemarExact(0, 0)).toBe(1);
  });
});

describe("Holm's correction", () => {
  it('matches the step-down procedure worked by hand', () => {
    // Sorted: 0.005×4 = 0.02, 0.01×3 = 0.03, 0.03×2 = 0.06, 0.04×1 = 0.04 → raised to 0.06 (monotone).
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted.map((p) => Number(p!.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });

  it('caps at 1 and leaves untested categories out of the count', () => {
    expect(holm([0.6, null, 0.2])).toEqual([0.6, null, 0.4]);
  });
});

describe('stratified bootstrap', () => {
  it('keeps every stratum its own size, and the same seed gives the same draws', () => {
    const keys = ['a', 'a', 'b', 'b', 'b', 'c'];
    const strata = strataOf(keys);
    const first: number[][] = [];
    forEachResample(strata, { resamples: 20, seed: 7, stream: 't' }, (ix) => first.push(ix));
    const again: number[][] = [];
    forEachResample(strata, { resamples: 20, seed: 7, stream: 't' }, (ix) => again.push(ix));
    expect(again).toEqual(first);
    for (const ix of first) {
      expect(ix.map((i) => keys[i]).join('')).toMatch(/^a{2}b{3}c$/);
    }
    const other: number[][] = [];
    forEachResample(strata, { resamples: 20, seed: 8, stream: 't' }, (ix) => other.push(ix));
    expect(other).not.toEqual(first);
  });

  it("draws exactly what pure-rand's uniformInt draws, stratum by stratum", () => {
    // The draw loop inlines uniformInt for speed; the library stays the reference. Sizes include 1, 2 (no rejection
    // bound) and ones that do not divide 2^32.
    const sizes = [1, 2, 3, 7, 100, 1000];
    const options = { resamples: 3, seed: 42, stream: 'inline' };
    const rng = xoroshiro128plus(streamSeed(options.seed, options.stream));
    const expected: number[] = [];
    for (let b = 0; b < options.resamples; b++) {
      let first = 0;
      for (const size of sizes) {
        for (let i = 0; i < size; i++) expected.push(first + uniformInt(rng, 0, size - 1));
        first += size;
      }
    }
    const seen: number[] = [];
    forEachClusterDraw(sizes, options, (drawn) => seen.push(...drawn));
    expect(seen).toEqual(expected);
    // The inlined remainder for a stratum so large that the bound rejects almost half of all 32-bit values (too big
    // to draw into an array here): the float remainder equals `%` on every accepted value.
    const big = 2 ** 31 + 1;
    const bigRng = xoroshiro128plus(streamSeed(1, 'big'));
    const bound = Math.floor(2 ** 32 / big) * big;
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      let d = bigRng.next() + 2 ** 31;
      while (d >= bound) {
        d = bigRng.next() + 2 ** 31;
        rejected++;
      }
      expect(d - Math.floor(d / big) * big).toBe(d % big);
    }
    expect(rejected).toBeGreaterThan(500);
  });

  it('replays kept draws exactly: a second row over the same items sees the same resamples', () => {
    const sizes = [5, 3, 8];
    const collect = (seed: number): number[][] => {
      const seen: number[][] = [];
      forEachClusterDraw(sizes, { resamples: 30, seed, stream: 'kept' }, (drawn) => seen.push([...drawn]));
      return seen;
    };
    const first = collect(1); // drawn, then kept
    const replayed = collect(1); // from the kept draws
    const other = collect(2); // drawn, replacing the kept ones
    const drawnAgain = collect(1); // drawn afresh
    expect(replayed).toEqual(first);
    expect(drawnAgain).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('draws whole clusters within a stratum', () => {
    // Stratum x has clusters p (items 0, 1) and q (item 2); stratum y has cluster r (items 3, 4).
    const strata = strataOf(['x', 'x', 'x', 'y', 'y'], ['p', 'p', 'q', 'r', 'r']);
    expect(strata).toEqual([[[0, 1], [2]], [[3, 4]]]);
    forEachResample(strata, { resamples: 50, seed: 1, stream: 'c' }, (ix) => {
      const x = ix.filter((i) => i < 3);
      // Two draws from {p, q}: p contributes 0 and 1 together.
      expect(x.filter((i) => i === 0).length).toBe(x.filter((i) => i === 1).length);
      expect(ix.filter((i) => i >= 3)).toEqual([3, 4]);
    });
  });

  it("agrees with the normal approximation for a proportion's interval", () => {
    // 600 items, 420 right: p = 0.7, normal 95% half-width = 1.96 * sqrt(0.7 * 0.3 / 600) = 0.03667.
    const items = Array.from({ length: 600 }, (_, i) => (i % 10 < 7 ? 1 : 0));
    const [interval] = bootstrapIntervals(
      items,
      items.map(() => ''),
      (s) => [s.reduce((a: number, b: number) => a + b, 0) / s.length],
      {
        resamples: 4000,
        seed: 1,
        stream: 'normal',
      },
    );
    expect(interval![0]).toBeCloseTo(0.7 - 0.03667, 2);
    expect(interval![1]).toBeCloseTo(0.7 + 0.03667, 2);
  });

  it('percentile interval: null when the statistic is mostly undefined', () => {
    expect(percentileInterval([1, null, null, null])).toBeNull();
    // numpy.percentile([1, 2, 3, 4, 5], [2.5, 97.5]) (linear interpolation) = [1.1, 4.9].
    const [lo, hi] = percentileInterval([3, 1, 2, 4, 5])!;
    expect(lo).toBeCloseTo(1.1, 12);
    expect(hi).toBeCloseTo(4.9, 12);
  });
});

describe('intervals of real benchmark scores', () => {
  it(
    'RewardBench: every headline value lies in its interval, ' + 'and the section weighting is re-applied per resample',
    async () => {
      const results = await resultsOf('longer-wins');
      const summary = rewardbench.score(results as never);
      const intervals = metricIntervals(rewardbench, results, { resamples: 300, seed: 0 })!;
      expect(Object.keys(intervals)).toEqual(['Avg', 'Chat', 'Chat Hard', 'Safety', 'Reasoning']);
      const values = rewardbench.metrics!.values(summary as never);
      for (const [column, value] of Object.entries(values)) {
        const [lo, hi] = intervals[column]!;
        expect(lo).toBeLessThanOrEqual(value!);
        expect(hi).toBeGreaterThanOrEqual(value!);
      }
      // Resampling within subsets never moves a subset's weight: a judge right on exactly the hep-* items and wrong on
      // everything else has Reasoning = 50 in every resample (code counts half, math-prm half), so the interval is a
      // point.
      const codeOnly = results.map((r) => {
        const right = (r.item as unknown as { subset: string }).subset.startsWith('hep-');
        const gold = (r.prepared.gold as { chosenSlot: 'A' | 'B' }).chosenSlot;
        const choice = right ? gold : gold === 'A' ? 'B' : 'A';
        return { ...r, outcome: { status: 'verdict' as const, verdict: { kind: 'pairwise' as const, choice } } };
      });
      const fixed = metricIntervals(rewardbench, codeOnly, { resamples: 50, seed: 0 })!;
      expect(fixed.Reasoning).toEqual([50, 50]);
    },
  );

  it('is cached in the store under a hash of the outcomes: a second call reads it back', async () => {
    const results = await resultsOf('random', hhh);
    const store = Store.open(':memory:');
    try {
      const first = metricIntervals(hhh, results, { resamples: 200, seed: 3, cache: store });
      let computed = 0;
      const spy = { derived: (k: string) => store.derived(k), saveDerived: () => (computed += 1) };
      const second = metricIntervals(hhh, results, { resamples: 200, seed: 3, cache: spy });
      expect(second).toEqual(first);
      expect(computed).toBe(0);
      // A different seed is a different key.
      metricIntervals(hhh, results, { resamples: 200, seed: 4, cache: spy });
      expect(computed).toBe(1);
    } finally {
      store.close();
    }
  });
});

describe('paired permutation test', () => {
  it('gives p = 1 for identical judges and a small p for a clear difference', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 0 : 1));
    const meanOf = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
    const diff = (first: number[], second: number[]) => (swap: Uint8Array) => {
      const x = first.map((v, i) => (swap[i] ? second[i]! : v));
      const y = second.map((v, i) => (swap[i] ? first[i]! : v));
      return [meanOf(x) - meanOf(y)];
    };
    expect(pairedPermutationTest(a.length, diff(a, a), { permutations: 200, seed: 0, stream: 's' })[0]).toBe(1);
    const b = a.map((v, i) => (i % 8 === 1 ? 0 : v)); // 25 items fewer right
    const p = pairedPermutationTest(a.length, diff(a, b), { permutations: 2000, seed: 0, stream: 's' })[0]!;
    // McNemar on the same table (25 discordant, all one way) is 2 / 2^25; the permutation p is bounded by 1/2001.
    expect(p).toBeCloseTo(1 / 2001, 6);
  });

  it('agrees with McNemar on right/wrong outcomes', () => {
    // 30 items only the first judge got right, 15 only the second: McNemar p = 0.0357 (exact).
    const first = [...Array(30).fill(1), ...Array(15).fill(0), ...Array(100).fill(1)];
    const second = [...Array(30).fill(0), ...Array(15).fill(1), ...Array(100).fill(1)];
    const sum = (x: number[]): number => x.reduce((s, v) => s + v, 0);
    const p = pairedPermutationTest(
      first.length,
      (swap) => [
        sum(first.map((v, i) => (swap[i] ? second[i]! : v))) - sum(second.map((v, i) => (swap[i] ? first[i]! : v))),
      ],
      { permutations: 20000, seed: 2, stream: 'm' },
    )[0]!;
    expect(mcnemarExact(30, 15)).toBeCloseTo(0.0357, 3);
    expect(Math.abs(p - mcnemarExact(30, 15))).toBeLessThan(0.006);
  });
});

describe('the bootstrap fast path agrees with re-scoring', () => {
  it(
    'RewardBench: counts give the same values as score() on resamples, ' +
      'and intervals close to the scored bootstrap',
    async () => {
      const results = await resultsOf('random');
      const counts = rewardbench.metrics!.counts!;
      const strata = strataOf(results.map((r) => (r.item as unknown as { subset: string }).subset));
      let checked = 0;
      forEachResample(strata, { resamples: 5, seed: 9, stream: 'agree' }, (ix) => {
        const sample = ix.map((i) => results[i]!);
        const totals = new Array<number>(counts.size).fill(0);
        for (const r of sample)
          counts.of([r as never]).forEach((v, k) => {
            totals[k]! += v;
          });
        const fast = counts.values(totals);
        const slow = rewardbench.metrics!.values(rewardbench.score(sample as never));
        for (const [column, value] of Object.entries(slow)) expect(fast[column]).toBeCloseTo(value!, 10);
        checked += 1;
      });
      expect(checked).toBe(5);
      // The same random draws either way: the intervals are identical.
      const viaCounts = metricIntervals(rewardbench, results, { resamples: 200, seed: 5 })!;
      const scoredOnly: AnyBenchmark = { ...rewardbench, metrics: { ...rewardbench.metrics!, counts: undefined } };
      const viaScores = metricIntervals(scoredOnly, results, { resamples: 200, seed: 5 })!;
      for (const column of Object.keys(viaScores)) {
        expect(viaCounts[column]![0]).toBeCloseTo(viaScores[column]![0], 9);
        expect(viaCounts[column]![1]).toBeCloseTo(viaScores[column]![1], 9);
      }
    },
  );
});
