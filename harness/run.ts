/**
 * One evaluation: for each benchmark, load items, prepare the task every judge sees, ask the judge for what
 * the store does not have yet (writing each answer as it arrives), then score everything that is stored.
 */
import pLimit from 'p-limit';
import type { AnyBenchmark, BenchmarkSummary, ItemResult, Outcome, Prepared } from '../benchmarks/benchmark.ts';
import type { Judge, JudgeReply } from '../judges/judge.ts';
import { parseReply } from '../judges/parse.ts';
import { renderPrompt } from '../judges/prompt.ts';
import { UserError } from './errors.ts';
import { canonicalJson, sha256 } from './hash.ts';
import { mirrorPair } from './positions.ts';
import { runBar } from './progress.ts';
import { sampleItems } from './sample.ts';
import { judgmentKey, type Judgment, type RunStatus, type Store } from './store.ts';
import type { Task } from './tasks.ts';

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
  /** Recorded with the run in the store. */
  args?: Record<string, unknown>;
}

export interface Presentation {
  prepared: Prepared<unknown>;
  prompt: string;
  promptHash: string;
}

export interface PreparedItem extends Presentation {
  item: { id: string; sampleGroup?: string };
  /** The same item with A and B exchanged, when --swap asks both orders. */
  swapped?: Presentation;
}

export interface SelectOptions {
  sample?: number;
  limit?: number;
  swap?: boolean;
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
  /** Items answered from the store. */
  cached: number;
}

export interface RunResult {
  runId: number;
  judge: Judge;
  fingerprint: string;
  benchmarks: BenchmarkRun[];
  status: RunStatus;
  durationMs: number;
}

export function judgeFingerprint(judge: Judge): string {
  return sha256(canonicalJson(judge.config));
}

function present(prepared: Prepared<unknown>): Presentation {
  const prompt = renderPrompt(prepared.instructions, prepared.task);
  return { prepared, prompt, promptHash: sha256(prompt) };
}

/** The items of a benchmark this run covers, and the exact prompt (and its hash) each is asked with. */
export async function prepareItems(benchmark: AnyBenchmark, dataDir: string, seed: number, select: SelectOptions = {}): Promise<PreparedItem[]> {
  let items: { id: string; sampleGroup?: string }[] = await benchmark.load(dataDir);
  if (select.sample !== undefined && !benchmark.runInFull) items = sampleItems(items, select.sample, seed, benchmark.id);
  if (select.limit !== undefined) items = items.slice(0, select.limit);
  return items.map((item) => {
    const prepared = benchmark.prepare(item, seed) as Prepared<unknown>;
    const entry: PreparedItem = { item, ...present(prepared) };
    if (select.swap && prepared.task.kind === 'pairwise') {
      entry.swapped = present(mirrorPair(prepared));
    }
    return entry;
  });
}

