/**
 * Sanity rows: every benchmark table also shows the baseline judges for its task kind, on exactly the same items
 * (same sample, same positions, same orders). They are pure functions of the item and answer instantly, so they are
 * asked directly whenever a report is made: no store, no retries, no rate limits (a few milliseconds per thousand
 * items, where a full run through runEval cost about 0.15 s each).
 */
import type { AnyBenchmark, BenchmarkSummary, ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { replyOutcome } from './outcomes.ts';
import { prepareItems, type Presentation, type SelectOptions } from './prepare.ts';
import type { TaskKind } from './tasks.ts';

export const BASELINES: Readonly<Record<TaskKind, readonly string[]>> = {
  pairwise: ['longer-wins', 'shorter-wins', 'random'],
  pointwise: ['constant', 'random'],
  classification: ['constant', 'constant:no', 'random'],
};

const NEVER = new AbortController().signal;

async function ask(judge: Judge, benchmark: AnyBenchmark, itemId: string, p: Presentation): Promise<Outcome> {
  try {
    const reply = await judge.judge(
      { benchmark: benchmark.id, itemId, task: p.prepared.task, prompt: p.prompt },
      NEVER,
    );
    // Baselines answer with verdicts: take them as they are (the general mapping costs more than the judging).
    if (reply.type === 'verdict' && reply.verdict.kind === p.prepared.task.kind)
      return { status: 'verdict', verdict: reply.verdict };
    return replyOutcome(p.prepared.task, reply);
  } catch (error) {
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Each baseline judge's row in turn: its results are what the caller keeps them for (intervals) and can let go of
 * before the next row, so a 100,000-item run never holds three more sets of results at once.
 */
export async function* runBaselines(
  benchmark: AnyBenchmark,
  options: SelectOptions & { dataDir: string; seed: number; exclude?: string },
): AsyncGenerator<{ judgeId: string; summary: BenchmarkSummary; results: ItemResult[] }> {
  const entries = await prepareItems(benchmark, options.dataDir, options.seed, options);
  for (const id of BASELINES[benchmark.taskKind]) {
    if (id === options.exclude) continue;
    const judge = await createJudge(id, { dataDir: options.dataDir, seed: options.seed });
    const results: ItemResult[] = [];
    for (const e of entries) {
      const result: ItemResult = {
        item: e.item,
        prepared: e.prepared,
        outcome: await ask(judge, benchmark, e.item.id, e),
      };
      if (e.swapped)
        result.swapped = { prepared: e.swapped.prepared, outcome: await ask(judge, benchmark, e.item.id, e.swapped) };
      results.push(result);
    }
    yield { judgeId: id, summary: benchmark.score(results) as BenchmarkSummary, results };
  }
}
