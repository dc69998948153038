/**
 * One evaluation: for each benchmark, load items, prepare the task every judge sees, ask the judge for what
 * the store does not have yet (writing each answer as it arrives), then score everything that is stored.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { AnyBenchmark, BenchmarkSummary, ItemResult } from '../benchmarks/benchmark.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import type { Judge } from '../judges/judge.ts';
import { MissingDataError, UserError } from './errors.ts';
import { canonicalJson, sha256 } from './hash.ts';
import { errorMessage, storedReply, storedResults } from './outcomes.ts';
import { prepareItems, type Presentation } from './prepare.ts';
import { runBar } from './progress.ts';
import { RateLimiter, estimateTokens } from './rate-limit.ts';
import { DEFAULT_RETRY_POLICY, RetriesExhausted, callWithRetries, type RetryPolicy } from './retry.ts';
import { Budget, NO_SPEND, addSpend, costOf, type Spend } from './spend.ts';
import { judgmentKey, type Judgment, type RunStatus, type Store } from './store.ts';

// What tests and tools reach for alongside runEval.
export { prepareItems, type PreparedItem, type Presentation, type SelectOptions } from './prepare.ts';

export interface RunOptions {
  judge: Judge;
  benchmarks: readonly AnyBenchmark[];
  dataDir: string;
  seed: number;
  store: Store;
  /** In-flight requests; defaults to the judge's own setting. */
  concurrency?: number;
  /** The paper's protocol: N random items per task (per sample group), the same for every judge. */
  sample?: number;
  /** Only the first N items of each benchmark (a quick smoke run; not comparable with published numbers). */
  limit?: number;
  /** Ask pairwise items in both orders (position-bias check). */
  swap?: boolean;
  progress?: boolean;
  /** Abort to stop cleanly: no new requests are sent, and everything finished so far is kept. */
  signal?: AbortSignal;
  /** Stop sending requests before this run could spend more than this many US dollars (needs the judge's price). */
  maxCostUsd?: number;
  /** Recorded with the run in the store. */
  args?: Record<string, unknown>;
  /**
   * For "--benchmark all": skip (and report) benchmarks whose data is not there, or whose task kind the judge
   * cannot answer, instead of failing.
   */
  skipUnavailable?: boolean;
}

export interface BenchmarkRun {
  benchmark: AnyBenchmark;
  results: ItemResult[];
  /** Stored rows behind the results, for predictions.jsonl. */
  judgments: (Judgment | undefined)[];
  swappedJudgments: (Judgment | undefined)[];
  summary: BenchmarkSummary;
  /** Requests sent to the judge in this run. */
  asked: number;
  /** Requests answered from the store. */
  cached: number;
  /** Tokens and cost of every stored judgment behind these results, whichever run made it. */
  usage: Spend;
}

export interface RunResult {
  runId: number;
  judge: Judge;
  fingerprint: string;
  benchmarks: BenchmarkRun[];
  status: RunStatus;
  /** Benchmarks not run (only with skipUnavailable), and why. */
  skipped: { benchmark: AnyBenchmark; why: 'no data' | 'not applicable'; reason: string }[];
  /** Tokens and cost of the requests this run made. */
  spend: Spend;
  durationMs: number;
}

export function judgeFingerprint(judge: Judge): string {
  return sha256(canonicalJson(judge.config));
}

type StopReason = 'interrupted' | 'max cost' | 'fatal';

/** State shared by all benchmarks of one run: limits, budget, spending, and why it stopped early (if it did). */
interface RunState {
  runId: number;
  fingerprint: string;
  policy: RetryPolicy;
  limiter: RateLimiter;
  budget: Budget;
  spend: Spend;
  /** Aborts in-flight requests: Ctrl-C, or a fatal error. */
  abort: AbortController;
  signal: AbortSignal;
  stopReason?: StopReason;
  fatal?: JudgeCallError;
}

function stop(state: RunState, reason: StopReason): void {
  if (state.stopReason) return;
  state.stopReason = reason;
  // Running out of budget only stops new requests: the ones in flight were paid for when they were reserved.
  if (reason !== 'max cost') state.abort.abort(new Error(reason));
}

