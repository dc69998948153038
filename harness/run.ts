/**
 * One evaluation: for each benchmark, load items, prepare the task every judge sees, ask the judge for what
 * the store does not have yet (writing each answer as it arrives), then score everything that is stored.
 */
import { setMaxListeners } from 'node:events';
import type { AnyBenchmark, BenchmarkSummary, ItemResult } from '../benchmarks/benchmark.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { inapplicable, type Judge } from '../judges/judge.ts';
import { isJury } from '../judges/jury.ts';
import { Breaker, defaultBreaker, type BreakerTrip } from './breaker.ts';
import { Dispatcher } from './dispatch.ts';
import { EndpointError, MissingDataError, UserError } from '../core/errors.ts';
import { configurationHint, failureCause, faultKind, isConfigurationFault, type FaultKind } from './faults.ts';
import { canonicalJson, sha256 } from '../core/hash.ts';
import { boundHeapGrowth } from './heap.ts';
import { errorMessage, failedReply, storedReply, storedResults } from './outcomes.ts';
import { prepareItems, type Presentation } from './prepare.ts';
import { runBar } from './progress.ts';
import { Pacer } from './pacer.ts';
import { DEFAULT_RETRY_POLICY, estimateTokens, type RetryPolicy } from '../protocol/limits.ts';
import { RetriesExhausted, StoppedBeforeRetry, callWithRetries, type RetryHooks } from './retry.ts';
import { redact } from '../core/secrets.ts';
import { Budget, NO_SPEND, addSpend, costOf, sumSpend, type Spend } from './spend.ts';
import { BatchRun, DEFAULT_POLL_MS, markPending, type BatchActivity, type PendingItems } from './batch.ts';
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
  /** Send what the store lacks through the judge's batch API and collect batches that have ended (harness/batch.ts). */
  batch?: boolean;
  /** With `batch`: poll until every batch has ended, collecting each. */
  wait?: boolean;
  /** With `wait`: how often to check on pending batches (default DEFAULT_POLL_MS). */
  batchPollMs?: number;
}

export interface BenchmarkRun {
  benchmark: AnyBenchmark;
  results: ItemResult[];
  /** Stored rows behind the results, for predictions.jsonl. */
  judgments: (Judgment | undefined)[];
  swappedJudgments: (Judgment | undefined)[];
  summary: BenchmarkSummary;
  /** A large run's judgments carry no reply text (raw is null): RunResult.replyText reads it from the store. */
  repliesInStore: boolean;
  /** Requests sent to the judge in this run. */
  asked: number;
  /** Requests answered from the store. */
  cached: number;
  /** Tokens and cost of every stored judgment behind these results, whichever run made it. */
  usage: Spend;
  /** What provider batches not collected yet hold (harness/batch.ts): counted among the errors until collected. */
  pending?: PendingItems;
}

export interface RunResult {
  runId: number;
  /** Set when the breaker stopped the run: the endpoint kept failing with one cause. */
  breaker?: BreakerTrip;
  judge: Judge;
  fingerprint: string;
  benchmarks: BenchmarkRun[];
  status: RunStatus;
  /** Benchmarks not run (only with skipUnavailable), and why. */
  skipped: { benchmark: AnyBenchmark; why: 'no data' | 'not applicable'; reason: string }[];
  /** Tokens and cost of the requests this run made. */
  spend: Spend;
  durationMs: number;
  /** What the batch path submitted, collected and left pending (RunOptions.batch). */
  batch?: BatchActivity;
  /** A judgment's reply text, read back from the store while it is open (large runs do not keep them in memory). */
  replyText(judgment: Judgment): string | null;
}

export function judgeFingerprint(judge: Judge): string {
  return sha256(canonicalJson(judge.config));
}

/**
 * Why a run stopped early. Ctrl-C/SIGTERM and --max-cost stop dispatching and let the requests in flight finish
 * (they are paid for); a configuration fault and an open breaker also cut off the requests in flight, which
 * would only fail the same way.
 */
