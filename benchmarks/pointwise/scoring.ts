/**
 * Per-criterion scores of a Likert set. The headline is exact match against the rounded human label (FLAMe's
 * Table 1 values read as percent agreement, see PAPER.md); Pearson, Spearman and Kendall tau-b against the
 * human mean show whether a judge orders items like the raters even when it is off by one.
 * An unreadable verdict counts as a miss for exact match and is left out of the correlations; an item with no
 * answer is left out of everything and makes the summary incomplete.
 */
import { mean } from 'simple-statistics';
import { kendallTauB, pearson, spearman } from '../../core/stats.ts';
import type { ItemResult } from '../benchmark.ts';
import type { HumanRating } from './labels.ts';
import type { Criterion, CriterionScores, LikertSummary, RatedItem } from './types.ts';

export type LikertResult = ItemResult<RatedItem, HumanRating>;

/** The judge's rating, or null when it gave no readable one. */
export function judgeRating(result: LikertResult): number | null {
  const outcome = result.outcome;
  if (outcome.status !== 'verdict') return null;
  if (outcome.verdict.kind !== 'pointwise')
    throw new Error(`a pointwise benchmark got a ${outcome.verdict.kind} verdict`);
  return outcome.verdict.score;
}

function scoreCriterion(criterion: Criterion, results: readonly LikertResult[]): CriterionScores {
  const answered = results.filter((r) => r.outcome.status !== 'error');
  const rated = answered.flatMap((r) => {
    const rating = judgeRating(r);
    return rating === null ? [] : [{ rating, human: r.prepared.gold }];
  });
  const hits = rated.filter((r) => r.rating === r.human.label).length;
  const judge = rated.map((r) => r.rating);
  const humans = rated.map((r) => r.human.mean);
  return {
    criterion: criterion.id,
    title: criterion.title,
    items: results.length,
    invalid: answered.length - rated.length,
    errors: results.length - answered.length,
    exactMatch: answered.length > 0 ? (100 * hits) / answered.length : null,
    correlated: rated.length,
    pearson: pearson(judge, humans),
    spearman: spearman(judge, humans),
    kendallTauB: kendallTauB(judge, humans),
  };
}

export function scoreLikert(results: readonly LikertResult[], criteria: readonly Criterion[]): LikertSummary {
  const byCriterion = new Map<string, LikertResult[]>();
  for (const r of results) {
    const list = byCriterion.get(r.item.criterion) ?? [];
    list.push(r);
    byCriterion.set(r.item.criterion, list);
  }
  const unknown = [...byCriterion.keys()].filter((id) => !criteria.some((c) => c.id === id));
  if (unknown.length > 0) throw new Error(`results for unknown criteria: ${unknown.join(', ')}`);

  const scored = criteria.filter((c) => byCriterion.has(c.id)).map((c) => scoreCriterion(c, byCriterion.get(c.id)!));
  const missingCriteria = criteria.filter((c) => !byCriterion.has(c.id)).map((c) => c.id);
  const exact = scored.map((c) => c.exactMatch).filter((v): v is number => v !== null);
  const errors = scored.reduce((sum, c) => sum + c.errors, 0);
  return {
    // The benchmark's number is the plain mean over its criteria, as each criterion is one of the paper's tasks.
    score: exact.length > 0 ? mean(exact) : null,
    n: results.length,
    invalid: scored.reduce((sum, c) => sum + c.invalid, 0),
    errors,
    complete: errors === 0 && missingCriteria.length === 0 && scored.length > 0,
    criteria: scored,
    missingCriteria,
  };
}
