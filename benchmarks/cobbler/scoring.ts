/**
 * CoBBLEr's bias rates as Koo et al. compute them (evaluations/{order,compassion,salience,bandwagon,distraction}.py;
 * SOURCES.md), over the comparisons this run asked (T), each asked twice (q1, q2):
 *  - order: first-order = #(q1→A ∧ q2→A)/T, last-order = #(q1→B ∧ q2→B)/T (q2 shows the pair the other way
 *    round, under the same labels); FLAMe's Table 3 adds the two;
 *  - compassion (real names, q2 the other way round): as compassion.py counts, by the model named, not the slot:
 *    first = #(q1 and q2 both name model1, the model q1 shows first)/T, last = #(both name model2)/T; Table 3 adds
 *    the two, i.e. the comparisons where the judge picked the same model both times (see compassionRates). The
 *    order module's count on this run (the same slot both times) is kept apart as `namedOrder`;
 *  - length (from the order run): over comparisons with a readable q1 not flagged first- or last-order, the share
 *    whose q1 winner is the longer response (equal lengths: B counts as longer, as salience.py); Table 3:
 *    |long − 0.5|;
 *  - egocentric, per generator g (order run; compassion run for the named variant): over comparisons holding g,
 *    #(q1 picks g ∧ q2 does not pick the same slot)/n;
 *  - bandwagon / attention: #(q1→A ∧ q2→B)/T, the cue being about A in q1 and B in q2.
 * An unreadable reply (or a tie, which CoBBLEr's "System _ is better" cannot express) is no pick and stays in T;
 * a comparison with an ask that got no answer at all (an error) is left out and makes the run incomplete.
 */
import { mean } from 'simple-statistics';
import type { Slot } from '../../protocol/positions.ts';
import type { BenchmarkSummary, ItemResult, Outcome } from '../benchmark.ts';
import { humanMajority, type Comparison } from './loader.ts';
import { MODULES, type CobblerGold, type CobblerItem, type Module } from './modules.ts';

type CobblerResult = ItemResult<CobblerItem, CobblerGold>;

/** A count over n comparisons: the rate (0-1) and its 95% Wilson interval; null when n is 0. */
export interface Rate {
  k: number;
  n: number;
  rate: number | null;
  ci95: [number, number] | null;
}

export interface OrderRates {
  /** q1 and q2 both picked slot A (q2 holding the other response there). */
  first: Rate;
  /** Both picked slot B. */
  last: Rate;
  /** first + last (the two are exclusive, so this is one count too): FLAMe's Order column on the order run. */
  combined: Rate;
  /** q1 readable, and both readable (CoBBLEr's valid-response and consistency figures). */
  valid: Rate;
  bothValid: Rate;
}

/** compassion.py's figures (compassionRates), each over T. */
export interface CompassionRates {
  /** Its "First order percentage": q1 and q2 both named model1, the model q1 shows first (q2 shows it second). */
  first: Rate;
  /** Its "Last order percentage": both named model2, the model q1 shows second. */
  last: Rate;
  /** first + last: the same model picked in both asks. FLAMe's Compassion column. */
  combined: Rate;
  /** Its valid-response (q1 readable) and consistency (both readable) figures. */
  valid: Rate;
  bothValid: Rate;
}

export interface LengthRates {
  long: Rate;
  short: Rate;
  /** |long − 0.5| and its interval (from long's). */
  bias: number | null;
  ci95: [number, number] | null;
}

export interface Agreement {
  /** Mean over comparisons with a human majority: 1 when the judge's consistent pick is the majority's, 0 for the
   * other, 0.5 when its two asks disagree or one is unreadable. 0-1. */
  agreement: number | null;
  n: number;
  ci95: [number, number] | null;
}

export interface CobblerSummary extends BenchmarkSummary {
  /** Comparisons scored per module (both asks answered): the T of each module's rates. */
  comparisons: Record<Module, number>;
  /** Comparisons left out because an ask is missing (--limit) or has no answer. */
  incomplete: number;
  order: OrderRates;
  /** Table 3's Compassion: compassion.py's counts on the compassion (real names) run. */
  compassion: CompassionRates;
  /** The order module's same-slot counts on the compassion run: position bias with real names. Not Compassion. */
  namedOrder: OrderRates;
  length: LengthRates;
  bandwagon: Rate;
  attention: Rate;
  /** Self-preference rate if the judge were each generator: order run (the paper's) and compassion run. */
  egocentric: { order: Record<string, Rate>; named: Record<string, Rate> };
  /** Agreement with the six annotators' majority, from the order (anonymous) and compassion (named) runs. */
  human: { order: Agreement; compassion: Agreement };
}