type StopReason = 'interrupted' | 'max cost' | 'fatal' | 'breaker';
const HARD_STOPS: readonly StopReason[] = ['fatal', 'breaker'];

/** State shared by all benchmarks of one run: limits, budget, spending, and why it stopped early (if it did). */
interface RunState {
  runId: number;
  fingerprint: string;
  policy: RetryPolicy;
  pacer: Pacer;
  budget: Budget;
  spend: Spend;
  breaker: Breaker;
  /** Aborted by any stop: no new item, no new attempt. */
  dispatch: AbortController;
  /** Aborts in-flight requests: a configuration fault, an open breaker, or the caller's signal. */
  abort: AbortController;
  signal: AbortSignal;
  stopReason?: StopReason;
  fatal?: { error: Error; kind: FaultKind };
  trip?: BreakerTrip;
  /** Requests being asked right now (for the interrupt message). */
  inFlight: number;
}

function stop(state: RunState, reason: StopReason): void {
  const hard = HARD_STOPS.includes(reason);
  // A hard stop still cuts off requests in flight after a soft one (Ctrl-C, then the key is revoked).
  if (state.stopReason && !(hard && !HARD_STOPS.includes(state.stopReason))) return;
  state.stopReason = reason;
  state.dispatch.abort(new Error(reason));
  if (hard) state.abort.abort(new Error(reason));
}

/** Items first handed out per lease transaction: enough to keep every worker busy, few enough to share. */
function claimChunk(concurrency: number): number {
  return Math.min(256, Math.max(16, 2 * concurrency));
}

/**
 * From this many prompts in one benchmark a run is large: it bounds the heap's growth (harness/heap.ts) and keeps no
 * reply texts once their outcomes are read (predictions.jsonl reads them back from the store).
 */
const LARGE_RUN_PROMPTS = 20_000;

/** Built-in judges answer without I/O: a worker yields to the event loop this often, so Ctrl-C is heard. */
const YIELD_EVERY_MS = 20;

