/**
 * Sanity rows: every benchmark table also shows the baseline judges for its task kind, run on exactly the same
 * items (same sample, same positions, same orders). They answer instantly, so they are simply rerun, in a
 * throw-away store, whenever a report is made.
 */
import type { AnyBenchmark, BenchmarkSummary, ItemResult } from '../benchmarks/benchmark.ts';
import { createJudge } from '../judges/index.ts';
import { runEval, type SelectOptions } from './run.ts';
import { Store } from './store.ts';
import type { TaskKind } from './tasks.ts';

export const BASELINES: Readonly<Record<TaskKind, readonly string[]>> = {
  pairwise: ['longer-wins', 'shorter-wins', 'random'],
  pointwise: ['constant', 'random'],
  classification: ['constant', 'constant:no', 'random'],
};

export async function runBaselines(
  benchmark: AnyBenchmark,
  options: SelectOptions & { dataDir: string; seed: number; exclude?: string },
): Promise<{ judgeId: string; summary: BenchmarkSummary; results: ItemResult[] }[]> {
  const rows = [];
  const store = Store.open(':memory:');
  try {
    for (const id of BASELINES[benchmark.taskKind]) {
      if (id === options.exclude) continue;
      const judge = await createJudge(id, { dataDir: options.dataDir, seed: options.seed });
      const run = await runEval({ ...options, judge, benchmarks: [benchmark], store, progress: false });
      const scored = run.benchmarks[0]!;
      rows.push({ judgeId: id, summary: scored.summary, results: scored.results });
    }
  } finally {
    store.close();
  }
  return rows;
}
