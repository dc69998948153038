/** The shapes shared by every Likert set: what is rated, one rated item, and the per-criterion results. */
import type { FieldLabels } from '../../protocol/tasks.ts';
import type { BenchmarkItem, BenchmarkSummary } from '../benchmark.ts';
import type { HumanRating } from './labels.ts';

/** One rated quality of a set (a HelpSteer attribute, a USR question, a Newsroom dimension ...). */
export interface Criterion {
  /** Stable key used in item ids and as the sample group, e.g. "maintains-context". */
  id: string;
  /** Column heading, as the source names it, e.g. "Maintains Context". */
  title: string;
  /** What the prompt says is rated, a noun phrase: "the response's <name>", "an integer ... for <name>". */
  name: string;
  /** Integer scale, inclusive. */
  scale: { min: number; max: number };
  /** The original annotation question and what the ends (or every point) of the scale mean. */
  guideline: string;
}

export interface RatedItem extends BenchmarkItem {
  /** "<unit>/<criterion id>": unique in the set and stable across releases of the file. */
  id: string;
  /** The criterion id: `--sample N` draws N items per criterion, as the paper samples per task. */
  sampleGroup: string;
  criterion: string;
  context: string;
  response: string;
  /** How the CONTEXT block names the two fields. */
  labels: FieldLabels;
  human: HumanRating;
  /** Facts about the item for predictions.jsonl (system, batch, split ...); never shown to the judge. */
  meta: Record<string, string | number>;
}

export interface CriterionScores {
  criterion: string;
  title: string;
  /** Items of this criterion in the run. */
  items: number;
  /** Items with no readable verdict: a miss for exact match, left out of correlations. */
  invalid: number;
  /** Items with no answer: left out of everything. */
  errors: number;
  /** Percent of answered items (verdict or invalid) whose rating equals the human label; null if none answered. */
  exactMatch: number | null;
  /** Items in the correlations (readable verdicts). */
  correlated: number;
  /** Coefficients (-1 to 1) between the judge's ratings and the human mean; null when undefined (e.g. constant). */
  pearson: number | null;
  spearman: number | null;
  kendallTauB: number | null;
}

export interface LikertSummary extends BenchmarkSummary {
  /** In the set's criterion order; criteria with no item in the run are listed in `missingCriteria` instead. */
  criteria: CriterionScores[];
  missingCriteria: string[];
}

/** A rated unit (a response, a summary ...) on one criterion: id "<unit>/<criterion id>", sampled by criterion. */
export function ratedItem(
  unit: string | number,
  criterion: Criterion,
  rated: Pick<RatedItem, 'context' | 'response' | 'labels' | 'human' | 'meta'>,
): RatedItem {
  return {
    id: `${unit}/${criterion.id}`,
    sampleGroup: criterion.id,
    criterion: criterion.id,
    context: rated.context,
    response: rated.response,
    labels: rated.labels,
    human: rated.human,
    meta: rated.meta,
  };
}
