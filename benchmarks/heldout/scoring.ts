/**
 * Scores for a held-out pairwise set, from the shared pairwise item score (benchmarks/pairwise.ts):
 *  - accuracy against the human majority: mean item score (1 / 0 / 0.5 for a tie or unreadable reply), overall
 *    and per group;
 *  - per-annotation agreement, where a pair has several annotators: each non-tie vote is a separate judgment,
 *    agreeing with the judge's pick when it names the same response (a tie or unreadable reply agrees half);
 *  - a 95% confidence interval for the accuracy (normal approximation), because several sets are tiny.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { PairwiseGold } from '../../protocol/positions.ts';
import type { BenchmarkSummary, ItemResult } from '../benchmark.ts';
import { orderConsistency, pairwiseItemScore, unanswered, type Consistency } from '../pairwise.ts';
import type { HumanPair } from './human-pair.ts';

export type HeldoutGold = PairwiseGold;

type HeldoutResult = ItemResult<HumanPair, HeldoutGold>;

export interface PerAnnotation {
  /** Agreement with individual annotator votes, 0-100; null when no vote was scored. */
  agreement: number | null;
  /** Annotator votes on the scored items. */
  votes: number;
}

export interface HeldoutSummary extends BenchmarkSummary {
  /** Accuracy (0-100) per group; null for a group with no scored item. */
  groups: Record<string, number | null>;
  /** Items per group in this run. */
  groupSizes: Record<string, number>;
  /** Replies that said "tie" (scored 0.5). */
  ties: number;
  /** 95% interval for the accuracy; null with fewer than two scored items. */
  ci95: [number, number] | null;
  /** Only for sets with several annotators per pair. */
  perAnnotation?: PerAnnotation;
  /** With --swap: the share of items whose two orders agree. */
  consistency?: Consistency;
}

function percent(values: readonly number[]): number | null {
  return values.length > 0 ? 100 * mean([...values]) : null;
}

function interval(values: readonly number[]): [number, number] | null {
  if (values.length < 2) return null;
  const half = (1.96 * sampleStandardDeviation([...values])) / Math.sqrt(values.length);
  const centre = mean([...values]);
  return [100 * Math.max(0, centre - half), 100 * Math.min(1, centre + half)];
}

/** Agreement of one item's judgment with each of its annotators: the majority voters get s, the others 1 − s. */
function annotationAgreement(item: HumanPair, score: number): { agreed: number; votes: number } {
  const votes = item.votes!;
  const withMajority = item.better === 'first' ? votes.first : votes.second;
  const against = item.better === 'first' ? votes.second : votes.first;
  return { agreed: score * withMajority + (1 - score) * against, votes: withMajority + against };
}

export function scoreHeldout(
  results: readonly HeldoutResult[],
  options: { groups?: readonly string[]; perAnnotation: boolean },
): HeldoutSummary {
  const scored = results.map((r) => ({ result: r, score: pairwiseItemScore(r) }));
  const answered = scored.filter((s): s is { result: HeldoutResult; score: number } => s.score !== null);
  const values = answered.map((s) => s.score);

  const groupNames = options.groups ?? [...new Set(results.map((r) => r.item.group))].sort();
  const groups: Record<string, number | null> = {};
  const groupSizes: Record<string, number> = {};
  for (const name of groupNames) {
    groups[name] = percent(answered.filter((s) => s.result.item.group === name).map((s) => s.score));
    groupSizes[name] = results.filter((r) => r.item.group === name).length;
  }

  let perAnnotation: PerAnnotation | undefined;
  if (options.perAnnotation) {
    let agreed = 0;
    let votes = 0;
    for (const { result, score } of answered) {
      if (!result.item.votes) continue;
      const a = annotationAgreement(result.item, score);
      agreed += a.agreed;
      votes += a.votes;
    }
    perAnnotation = { agreement: votes > 0 ? (100 * agreed) / votes : null, votes };
  }

  const outcomes = results.flatMap((r) => (r.swapped ? [r.outcome, r.swapped.outcome] : [r.outcome]));
  const errors = results.filter(unanswered).length;
  const consistency = orderConsistency(results);
  return {
    score: percent(values),
    n: results.length,
    invalid: outcomes.filter((o) => o.status === 'invalid').length,
    errors,
    complete: errors === 0,
    groups,
    groupSizes,
    ties: outcomes.filter((o) => o.status === 'verdict' && o.verdict.kind === 'pairwise' && o.verdict.choice === 'tie')
      .length,
    ci95: interval(values),
    ...(perAnnotation ? { perAnnotation } : {}),
    ...(consistency ? { consistency } : {}),
  };
}
