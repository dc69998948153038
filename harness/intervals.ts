/**
 * Confidence intervals for a benchmark's headline values (its MetricSpec): a stratified bootstrap over the scored
 * items that calls the benchmark's own `score` on every resample (or adds per-cluster counts, `MetricSpec.counts`).
 * Re-scoring a large benchmark costs up to seconds per row, so results are cached in the run store under a hash of
 * everything they depend on (the items' outcomes, the point values, the seed and the number of resamples): a rerun
 * with nothing new costs nothing.
 */
import type { AnyBenchmark, BenchmarkSummary, IntervalsByColumn, ItemResult } from '../benchmarks/benchmark.ts';
import { bootstrapCountIntervals, bootstrapIntervals, strataOf, type BootstrapOptions } from '../core/bootstrap.ts';
import { createHash } from 'node:crypto';

export interface IntervalOptions {
  /** Bootstrap resamples; 0 turns intervals off. */
  resamples: number;
  seed: number;
  /** Where computed intervals are cached (the run store); none: always computed. */
  cache?: { derived(key: string): string | undefined; saveDerived(key: string, value: string): void };
}

/** The stratum of each result: the benchmark's own, else the item's sample group (the paper's task), else one. */
export function strataKeys(benchmark: AnyBenchmark, results: readonly ItemResult[]): string[] {
  const stratum = benchmark.metrics?.stratum;
  return results.map((r) => (stratum ? stratum(r.item) : (r.item.sampleGroup ?? '')));
}

/** Each result's cluster (items resampled together), or undefined when the benchmark resamples single items. */
export function clusterKeys(benchmark: AnyBenchmark, results: readonly ItemResult[]): string[] | undefined {
  const cluster = benchmark.metrics?.cluster;
  return cluster ? results.map((r) => cluster(r.item)) : undefined;
}

function bootstrapOptions(benchmark: AnyBenchmark, options: IntervalOptions, purpose = 'interval'): BootstrapOptions {
  return { resamples: options.resamples, seed: options.seed, stream: `${purpose}/${benchmark.id}` };
}

/** The benchmark's named headline values for a summary (empty without a MetricSpec). */
export function metricValues(
  benchmark: AnyBenchmark,
  summary: BenchmarkSummary,
): Readonly<Record<string, number | null>> {
  return benchmark.metrics ? benchmark.metrics.values(summary) : {};
}

/**
 * Everything an interval depends on, hashed: the benchmark, the bootstrap settings, each item's stratum and
 * outcomes.
 */
function cacheKey(
  benchmark: AnyBenchmark,
  results: readonly ItemResult[],
  strata: readonly string[],
  point: object,
  options: IntervalOptions,
): string {
  const clusters = clusterKeys(benchmark, results);
  // The sha256 of JSON.stringify([benchmark, seed, resamples, point, outcomes]), fed one result at a time: the same
  // key as ever (intervals already cached stay found), without building a 100,000-item run's text in memory.
  const hash = createHash('sha256');
  hash.update(JSON.stringify([benchmark.id, options.seed, options.resamples, point]).slice(0, -1));
  hash.update(',[');
  results.forEach((r, i) => {
    if (i > 0) hash.update(',');
    hash.update(JSON.stringify([r.item.id, strata[i], clusters?.[i] ?? null, r.outcome, r.swapped?.outcome ?? null]));
  });
  hash.update(']]');
  return `interval/${hash.digest('hex')}`;
}

/** Intervals of `benchmark.metrics.values` over these results; undefined when the benchmark has no metrics. */
export function metricIntervals(
  benchmark: AnyBenchmark,
  results: readonly ItemResult[],
  options: IntervalOptions,
): IntervalsByColumn | undefined {
  const metrics = benchmark.metrics;
  if (!metrics || options.resamples <= 0) return undefined;
  const strata = strataKeys(benchmark, results);
  const all = (summary: BenchmarkSummary): Readonly<Record<string, number | null>> => ({
    ...metrics.values(summary),
    ...metrics.secondary?.(summary),
  });
  const point = all(benchmark.score([...results]));
  const columns = Object.keys(point);
  const key = cacheKey(benchmark, results, strata, point, options);
  const hit = options.cache?.derived(key);
  if (hit !== undefined) return JSON.parse(hit) as IntervalsByColumn;

  const ordered = (values: Readonly<Record<string, number | null>>): (number | null)[] =>
    columns.map((c) => values[c] ?? null);
  const clusters = clusterKeys(benchmark, results);
  // The counts fast path covers the headline values only.
  const counts = metrics.secondary ? undefined : metrics.counts;
  const intervals = counts
    ? bootstrapCountIntervals(
        strataOf(strata, clusters),
        (cluster) => counts.of(cluster.map((i) => results[i]!)),
        counts.size,
        (totals) => ordered(counts.values(totals)),
        bootstrapOptions(benchmark, options),
      )
    : bootstrapIntervals(
        results,
        strata,
        (sample) => ordered(all(benchmark.score(sample))),
        bootstrapOptions(benchmark, options),
        clusters,
      );
  const byColumn = Object.fromEntries(columns.map((c, i) => [c, intervals[i] ?? null]));
  options.cache?.saveDerived(key, JSON.stringify(byColumn));
  return byColumn;
}
