/**
 * Scoring shared by every gold-labelled pairwise benchmark (RewardBench, the held-out preference sets):
 * 1 when the judge prefers the better response, 0 when it prefers the other, 0.5 for a tie or an unreadable
 * verdict. With --swap an item is asked in both orders; it counts 1 or 0 only when both orders agree, and a
 * disagreement (a position flip) counts as a tie.
 */
import type { PairwiseGold } from '../protocol/positions.ts';
import type { ItemResult, Outcome } from './benchmark.ts';

/** What the judge preferred, relative to the gold label; null when it gave no answer. */
export type Preference = 'better' | 'worse' | 'tie';

export function preference(outcome: Outcome, gold: PairwiseGold): Preference | null {
  switch (outcome.status) {
    case 'error':
      return null;
    case 'invalid':
      return 'tie';
    case 'verdict': {
      if (outcome.verdict.kind !== 'pairwise')
        throw new Error(`a pairwise benchmark got a ${outcome.verdict.kind} verdict`);
      const choice = outcome.verdict.choice;
      if (choice === 'tie') return 'tie';
      return choice === gold.chosenSlot ? 'better' : 'worse';
    }
  }
}

const VALUE: Record<Preference, number> = { better: 1, worse: 0, tie: 0.5 };

/** The item's score (1 / 0 / 0.5), combining both orders when the item was also asked swapped; null if unanswered. */
export function pairwiseItemScore(result: ItemResult<{ id: string }, PairwiseGold>): number | null {
  const first = preference(result.outcome, result.prepared.gold);
  if (first === null) return null;
  if (!result.swapped) return VALUE[first];
  const second = preference(result.swapped.outcome, result.swapped.prepared.gold);
  if (second === null) return null;
  return first === second ? VALUE[first] : 0.5;
}

export interface Consistency {
  /** Items asked in both orders with an answer in both. */
  compared: number;
  /** Of those, items whose two orders gave the same preference. */
  agreed: number;
  /** agreed / compared × 100, or null when nothing was compared. */
  rate: number | null;
}

/** Position consistency: the share of items whose two presentation orders agree (only with --swap). */
export function orderConsistency(results: readonly ItemResult<{ id: string }, PairwiseGold>[]): Consistency | null {
  if (!results.some((r) => r.swapped)) return null;
  let compared = 0;
  let agreed = 0;
  for (const r of results) {
    if (!r.swapped) continue;
    const a = preference(r.outcome, r.prepared.gold);
    const b = preference(r.swapped.outcome, r.swapped.prepared.gold);
    if (a === null || b === null) continue;
    compared += 1;
    if (a === b) agreed += 1;
  }
  return { compared, agreed, rate: compared > 0 ? (100 * agreed) / compared : null };
}

/** Items with no answer in some order they were asked in. */
export function unanswered(result: ItemResult): boolean {
  return result.outcome.status === 'error' || result.swapped?.outcome.status === 'error';
}
