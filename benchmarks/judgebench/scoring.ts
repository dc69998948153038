/**
 * JudgeBench's official score (utils/metrics.py, compute_final_metrics, at the pinned commit), per category and
 * overall:
 *  - both orders (its default): each decision votes +1 when it names the correct response, −1 when it names the
 *    other, 0 for a tie ("A=B") or no decision (None: the call failed or no verdict was found); a pair is correct
 *    when the sum is positive. A pair whose two decisions cancel (a tie, or one vote each way) is not correct.
 *  - one order (`--single_game`, for order-independent judges such as reward models): a pair is correct when its
 *    one decision names the correct response; a tie or no decision is not.
 * Score = 100 × correct pairs / pairs. A pair the harness has no answer for (an error: asked again next run) is
 * left out of the denominator and the run marked incomplete, as on every other benchmark.
 */
import type { PairwiseGold } from '../../protocol/positions.ts';
import type { BenchmarkSummary, ItemResult, Outcome } from '../benchmark.ts';
import { type Consistency, orderConsistency, type Preference, preference, unanswered } from '../pairwise.ts';
import { CATEGORIES, type Category, type JudgeBenchPair } from './loader.ts';

export type JudgeBenchGold = PairwiseGold;
export type JudgeBenchResult = ItemResult<JudgeBenchPair, JudgeBenchGold>;

/** How a pair came out: its decisions' votes summed positive, negative or zero (one order: +1 or not). */
export type PairOutcome = 'correct' | 'incorrect' | 'tied';

const VOTES: Record<Preference, -1 | 0 | 1> = { better: 1, worse: -1, tie: 0 };

/** One decision's vote (a tie or an unreadable reply: 0); null when there is no answer at all (an error). */
function vote(outcome: Outcome, gold: JudgeBenchGold): -1 | 0 | 1 | null {
  const preferred = preference(outcome, gold);
  return preferred === null ? null : VOTES[preferred];
}

/** A pair's outcome under metrics.py's rule for the orders it was asked in; null when an order has no answer. */
export function pairOutcome(result: JudgeBenchResult): PairOutcome | null {
  const first = vote(result.outcome, result.prepared.gold);
  if (first === null) return null;
  let sum: number = first;
  if (result.swapped) {
    const second = vote(result.swapped.outcome, result.swapped.prepared.gold);
    if (second === null) return null;
    sum += second;
  }
  // One order: only a decision naming the correct response counts (metrics.py: decision == label).
  return sum > 0 ? 'correct' : sum < 0 ? 'incorrect' : 'tied';
}

export interface JudgeBenchSummary extends BenchmarkSummary {
  /** Overall score = `score`; per category, 0-100 (null for a category with no scored pair). */
  categories: Record<Category, number | null>;
  /** Pairs per category in this run. */
  categorySizes: Record<Category, number>;
  /** Scored pairs by outcome. */
  correct: number;
  incorrect: number;
  tied: number;
  /** Pairs asked in both orders (the rest were asked once). */
  bothOrders: number;
  /** Decisions that said "tie". */
  ties: number;
  /** The share of pairs whose two orders agree (pairs asked in both orders only). */
  consistency?: Consistency;
}

function percent(correct: number, scored: number): number | null {
  return scored > 0 ? (100 * correct) / scored : null;
}

export function scoreJudgeBench(results: readonly JudgeBenchResult[]): JudgeBenchSummary {
  const counts = { correct: 0, incorrect: 0, tied: 0 };
  const byCategory = new Map<Category, { correct: number; scored: number; size: number }>(
    CATEGORIES.map((c) => [c, { correct: 0, scored: 0, size: 0 }]),
  );
  for (const result of results) {
    const category = byCategory.get(result.item.category)!;
    category.size += 1;
    const outcome = pairOutcome(result);
    if (outcome === null) continue;
    counts[outcome] += 1;
    category.scored += 1;
    if (outcome === 'correct') category.correct += 1;
  }
  const scored = counts.correct + counts.incorrect + counts.tied;
  const outcomes = results.flatMap((r) => (r.swapped ? [r.outcome, r.swapped.outcome] : [r.outcome]));
  const errors = results.filter(unanswered).length;
  const consistency = orderConsistency(results);
  return {
    score: percent(counts.correct, scored),
    n: results.length,
    invalid: outcomes.filter((o) => o.status === 'invalid').length,
    errors,
    complete: errors === 0,
    categories: Object.fromEntries(
      CATEGORIES.map((c) => [c, percent(byCategory.get(c)!.correct, byCategory.get(c)!.scored)]),
    ) as Record<Category, number | null>,
    categorySizes: Object.fromEntries(CATEGORIES.map((c) => [c, byCategory.get(c)!.size])) as Record<Category, number>,
    ...counts,
    bothOrders: results.filter((r) => r.swapped).length,
    ties: outcomes.filter((o) => o.status === 'verdict' && o.verdict.kind === 'pairwise' && o.verdict.choice === 'tie')
      .length,
    ...(consistency ? { consistency } : {}),
  };
}
