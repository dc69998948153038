/**
 * A judge's stored judgments on the items a run with these flags covers, read back without asking the judge
 * anything: what `npm run view` shows and what compare's page lists. Items with nothing stored are "not judged"
 * errors, as in compare and the leaderboard.
 */
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import type { Judge } from '../judges/judge.ts';
import { isJury } from '../judges/jury.ts';
import { storedJuryResults } from './jury.ts';
import { type BenchmarkRun, type RunResult, judgeFingerprint } from './run.ts';
import { NO_SPEND } from './spend.ts';
import { readStoredResults, type StoredReadOptions } from './stored-results.ts';

export type StoredRunOptions = StoredReadOptions;

/** What the per-item view needs of a run: the judge, each benchmark's results and stored rows, and reply texts. */
export type StoredRun = Pick<RunResult, 'judge' | 'benchmarks' | 'replyText'>;

export async function storedRun(
  judge: Judge,
  benchmarks: readonly AnyBenchmark[],
  options: StoredRunOptions,
): Promise<StoredRun> {
  const fingerprint = judgeFingerprint(judge);
  const runs: BenchmarkRun[] = [];
  for (const benchmark of benchmarks) {
    if (isJury(judge)) {
      // A jury's verdicts are combined from its members' stored judgments (as compare reads them): no reply rows.
      const results = await storedJuryResults(judge, benchmark, options);
      const none = results.map(() => undefined);
      runs.push({
        benchmark,
        results,
        judgments: none,
        swappedJudgments: none,
        summary: benchmark.score(results),
        repliesInStore: false,
        asked: 0,
        cached: 0,
        usage: NO_SPEND,
      });
      continue;
    }
    // Reply texts stay in the store (read back one at a time by replyText), as in a large run.
    const { results, judgments, swappedJudgments, usage } = await readStoredResults(judge, benchmark, options);
    runs.push({
      benchmark,
      results,
      judgments,
      swappedJudgments,
      summary: benchmark.score(results),
      repliesInStore: true,
      asked: 0,
      cached: judgments.filter(Boolean).length + swappedJudgments.filter(Boolean).length,
      usage,
    });
  }
  const store = options.store;
  return {
    judge,
    benchmarks: runs,
    replyText: (j) => store.replyText(fingerprint, j.benchmark, j.itemId, j.promptHash),
  };
}