function outcomeOf(task: Task, judgment: Judgment | undefined, interrupted: boolean): Outcome {
  if (!judgment) return { status: 'error', message: interrupted ? 'not judged: the run was interrupted' : 'not judged' };
  if (judgment.error !== null) return { status: 'error', message: judgment.error };
  if (judgment.replyType === 'verdict' && judgment.verdict) return { status: 'verdict', verdict: judgment.verdict };
  const parsed = parseReply(task, judgment.raw ?? '');
  return parsed.ok ? { status: 'verdict', verdict: parsed.verdict } : { status: 'invalid', reason: parsed.reason };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What gets stored for a reply: a verdict of the wrong kind is a judge bug, stored as an error. */
function storedReply(task: Task, reply: JudgeReply): Pick<Judgment, 'replyType' | 'raw' | 'verdict' | 'error'> {
  if (reply.type === 'text') {
    const parsed = parseReply(task, reply.text);
    return { replyType: 'text', raw: reply.text, verdict: parsed.ok ? parsed.verdict : null, error: null };
  }
  if (reply.verdict.kind !== task.kind) {
    return { replyType: null, raw: null, verdict: null, error: `judge returned a ${reply.verdict.kind} verdict for a ${task.kind} task` };
  }
  return { replyType: 'verdict', raw: reply.note ?? null, verdict: reply.verdict, error: null };
}

async function runBenchmark(options: RunOptions, benchmark: AnyBenchmark, runId: number, fingerprint: string): Promise<BenchmarkRun> {
  const { judge, store, signal } = options;
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

  const progress = runBar(benchmark.id, asks.length, cached, options.progress ?? true);
  const limit = pLimit(Math.max(1, options.concurrency ?? judge.concurrency));
  let asked = 0;
  const ask = async (entry: Presentation & { item: { id: string } }): Promise<void> => {
    if (signal?.aborted) return;
    asked += 1;
    const started = performance.now();
    const base = { benchmark: benchmark.id, itemId: entry.item.id, promptHash: entry.promptHash, judgeId: judge.id, runId };
    try {
      const reply = await judge.judge(
        { benchmark: benchmark.id, itemId: entry.item.id, task: entry.prepared.task, prompt: entry.prompt },
        signal ?? new AbortController().signal,
      );
      const stored = storedReply(entry.prepared.task, reply);
      store.record(fingerprint, {
        ...base,
        ...stored,
        latencyMs: performance.now() - started,
        inputTokens: reply.usage?.inputTokens ?? null,
        outputTokens: reply.usage?.outputTokens ?? null,
      });
      progress.tick(stored.error !== null);
    } catch (error) {
      // An aborted request is not an answer and not worth an error row: it is simply asked next run.
      if (signal?.aborted) return;
      store.record(fingerprint, {
        ...base,
        replyType: null,
        raw: null,
        verdict: null,
        error: errorMessage(error),
        latencyMs: performance.now() - started,
        inputTokens: null,
        outputTokens: null,
      });
      progress.tick(true);
    }
  };
  try {
    await Promise.all(todo.map((entry) => limit(() => ask(entry))));
  } finally {
    progress.stop();
  }

  const after = store.judgments(fingerprint, benchmark.id);
  const interrupted = signal?.aborted ?? false;
  const judgments = entries.map((e) => after.get(judgmentKey(e.item.id, e.promptHash)));
  const swappedJudgments = entries.map((e) => (e.swapped ? after.get(judgmentKey(e.item.id, e.swapped.promptHash)) : undefined));
  const results: ItemResult[] = entries.map((e, i) => {
    const result: ItemResult = { item: e.item, prepared: e.prepared, outcome: outcomeOf(e.prepared.task, judgments[i], interrupted) };
    if (e.swapped) {
      result.swapped = { prepared: e.swapped.prepared, outcome: outcomeOf(e.swapped.prepared.task, swappedJudgments[i], interrupted) };
    }
    return result;
  });
  const summary = benchmark.score(results) as BenchmarkSummary;
  return { benchmark, results, judgments, swappedJudgments, summary, asked, cached };
}

export async function runEval(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const { judge, store } = options;
  const fingerprint = judgeFingerprint(judge);
  store.registerJudge(fingerprint, judge.id, judge.config);
  const runId = store.startRun(judge.id, fingerprint, options.benchmarks.map((b) => b.id), {
    seed: options.seed,
    sample: options.sample ?? null,
    limit: options.limit ?? null,
    swap: options.swap ?? false,
    concurrency: options.concurrency ?? judge.concurrency,
    ...options.args,
  });
  const runs: BenchmarkRun[] = [];
  try {
    for (const benchmark of options.benchmarks) {
      if (options.signal?.aborted) break;
      runs.push(await runBenchmark(options, benchmark, runId, fingerprint));
    }
  } catch (error) {
    store.finishRun(runId, 'failed', { error: errorMessage(error) });
    throw error;
  }
  const status: RunStatus = options.signal?.aborted
    ? 'interrupted'
    : runs.every((r) => r.summary.errors === 0)
      ? 'complete'
      : 'incomplete';
  store.finishRun(runId, status, Object.fromEntries(runs.map((r) => [r.benchmark.id, r.summary])));
  return { runId, judge, fingerprint, benchmarks: runs, status, durationMs: Date.now() - started };
}
