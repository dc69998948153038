/**
 * `compare`: a candidate judge against baselines, on exactly the items both have judged. Per benchmark and per
 * headline category (the benchmark's MetricSpec columns): both values, the difference, its paired 95% bootstrap
 * interval (the same resampled items for both judges), a paired test (McNemar's exact test where the category is a
 * plain mean of right/wrong outcomes, a paired permutation test otherwise) and Holm's correction across the
 * benchmark's categories. Judgments come from the store: nothing is asked here (see harness/commands/compare.ts).
 * A significant difference also names the items that decided it (DecidingItems), for compare.json.
 */
import type { AnyBenchmark, ItemResult } from '../benchmarks/benchmark.ts';
import { unanswered } from '../benchmarks/pairwise.ts';
import type { Judge } from '../judges/judge.ts';
import { isJury } from '../judges/jury.ts';
import { storedJuryResults } from './jury.ts';
import { forEachResample, percentileInterval, strataOf } from '../core/bootstrap.ts';
import { clusterKeys, strataKeys } from './intervals.ts';
import { holm, mcnemarExact, pairedPermutationTest } from '../core/paired.ts';
import type { SelectOptions } from './prepare.ts';
import { readStoredResults } from './stored-results.ts';
import type { Store } from './store.ts';

export type Verdict = 'win' | 'loss' | 'no significant difference' | 'not tested';

/** How many items, and the first DECIDING_ITEMS_CAP of their ids. */
export interface ItemIds {
  count: number;
  ids: string[];
}

/** compare.json lists at most this many item ids per list (with the full count), so the file stays small. */
export const DECIDING_ITEMS_CAP = 200;

/**
 * The items behind a significant difference. `basis`:
 *  - 'right/wrong' (McNemar categories): the discordant pairs: items only the candidate got right
 *    (candidateBetter) and items only the baseline got right (baselineBetter), in item order;
 *  - 'exchange' (other categories): items whose two judgments, exchanged on that item alone (its cluster, where the
 *    benchmark scores items together), would lower Δ (candidateBetter) or raise it (baselineBetter); the items that
 *    move it most first;
 *  - 'answered differently': a benchmark without a counts fast path where re-scoring every differing item alone
 *    would take too long (EXCHANGE_BUDGET): the items the judges answered differently, in item order, in any of the
 *    benchmark's categories, with no side.
 */
export interface DecidingItems {
  basis: 'right/wrong' | 'exchange' | 'answered differently';
  candidateBetter?: ItemIds;
  baselineBetter?: ItemIds;
  answeredDifferently?: ItemIds;
}

export interface CategoryComparison {
  category: string;
  /** Items the category's values rest on (compared items in it). */
  candidate: number | null;
  baseline: number | null;
  /** candidate − baseline, in the benchmark's unit (percentage points). */
  difference: number | null;
  /** Paired 95% bootstrap interval of the difference. */
  ci: [number, number] | null;
  test: 'McNemar exact' | 'paired permutation';
  /** McNemar's discordant pairs: items only the candidate got right, and only the baseline. */
  discordant?: { candidateOnly: number; baselineOnly: number };
  p: number | null;
  /** Holm-adjusted across this benchmark's categories. */
  pHolm: number | null;
  verdict: Verdict;
  /** For a win or a loss: the items that decided it. */
  decidingItems?: DecidingItems;
}

export interface BenchmarkComparison {
  benchmark: string;
  candidate: string;
  baseline: string;
  /** Items in the benchmark (after --sample/--limit), items each judge has an answer for, and items both have. */
  items: number;
  candidateAnswered: number;
  baselineAnswered: number;
  compared: number;
  categories: CategoryComparison[];
}

interface CompareOptions extends SelectOptions {
  dataDir: string;
  seed: number;
  store: Store;
  /** Bootstrap resamples for the intervals, and permutations for the permutation test. */
  resamples: number;
  permutations: number;
  /** Significance level after Holm's correction. */
  alpha: number;
}

function answered(results: readonly ItemResult[]): boolean[] {
  return results.map((r) => !unanswered(r));
}

function capped(ids: readonly string[]): ItemIds {
  return { count: ids.length, ids: ids.slice(0, DECIDING_ITEMS_CAP) };
}

