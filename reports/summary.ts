/** The machine-readable results of a run: summary.json and predictions.jsonl. */
import type { IntervalsByColumn, ItemResult } from '../benchmarks/benchmark.ts';
import type { BatchActivity, PendingItems } from '../harness/batch.ts';
import type { BreakerTrip } from '../harness/breaker.ts';
import type { Provenance } from '../harness/provenance.ts';
import type { BenchmarkRun, RunResult } from '../harness/run.ts';
import type { Endpoint } from '../judges/judge.ts';
import { failuresByCause, type CauseCount } from './failures.ts';
import { juryVotes, jurySummary } from './jury.ts';
import type { Spend } from '../harness/spend.ts';
import type { Judgment } from '../harness/store.ts';

interface SummaryJson {
  judge: string;
  judgeFingerprint: string;
  judgeConfig: Readonly<Record<string, unknown>>;
  /** Where the judge's requests went (no credentials, query values hidden) and which setting chose it; null when
   * the judge answers in-process. */
  endpoint: Endpoint | null;
  seed: number;
  createdAt: string;
  run: {
    id: number;
    status: string;
    durationMs: number;
    asked: Record<string, number>;
    cached: Record<string, number>;
    /** Tokens and USD of the requests this run made. */
    spend: Spend;
    /** Per benchmark: tokens and USD of every stored judgment behind its results, whichever run made it. */
    usage: Record<string, Spend>;
    /** Per benchmark: items without an answer, grouped by cause, most frequent first. */
    failures: Record<string, CauseCount[]>;
    /** Set when the breaker stopped the run (the endpoint kept failing with one cause). */
    breaker: BreakerTrip | null;
    /** Provider batches (eval --batch): submitted, collected, recovered, and what they still hold; null without. */
    batch: BatchActivity | null;
    /** Per benchmark: requests held by provider batches not collected yet (counted as errors until then). */
    pending: Record<string, PendingItems>;
  };
  /** Per benchmark: its summary (score and breakdown in percent 0-100, full precision; n, invalid, errors). */
  benchmarks: Record<string, unknown>;
  /** Per benchmark: the 95% bootstrap interval of each headline column (see harness/intervals.ts), when computed. */
  intervals: Record<string, IntervalsByColumn>;
  resamples: number;
  /** Benchmarks "--benchmark all" skipped because their data is not there, with how to get it. */
  skipped: Record<string, string>;
  /**
   * How to reproduce the run: start time, harness version and git commit, the data files read (sha256, pinned
   * download), seed, flags, judge and endpoint (see harness/provenance.ts); null when the caller recorded none.
   */
  provenance: Provenance | null;
  /** A jury's run (reports/jury.ts): its members and their runs, split decisions, agreement, the best member. */
  jury?: Record<string, unknown>;
}

export function buildSummary(
  run: RunResult,
  seed: number,
  intervals: ReadonlyMap<string, IntervalsByColumn | undefined> = new Map(),
  resamples = 0,
  provenance: Provenance | null = null,
): SummaryJson {
  const jury = jurySummary(run);
  return {
    judge: run.judge.id,
    judgeFingerprint: run.fingerprint,
    judgeConfig: run.judge.config,
    endpoint: run.judge.endpoint ?? null,
    seed,
    createdAt: new Date().toISOString(),
    run: {
      id: run.runId,
      status: run.status,
      durationMs: run.durationMs,
      asked: Object.fromEntries(run.benchmarks.map((b) => [b.benchmark.id, b.asked])),
      cached: Object.fromEntries(run.benchmarks.map((b) => [b.benchmark.id, b.cached])),
      spend: run.spend,
      usage: Object.fromEntries(run.benchmarks.map((b) => [b.benchmark.id, b.usage])),
      failures: Object.fromEntries(run.benchmarks.map((b) => [b.benchmark.id, failuresByCause(b)])),
      breaker: run.breaker ?? null,
      batch: run.batch ?? null,
      pending: Object.fromEntries(run.benchmarks.flatMap((b) => (b.pending ? [[b.benchmark.id, b.pending]] : []))),
    },
    benchmarks: Object.fromEntries(run.benchmarks.map((b) => [b.benchmark.id, b.summary])),
    intervals: Object.fromEntries([...intervals].filter((e): e is [string, IntervalsByColumn] => e[1] !== undefined)),
    resamples,
    skipped: Object.fromEntries(run.skipped.map((s) => [s.benchmark.id, s.reason])),
    provenance,
    ...(jury ? { jury } : {}),
  };
}

function presentation(
  outcome: ItemResult['outcome'],
  stored: Judgment | undefined,
  raw: string | null,
): Record<string, unknown> {
  return {
    status: outcome.status,
    verdict: outcome.status === 'verdict' ? outcome.verdict : null,
    invalid_reason: outcome.status === 'invalid' ? outcome.reason : null,
    error: outcome.status === 'error' ? outcome.message : null,
    raw,
    prompt_hash: stored?.promptHash ?? null,
    latency_ms: stored?.latencyMs ?? null,
    input_tokens: stored?.inputTokens ?? null,
    output_tokens: stored?.outputTokens ?? null,
    cost_usd: stored?.costUsd ?? null,
    // Verdict probabilities (score-options mode, or a server's logprobs): the inputs of the calibration tables.
    option_probabilities: stored?.optionProbabilities ?? null,
  };
}

/**
 * Item `i` of a benchmark's run as predictions.jsonl records it: what was asked, what came back, how it scored (and
 * the swapped order, if asked). The per-item HTML view (reports/item-view-data.ts) reads the same records.
 */
export function predictionRecord(
  run: Pick<RunResult, 'replyText'>,
  b: BenchmarkRun,
  i: number,
): Record<string, unknown> & { swapped?: Record<string, unknown> } {
  const reply = (stored: Judgment | undefined): string | null =>
    stored && b.repliesInStore ? run.replyText(stored) : (stored?.raw ?? null);
  const result = b.results[i]!;
  const stored = b.judgments[i];
  const swapped = b.swappedJudgments[i];
  return {
    benchmark: b.benchmark.id,
    item_id: result.item.id,
    ...b.benchmark.describe(result),
    ...presentation(result.outcome, stored, reply(stored)),
    ...(result.swapped ? { swapped: presentation(result.swapped.outcome, swapped, reply(swapped)) } : {}),
    ...juryVotes(run, b, i), // a jury's item: each member's verdict
  };
}

/** One JSON object per line and item (predictionRecord). */
export function* predictionLines(run: RunResult): Generator<string> {
  for (const b of run.benchmarks) {
    for (let i = 0; i < b.results.length; i++) yield JSON.stringify(predictionRecord(run, b, i));
  }
}
