/**
 * The one interface every benchmark implements: a loader (dataset), a preparation step that turns an item
 * into the task every judge sees plus a hidden gold answer, and a scorer (in inspect_ai's terms: dataset,
 * solver input, scorer). The harness runs judges in between and stores what they say.
 */
import type { DownloadSpec } from '../core/download.ts';
import type { Instructions, Task, TaskKind, Verdict } from '../protocol/tasks.ts';
import type { ReportTable } from '../core/table.ts';
import type { Table1Column } from './flame-paper.ts';

export interface BenchmarkItem {
  /** Unique within the benchmark and stable across releases of the data, e.g. "donotanswer/3692". */
  id: string;
  /**
   * `--sample N` draws N items per group (the paper samples 256 per task). Benchmarks that bundle several of
   * the paper's tasks (e.g. one per rated attribute) set this to the task; otherwise the benchmark is one group.
   */
  sampleGroup?: string;
  /**
   * Items sharing a key are sampled as one unit: `--sample N` then draws N distinct keys per group, and the draw
   * depends on the key alone, so every group that has the key draws it (CoBBLEr: a comparison, in every module).
   */
  sampleKey?: string;
}

export interface Prepared<Gold> {
  task: Task;
  instructions: Instructions;
  /** Never shown to a judge. */
  gold: Gold;
}

export type Outcome =
  /** The judge gave a verdict (directly, or as text the parser could read). */
  | { status: 'verdict'; verdict: Verdict }
  /**
   * The judge answered but no verdict could be read from its reply. Scored as the benchmark says (RewardBench:
   * 0.5).
   */
  | { status: 'invalid'; reason: string }
  /** No answer at all (timeout, HTTP error, missing published result). Not scored; asked again on the next run. */
  | { status: 'error'; message: string };

export interface ItemResult<Item extends BenchmarkItem = BenchmarkItem, Gold = unknown> {
  item: Item;
  prepared: Prepared<Gold>;
  outcome: Outcome;
  /** With --swap, pairwise items are also asked with A and B exchanged (see benchmarks/pairwise.ts). */
  swapped?: { prepared: Prepared<Gold>; outcome: Outcome };
}

export interface BenchmarkSummary {
  /** The benchmark's headline number, 0-100; null when it cannot be computed from what was scored. */
  score: number | null;
  /** Items in the run. */
  n: number;
  /** Answers with no readable verdict. */
  invalid: number;
  /** Items with no answer (not scored). */
  errors: number;
  /** False when items errored or parts of the benchmark were not run: the numbers are not comparable then. */
  complete: boolean;
}

/**
 * The note a benchmark's table carries when items have no answer: the numbers are not final, and a rerun asks
 * only for those items. `what` names the items (claims, ...); `after` ends the sentence.
 */
export function incompleteNote(summary: BenchmarkSummary, what = 'items', after = '.'): string[] {
  if (summary.errors === 0) return [];
  return [
    `This run is incomplete: ${summary.errors} of ${summary.n} ${what} have no answer (rerun to retry them)${after}`,
  ];
}

/**
 * The benchmark's headline numbers as named columns, for confidence intervals (bootstrap over items) and for
 * `compare` (per-category differences and paired tests). The harness resamples ItemResults within strata, calls
 * `score` on each resample and reads `values`, so every interval re-applies the benchmark's own weighting.
 */
export interface MetricSpec<
  Item extends BenchmarkItem = BenchmarkItem,
  Gold = unknown,
  Summary extends BenchmarkSummary = BenchmarkSummary,
> {
  /**
   * The headline table's values by column name ("Avg", "Chat", ...; percent 0-100, or the benchmark's unit), in
   * column order: the categories compare reports. Pure and cheap: it runs on every bootstrap resample.
   */
  values(summary: Summary): Readonly<Record<string, number | null>>;
  /**
   * Values shown in the benchmark's other tables (e.g. a Likert set's correlations), by a name unique within the
   * benchmark: bootstrapped with the headline values, but not categories of `compare`.
   */
  secondary?(summary: Summary): Readonly<Record<string, number | null>>;
  /**
   * Items are resampled within their stratum (RewardBench: the subset), keeping each stratum's size. Default: the
   * item's sampleGroup.
   */
  stratum?(item: Item): string;
  /**
   * Items that are scored together and must be resampled together (CoBBLEr: the asks of one comparison, in all its
   * modules): the bootstrap draws whole clusters, within the stratum. Default: every item is its own cluster.
   */
  cluster?(item: Item): string;
  /**
   * A fast path for the bootstrap, for benchmarks whose headline values are functions of counts summed over clusters
   * (or items): `of` gives one cluster's counts (a vector of `size`), `values` the headline values from the totals.
   * The bootstrap then adds vectors instead of re-scoring each resample. It must agree with `values(score(...))` on
   * any set of whole clusters (test it); without it, every resample is scored.
   */
  counts?: {
    size: number;
    of(cluster: readonly ItemResult<Item, Gold>[]): readonly number[];
    values(totals: readonly number[]): Readonly<Record<string, number | null>>;
  };
  /**
   * For columns that are a plain mean of per-item right/wrong outcomes (McNemar's exact test can apply): the columns
   * this item counts in, and whether it was right (null when its outcome was neither: a tie or an unreadable reply
   * scored 0.5, an error). McNemar is used for a column only when every compared item in it is right or wrong for
   * both judges; other columns get a paired permutation test. Undefined or null: the item is in no such column.
   */
  binaryOutcome?(result: ItemResult<Item, Gold>): { columns: readonly string[]; correct: boolean | null } | null;
  /** The values are rates where lower is better (CoBBLEr's biases); unset: higher is better. */
  lowerIsBetter?: boolean;
}