/**
 * The McNemar counts for a category and the discordant items' ids, or null when some compared item in it is not
 * plain right/wrong for a judge.
 */
function mcnemarCounts(
  benchmark: AnyBenchmark,
  candidate: readonly ItemResult[],
  baseline: readonly ItemResult[],
  category: string,
) {
  const outcome = benchmark.metrics?.binaryOutcome;
  if (!outcome) return null;
  const candidateOnly: string[] = [];
  const baselineOnly: string[] = [];
  let members = 0;
  for (let i = 0; i < candidate.length; i++) {
    const a = outcome(candidate[i]!);
    const b = outcome(baseline[i]!);
    const inA = a?.columns.includes(category) ?? false;
    const inB = b?.columns.includes(category) ?? false;
    if (!inA && !inB) continue;
    if (a?.correct == null || b?.correct == null) return null;
    members += 1;
    if (a.correct && !b.correct) candidateOnly.push(candidate[i]!.item.id);
    if (!a.correct && b.correct) baselineOnly.push(candidate[i]!.item.id);
  }
  if (members === 0) return null;
  return {
    counts: { candidateOnly: candidateOnly.length, baselineOnly: baselineOnly.length },
    deciding: {
      basis: 'right/wrong',
      candidateBetter: capped(candidateOnly),
      baselineBetter: capped(baselineOnly),
    } satisfies DecidingItems,
  };
}

type Values = Readonly<Record<string, number | null>>;

/** Item scorings (differing units × compared items) the exchange may spend without a counts fast path. */
const EXCHANGE_BUDGET = 20_000_000;

/**
 * Per exchange unit (an item, or a cluster the benchmark scores together): Δ minus Δ with that unit's two judgments
 * exchanged, per column (0 where the judges answered alike); null when the benchmark has no counts fast path and
 * re-scoring each differing unit would cost more than EXCHANGE_BUDGET.
 */
function exchangeEffects(
  benchmark: AnyBenchmark,
  candidate: readonly ItemResult[],
  baseline: readonly ItemResult[],
  units: readonly (readonly number[])[],
  diff: (c: Values, b: Values) => (number | null)[],
): { effects: (number | null)[][]; differing: number[] } | { effects: null; differing: number[] } {
  const metrics = benchmark.metrics!;
  const same = (i: number): boolean =>
    JSON.stringify([candidate[i]!.outcome, candidate[i]!.swapped?.outcome ?? null]) ===
    JSON.stringify([baseline[i]!.outcome, baseline[i]!.swapped?.outcome ?? null]);
  const differing = units.flatMap((members, u) => (members.every(same) ? [] : [u]));
  const zero = (): (number | null)[] => diff({}, {}).map(() => 0);
  const effects: (number | null)[][] = units.map(zero);
  const minus = (a: readonly (number | null)[], b: readonly (number | null)[]): (number | null)[] =>
    a.map((x, k) => (x === null || b[k] === null || b[k] === undefined ? null : x - b[k]!));
  const counts = metrics.counts;
  if (counts) {
    const of = (results: readonly ItemResult[], u: number) => counts.of(units[u]!.map((i) => results[i]!));
    const add = (into: number[], v: readonly number[], sign: number): void => {
      v.forEach((x, j) => {
        into[j] = into[j]! + sign * x;
      });
    };
    const ofC = units.map((_, u) => of(candidate, u));
    const ofB = units.map((_, u) => of(baseline, u));
    const totalC = new Array<number>(counts.size).fill(0);
    const totalB = new Array<number>(counts.size).fill(0);
    units.forEach((_, u) => {
      add(totalC, ofC[u]!, 1);
      add(totalB, ofB[u]!, 1);
    });
    const observed = diff(counts.values(totalC), counts.values(totalB));
    for (const u of differing) {
      const c = [...totalC];
      const b = [...totalB];
      add(c, ofC[u]!, -1);
      add(c, ofB[u]!, 1);
      add(b, ofB[u]!, -1);
      add(b, ofC[u]!, 1);
      effects[u] = minus(observed, diff(counts.values(c), counts.values(b)));
    }
    return { effects, differing };
  }
  if (differing.length * candidate.length > EXCHANGE_BUDGET) return { effects: null, differing };
  const valuesOf = (results: ItemResult[]): Values => metrics.values(benchmark.score(results));
  const observed = diff(valuesOf([...candidate]), valuesOf([...baseline]));
  const unitOf = new Int32Array(candidate.length);
  units.forEach((members, u) => {
    for (const i of members) unitOf[i] = u;
  });
  for (const u of differing) {
    const a = candidate.map((r, i) => (unitOf[i] === u ? baseline[i]! : r));
    const b = baseline.map((r, i) => (unitOf[i] === u ? candidate[i]! : r));
    effects[u] = minus(observed, diff(valuesOf(a), valuesOf(b)));
  }
  return { effects, differing };
}

