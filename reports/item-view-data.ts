/**
 * The per-item view's data (the page itself: ./item-view-html.ts). A run's page holds every item: benchmark, subset,
 * gold, each order's verdict, reply, latency, tokens and cost, and the prompt; compare's page holds the items two
 * judges answered differently, as wins and losses. Items are read through predictionRecord, the same records
 * predictions.jsonl holds, with the outcome and prompt from the item's results.
 *
 * Texts (prompts' parts, replies) are kept once in a table, since many items share them (the instructions every
 * prompt starts with, an AggreFact document behind many claims): the full Table 1 plus RewardBench (11,547 items,
 * 33 MB of prompts) needs 11 MB of distinct text. Each text is cut at TEXT_CAP characters (its full length is kept,
 * and the page says it was truncated), and past TEXT_BUDGET characters a page embeds no more texts, so it stays
 * loadable however large the run (the items are all listed; those texts say they were left out).
 */
import type { AnyBenchmark, ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import type { BenchmarkComparison } from '../harness/compare.ts';
import type { BenchmarkRun, RunResult } from '../harness/run.ts';
import { contextFields, promptHead } from '../protocol/prompt.ts';
import type { Instructions, Task } from '../protocol/tasks.ts';
import { predictionRecord } from './summary.ts';

/** Characters of one text (a prompt field, a reply) a page holds; a longer one is cut and marked as truncated. */
export const TEXT_CAP = 20_000;
/** Characters of distinct text a page embeds at most (about 40 MB of HTML); texts past it are left out. */
export const TEXT_BUDGET = 40_000_000;
/** Characters of a verdict line (an error message, an invalid reply's reason) shown in the list. */
const VERDICT_CAP = 500;

/**
 * How an item came out for a judge: right or wrong by the benchmark's per-item score (pairwise: the better response
 * picked, with --swap in both orders; Likert: the human label matched; AggreFact: the label matched at 0.5;
 * JudgeBench: its pair outcome), `tie` for a half score (a tie, or the two orders disagreeing), `unscored` where
 * the benchmark has no right answer per item (CoBBLEr's bias probes); `invalid` (no readable verdict) and `error`
 * (no answer) come first.
 */
export type ItemOutcome = 'correct' | 'wrong' | 'tie' | 'unscored' | 'invalid' | 'error';

/** One order a judge was asked in (the second: A and B exchanged, with --swap). */
export interface ViewOrder {
  /** verdict, invalid or error. */
  s: Outcome['status'];
  /** The verdict as shown ("A", "4", "supported, p 0.83"), why no verdict was read, or the error. */
  v: string;
  /** The reply's text (an index into ItemViewData.texts); null when there is none or it was left out. */
  r: number | null;
  /** Latency in ms, input and output tokens, cost in USD, as stored. */
  ms: number | null;
  it: number | null;
  ot: number | null;
  usd: number | null;
}

export interface ViewJudgment {
  out: ItemOutcome;
  /** With --swap: the two orders preferred different responses (a position flip). */
  flip: boolean;
  o: ViewOrder[];
}

export interface ViewItem {
  /** Index into ItemViewData.benchmarks. */
  b: number;
  id: string;
  /** The item's subset (RewardBench), group, criterion, dataset or module; '' when the benchmark has none. */
  sub: string;
  /** The gold answer as shown ("A": the better response is A in the first order). */
  gold: string;
  /** Each order's prompt as text indices [head, name, value, name, value, …]; null when left out. */
  p: (number[] | null)[];
  /** Run page: the judge's; compare page: the candidate's, then the baseline's. */
  j: ViewJudgment[];
  /** Compare page: which pair of judges (index into ItemViewData.pairs). */
  pair?: number;
  /** Compare page: the candidate scored higher on the item (win), lower (loss), or the same with another answer. */
  side?: 'win' | 'loss' | 'differ';
  /** Compare page: the right/wrong categories the item counts in (McNemar's test where it applies). */
  cats?: string[];
}

export interface ViewPair {
  benchmark: string;
  candidate: string;
  baseline: string;
}

export interface ItemViewData {
  kind: 'run' | 'compare';
  title: string;
  /** Run page: the judge's id; compare page: the candidate's. */
  judge: string;
  /** Lines under the title: what was run. */
  notes: string[];
  benchmarks: string[];
  /** Whether any item was asked in both orders. */
  swap: boolean;
  textCap: number;
  texts: string[];
  /** Index of a truncated text → its full length. */
  truncated: Record<number, number>;
  /** Texts left out past TEXT_BUDGET. */
  omitted: number;
  items: ViewItem[];
  /** Compare page: the judge pairs compared, one per benchmark and baseline. */
  pairs: ViewPair[];
}

/** The distinct texts of a page, each cut at the cap, until the budget is spent. */
class TextTable {
  readonly texts: string[] = [];
  readonly truncated: Record<number, number> = {};
  omitted = 0;
  private readonly index = new Map<string, number>();
  private chars = 0;

  constructor(
    readonly cap: number,
    private readonly budget: number,
  ) {}

  add(text: string): number | null {
    const known = this.index.get(text);
    if (known !== undefined) return known;
    const kept = text.length > this.cap ? text.slice(0, this.cap) : text;
    if (this.chars + kept.length > this.budget) {
      this.omitted += 1;
      return null;
    }
    const id = this.texts.length;
    this.texts.push(kept);
    if (kept.length < text.length) this.truncated[id] = text.length;
    this.index.set(text, id);
    this.chars += kept.length;
    return id;
  }
}

type PredictionRecord = ReturnType<typeof predictionRecord>;

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function capped(text: string, cap = VERDICT_CAP): string {
  return text.length > cap ? `${text.slice(0, cap - 1)}…` : text;
}

/** The item's score for the judge, 0-1, from the fields benchmarks give predictions.jsonl; null: no such score. */
function itemScore(record: PredictionRecord): number | null {
  const score = numberOrNull(record.score);
  if (score !== null) return score; // pairwise sets, RewardBench
  if (typeof record.exact === 'boolean') return record.exact ? 1 : 0; // Likert sets
  const predicted = numberOrNull(record.predicted_at_0_5); // AggreFact
  const label = numberOrNull(record.label);
  return predicted !== null && label !== null ? (predicted === label ? 1 : 0) : null;
}

function itemOutcome(result: ItemResult, record: PredictionRecord): ItemOutcome {
  const statuses = [result.outcome.status, result.swapped?.outcome.status];
  if (statuses.includes('error')) return 'error';
  if (statuses.includes('invalid')) return 'invalid';
  const score = itemScore(record);
  if (score === null) return 'unscored';
  return score === 1 ? 'correct' : score === 0 ? 'wrong' : 'tie';
}

/** Which response an order's verdict preferred: its slot mapped to the first order's, so both orders compare. */
function preferred(outcome: Outcome, mirrored: boolean): string | null {
  if (outcome.status !== 'verdict' || outcome.verdict.kind !== 'pairwise') return null;
  const choice = outcome.verdict.choice;
  if (choice === 'tie' || !mirrored) return choice;
  return choice === 'A' ? 'B' : 'A';
}

function positionFlip(result: ItemResult): boolean {
  if (!result.swapped) return false;
  const first = preferred(result.outcome, false);
  const second = preferred(result.swapped.outcome, true);
  return first !== null && second !== null && first !== second;
}

function verdictText(outcome: Outcome): string {
  switch (outcome.status) {
    case 'error':
      return capped(outcome.message);
    case 'invalid':
      return capped(outcome.reason);
    case 'verdict': {
      const v = outcome.verdict;
      if (v.kind === 'pairwise') return v.choice;
      if (v.kind === 'pointwise') return String(v.score);
      const p = v.probability === undefined ? '' : `, p ${v.probability.toFixed(2)}`;
      return `${v.supported ? 'supported' : 'unsupported'}${p}`;
    }
  }
}

function goldText(record: PredictionRecord): string {
  if (typeof record.chosen_slot === 'string') return record.chosen_slot;
  const human = numberOrNull(record.human_label);
  if (human !== null) {
    const mean = numberOrNull(record.human_mean);
    return mean === null || mean === human ? String(human) : `${human} (mean ${Number(mean.toFixed(2))})`;
  }
  const label = numberOrNull(record.label);
  if (label !== null) return label === 1 ? 'supported' : 'unsupported';
  return typeof record.label === 'string' ? record.label : '—'; // JudgeBench: "A>B" in the source's order
}

function subsetOf(record: PredictionRecord): string {
  for (const key of ['subset', 'group', 'criterion', 'dataset', 'category', 'module']) {
    const value = record[key];
    if (typeof value === 'string') return value;
  }
  return '';
}

function viewOrder(outcome: Outcome, shown: Record<string, unknown> | undefined, texts: TextTable): ViewOrder {
  const raw = shown?.raw;
  return {
    s: outcome.status,
    v: verdictText(outcome),
    r: typeof raw === 'string' && raw !== '' ? texts.add(raw) : null,
    ms: numberOrNull(shown?.latency_ms),
    it: numberOrNull(shown?.input_tokens),
    ot: numberOrNull(shown?.output_tokens),
    usd: numberOrNull(shown?.cost_usd),
  };
}

function promptRef(prepared: { instructions: Instructions; task: Task }, texts: TextTable): number[] | null {
  const parts = [promptHead(prepared.instructions, prepared.task)];
  for (const field of contextFields(prepared.task)) parts.push(field.name, field.value);
  const ids: number[] = [];
  for (const part of parts) {
    const id = texts.add(part);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

/** One judge's item: its outcome, flip and orders, from its record and result. */
function viewJudgment(result: ItemResult, record: PredictionRecord, texts: TextTable): ViewJudgment {
  const o = [viewOrder(result.outcome, record, texts)];
  if (result.swapped) o.push(viewOrder(result.swapped.outcome, record.swapped, texts));
  return { out: itemOutcome(result, record), flip: positionFlip(result), o };
}

function itemBase(b: number, result: ItemResult, record: PredictionRecord, texts: TextTable) {
  const p = [promptRef(result.prepared, texts)];
  if (result.swapped) p.push(promptRef(result.swapped.prepared, texts));
  return { b, id: result.item.id, sub: subsetOf(record), gold: goldText(record), p };
}

interface Limits {
  cap?: number;
  budget?: number;
}

type ViewedRun = Pick<RunResult, 'judge' | 'benchmarks' | 'replyText'>;

function pageData(
  kind: ItemViewData['kind'],
  judge: string,
  title: string,
  notes: string[],
  texts: TextTable,
  benchmarks: string[],
  items: ViewItem[],
  pairs: ViewPair[] = [],
): ItemViewData {
  return {
    kind,
    title,
    judge,
    notes,
    benchmarks,
    swap: items.some((i) => i.p.length > 1),
    textCap: texts.cap,
    texts: texts.texts,
    truncated: texts.truncated,
    omitted: texts.omitted,
    items,
    pairs,
  };
}

/** Every item of a run, in the run's order. */
export function buildRunView(run: ViewedRun, notes: string[] = [], limits: Limits = {}): ItemViewData {
  const texts = new TextTable(limits.cap ?? TEXT_CAP, limits.budget ?? TEXT_BUDGET);
  const items: ViewItem[] = [];
  run.benchmarks.forEach((b, bi) => {
    for (let i = 0; i < b.results.length; i++) {
      const result = b.results[i]!;
      const record = predictionRecord(run, b, i);
      items.push({ ...itemBase(bi, result, record, texts), j: [viewJudgment(result, record, texts)] });
    }
  });
  const ids = run.benchmarks.map((b) => b.benchmark.id);
  return pageData('run', run.judge.id, `${run.judge.id}: every item`, notes, texts, ids, items);
}

/** Whether two judges answered an item the same way (in every order), as compare's exchange counts it. */
function sameAnswers(a: ItemResult, b: ItemResult): boolean {
  return (
    JSON.stringify([a.outcome, a.swapped?.outcome ?? null]) === JSON.stringify([b.outcome, b.swapped?.outcome ?? null])
  );
}

function answered(result: ItemResult): boolean {
  return result.outcome.status !== 'error' && result.swapped?.outcome.status !== 'error';
}

function categoriesOf(benchmark: AnyBenchmark, result: ItemResult): string[] {
  return [...(benchmark.metrics?.binaryOutcome?.(result)?.columns ?? [])];
}

/**
 * Compare's page: per comparison (benchmark × baseline), the items both judges answered (as compare counts them)
 * but differently, with the side each falls on. For a category compared by McNemar's test, its wins and losses are
 * exactly the test's discordant pairs (compare.json's `discordant`).
 */
export function buildCompareView(
  candidate: ViewedRun,
  baselines: readonly ViewedRun[],
  comparisons: readonly BenchmarkComparison[],
  notes: string[] = [],
  limits: Limits = {},
): ItemViewData {
  const texts = new TextTable(limits.cap ?? TEXT_CAP, limits.budget ?? TEXT_BUDGET);
  const items: ViewItem[] = [];
  const pairs: ViewPair[] = [];
  const benchmarks: string[] = [];
  const runOf = (run: ViewedRun, id: string): BenchmarkRun | undefined =>
    run.benchmarks.find((b) => b.benchmark.id === id);
  for (const comparison of comparisons) {
    const ours = runOf(candidate, comparison.benchmark);
    const baselineRun = baselines.find((b) => b.judge.id === comparison.baseline);
    const theirs = baselineRun && runOf(baselineRun, comparison.benchmark);
    if (!ours || !theirs || !baselineRun) continue;
    if (!benchmarks.includes(comparison.benchmark)) benchmarks.push(comparison.benchmark);
    const b = benchmarks.indexOf(comparison.benchmark);
    const pair =
      pairs.push({ benchmark: comparison.benchmark, candidate: candidate.judge.id, baseline: comparison.baseline }) - 1;
    for (let i = 0; i < ours.results.length; i++) {
      const mine = ours.results[i]!;
      const other = theirs.results[i]!;
      if (mine.item.id !== other.item.id) throw new Error(`${comparison.benchmark}: the two runs' items differ`);
      if (!answered(mine) || !answered(other) || sameAnswers(mine, other)) continue;
      const ourRecord = predictionRecord(candidate, ours, i);
      const theirRecord = predictionRecord(baselineRun, theirs, i);
      const ourScore = itemScore(ourRecord);
      const theirScore = itemScore(theirRecord);
      const side =
        ourScore === null || theirScore === null || ourScore === theirScore
          ? 'differ'
          : ourScore > theirScore
            ? 'win'
            : 'loss';
      items.push({
        ...itemBase(b, mine, ourRecord, texts),
        j: [viewJudgment(mine, ourRecord, texts), viewJudgment(other, theirRecord, texts)],
        pair,
        side,
        cats: categoriesOf(ours.benchmark, mine),
      });
    }
  }
  const baselineIds = [...new Set(comparisons.map((c) => c.baseline))];
  const title = `${candidate.judge.id} vs ${baselineIds.join(', ')}: the items they answered differently`;
  return pageData('compare', candidate.judge.id, title, notes, texts, benchmarks, items, pairs);
}