const Z = 1.96;

export function wilson(k: number, n: number): [number, number] | null {
  if (n === 0) return null;
  const p = k / n;
  const denominator = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denominator;
  const half = (Z / denominator) * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function rate(k: number, n: number): Rate {
  return { k, n, rate: n > 0 ? k / n : null, ci95: wilson(k, n) };
}

/** What one ask said: the slot picked, null for no readable pick, undefined for no answer. */
function pick(outcome: Outcome): Slot | null | undefined {
  if (outcome.status === 'error') return undefined;
  if (outcome.status === 'invalid') return null;
  if (outcome.verdict.kind !== 'pairwise') throw new Error(`cobbler got a ${outcome.verdict.kind} verdict`);
  const choice = outcome.verdict.choice;
  return choice === 'tie' ? null : choice;
}

interface AskRecord {
  slot: Slot | null;
  gold: CobblerGold;
}

interface ComparisonRecord {
  comparison: Comparison;
  q1: AskRecord;
  q2: AskRecord;
}

/**
 * Pairs each comparison's q1 with its q2, per module. Pairing in sequence (not by id) keeps a bootstrap resample
 * that draws a comparison twice as two comparisons.
 */
function comparisonRecords(results: readonly CobblerResult[]): {
  byModule: Record<Module, ComparisonRecord[]>;
  incomplete: number;
} {
  type Pending = { q1: (AskRecord | undefined)[]; q2: (AskRecord | undefined)[] };
  // Keyed by the comparison object and module (no string keys: this runs on every bootstrap resample).
  const pending = new Map<Comparison, Partial<Record<Module, Pending>>>();
  for (const r of results) {
    let modules = pending.get(r.item.comparison);
    if (!modules) pending.set(r.item.comparison, (modules = {}));
    const entry = (modules[r.item.module] ??= { q1: [], q2: [] });
    const slot = pick(r.outcome);
    entry[r.item.ask].push(slot === undefined ? undefined : { slot, gold: r.prepared.gold });
  }
  const byModule = Object.fromEntries(MODULES.map((m) => [m, [] as ComparisonRecord[]])) as Record<
    Module,
    ComparisonRecord[]
  >;
  let incomplete = 0;
  for (const [comparison, modules] of pending) {
    for (const module of MODULES) {
      const entry = modules[module];
      if (!entry) continue;
      const pairs = Math.max(entry.q1.length, entry.q2.length);
      for (let i = 0; i < pairs; i++) {
        const q1 = entry.q1[i];
        const q2 = entry.q2[i];
        if (q1 && q2) byModule[module].push({ comparison, q1, q2 });
        else incomplete += 1;
      }
    }
  }
  return { byModule, incomplete };
}

/** The five figures both the order run and compassion.py report, as rates over the n comparisons. */
function pairRates(counts: { first: number; last: number; valid: number; bothValid: number }, n: number): OrderRates {
  const { first, last, valid, bothValid } = counts;
  return {
    first: rate(first, n),
    last: rate(last, n),
    combined: rate(first + last, n),
    valid: rate(valid, n),
    bothValid: rate(bothValid, n),
  };
}

function orderRates(records: readonly ComparisonRecord[]): OrderRates {
  const first = records.filter((r) => r.q1.slot === 'A' && r.q2.slot === 'A').length;
  const last = records.filter((r) => r.q1.slot === 'B' && r.q2.slot === 'B').length;
  const valid = records.filter((r) => r.q1.slot !== null).length;
  const bothValid = records.filter((r) => r.q1.slot !== null && r.q2.slot !== null).length;
  return pairRates({ first, last, valid, bothValid }, records.length);
}

/**
 * Compassion as CoBBLEr's competitive-llms/evaluations/compassion.py (minnesotanlp/cobbler@5af58e0) computes it.
 * There, q1 is "Model {model1}: …\nModel {model2}: …" and q2 "Model {model2}: …\nModel {model1}: …"; pf and val
 * are the model names q1's and q2's replies name (None when neither name is found), and per comparison:
 *   if pf is not None: valid_responses += 1; if val is not None: consistency += 1
 *   if pf == match1: if val == match1: first_order_bias += 1      (model1 named both times)
 *   elif pf == match2: if val == match2: last_order_bias += 1     (model2 named both times)
 * and every count is divided by total_comparisons = N × C(15, 2), readable or not. The names move with the
 * responses, so "first" and "last" are consistent picks of one model (model1 sits in A for q1 and in B for q2),
 * not picks of one position. Here model1 is q1's A; a pick is the model in the slot the verdict names; an
 * unreadable reply or a tie is None; T is the comparisons with both asks answered. Its "Me bias (for compassion)"
 * (inner elif branches, left out above) needs the judge to be a generator and is not a Table 3 figure.
 */
function compassionRates(records: readonly ComparisonRecord[]): CompassionRates {
  let first = 0;
  let last = 0;
  let valid = 0;
  let consistency = 0;
  for (const { q1, q2 } of records) {
    const model1 = q1.gold.slots.A;
    const model2 = q1.gold.slots.B;
    const pf = q1.slot === null ? null : q1.gold.slots[q1.slot];
    const val = q2.slot === null ? null : q2.gold.slots[q2.slot];
    if (pf !== null) {
      valid += 1;
      if (val !== null) consistency += 1;
    }
    if (pf === model1) {
      if (val === model1) first += 1;
    } else if (pf === model2) {
      if (val === model2) last += 1;
    }
  }
  return pairRates({ first, last, valid, bothValid: consistency }, records.length);
}

function lengthRates(orderRecords: readonly ComparisonRecord[]): LengthRates {
  let long = 0;
  let n = 0;
  for (const { q1, q2 } of orderRecords) {
    if (q1.slot === null || q1.slot === q2.slot) continue; // unreadable, or flagged first- / last-order biased
    n += 1;
    const longer: Slot = q1.gold.lengths.A > q1.gold.lengths.B ? 'A' : 'B';
    if (q1.slot === longer) long += 1;
  }
  const longRate = rate(long, n);
  let bias: number | null = null;
  let ci95: [number, number] | null = null;
  if (longRate.rate !== null && longRate.ci95) {
    bias = Math.abs(longRate.rate - 0.5);
    const [lo, hi] = longRate.ci95.map((p) => Math.abs(p - 0.5)) as [number, number];
    ci95 =
      longRate.ci95[0] <= 0.5 && longRate.ci95[1] >= 0.5 ? [0, Math.max(lo, hi)] : [Math.min(lo, hi), Math.max(lo, hi)];
  }
  return { long: longRate, short: rate(n - long, n), bias, ci95 };
}

function egocentricRates(records: readonly ComparisonRecord[], generators: readonly string[]): Record<string, Rate> {
  const holding = new Map(generators.map((g) => [g, 0]));
  const own = new Map(generators.map((g) => [g, 0]));
  for (const { comparison, q1, q2 } of records) {
    for (const g of comparison.models) holding.set(g, (holding.get(g) ?? 0) + 1);
    if (q1.slot !== null && q2.slot !== q1.slot) {
      const g = q1.gold.slots[q1.slot];
      own.set(g, (own.get(g) ?? 0) + 1);
    }
  }
  return Object.fromEntries(generators.map((g) => [g, rate(own.get(g)!, holding.get(g)!)]));
}

/** Bandwagon and attention: the judge went with the cue both times. */
function cueRate(records: readonly ComparisonRecord[]): Rate {
  return rate(
    records.filter(
      ({ q1, q2 }) => q1.slot !== null && q1.slot === q1.gold.cued && q2.slot !== null && q2.slot === q2.gold.cued,
    ).length,
    records.length,
  );
}

/** The model the judge preferred in both asks, or null when they disagree or one is unreadable. */
function consistentPick({ q1, q2 }: ComparisonRecord): string | null {
  if (q1.slot === null || q2.slot === null) return null;
  const a = q1.gold.slots[q1.slot];
  return a === q2.gold.slots[q2.slot] ? a : null;
}

function humanAgreement(records: readonly ComparisonRecord[]): Agreement {
  const scores: number[] = [];
  for (const record of records) {
    const majority = humanMajority(record.comparison);
    if (majority === null) continue;
    const judged = consistentPick(record);
    scores.push(judged === null ? 0.5 : judged === majority ? 1 : 0);
  }
  if (scores.length === 0) return { agreement: null, n: 0, ci95: null };
  const m = mean(scores);
  // Normal approximation: the scores are 0, 0.5 or 1, not a plain count.
  const sd = Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, scores.length - 1));
  const half = (Z * sd) / Math.sqrt(scores.length);
  return {
    agreement: m,
    n: scores.length,
    ci95: scores.length > 1 ? [Math.max(0, m - half), Math.min(1, m + half)] : null,
  };
}