async function runBenchmark(options: RunOptions, benchmark: AnyBenchmark, state: RunState): Promise<BenchmarkRun> {
  const { judge, store } = options;
  const { fingerprint, runId, signal } = state;
  const cannot = inapplicable(judge, benchmark);
  if (cannot) throw new UserError(cannot.error);
  const select = { ...options, orderIndependent: judge.orderIndependent };
  const entries = await prepareItems(benchmark, options.dataDir, options.seed, select);
  const large = entries.reduce((n, e) => n + (e.swapped ? 2 : 1), 0) >= LARGE_RUN_PROMPTS;
  if (large) boundHeapGrowth();
  const answered = store.answeredKeys(fingerprint, benchmark.id);
  interface Ask {
    itemId: string;
    promptHash: string;
    shown: Presentation;
  }
  const asks: Ask[] = entries.flatMap((e) => {
    const ask = (shown: Presentation): Ask => ({ itemId: e.item.id, promptHash: shown.promptHash, shown });
    return e.swapped ? [ask(e), ask(e.swapped)] : [ask(e)];
  });
  // Items a provider batch holds are not asked here: they are paid for already, and `eval --batch` collects them.
  const held = store.batches.held(fingerprint, benchmark.id);
  let inBatches = 0;
  const todo = asks.filter((a) => {
    const key = judgmentKey(a.itemId, a.promptHash);
    if (answered.has(key)) return false;
    if (held.has(key)) inBatches += 1;
    return !held.has(key);
  });
  answered.clear(); // the workers' closures keep this scope alive: let 100,000 keys go now
  let cached = asks.length - todo.length - inBatches;

  const progress = runBar(benchmark.id, asks.length, cached, options.progress ?? true, judge.price !== undefined);
  const concurrency = Math.max(1, options.concurrency ?? judge.concurrency);
  const chunk = claimChunk(concurrency);
  const dispatcher = new Dispatcher(store, fingerprint, benchmark.id, todo, chunk, state.dispatch.signal, {
    answeredElsewhere(keys) {
      cached += keys.length;
      progress.cached(keys.length);
    },
    waiting(count, pids) {
      progress.note(count === 0 ? '' : `waiting for ${count} items another run (pid ${pids.join(', ')}) is asking`);
    },
  });
  const hooks: RetryHooks = {
    onRetry: () => progress.retry(),
    onAttempt(error) {
      if (!error) return state.breaker.success();
      const trip = state.breaker.failure(faultKind(error), redact(error.message));
      if (trip && !state.trip) {
        state.trip = trip;
        stop(state, 'breaker');
      }
    },
    isFatal: (error) => isConfigurationFault(faultKind(error), state.breaker.answered),
    onRateLimited: (error) => state.pacer.rateLimited(error.details.retryAfterMs, error.details.rateLimit),
    noNewAttempts: state.dispatch.signal,
  };
  let asked = 0;
  const ask = async ({ itemId, promptHash, shown }: Ask): Promise<void> => {
    const prompt = shown.prompt;
    const task = shown.prepared.task;
    const worst = state.budget.worstCase(prompt);
    if (!state.budget.reserve(worst)) return stop(state, 'max cost');
    // Every attempt takes a slot from the pacer (the endpoint counts retries too); the tokens are what OpenAI and
    // Anthropic count against a limit when a request arrives: the prompt and the most the reply may take.
    const tokens = estimateTokens(prompt) + (judge.maxOutputTokens ?? 0);
    const paced: RetryHooks = { ...hooks, beforeAttempt: () => state.pacer.acquire(tokens, state.dispatch.signal) };
    asked += 1;
    state.inFlight += 1;
    const started = performance.now();
    const base = { benchmark: benchmark.id, itemId, promptHash, judgeId: judge.id, runId };
    const request = { benchmark: benchmark.id, itemId, task, prompt };
    try {
      const call = (s: AbortSignal) => judge.judge(request, s);
      const { value: reply, attempts } = await callWithRetries(call, state.policy, signal, paced);
      state.pacer.answered(reply.type === 'verdict' ? undefined : reply.rateLimit);
      const cost = costOf(reply.usage, judge.price);
      state.budget.settle(worst, cost ?? (judge.price ? worst : null));
      state.spend = addSpend(state.spend, reply.usage, cost);
      const stored = storedReply(task, reply);
      store.record(fingerprint, {
        ...base,
        ...stored,
        latencyMs: performance.now() - started,
        inputTokens: reply.usage?.inputTokens ?? null,
        outputTokens: reply.usage?.outputTokens ?? null,
        costUsd: cost,
        attempts,
      });
      if (stored.error !== null) progress.fail(failureCause(redact(stored.error)));
      else progress.tick(state.spend);
    } catch (error) {
      state.budget.settle(worst, null);
      // Not an answer and not worth an error row, so simply asked next run: a request cut off by a stop, one whose
      // retry the stop cancelled, and one that failed for a reason every request shares (nothing is stored as
      // failed because of a configuration that cannot work; the run stops and says why).
      if (error instanceof StoppedBeforeRetry) {
        if (error.requestsMade === 0) asked -= 1; // stopped while waiting for its first slot
        return;
      }
      const last = error instanceof RetriesExhausted ? error.last : error;
      if (last instanceof JudgeCallError && last.details.fatal === true) {
        if (!state.fatal) state.fatal = { error: last, kind: faultKind(last) };
        return stop(state, 'fatal');
      }
      if (signal.aborted) return;
      const message = redact(errorMessage(error));
      store.record(fingerprint, {
        ...base,
        ...failedReply(message),
        latencyMs: performance.now() - started,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        attempts: error instanceof RetriesExhausted ? error.attempts : 1,
      });
      progress.fail(failureCause(message));
    } finally {
      state.inFlight -= 1;
    }
  };
  const worker = async (): Promise<void> => {
    let yielded = performance.now();
    for (let entry = await dispatcher.take(); entry; entry = await dispatcher.take()) {
      await ask(entry);
      if (performance.now() - yielded > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  } finally {
    progress.stop();
    dispatcher.close();
  }

  const after = store.judgments(fingerprint, benchmark.id);
  const stopped = state.stopReason !== undefined;
  const { results, judgments, swappedJudgments, usage } = storedResults(entries, after, stopped, !large);
  const pending = markPending(results, entries, held.size > 0 ? store.batches.held(fingerprint, benchmark.id) : held);
  const summary = benchmark.score(results) as BenchmarkSummary;
  return {
    benchmark,
    results,
    judgments,
    swappedJudgments,
    repliesInStore: large,
    summary,
    asked,
    cached,
    usage,
    ...(pending.items > 0 ? { pending } : {}),
  };
}

/**
 * Registers the judge and opens its run's record in the store, with the selection that shaped the run and `extra`
 * (what else this kind of run keeps); the record is finished when the run ends.
 */
export function openRunRecord(
  options: RunOptions,
  extra: Record<string, unknown>,
): { fingerprint: string; runId: number } {
  const { judge, store } = options;
  const fingerprint = judgeFingerprint(judge);
  store.registerJudge(fingerprint, judge.id, judge.config);
  const runId = store.startRun(
    judge.id,
    fingerprint,
    options.benchmarks.map((b) => b.id),
    {
      seed: options.seed,
      sample: options.sample ?? null,
      limit: options.limit ?? null,
      swap: options.swap ?? false,
      maxCostUsd: options.maxCostUsd ?? null,
      ...extra,
      ...options.args,
    },
  );
  return { fingerprint, runId };
}

export async function runEval(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const { judge, store } = options;
  // A jury answers nothing itself: its members are run (runJudge, harness/jury.ts), or every item would fail here.
  if (isJury(judge)) throw new Error(`${judge.id} is a jury: run it with runJudge (harness/jury.ts)`);
  if (options.maxCostUsd !== undefined && !judge.price) {
    throw new UserError(`--max-cost needs a price for ${judge.id}: add "price" to its entry in the judge config.`);
  }
  // A benchmark named explicitly that the judge cannot answer fails before anything is asked, not halfway through.
  for (const benchmark of options.skipUnavailable ? [] : options.benchmarks) {
    const cannot = inapplicable(judge, benchmark);
    if (cannot) throw new UserError(cannot.error);
  }
  const { fingerprint, runId } = openRunRecord(options, { concurrency: options.concurrency ?? judge.concurrency });
  const abort = new AbortController();
  const concurrency = Math.max(1, options.concurrency ?? judge.concurrency);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(judge.limits ?? {}) };
  const state: RunState = {
    runId,
    fingerprint,
    policy,
    pacer: new Pacer(judge.limits ?? {}, undefined, policy),
    budget: new Budget(options.maxCostUsd, judge.price, judge.maxOutputTokens ?? 0),
    spend: NO_SPEND,
    breaker: new Breaker({ ...defaultBreaker(concurrency), ...definedOnly(judge.limits?.breaker ?? {}) }),
    dispatch: new AbortController(),
    abort,
    signal: abort.signal,
    inFlight: 0,
  };
  // Every request in flight (and every one waiting to retry) listens on this signal: more than Node's default of
  // 10 at any concurrency above that, which is expected, not a leak (the listeners are removed as requests end).
  setMaxListeners(0, state.signal);
  setMaxListeners(0, state.dispatch.signal);
  // The caller's signal (Ctrl-C, SIGTERM) stops dispatching; what is in flight finishes and is stored.
  const onUserAbort = (): void => stop(state, 'interrupted');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) onUserAbort();

  const runs: BenchmarkRun[] = [];
  const skipped: RunResult['skipped'] = [];
  const batch = options.batch
    ? new BatchRun(
        {
          judge,
          store,
          dataDir: options.dataDir,
          selection: {
            seed: options.seed,
            sample: options.sample ?? null,
            limit: options.limit ?? null,
            swap: options.swap ?? false,
          },
          maxCostUsd: options.maxCostUsd,
          wait: options.wait ?? false,
          pollMs: options.batchPollMs ?? DEFAULT_POLL_MS,
          progress: options.progress ?? true,
        },
        {
          runId,
          fingerprint,
          policy,
          stopping: state.dispatch.signal,
          signal: state.signal,
          onMaxCost: () => stop(state, 'max cost'),
          largeRunPrompts: LARGE_RUN_PROMPTS,
        },
      )
    : undefined;
  try {
    for (const benchmark of options.benchmarks) {
      if (state.stopReason) break;
      const cannot = options.skipUnavailable ? inapplicable(judge, benchmark) : undefined;
      if (cannot) {
        skipped.push({ benchmark, why: 'not applicable', reason: cannot.reason });
        continue;
      }
      try {
        if (batch) await batch.add(benchmark);
        else runs.push(await runBenchmark(options, benchmark, state));
      } catch (error) {
        if (!(options.skipUnavailable && error instanceof MissingDataError)) throw error;
        skipped.push({ benchmark, why: 'no data', reason: error.message });
      }
    }
    if (batch) {
      await batch.wait();
      runs.push(...batch.results());
      state.spend = sumSpend(state.spend, batch.activity.spend);
    }
  } catch (error) {
    store.finishRun(runId, 'failed', { error: redact(errorMessage(error)) });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onUserAbort);
  }
  const summaries = Object.fromEntries(runs.map((r) => [r.benchmark.id, r.summary]));
  if (state.fatal) {
    const message = configurationFaultMessage(judge, state.fatal.error, state.fatal.kind);
    store.finishRun(runId, 'failed', { error: message, benchmarks: summaries });
    throw new EndpointError(message);
  }
  const status: RunStatus =
    state.stopReason === 'interrupted'
      ? 'interrupted'
      : state.stopReason === 'max cost'
        ? 'stopped'
        : runs.some((r) => r.pending !== undefined)
          ? 'pending'
          : runs.every((r) => r.summary.errors === 0)
            ? 'complete'
            : 'incomplete';
  const brokeOff = state.trip ? { breaker: state.trip } : {};
  const skippedIds = skipped.length > 0 ? { skipped: skipped.map((s) => s.benchmark.id) } : {};
  store.finishRun(runId, status, { ...summaries, ...brokeOff, ...skippedIds });
  return {
    runId,
    judge,
    fingerprint,
    benchmarks: runs,
    status,
    skipped,
    spend: state.spend,
    durationMs: Date.now() - started,
    replyText: (j) => store.replyText(fingerprint, j.benchmark, j.itemId, j.promptHash),
    ...(state.trip ? { breaker: state.trip } : {}),
    ...(batch ? { batch: batch.activity } : {}),
  };
}

/** One line: which judge and endpoint, what failed, and the setting to fix. */
function configurationFaultMessage(judge: Judge, error: Error, kind: FaultKind): string {
  const endpoint = judge.endpoint;
  const where = endpoint ? ` at ${endpoint.url} (URL from ${endpoint.source})` : '';
  // One line, whatever the cause's text holds (OpenSSL ends its messages with a newline).
  const cause = error.message.replace(/\s+/g, ' ').trim().replace(/[.:]$/, '');
  return redact(
    `${judge.id}${where}: ${cause}. ${configurationHint(kind, endpoint)}. ` +
      'Stopped the run before storing any item as failed: every request would fail the same way.',
  );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