/** A column's deciding items from the exchange effects: each side's units, the largest effect first. */
function exchangeDeciding(
  candidate: readonly ItemResult[],
  units: readonly (readonly number[])[],
  found: ReturnType<typeof exchangeEffects>,
  column: number,
): DecidingItems {
  const idsOf = (us: readonly number[]): string[] => us.flatMap((u) => units[u]!.map((i) => candidate[i]!.item.id));
  if (!found.effects) return { basis: 'answered differently', answeredDifferently: capped(idsOf(found.differing)) };
  const effects = found.effects;
  const effect = (u: number): number => effects[u]![column] ?? 0;
  const side = (sign: number): number[] =>
    found.differing
      .filter((u) => sign * effect(u) > 1e-9)
      .sort((u, v) => Math.abs(effect(v)) - Math.abs(effect(u)) || u - v);
  return { basis: 'exchange', candidateBetter: capped(idsOf(side(1))), baselineBetter: capped(idsOf(side(-1))) };
}

/** Compares two judges' stored results on one benchmark (both built from the same prepared items). */
function compareResults(
  benchmark: AnyBenchmark,
  names: { candidate: string; baseline: string },
  candidateAll: readonly ItemResult[],
  baselineAll: readonly ItemResult[],
  options: Pick<CompareOptions, 'resamples' | 'permutations' | 'alpha' | 'seed'>,
): BenchmarkComparison {
  const metrics = benchmark.metrics;
  if (!metrics) throw new Error(`${benchmark.id} has no metrics to compare`);
  const okC = answered(candidateAll);
  const okB = answered(baselineAll);
  const both = candidateAll.map((_, i) => i).filter((i) => okC[i] && okB[i]);
  const candidate = both.map((i) => candidateAll[i]!);
  const baseline = both.map((i) => baselineAll[i]!);
  const base: Omit<BenchmarkComparison, 'categories'> = {
    benchmark: benchmark.id,
    candidate: names.candidate,
    baseline: names.baseline,
    items: candidateAll.length,
    candidateAnswered: okC.filter(Boolean).length,
    baselineAnswered: okB.filter(Boolean).length,
    compared: both.length,
  };
  if (both.length === 0) return { ...base, categories: [] };

  const valuesOf = (results: ItemResult[]) => metrics.values(benchmark.score(results));
  const candidateValues = valuesOf(candidate);
  const baselineValues = valuesOf(baseline);
  const columns = Object.keys(candidateValues);
  const diff = (
    c: Readonly<Record<string, number | null>>,
    b: Readonly<Record<string, number | null>>,
  ): (number | null)[] =>
    columns.map((k) => {
      const x = c[k] ?? null;
      const y = b[k] ?? null;
      return x === null || y === null ? null : x - y;
    });

  // Paired bootstrap: the same resampled items for both judges.
  const draws: (number | null)[][] = columns.map(() => []);
  const stream = `compare/${benchmark.id}/${names.candidate}/${names.baseline}`;
  forEachResample(
    strataOf(strataKeys(benchmark, candidate), clusterKeys(benchmark, candidate)),
    { resamples: options.resamples, seed: options.seed, stream },
    (indices) => {
      const d = diff(valuesOf(indices.map((i) => candidate[i]!)), valuesOf(indices.map((i) => baseline[i]!)));
      d.forEach((v, k) => {
        draws[k]!.push(v);
      });
    },
  );

  const counts = columns.map((c) => mcnemarCounts(benchmark, candidate, baseline, c));
  const permuted = columns.some((_, k) => counts[k] === null);
  // Items scored together (a benchmark's clusters) are exchanged together.
  const clusters = clusterKeys(benchmark, candidate);
  const unitIds = new Map<string, number>();
  const unitOf = candidate.map((_, i) => {
    const key = clusters ? clusters[i]! : String(i);
    let id = unitIds.get(key);
    if (id === undefined) unitIds.set(key, (id = unitIds.size));
    return id;
  });
  const permutationP = permuted
    ? pairedPermutationTest(
        unitIds.size,
        (swap) => {
          const a = candidate.map((r, i) => (swap[unitOf[i]!] ? baseline[i]! : r));
          const b = baseline.map((r, i) => (swap[unitOf[i]!] ? candidate[i]! : r));
          return diff(valuesOf(a), valuesOf(b));
        },
        { permutations: options.permutations, seed: options.seed, stream },
      )
    : columns.map(() => null);

  const observed = diff(candidateValues, baselineValues);
  const p = columns.map((_, k) => {
    const c = counts[k];
    if (observed[k] === null) return null;
    return c ? mcnemarExact(c.counts.candidateOnly, c.counts.baselineOnly) : (permutationP[k] ?? null);
  });
  const adjusted = holm(p);
  // The exchange effects, computed once (for every column) when a significant category is not a McNemar one.
  const units: number[][] = Array.from({ length: unitIds.size }, () => []);
  unitOf.forEach((u, i) => {
    units[u]!.push(i);
  });
  let exchanged: ReturnType<typeof exchangeEffects> | undefined;
  const deciding = (k: number): DecidingItems => {
    const c = counts[k];
    if (c) return c.deciding;
    exchanged ??= exchangeEffects(benchmark, candidate, baseline, units, diff);
    return exchangeDeciding(candidate, units, exchanged, k);
  };
  const categories = columns.map((category, k): CategoryComparison => {
    const difference = observed[k] ?? null;
    const pHolm = adjusted[k] ?? null;
    const c = counts[k];
    const verdict: Verdict =
      pHolm === null || difference === null
        ? 'not tested'
        : pHolm < options.alpha
          ? difference > 0
            ? 'win'
            : difference < 0
              ? 'loss'
              : 'no significant difference'
          : 'no significant difference';
    return {
      category,
      candidate: candidateValues[category] ?? null,
      baseline: baselineValues[category] ?? null,
      difference,
      ci: difference === null ? null : percentileInterval(draws[k]!),
      test: c ? 'McNemar exact' : 'paired permutation',
      ...(c ? { discordant: c.counts } : {}),
      p: p[k] ?? null,
      pHolm,
      verdict,
      ...(verdict === 'win' || verdict === 'loss' ? { decidingItems: deciding(k) } : {}),
    };
  });
  return { ...base, categories };
}

