/**
 * Stratified bootstrap over items. Each resample draws, within every stratum (RewardBench: a subset), as many items
 * as the stratum has, with replacement; the caller re-applies the benchmark's own scoring to the resample, so
 * weighted scores (RewardBench's sections, AggreFact's per-dataset mean) keep their weighting. The random draws come
 * from a seeded xoroshiro128+ (pure-rand): the same seed gives the same intervals on every machine.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { quantileSorted } from 'simple-statistics';
import { createHash } from 'node:crypto';

export const DEFAULT_RESAMPLES = 1000;

export interface BootstrapOptions {
  /** Number of resamples; 0 turns intervals off. */
  resamples: number;
  seed: number;
  /** Mixed into the seed so two benchmarks (or two purposes) never share a random stream. */
  stream: string;
}

/** A 32-bit generator seed from the user's seed and a stream name. */
export function streamSeed(seed: number, stream: string): number {
  return createHash('sha256').update(`${seed}\u0000${stream}`).digest().readInt32BE(0);
}

/**
 * Items grouped by stratum, and within a stratum by cluster (items scored together, such as the asks of one
 * comparison), in first-seen order so the draws do not depend on Map internals. Without cluster keys every item is
 * its own cluster.
 */
export function strataOf(keys: readonly string[], clusterKeys?: readonly string[]): number[][][] {
  const strata = new Map<string, Map<string, number[]>>();
  keys.forEach((key, i) => {
    let clusters = strata.get(key);
    if (!clusters) strata.set(key, (clusters = new Map()));
    const cluster = clusterKeys ? clusterKeys[i]! : String(i);
    const members = clusters.get(cluster);
    if (members) members.push(i);
    else clusters.set(cluster, [i]);
  });
  return [...strata.values()].map((clusters) => [...clusters.values()]);
}

/**
 * Calls `visit` once per resample with the drawn item indices (a fresh array each time). Each stratum draws as many
 * clusters as it has, with replacement, and contributes all items of each drawn cluster. Paired comparisons pass the
 * same indices to both judges' results.
 */
export function forEachResample(strata: readonly (readonly (readonly number[])[])[], options: BootstrapOptions, visit: (indices: number[]) => void): void {
  const rng = xoroshiro128plus(streamSeed(options.seed, options.stream));
  for (let b = 0; b < options.resamples; b++) {
    const indices: number[] = [];
    for (const clusters of strata) {
      const last = clusters.length - 1;
      for (let i = 0; i <= last; i++) {
        const cluster = clusters[uniformInt(rng, 0, last)]!;
        // Indexed loops: this runs millions of times per interval, where array iterators cost several times more.
        for (let k = 0; k < cluster.length; k++) indices.push(cluster[k]!);
      }
    }
    visit(indices);
  }
}

/**
 * The percentile interval of a statistic's bootstrap distribution (quantiles interpolated linearly, as numpy's and
 * R's defaults). Null when the point value is null, or when
 * fewer than half of the resamples produced a value (the statistic is undefined too often to trust a range).
 */
export function percentileInterval(draws: readonly (number | null)[], level = 0.95): [number, number] | null {
  const values = draws.filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0 || values.length < draws.length / 2) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [quantileSorted(values, tail), quantileSorted(values, 1 - tail)];
}

/**
 * 95% intervals of every value a statistic returns, by stratified bootstrap over `items`.
 * `statistic` must be pure: it is called once per resample.
 */
export function bootstrapIntervals<T>(
  items: readonly T[],
  strataKeys: readonly string[],
  statistic: (sample: T[]) => readonly (number | null)[],
  options: BootstrapOptions,
  clusterKeys?: readonly string[],
): ([number, number] | null)[] {
  const point = statistic([...items]);
  if (options.resamples <= 0 || items.length === 0) return point.map(() => null);
  const draws: (number | null)[][] = point.map(() => []);
  forEachResample(strataOf(strataKeys, clusterKeys), options, (indices) => {
    const values = statistic(indices.map((i) => items[i]!));
    values.forEach((v, c) => draws[c]?.push(v));
  });
  return draws.map((d, c) => (point[c] === null ? null : percentileInterval(d)));
}

/**
 * The same intervals as bootstrapIntervals when the statistic is a function of summed per-cluster count vectors:
 * each resample adds the drawn clusters' vectors (O(clusters × size)) instead of re-scoring its items. `strata` are
 * as strataOf gives them; `vectors[i]` is the counts of cluster i in strata order.
 */
export function bootstrapCountIntervals(
  strata: readonly (readonly (readonly number[])[])[],
  vectorOf: (cluster: readonly number[]) => readonly number[],
  size: number,
  statistic: (totals: readonly number[]) => readonly (number | null)[],
  options: BootstrapOptions,
): ([number, number] | null)[] {
  // Clusters become units: each stratum holds one single-unit "cluster" per real cluster, so forEachResample draws
  // unit indices with the same random stream (and so the same draws) as it would draw clusters. Vectors are kept
  // sparse: an item usually touches two of many slots (RewardBench: its subset's score and count).
  const vectors: SparseVector[] = [];
  const unitStrata = strata.map((clusters) => clusters.map((cluster) => [vectors.push(sparse(vectorOf(cluster))) - 1]));
  const point = statistic(sumVectors(vectors, vectors.map((_, i) => i), size));
  if (options.resamples <= 0 || vectors.length === 0) return point.map(() => null);
  const draws: (number | null)[][] = point.map(() => []);
  forEachResample(unitStrata, options, (units) => {
    statistic(sumVectors(vectors, units, size)).forEach((v, c) => draws[c]?.push(v));
  });
  return draws.map((d, c) => (point[c] === null ? null : percentileInterval(d)));
}

interface SparseVector {
  slots: number[];
  values: number[];
}

function sparse(vector: readonly number[]): SparseVector {
  const out: SparseVector = { slots: [], values: [] };
  vector.forEach((v, k) => {
    if (v === 0) return;
    out.slots.push(k);
    out.values.push(v);
  });
  return out;
}

function sumVectors(vectors: readonly SparseVector[], units: readonly number[], size: number): number[] {
  const totals = new Array<number>(size).fill(0);
  for (const u of units) {
    const { slots, values } = vectors[u]!;
    for (let k = 0; k < slots.length; k++) totals[slots[k]!]! += values[k]!;
  }
  return totals;
}