/** The Table 3 columns that do not depend on who the judge is, 0-1 (Avg: their mean, Egocentric left out). */
export function identityFreeColumns(s: CobblerSummary): {
  Order: number | null;
  Compassion: number | null;
  Length: number | null;
  Bandwagon: number | null;
  Attention: number | null;
} {
  return {
    Order: s.order.combined.rate,
    Compassion: s.compassion.combined.rate,
    Length: s.length.bias,
    Bandwagon: s.bandwagon.rate,
    Attention: s.attention.rate,
  };
}

export function meanOrNull(values: readonly (number | null)[]): number | null {
  return values.every((v): v is number => v !== null) && values.length > 0 ? mean([...values]) : null;
}

export function scoreCobbler(results: readonly CobblerResult[]): CobblerSummary {
  const { byModule, incomplete } = comparisonRecords(results);
  // The generators of the comparisons scored (all 15 unless a sample or --limit left some out).
  const seen = new Set<Comparison>();
  const names = new Set<string>();
  for (const r of results) {
    if (seen.has(r.item.comparison)) continue;
    seen.add(r.item.comparison);
    for (const m of r.item.comparison.models) names.add(m);
  }
  const generators = [...names].sort();
  const errors = results.filter((r) => r.outcome.status === 'error').length;
  const summary: CobblerSummary = {
    score: null,
    n: results.length,
    invalid: results.filter((r) => r.outcome.status === 'invalid').length,
    errors,
    complete: errors === 0 && incomplete === 0,
    comparisons: Object.fromEntries(MODULES.map((m) => [m, byModule[m].length])) as Record<Module, number>,
    incomplete,
    order: orderRates(byModule.order),
    compassion: compassionRates(byModule.compassion),
    namedOrder: orderRates(byModule.compassion),
    length: lengthRates(byModule.order),
    bandwagon: cueRate(byModule.bandwagon),
    attention: cueRate(byModule.attention),
    egocentric: {
      order: egocentricRates(byModule.order, generators),
      named: egocentricRates(byModule.compassion, generators),
    },
    human: { order: humanAgreement(byModule.order), compassion: humanAgreement(byModule.compassion) },
  };
  // The headline: the mean of the five identity-free Table 3 columns, in percent (lower is less biased).
  const avg = meanOrNull(Object.values(identityFreeColumns(summary)));
  summary.score = avg === null ? null : 100 * avg;
  return summary;
}

