/**
 * Which items a run covers (--sample per task group, --limit) and exactly what each is asked: the prepared task,
 * its FLAMe prompt and the prompt's hash (part of the store key), plus the mirrored order for --swap (and on a
 * benchmark whose protocol asks both orders).
 */
import type { AnyBenchmark, Prepared } from '../benchmarks/benchmark.ts';
import { renderPrompt } from '../protocol/prompt.ts';
import { sha256 } from '../core/hash.ts';
import { mirrorPair } from '../protocol/positions.ts';
import { sampleItems } from '../protocol/sample.ts';

/**
 * One way of asking an item. The prompt's hash is kept; its text is rendered again whenever it is read (about 15 µs),
 * so a run holds every item's task but never every prompt: at 100,000 items the texts alone would be 250-500 MB.
 */
export class Presentation {
  constructor(
    readonly prepared: Prepared<unknown>,
    readonly promptHash: string,
  ) {}

  get prompt(): string {
    return renderPrompt(this.prepared.instructions, this.prepared.task);
  }
}

export class PreparedItem extends Presentation {
  constructor(
    readonly item: { id: string; sampleGroup?: string },
    prepared: Prepared<unknown>,
    /** The same item with A and B exchanged, when --swap asks both orders. */
    readonly swapped?: Presentation,
  ) {
    super(prepared, hashPrompt(prepared));
  }
}

export interface SelectOptions {
  sample?: number;
  limit?: number;
  swap?: boolean;
  /** The judge asked declares itself order-independent: a benchmark that asks both orders asks it once. */
  orderIndependent?: boolean;
}

/**
 * Whether a benchmark's pairwise items are also asked mirrored: with --swap (unless the benchmark sets its own
 * orders), and always on a benchmark whose protocol asks both orders, unless the judge is order-independent.
 */
export function asksBothOrders(benchmark: AnyBenchmark, select: SelectOptions): boolean {
  if (benchmark.taskKind !== 'pairwise' || benchmark.ownOrders) return false;
  return Boolean(select.swap || (benchmark.bothOrders && !select.orderIndependent));
}

function hashPrompt(prepared: Prepared<unknown>): string {
  return sha256(renderPrompt(prepared.instructions, prepared.task));
}

/**
 * Prepared items per loaded item list (loaders are memoized, so the same data gives the same array) and per
 * benchmark and selection: a run and the baseline judges shown beside it render and hash each prompt once.
 */
const preparedCache = new WeakMap<object, Map<string, PreparedItem[]>>();

/** The items of a benchmark this run covers, and the exact prompt (and its hash) each is asked with. */
export async function prepareItems(
  benchmark: AnyBenchmark,
  dataDir: string,
  seed: number,
  select: SelectOptions = {},
): Promise<PreparedItem[]> {
  const loaded: { id: string; sampleGroup?: string }[] = await benchmark.load(dataDir);
  const swap = asksBothOrders(benchmark, select);
  const key = JSON.stringify([benchmark.id, seed, select.sample ?? null, select.limit ?? null, swap]);
  let byKey = preparedCache.get(loaded);
  const cached = byKey?.get(key);
  if (cached) return cached;

  let items = loaded;
  if (select.sample !== undefined && !benchmark.runInFull)
    items = sampleItems(items, select.sample, seed, benchmark.id);
  if (select.limit !== undefined) items = items.slice(0, select.limit);
  const entries = items.map((item) => {
    const prepared = benchmark.prepare(item, seed) as Prepared<unknown>;
    const mirrored = swap && prepared.task.kind === 'pairwise' ? mirrorPair(prepared) : undefined;
    return new PreparedItem(item, prepared, mirrored && new Presentation(mirrored, hashPrompt(mirrored)));
  });
  if (!byKey) preparedCache.set(loaded, (byKey = new Map()));
  byKey.set(key, entries);
  return entries;
}
