/**
 * Stratified bootstrap over items. Each resample draws, within every stratum (RewardBench: a subset), as many items
 * as the stratum has, with replacement; the caller re-applies the benchmark's own scoring to the resample, so
 * weighted scores (RewardBench's sections, AggreFact's per-dataset mean) keep their weighting. The random draws come
 * from a seeded xoroshiro128+ (pure-rand): the same seed gives the same intervals on every machine.
 */
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
  if (!clusterKeys) {
    const singles = new Map<string, number[][]>();
    keys.forEach((key, i) => {
      const stratum = singles.get(key);
      if (stratum) stratum.push([i]);
      else singles.set(key, [[i]]);
    });
    return [...singles.values()];
  }
  const strata = new Map<string, Map<string, number[]>>();
  keys.forEach((key, i) => {
    let clusters = strata.get(key);
    if (!clusters) strata.set(key, (clusters = new Map()));
    const cluster = clusterKeys[i]!;
    const members = clusters.get(cluster);
    if (members) members.push(i);
    else clusters.set(cluster, [i]);
  });
  return [...strata.values()].map((clusters) => [...clusters.values()]);
}

/**
 * The random draws of every resample: calls `visit` once per resample with the drawn clusters, as positions in the
 * list of all clusters taken stratum by stratum (stratum 0's first). Each stratum draws as many of its clusters as it
 * has, with replacement. `drawn` is one array reused between calls: read it, never keep it. Everything that resamples
 * goes through here, so a fast path and the general path see exactly the same draws.
 */
export function forEachClusterDraw(
  stratumSizes: readonly number[],
  options: BootstrapOptions,
  visit: (drawn: Int32Array) => void,
): void {
  const clusters = stratumSizes.reduce((a, b) => a + b, 0);
  const key = `${options.seed}\u0000${options.stream}\u0000${options.resamples}\u0000${stratumSizes.join(',')}`;
  if (kept?.key === key) {
    for (let b = 0; b < options.resamples; b++) visit(kept.draws.subarray(b * clusters, (b + 1) * clusters));
    return;
  }
  const keep = clusters * options.resamples <= MAX_KEPT_DRAWS;
  const all = keep ? new Int32Array(clusters * options.resamples) : undefined;
  const rng = xoroshiro128plus(streamSeed(options.seed, options.stream));
  // pure-rand's uniformInt(rng, 0, size - 1), with its rejection bound computed once per stratum instead of per draw
  // and an exact float remainder (d < 2^32, so d / size never rounds up to the next integer) instead of `%` on
  // doubles: the same draws (test/intervals.test.ts checks), about 3× faster. This loop runs millions of times.
  const bounds = stratumSizes.map((size) => (size > 2 ? Math.floor(2 ** 32 / size) * size : 2 ** 32));
  let drawn = new Int32Array(clusters);
  for (let b = 0; b < options.resamples; b++) {
    if (all) drawn = all.subarray(b * clusters, (b + 1) * clusters);
    let position = 0;
    let first = 0;
    for (let s = 0; s < stratumSizes.length; s++) {
      const size = stratumSizes[s]!;
      const bound = bounds[s]!;
      for (let i = 0; i < size; i++) {
        let d = rng.next() + 2 ** 31;
        while (d >= bound) d = rng.next() + 2 ** 31;
        drawn[position++] = first + d - Math.floor(d / size) * size;
      }
      first += size;
    }
    visit(drawn);
  }
  if (all) kept = { key, draws: all };
}

/**
 * The last stream's draws, kept: a report draws the same stream once per row (this run and every baseline, over the
 * same items, e.g. 4 × 3 million draws for RewardBench), and drawing is a third of a row's bootstrap. Up to this many
 * draws (16 MB) are kept; larger streams are drawn again each time.
 */
const MAX_KEPT_DRAWS = 4_000_000;
let kept: { key: string; draws: Int32Array } | undefined;