/** 95% intervals by column name; a missing or null entry means none. */
export type IntervalsByColumn = Readonly<Record<string, [number, number] | null>>;

export interface TableContext<Summary extends BenchmarkSummary = BenchmarkSummary> {
  dataDir: string;
  judgeId: string;
  /** The judge's id in published results, if it has one. */
  publishedAs?: string;
  /**
   * Sanity rows: the same items scored by the baseline judges for this task kind (harness/baselines.ts), to be
   * shown after this run's row with source 'baseline'.
   */
  baselines?: { judgeId: string; summary: Summary }[];
  /**
   * 95% bootstrap intervals of `metrics.values(summary)`, for this run's summary and the baselines' (undefined when
   * the benchmark has no `metrics` or intervals were turned off). Rows carry them aligned with the table's columns
   * (core/table.ts alignIntervals).
   */
  intervals?(summary: Summary): IntervalsByColumn | undefined;
}

export interface Benchmark<
  Item extends BenchmarkItem = BenchmarkItem,
  Gold = unknown,
  Summary extends BenchmarkSummary = BenchmarkSummary,
> {
  id: string;
  title: string;
  description: string;
  /** For 'pairwise', Gold must extend PairwiseGold (protocol/positions.ts), so --swap can mirror items. */
  taskKind: TaskKind;
  /** The benchmark asks each comparison in the orders it defines itself (CoBBLEr): --swap leaves it alone. */
  ownOrders?: boolean;
  /**
   * Its protocol asks every pairwise item in both orders (JudgeBench): the mirrored order is asked without --swap,
   * except for a judge that declares itself order-independent (Judge.orderIndependent), which is asked once.
   */
  bothOrders?: boolean;
  /** The paper runs this benchmark whole (RewardBench): --sample leaves it alone. */
  runInFull?: boolean;
  /** The column of FLAMe's Table 1 this benchmark's score fills, if any (see benchmarks/flame-paper.ts). */
  paperColumn?: Table1Column;
  /** Files `npm run data -- pull <id>` fetches. */
  downloads: DownloadSpec[];
  /** Named headline values: intervals and compare (see MetricSpec). */
  metrics?: MetricSpec<Item, Gold, Summary>;
  load(dataDir: string): Promise<Item[]>;
  prepare(item: Item, seed: number): Prepared<Gold>;
  score(results: ItemResult<Item, Gold>[]): Summary;
  /** Per-item fields for predictions.jsonl, beyond the ones every benchmark gets. */
  describe(result: ItemResult<Item, Gold>): Record<string, unknown>;
  tables(summary: Summary, context: TableContext<Summary>): Promise<ReportTable[]>;
}

/**
 * The registry holds benchmarks of different item and gold types; the harness only passes values between a
 * benchmark's own methods, so erasing the type parameters here is safe.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry's deliberately open benchmark type (see above).
export type AnyBenchmark = Benchmark<any, any, any>;

/** What a family's spec (heldout/pairwise-set.ts, pointwise/likert-set.ts) declares and passes on unchanged. */
export interface BenchmarkDeclaration {
  id: string;
  title: string;
  description: string;
  paperColumn?: Table1Column;
  downloads: DownloadSpec[];
}

/** The declared fields of a family's benchmark, with its task kind, in the order every benchmark lists them. */
export function declaredFields<Kind extends TaskKind>(spec: BenchmarkDeclaration, taskKind: Kind) {
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    taskKind,
    ...(spec.paperColumn ? { paperColumn: spec.paperColumn } : {}),
    downloads: spec.downloads,
  };
}
