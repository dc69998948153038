/**
 * A judge's stored results on the items a run with these options covers, read back without asking it: what
 * compare, a jury's members and the per-item view read. The orders asked are the judge's own (an order-independent
 * judge is asked once where a benchmark asks both orders), so the prompts and store keys are those its run used.
 */
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import type { Judge } from '../judges/judge.ts';
import { type StoredResults, storedResults } from './outcomes.ts';
import { prepareItems, type SelectOptions } from './prepare.ts';
import { judgeFingerprint } from './run.ts';
import type { Store } from './store.ts';

export interface StoredReadOptions extends SelectOptions {
  dataDir: string;
  seed: number;
  store: Store;
}

/** `stopped`: the run was cut short (items without an answer say so). Reply texts stay in the store. */
export async function readStoredResults(
  judge: Judge,
  benchmark: AnyBenchmark,
  options: StoredReadOptions,
  stopped = false,
): Promise<StoredResults> {
  const select = { ...options, orderIndependent: judge.orderIndependent };
  const entries = await prepareItems(benchmark, options.dataDir, options.seed, select);
  const stored = options.store.judgments(judgeFingerprint(judge), benchmark.id);
  const read = storedResults(entries, stored, stopped, false);
  stored.clear();
  return read;
}
