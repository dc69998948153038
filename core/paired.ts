/**
 * Paired tests for comparing two judges on the same items:
 *  - McNemar's exact test: for right/wrong outcomes, the two-sided binomial test (p = 1/2) on the discordant pairs;
 *  - a paired permutation test: for any statistic, each item's two judgments are exchanged at random;
 *  - Holm's step-down correction across the categories of one comparison.
 * The binomial probabilities come from simple-statistics; the rest is a few lines with no maintained library for it
 * (simple-statistics' own permutationTest is for two independent samples, not paired ones).
 */
import { binomialDistribution } from 'simple-statistics';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { streamSeed } from './bootstrap.ts';

/**
 * Two-sided exact McNemar p-value. `b`: items only the first judge got right; `c`: items only the second got right.
 * p = min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, 1/2) (as scipy's binomtest and statsmodels'
 * mcnemar(exact=True)).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const pmf = binomialDistribution(n, 0.5);
  if (!pmf) throw new Error(`binomial distribution with ${n} trials is out of range`);
  let tail = 0;
  // simple-statistics stops the table once the cumulative mass is within 1e-4 of 1: only the far upper tail is
  // missing, and min(b, c) ≤ n/2 is always in the lower half, which is complete.
  for (let k = 0; k <= Math.min(b, c); k++) tail += pmf[k] ?? 0;
  return Math.min(1, 2 * tail);
}

interface PermutationOptions {
  permutations: number;
  seed: number;
  stream: string;
}

/**
 * Paired permutation test of H0 "the two judges are exchangeable on every item", for several statistics at once.
 * `differences(swap)` returns each statistic's difference (first − second) when the items whose `swap` flag is set
 * have their two judgments exchanged. Per statistic p = (1 + #{|d*| ≥ |d|}) / (1 + permutations counted), never 0;
 * null when the observed difference is undefined.
 */
export function pairedPermutationTest(
  items: number,
  differences: (swap: Uint8Array) => readonly (number | null)[],
  options: PermutationOptions,
): (number | null)[] {
  const observed = differences(new Uint8Array(items));
  const rng = xoroshiro128plus(streamSeed(options.seed, options.stream));
  const swap = new Uint8Array(items);
  const extreme = observed.map(() => 0);
  const counted = observed.map(() => 0);
  // A tolerance, so permutations that reproduce the observed difference up to rounding count as "as extreme".
  const bars = observed.map((d) => (d === null ? null : Math.abs(d) - 1e-9));
  for (let p = 0; p < options.permutations; p++) {
    for (let i = 0; i < items; i++) swap[i] = uniformInt(rng, 0, 1);
    differences(swap).forEach((d, k) => {
      const bar = bars[k];
      if (d === null || bar === null || bar === undefined) return;
      counted[k] = counted[k]! + 1;
      if (Math.abs(d) >= bar) extreme[k] = extreme[k]! + 1;
    });
  }
  return observed.map((d, k) => (d === null ? null : (1 + extreme[k]!) / (1 + counted[k]!)));
}

/** Holm's step-down adjusted p-values, in the input order (null stays null and is not counted). */
export function holm(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues.map((p, i) => ({ p, i })).filter((e): e is { p: number; i: number } => e.p !== null);
  tested.sort((a, b) => a.p - b.p || a.i - b.i);
  const m = tested.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 0;
  tested.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