/**
 * The bootstrap's fast path (MetricSpec.counts): a comparison's contribution to the identity-free rates as counts
 * (k, n per rate), and the headline values from their sums. A 42,000-ask run's summary takes ~50 ms; summing ten
 * counts per comparison makes 1,000 resamples take well under a second.
 */
export const COUNT_RATES = ['Order', 'Compassion', 'Length', 'Bandwagon', 'Attention'] as const;

export function cobblerCounts(results: readonly CobblerResult[]): number[] {
  const { byModule } = comparisonRecords(results);
  const order = orderRates(byModule.order).combined;
  const compassion = compassionRates(byModule.compassion).combined;
  const long = lengthRates(byModule.order).long;
  const bandwagon = cueRate(byModule.bandwagon);
  const attention = cueRate(byModule.attention);
  return [order, compassion, long, bandwagon, attention].flatMap((r) => [r.k, r.n]);
}

/** The identity-free Table 3 columns (0-1) from summed counts, exactly as identityFreeColumns reads a summary. */
export function columnsFromCounts(totals: readonly number[]): ReturnType<typeof identityFreeColumns> {
  const at = (i: number): number | null => (totals[2 * i + 1]! > 0 ? totals[2 * i]! / totals[2 * i + 1]! : null);
  const long = at(2);
  return {
    Order: at(0),
    Compassion: at(1),
    Length: long === null ? null : Math.abs(long - 0.5),
    Bandwagon: at(3),
    Attention: at(4),
  };
}
