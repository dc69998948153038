/**
 * A run's measured rows, what its report lays out: this run's bootstrap intervals, and the sanity rows, the
 * baseline judges for each benchmark's task kind on exactly the same items (same sample, same positions, same
 * orders) with their intervals. The baselines are pure functions of the item and answer instantly, so they are
 * asked directly after every run: no store, no retries, no rate limits (a few milliseconds per thousand items,
 * where a full run through runEval cost about 0.15 s each).
 */
import type {
  AnyBenchmark,
  BenchmarkSummary,
  IntervalsByColumn,
  ItemResult,
  Outcome,
} from '../benchmarks/benchmark.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { metricIntervals, type IntervalOptions } from './intervals.ts';
import { juryRun } from './jury.ts';
import { replyOutcome } from './outcomes.ts';
import { prepareItems, type Presentation, type SelectOptions } from './prepare.ts';
import type { RunResult } from './run.ts';
import type { TaskKind } from '../protocol/tasks.ts';

export const BASELINES: Readonly<Record<TaskKind, readonly string[]>> = {
  pairwise: ['longer-wins', 'shorter-wins', 'random'],
  pointwise: ['constant', 'random'],
  classification: ['constant', 'constant:no', 'random'],
};

const NEVER = new AbortController().signal;

async function ask(judge: Judge, benchmark: AnyBenchmark, itemId: string, p: Presentation): Promise<Outcome> {
  try {
    // The prompt is rendered only if the judge reads it (random hashes it; longer- and shorter-wins never do).
    const request = {
      benchmark: benchmark.id,
      itemId,
      task: p.prepared.task,
      get prompt() {
        return p.prompt;
      },
    };
    const reply = await judge.judge(request, NEVER);
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
async function* runBaselines(
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

/** One row of a benchmark's table: its summary and the 95% intervals of its headline values. */
export interface MeasuredRow {
  summary: BenchmarkSummary;
  intervals: IntervalsByColumn | undefined;
}

/** A benchmark's measured rows: this run's, and each baseline judge's (and, for a jury, each member's). */
export interface MeasuredRows {
  run: MeasuredRow;
  baselines: (MeasuredRow & { judgeId: string })[];
  members?: (MeasuredRow & { judgeId: string })[];
}

interface MeasureOptions extends SelectOptions, IntervalOptions {
  dataDir: string;
}

/**
 * This run's rows with their intervals and the baseline judges' rows beside them, by benchmark id. Each baseline's
 * results are let go once its intervals are computed, so a 100,000-item run never holds three more sets at once.
 */
export async function measureRows(run: RunResult, options: MeasureOptions): Promise<Map<string, MeasuredRows>> {
  const measured = new Map<string, MeasuredRows>();
  const { dataDir, seed, sample, limit, swap } = options;
  for (const b of run.benchmarks) {
    const own: MeasuredRow = { summary: b.summary, intervals: metricIntervals(b.benchmark, b.results, options) };
    const baselines: MeasuredRows['baselines'] = [];
    const rows = runBaselines(b.benchmark, { dataDir, seed, sample, limit, swap, exclude: run.judge.id });
    for await (const { judgeId, summary, results } of rows) {
      baselines.push({ judgeId, summary, intervals: metricIntervals(b.benchmark, results, options) });
    }
    // A jury's members, shown beside it (reports/jury.ts), with intervals of their own.
    const members = juryRun(run)
      ?.benchmarks.find((d) => d.benchmark.id === b.benchmark.id)
      ?.members.map((m) => ({
        judgeId: m.judgeId,
        summary: m.summary,
        intervals: metricIntervals(b.benchmark, m.results, options),
      }));
    measured.set(b.benchmark.id, { run: own, baselines, ...(members ? { members } : {}) });
  }
  return measured;
}
