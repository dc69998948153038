/**
 * Juries at the run level. A jury (judges/jury.ts) is run as its members: each through `runEval`, so its judgments
 * are stored under its own fingerprint, reused, resumed and reported like any judge's. The jury's per-item outcomes
 * are then computed from the members' outcomes, never stored, and scored by the benchmark's own `score`, so every
 * benchmark works unchanged; compare reads them the same way from the members' stored judgments.
 *
 * How a decision (one item in one order; with --swap an item has two) is combined:
 *  - a member with no answer (an error) does not vote; when no member answered, the jury has no answer (an error);
 *  - a member whose reply had no readable verdict (invalid) does not vote either; when every member that answered
 *    was invalid, the jury's answer is invalid;
 *  - pairwise and classification: majority (plurality) of the verdicts given. When two or more options share the
 *    most votes the jury is split: pairwise, a tie verdict (scored as the benchmark scores ties); classification,
 *    which has no tie, an invalid answer (scored as the benchmark scores unreadable replies);
 *  - ratings: the mean (default) or median of the ratings given, rounded half up to a whole point of the scale (the
 *    rule the Likert sets use to turn the raters' mean into the human label, benchmarks/pointwise/labels.ts); a mean
 *    or median exactly halfway between two points counts as split.
 */
import type { AnyBenchmark, BenchmarkSummary, ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import { roundedMean } from '../benchmarks/pointwise/labels.ts';
import { UserError } from '../core/errors.ts';
import { cohenKappa, fleissKappa } from '../core/kappa.ts';
import type { JuryAggregate } from '../judges/config.ts';
import { inapplicable, type Judge } from '../judges/judge.ts';
import { isJury, type JuryJudge } from '../judges/jury.ts';
import type { Task, Verdict } from '../protocol/tasks.ts';
import { errorMessage } from './outcomes.ts';
import { type BenchmarkRun, type RunOptions, type RunResult, openRunRecord, runEval } from './run.ts';
import { NO_SPEND, sumSpend } from './spend.ts';
import type { Judgment, RunStatus } from './store.ts';
import { readStoredResults, type StoredReadOptions } from './stored-results.ts';
import { redact } from '../core/secrets.ts';

/** One decision of the jury: its outcome, and how it came about. */
export interface JuryDecision {
  outcome: Outcome;
  /** No majority: options shared the most votes (pairwise, classification), or a rating fell halfway. */
  split: boolean;
  /** Decided although some member had no answer (it is asked again next run, and may change the decision). */
  partial: boolean;
}

/** The options with the most votes, in first-seen order. */
function leaders<T>(votes: readonly T[]): T[] {
  const counts = new Map<T, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  const most = Math.max(...counts.values());
  return [...counts].filter(([, n]) => n === most).map(([v]) => v);
}

/** A rating from several: the mean or median rounded half up, and whether it was exactly halfway. */
export function combineRatings(scores: readonly number[], aggregate: JuryAggregate): { score: number; split: boolean } {
  if (scores.length === 0) throw new Error('combineRatings: no ratings');
  let pool = scores;
  if (aggregate === 'median') {
    const sorted = [...scores].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    pool = sorted.length % 2 === 1 ? [sorted[middle]!] : [sorted[middle - 1]!, sorted[middle]!];
  }
  const sum = pool.reduce((a, b) => a + b, 0);
  // Exactly halfway: twice the mean is an odd whole number.
  const twice = (2 * sum) / pool.length;
  return { score: roundedMean(pool), split: Number.isInteger(twice) && twice % 2 !== 0 };
}

/** The jury's outcome for one decision from its members' outcomes (see the module comment for the rules). */
export function combineOutcomes(outcomes: readonly Outcome[], task: Task, aggregate: JuryAggregate): JuryDecision {
  const answered = outcomes.filter((o) => o.status !== 'error');
  if (answered.length === 0) {
    const first = outcomes.find((o) => o.status === 'error');
    const why = first?.status === 'error' ? first.message : 'no members';
    return {
      outcome: { status: 'error', message: `no member of the jury answered: ${why}` },
      split: false,
      partial: false,
    };
  }
  const partial = answered.length < outcomes.length;
  const verdicts = answered.flatMap((o) => (o.status === 'verdict' ? [o.verdict] : []));
  if (verdicts.length === 0) {
    const reason = `no member gave a readable verdict (${answered.length} invalid)`;
    return { outcome: { status: 'invalid', reason }, split: false, partial };
  }
  const decided = (verdict: Verdict, split: boolean): JuryDecision => ({
    outcome: { status: 'verdict', verdict },
    split,
    partial,
  });
  const wrongKind = verdicts.find((v) => v.kind !== task.kind);
  if (wrongKind) throw new Error(`a jury member gave a ${wrongKind.kind} verdict for a ${task.kind} task`);
  switch (task.kind) {
    case 'pairwise': {
      const top = leaders(verdicts.map((v) => (v.kind === 'pairwise' ? v.choice : 'tie')));
      return top.length === 1
        ? decided({ kind: 'pairwise', choice: top[0]! }, false)
        : decided({ kind: 'pairwise', choice: 'tie' }, true);
    }
    case 'classification': {
      const votes = verdicts.map((v) => v.kind === 'classification' && v.supported);
      const top = leaders(votes);
      if (top.length === 1) return decided({ kind: 'classification', supported: top[0]! }, false);
      const yes = votes.filter(Boolean).length;
      const reason = `the jury is split: ${yes} Yes, ${votes.length - yes} No`;
      return { outcome: { status: 'invalid', reason }, split: true, partial };
    }
    case 'pointwise': {
      const { score, split } = combineRatings(
        verdicts.map((v) => (v.kind === 'pointwise' ? v.score : Number.NaN)),
        aggregate,
      );
      return decided({ kind: 'pointwise', score }, split);
    }
  }
}

/** Every member's results on the same prepared items, combined item by item. */
export interface JuryResults {
  results: ItemResult[];
  /** Decisions combined: items, plus their second order where asked. */
  decisions: number;
  split: number;
  partial: number;
}

/**
 * The jury's results from its members' (each member's results in the same item order, as prepareItems gives them).
 * An item's second order is combined from the members that were asked it.
 */
export function combineResults(members: readonly (readonly ItemResult[])[], aggregate: JuryAggregate): JuryResults {
  const first = members[0];
  if (!first) throw new Error('combineResults: a jury without members');
  for (const m of members) {
    if (m.length !== first.length || m.some((r, i) => r.item.id !== first[i]!.item.id))
      throw new Error('combineResults: the members were not run on the same items');
  }
  let decisions = 0;
  let split = 0;
  let partial = 0;
  const tally = (d: JuryDecision): Outcome => {
    decisions += 1;
    if (d.split) split += 1;
    if (d.partial) partial += 1;
    return d.outcome;
  };
  const results = first.map((r, i): ItemResult => {
    const outcomes = members.map((m) => m[i]!.outcome);
    const result: ItemResult = {
      item: r.item,
      prepared: r.prepared,
      outcome: tally(combineOutcomes(outcomes, r.prepared.task, aggregate)),
    };
    const asked = members.flatMap((m) => (m[i]!.swapped ? [m[i]!.swapped!] : []));
    if (asked.length > 0) {
      const prepared = asked[0]!.prepared;
      const outcome = tally(
        combineOutcomes(
          asked.map((s) => s.outcome),
          prepared.task,
          aggregate,
        ),
      );
      result.swapped = { prepared, outcome };
    }
    return result;
  });
  return { results, decisions, split, partial };
}

/** A verdict as a category for agreement: the pairwise choice, Yes/No, or the rating. */
function category(outcome: Outcome): string | undefined {
  if (outcome.status !== 'verdict') return undefined;
  const v = outcome.verdict;
  return v.kind === 'pairwise'
    ? v.choice
    : v.kind === 'classification'
      ? v.supported
        ? 'Yes'
        : 'No'
      : String(v.score);
}

export interface PairAgreement {
  a: string;
  b: string;
  /** Cohen's kappa; null when undefined (both members always gave the same one verdict). */
  kappa: number | null;
  /** Share of the decisions on which the two agree, 0-100. */
  agreement: number | null;
}

export interface JuryAgreement {
  /** Decisions on which every member gave a verdict: what the kappas are computed on. */
  rated: number;
  /** All decisions. */
  decisions: number;
  pairs: PairAgreement[];
  /** Fleiss' kappa over all members; `observed` is the mean agreement of member pairs, 0-100. */
  fleiss: { kappa: number | null; observed: number | null };
}

/**
 * Agreement among the members on the decisions where every one gave a verdict (both orders with --swap, as separate
 * decisions), over the task's verdict categories: A/B/tie, Yes/No, or each rating value (unweighted).
 */
export function juryAgreement(ids: readonly string[], members: readonly (readonly ItemResult[])[]): JuryAgreement {
  const rows: string[][] = [];
  let decisions = 0;
  const take = (outcomes: readonly (Outcome | undefined)[]): void => {
    decisions += 1;
    const categories = outcomes.map((o) => (o ? category(o) : undefined));
    if (categories.every((c): c is string => c !== undefined)) rows.push(categories);
  };
  const first = members[0] ?? [];
  first.forEach((_, i) => {
    take(members.map((m) => m[i]!.outcome));
    if (members.some((m) => m[i]!.swapped)) take(members.map((m) => m[i]!.swapped?.outcome));
  });
  const pairs: PairAgreement[] = [];
  for (let x = 0; x < ids.length; x++) {
    for (let y = x + 1; y < ids.length; y++) {
      const a = rows.map((r) => r[x]!);
      const b = rows.map((r) => r[y]!);
      const agreed = a.filter((c, k) => c === b[k]).length;
      pairs.push({
        a: ids[x]!,
        b: ids[y]!,
        kappa: cohenKappa(a, b),
        agreement: rows.length > 0 ? (100 * agreed) / rows.length : null,
      });
    }
  }
  const fleiss = fleissKappa(rows);
  return {
    rated: rows.length,
    decisions,
    pairs,
    fleiss: { kappa: fleiss.kappa, observed: fleiss.observed === null ? null : 100 * fleiss.observed },
  };
}

export interface ColumnBeat {
  column: string;
  jury: number;
  /** The best member's value in this column, and who it is. */
  best: number;
  bestMember: string;
  /** The jury is at least as good as the best member (≥, or ≤ where lower is better). */
  beat: boolean;
}

/**
 * How the jury does against its best member, per headline column of the benchmark (MetricSpec.values: the
 * headline and its subsets or categories), on the columns where the jury and every member have a value. The best
 * member is chosen per column.
 */
export function beatBestMember(
  benchmark: AnyBenchmark,
  jury: BenchmarkSummary,
  members: readonly { judgeId: string; summary: BenchmarkSummary }[],
): ColumnBeat[] {
  const metrics = benchmark.metrics;
  if (!metrics) return [];
  const lower = metrics.lowerIsBetter === true;
  const better = (x: number, y: number): boolean => (lower ? x < y : x > y);
  const juryValues = metrics.values(jury);
  const memberValues = members.map((m) => ({ judgeId: m.judgeId, values: metrics.values(m.summary) }));
  const out: ColumnBeat[] = [];
  for (const [column, value] of Object.entries(juryValues)) {
    if (value === null) continue;
    const scored = memberValues.map((m) => ({ judgeId: m.judgeId, value: m.values[column] ?? null }));
    if (scored.some((s) => s.value === null)) continue;
    let best = scored[0]!;
    for (const s of scored) if (better(s.value!, best.value!)) best = s;
    // Values computed from the same items can differ by float noise: equal within 1e-9 counts as equal.
    const beat = Math.abs(value - best.value!) < 1e-9 || better(value, best.value!);
    out.push({ column, jury: value, best: best.value!, bestMember: best.judgeId, beat });
  }
  return out;
}

/** A member's part of a jury's benchmark: its results, summary and stored rows. */
export interface JuryMemberResults {
  judgeId: string;
  results: ItemResult[];
  summary: BenchmarkSummary;
  /** Its stored judgments behind these results (both orders), for costs. */
  judgments: (Judgment | undefined)[];
}

/** A jury's benchmark: the members' results, the combined decisions, agreement and the best-member comparison. */
export interface JuryBenchmark extends Omit<JuryResults, 'results'> {
  benchmark: AnyBenchmark;
  members: JuryMemberResults[];
  agreement: JuryAgreement;
  beat: ColumnBeat[];
}

export interface JuryRun {
  aggregate: JuryAggregate;
  /** The members' own runs, in member order (fewer when the run stopped before reaching every member). */
  runs: RunResult[];
  /** Members not run because the run stopped first: their stored judgments were used as they are. */
  notRun: string[];
  benchmarks: JuryBenchmark[];
}

export type JuryRunResult = RunResult & { jury: JuryRun };

/** The jury's side of a run, when the run is a jury's. */
export function juryRun(run: object): JuryRun | undefined {
  return (run as Partial<JuryRunResult>).jury;
}

/** A benchmark of a jury's run, combined from its members' results. */
function juryBenchmark(benchmark: AnyBenchmark, members: JuryMemberResults[], aggregate: JuryAggregate) {
  const combined = combineResults(
    members.map((m) => m.results),
    aggregate,
  );
  const summary = benchmark.score(combined.results) as BenchmarkSummary;
  const agreement = juryAgreement(
    members.map((m) => m.judgeId),
    members.map((m) => m.results),
  );
  const { results, ...counts } = combined;
  const detail: JuryBenchmark = {
    benchmark,
    members,
    ...counts,
    agreement,
    beat: beatBestMember(benchmark, summary, members),
  };
  return { results, summary, detail };
}

/** A member's stored results on a benchmark, read without asking (for compare, and members a stopped run skipped). */
async function storedMemberResults(
  member: Judge,
  benchmark: AnyBenchmark,
  options: StoredReadOptions,
  stopped: boolean,
): Promise<JuryMemberResults> {
  const { results, judgments, swappedJudgments } = await readStoredResults(member, benchmark, options, stopped);
  const summary = benchmark.score(results) as BenchmarkSummary;
  return { judgeId: member.id, results, summary, judgments: [...judgments, ...swappedJudgments] };
}

/** The jury's results on a benchmark from its members' stored judgments (nothing is asked): what compare reads. */
export async function storedJuryResults(
  jury: JuryJudge,
  benchmark: AnyBenchmark,
  options: StoredReadOptions,
): Promise<ItemResult[]> {
  const members: JuryMemberResults[] = [];
  for (const m of jury.jury.members) members.push(await storedMemberResults(m, benchmark, options, false));
  return juryBenchmark(benchmark, members, jury.jury.aggregate).results;
}

const STOPPED_EARLY: readonly RunStatus[] = ['interrupted', 'stopped'];

/**
 * Runs a jury: each member in turn through `runEval` (so a member's stored judgments are reused and only what is
 * missing is asked), then the jury's results from theirs. --max-cost is one budget for the whole jury: each member
 * gets what the members before it left. A stop (Ctrl-C, --max-cost) ends the jury's run there; members not reached
 * take part with what they have stored. A member whose endpoint cannot work stops the jury (the error names it).
 */
export async function runJury(options: RunOptions & { judge: JuryJudge }): Promise<JuryRunResult> {
  const started = Date.now();
  const { judge: jury, store } = options;
  const members = jury.jury.members;
  if (options.maxCostUsd !== undefined) {
    const unpriced = members.find((m) => m.price === undefined);
    if (unpriced)
      throw new UserError(
        `--max-cost needs a price for every member of ${jury.id}: add "price" to ${unpriced.id}'s entry in the ` +
          'judge config.',
      );
  }
  // Only the benchmarks every member can answer (a replay member has answers for its own benchmarks only).
  const notApplicable: RunResult['skipped'] = [];
  for (const benchmark of options.benchmarks) {
    const cannot = inapplicable(jury, benchmark);
    if (cannot && !options.skipUnavailable) throw new UserError(cannot.error);
    if (cannot) notApplicable.push({ benchmark, why: 'not applicable', reason: cannot.reason });
  }
  const applicable = options.benchmarks.filter((b) => !notApplicable.some((n) => n.benchmark === b));
  const { fingerprint, runId } = openRunRecord(options, {
    members: members.map((m) => m.id),
    aggregate: jury.jury.aggregate,
  });
  const runs: RunResult[] = [];
  let remaining = options.maxCostUsd;
  try {
    for (const member of members) {
      const run = await runEval({
        ...options,
        benchmarks: applicable,
        // A member configured with "batch": true goes through its provider's batch API, as it would on its own.
        batch: member.batchByDefault === true,
        judge: member,
        ...(remaining === undefined ? {} : { maxCostUsd: Math.max(remaining, 0) }),
        args: { ...options.args, judge: member.id, jury: jury.id },
      });
      runs.push(run);
      if (remaining !== undefined) remaining -= run.spend.costUsd;
      if (STOPPED_EARLY.includes(run.status)) break;
    }

    // The benchmarks the jury covers: those its first member ran (the members answer the same task kinds and read
    // the same data, so each skips the same ones).
    const lead = runs[0]!;
    const benchmarks: BenchmarkRun[] = [];
    const details: JuryBenchmark[] = [];
    for (const b of lead.benchmarks) {
      const parts: JuryMemberResults[] = [];
      let asked = 0;
      let cached = 0;
      let usage = NO_SPEND;
      for (const [k, member] of members.entries()) {
        const own = runs[k]?.benchmarks.find((r) => r.benchmark.id === b.benchmark.id);
        if (own) {
          asked += own.asked;
          cached += own.cached;
          usage = sumSpend(usage, own.usage); // the members' tokens and dollars make the jury's
          parts.push({
            judgeId: member.id,
            results: own.results,
            summary: own.summary,
            judgments: [...own.judgments, ...own.swappedJudgments],
          });
        } else parts.push(await storedMemberResults(member, b.benchmark, options, true));
      }
      const { results, summary, detail } = juryBenchmark(b.benchmark, parts, jury.jury.aggregate);
      details.push(detail);
      const none = results.map(() => undefined);
      benchmarks.push({
        benchmark: b.benchmark,
        results,
        judgments: none,
        swappedJudgments: none,
        summary,
        repliesInStore: false,
        asked,
        cached,
        usage,
      });
    }
    const statuses = runs.map((r) => r.status);
    const status: RunStatus = statuses.includes('interrupted')
      ? 'interrupted'
      : statuses.includes('stopped')
        ? 'stopped'
        : statuses.includes('pending')
          ? 'pending'
          : statuses.every((s) => s === 'complete') && benchmarks.every((b) => b.summary.errors === 0)
            ? 'complete'
            : 'incomplete';
    const summaries = Object.fromEntries(benchmarks.map((b) => [b.benchmark.id, b.summary]));
    store.finishRun(runId, status, { ...summaries, memberRuns: runs.map((r) => r.runId) });
    const breaker = runs.find((r) => r.breaker)?.breaker;
    const batch = runs.find((r) => r.batch)?.batch; // a member set to "batch": true: what it submitted and collected
    return {
      runId,
      judge: jury,
      fingerprint,
      benchmarks,
      status,
      skipped: [...notApplicable, ...lead.skipped],
      spend: runs.reduce((total, r) => sumSpend(total, r.spend), NO_SPEND),
      durationMs: Date.now() - started,
      replyText: () => null,
      ...(breaker ? { breaker } : {}),
      ...(batch ? { batch } : {}),
      jury: {
        aggregate: jury.jury.aggregate,
        runs,
        notRun: members.slice(runs.length).map((m) => m.id),
        benchmarks: details,
      },
    };
  } catch (error) {
    // A member's run or the combining failed: the jury's run record says so instead of staying "running".
    store.finishRun(runId, 'failed', { error: redact(errorMessage(error)) });
    throw error;
  }
}

/** Runs a judge, or a jury through its members: what eval, compare and the leaderboard call. */
export function runJudge(options: RunOptions): Promise<RunResult> {
  const judge = options.judge;
  return isJury(judge) ? runJury({ ...options, judge }) : runEval(options);
}

/** The stored judgments behind a benchmark of a run (a jury's: its members'), for costs. */
export function judgmentsBehind(run: RunResult, b: BenchmarkRun): (Judgment | undefined)[] {
  const detail = juryRun(run)?.benchmarks.find((d) => d.benchmark.id === b.benchmark.id);
  return detail ? detail.members.flatMap((m) => m.judgments) : [...b.judgments, ...b.swappedJudgments];
}