/**
 * Calls `visit` once per resample with the drawn item indices (a fresh array each time): all items of each drawn
 * cluster (see forEachClusterDraw). Paired comparisons pass the same indices to both judges' results.
 */
export function forEachResample(
  strata: readonly (readonly (readonly number[])[])[],
  options: BootstrapOptions,
  visit: (indices: number[]) => void,
): void {
  const clusters = strata.flat();
  forEachClusterDraw(
    strata.map((s) => s.length),
    options,
    (drawn) => {
      const indices: number[] = [];
      for (let d = 0; d < drawn.length; d++) {
        const cluster = clusters[drawn[d]!]!;
        // Indexed loops: this runs millions of times per interval, where array iterators cost several times more.
        for (let k = 0; k < cluster.length; k++) indices.push(cluster[k]!);
      }
      visit(indices);
    },
  );
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
    values.forEach((v, c) => {
      draws[c]?.push(v);
    });
  });
  return draws.map((d, c) => (point[c] === null ? null : percentileInterval(d)));
}

/**
 * The same intervals as bootstrapIntervals when the statistic is a function of summed per-cluster count vectors:
 * each resample adds up the drawn clusters' vectors instead of re-scoring its items. `strata` are as strataOf gives
 * them; `vectorOf(cluster)` is one cluster's counts (`size` slots); `statistic` gets the totals and must not keep them.
 */
export function bootstrapCountIntervals(
  strata: readonly (readonly (readonly number[])[])[],
  vectorOf: (cluster: readonly number[]) => readonly number[],
  size: number,
  statistic: (totals: readonly number[]) => readonly (number | null)[],
  options: BootstrapOptions,
): ([number, number] | null)[] {
  // Clusters with equal vectors share a type (RewardBench: a subset's right, tied and wrong items), so a resample
  // only counts how often each type was drawn and then adds each type's vector once, times its count. Types are kept
  // sparse and flat: type t's entries are slots/values[start[t] .. start[t + 1]).
  const clusters = strata.flat();
  const typeOf = new Int32Array(clusters.length);
  const typeIds = new Map<string, number>();
  const entries: [number, number][] = [];
  const starts = [0];
  clusters.forEach((cluster, c) => {
    const vector = vectorOf(cluster);
    const key = vector.join(',');
    let type = typeIds.get(key);
    if (type === undefined) {
      typeIds.set(key, (type = typeIds.size));
      vector.forEach((v, k) => {
        if (v !== 0) entries.push([k, v]);
      });
      starts.push(entries.length);
    }
    typeOf[c] = type;
  });
  const start = Int32Array.from(starts);
  const slots = Int32Array.from(entries, ([k]) => k);
  const values = Float64Array.from(entries, ([, v]) => v);
  // Reused for every resample, so drawing allocates nothing; statistic gets a plain copy of the totals.
  const drawnTypes = new Float64Array(typeIds.size);
  const totals = new Float64Array(size);
  const sum = (drawn: Int32Array): number[] => {
    drawnTypes.fill(0);
    for (let d = 0; d < drawn.length; d++) drawnTypes[typeOf[drawn[d]!]!]! += 1;
    totals.fill(0);
    for (let t = 0; t < drawnTypes.length; t++) {
      const times = drawnTypes[t]!;
      if (times !== 0) for (let e = start[t]!; e < start[t + 1]!; e++) totals[slots[e]!]! += times * values[e]!;
    }
    return Array.from(totals);
  };
  const point = statistic(sum(Int32Array.from(clusters, (_, c) => c)));
  if (options.resamples <= 0 || clusters.length === 0) return point.map(() => null);
  const draws: (number | null)[][] = point.map(() => []);
  forEachClusterDraw(
    strata.map((s) => s.length),
    options,
    (drawn) => {
      for (const [c, v] of statistic(sum(drawn)).entries()) draws[c]?.push(v);
    },
  );
  return draws.map((d, c) => (point[c] === null ? null : percentileInterval(d)));
}