async function runBenchmark(options: RunOptions, benchmark: AnyBenchmark, state: RunState): Promise<BenchmarkRun> {
  const { judge, store } = options;
  const { fingerprint, runId, signal } = state;
  if (!judge.tasks.includes(benchmark.taskKind)) {
    throw new UserError(`judge ${judge.id} cannot answer ${benchmark.taskKind} tasks, which ${benchmark.id} needs.`);
  }
  const entries = await prepareItems(benchmark, options.dataDir, options.seed, options);
  const before = store.judgments(fingerprint, benchmark.id);
  const asks = entries.flatMap((e) => (e.swapped ? [e, { item: e.item, ...e.swapped }] : [e]));
  const todo = asks.filter((a) => {
    const stored = before.get(judgmentKey(a.item.id, a.promptHash));
    return !stored || stored.error !== null;
  });
  const cached = asks.length - todo.length;

  const progress = runBar(benchmark.id, asks.length, cached, options.progress ?? true, judge.price !== undefined);
  const limit = pLimit(Math.max(1, options.concurrency ?? judge.concurrency));
  let asked = 0;
  const ask = async (entry: Presentation & { item: { id: string } }): Promise<void> => {
    if (state.stopReason) return;
    const worst = state.budget.worstCase(entry.prompt);
    if (!state.budget.reserve(worst)) return stop(state, 'max cost');
    try {
      await state.limiter.acquire(estimateTokens(entry.prompt) + (judge.maxOutputTokens ?? 0), signal);
    } catch {
      state.budget.settle(worst, null);
      return; // aborted while waiting for the rate limit
    }
    asked += 1;
    const started = performance.now();
    const base = { benchmark: benchmark.id, itemId: entry.item.id, promptHash: entry.promptHash, judgeId: judge.id, runId };
    const request = { benchmark: benchmark.id, itemId: entry.item.id, task: entry.prepared.task, prompt: entry.prompt };
    try {
      const { value: reply, attempts } = await callWithRetries((s) => judge.judge(request, s), state.policy, signal, {
        onRetry: () => progress.retry(),
      });
      const cost = costOf(reply.usage, judge.price);
      state.budget.settle(worst, cost ?? (judge.price ? worst : null));
      state.spend = addSpend(state.spend, reply.usage, cost);
      const stored = storedReply(entry.prepared.task, reply);
      store.record(fingerprint, {
        ...base,
        ...stored,
        latencyMs: performance.now() - started,
        inputTokens: reply.usage?.inputTokens ?? null,
        outputTokens: reply.usage?.outputTokens ?? null,
        costUsd: cost,
        attempts,
      });
      progress.tick(stored.error !== null, state.spend);
    } catch (error) {
      state.budget.settle(worst, null);
      const last = error instanceof RetriesExhausted ? error.last : error;
      const isFatal = last instanceof JudgeCallError && last.details.fatal === true;
      // An aborted request (Ctrl-C, or cut off because another one failed fatally) is not an answer and not worth
      // an error row: it is simply asked next run.
      if (signal.aborted && !isFatal) return;
      if (isFatal && !state.fatal) {
        state.fatal = last;
        stop(state, 'fatal');
      }
      store.record(fingerprint, {
        ...base,
        replyType: null,
        raw: null,
        verdict: null,
        error: errorMessage(error),
        latencyMs: performance.now() - started,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        optionProbabilities: null,
        invalidReason: null,
        attempts: error instanceof RetriesExhausted ? error.attempts : 1,
      });
      progress.tick(true, state.spend);
    }
  };
  try {
    await Promise.all(todo.map((entry) => limit(() => ask(entry))));
  } finally {
    progress.stop();
  }

  const after = store.judgments(fingerprint, benchmark.id);
  const stopped = state.stopReason !== undefined;
  const { results, judgments, swappedJudgments, usage } = storedResults(entries, after, stopped);
  const summary = benchmark.score(results) as BenchmarkSummary;
  return { benchmark, results, judgments, swappedJudgments, summary, asked, cached, usage };
}

export async function runEval(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const { judge, store } = options;
  if (options.maxCostUsd !== undefined && !judge.price) {
    throw new UserError(`--max-cost needs a price for ${judge.id}: add "price" to its entry in the judge config.`);
  }
  const fingerprint = judgeFingerprint(judge);
  store.registerJudge(fingerprint, judge.id, judge.config);
  const runId = store.startRun(judge.id, fingerprint, options.benchmarks.map((b) => b.id), {
    seed: options.seed,
    sample: options.sample ?? null,
    limit: options.limit ?? null,
    swap: options.swap ?? false,
    maxCostUsd: options.maxCostUsd ?? null,
    concurrency: options.concurrency ?? judge.concurrency,
    ...options.args,
  });
  const abort = new AbortController();
  const state: RunState = {
    runId,
    fingerprint,
    policy: { ...DEFAULT_RETRY_POLICY, ...definedOnly(judge.limits ?? {}) },
    limiter: new RateLimiter(judge.limits ?? {}),
    budget: new Budget(options.maxCostUsd, judge.price, judge.maxOutputTokens ?? 0),
    spend: NO_SPEND,
    abort,
    signal: options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal,
  };
  // Every request in flight (and every one waiting to retry) listens on this signal: more than Node's default of
  // 10 at any concurrency above that, which is expected, not a leak (the listeners are removed as requests end).
  setMaxListeners(0, state.signal);
  const onUserAbort = (): void => stop(state, 'interrupted');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) onUserAbort();

  const runs: BenchmarkRun[] = [];
  const skipped: RunResult['skipped'] = [];
  try {
    for (const benchmark of options.benchmarks) {
      if (state.stopReason) break;
      if (options.skipUnavailable && !judge.tasks.includes(benchmark.taskKind)) {
        skipped.push({ benchmark, why: 'not applicable', reason: `${judge.id} does not answer ${benchmark.taskKind} tasks` });
        continue;
      }
      try {
        runs.push(await runBenchmark(options, benchmark, state));
      } catch (error) {
        if (!(options.skipUnavailable && error instanceof MissingDataError)) throw error;
        skipped.push({ benchmark, why: 'no data', reason: error.message });
      }
    }
  } catch (error) {
    store.finishRun(runId, 'failed', { error: errorMessage(error) });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onUserAbort);
  }
  const summaries = Object.fromEntries(runs.map((r) => [r.benchmark.id, r.summary]));
  if (state.fatal) {
    store.finishRun(runId, 'failed', { error: state.fatal.message, benchmarks: summaries });
    throw new UserError(`${judge.id}: ${state.fatal.message.replace(/\.$/, '')}. Stopped the run: every request would fail the same way.`);
  }
  const status: RunStatus =
    state.stopReason === 'interrupted'
      ? 'interrupted'
      : state.stopReason === 'max cost'
        ? 'stopped'
        : runs.every((r) => r.summary.errors === 0)
          ? 'complete'
          : 'incomplete';
  store.finishRun(runId, status, { ...summaries, ...(skipped.length > 0 ? { skipped: skipped.map((s) => s.benchmark.id) } : {}) });
  return { runId, judge, fingerprint, benchmarks: runs, status, skipped, spend: state.spend, durationMs: Date.now() - started };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