/** A judge's stored results on a benchmark's prepared items (nothing is asked). */
async function storedJudgeResults(
  judge: Judge,
  benchmark: AnyBenchmark,
  options: Pick<CompareOptions, 'dataDir' | 'seed' | 'store' | 'sample' | 'limit' | 'swap'>,
): Promise<ItemResult[]> {
  if (isJury(judge)) return storedJuryResults(judge, benchmark, options); // computed from its members' judgments
  return (await readStoredResults(judge, benchmark, options)).results;
}

/** The candidate against each baseline on each benchmark. */
export async function compareJudges(
  candidate: Judge,
  baselines: readonly Judge[],
  benchmarks: readonly AnyBenchmark[],
  options: CompareOptions,
): Promise<BenchmarkComparison[]> {
  const out: BenchmarkComparison[] = [];
  for (const benchmark of benchmarks) {
    const candidateResults = await storedJudgeResults(candidate, benchmark, options);
    for (const baseline of baselines) {
      const baselineResults = await storedJudgeResults(baseline, benchmark, options);
      out.push(
        compareResults(
          benchmark,
          { candidate: candidate.id, baseline: baseline.id },
          candidateResults,
          baselineResults,
          options,
        ),
      );
    }
  }
  return out;
}

/** Categories where the candidate is significantly worse than a baseline by more than `threshold` points. */
export function regressions(
  comparisons: readonly BenchmarkComparison[],
  threshold: number,
): { comparison: BenchmarkComparison; category: CategoryComparison }[] {
  return comparisons.flatMap((comparison) =>
    comparison.categories
      .filter((c) => c.verdict === 'loss' && c.difference !== null && -c.difference > threshold)
      .map((category) => ({ comparison, category })),
  );
}
