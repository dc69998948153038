/**
 * Turns a loader of rated items into a Benchmark: every pointwise (Likert) set is a loader, its criteria with
 * their annotation guidelines, a task definition and a few notes; preparation, scoring, per-item description
 * and tables are shared here.
 */
import type { Instructions } from '../../protocol/tasks.ts';
import { type Benchmark, type BenchmarkDeclaration, declaredFields } from '../benchmark.ts';
import type { HumanRating } from './labels.ts';
import { judgeRating, scoreLikert } from './scoring.ts';
import { likertCorrelationValues, likertMetricValues, likertTables } from './tables.ts';
import type { Criterion, LikertSummary, RatedItem } from './types.ts';

interface LikertSetSpec extends BenchmarkDeclaration {
  criteria: readonly Criterion[];
  /** What the raters were given and asked to do, the same for every criterion of the set. */
  taskDefinition: string;
  /** Instructions the original guidelines give for every criterion, put before the criterion's own. */
  generalInstructions?: string;
  /** How the exact-match label is made from the raters' ratings, one sentence for the report. */
  labelNote: string;
  /** Which items and criteria are kept, and why, for the report. */
  selectionNotes: readonly string[];
  load(dataDir: string): Promise<RatedItem[]>;
}

export type LikertBenchmark = Benchmark<RatedItem, HumanRating, LikertSummary> & { criteria: readonly Criterion[] };

function instructionsFor(spec: LikertSetSpec, criterion: Criterion): Instructions {
  return {
    taskDefinition: spec.taskDefinition,
    evaluationInstructions: spec.generalInstructions
      ? `${spec.generalInstructions}\n${criterion.guideline}`
      : criterion.guideline,
  };
}

export function likertBenchmark(spec: LikertSetSpec): LikertBenchmark {
  const criteria = new Map(spec.criteria.map((c) => [c.id, c]));
  const criterionOf = (item: RatedItem): Criterion => {
    const criterion = criteria.get(item.criterion);
    if (!criterion) throw new Error(`${spec.id}: item ${item.id} has unknown criterion "${item.criterion}"`);
    return criterion;
  };

  return {
    ...declaredFields(spec, 'pointwise'),
    criteria: spec.criteria,

    load: spec.load,

    prepare(item) {
      const criterion = criterionOf(item);
      return {
        task: {
          kind: 'pointwise',
          context: item.context,
          response: item.response,
          criterion: criterion.name,
          scale: criterion.scale,
          labels: item.labels,
        },
        instructions: instructionsFor(spec, criterion),
        gold: item.human,
      };
    },

    // Strata default to the criterion (the item's sampleGroup), so each criterion keeps its size in every resample.
    metrics: { values: (summary) => likertMetricValues(summary, spec.criteria), secondary: likertCorrelationValues },

    score(results) {
      return scoreLikert(results, spec.criteria);
    },

    describe(result) {
      const rating = judgeRating(result);
      const human = result.prepared.gold;
      return {
        criterion: result.item.criterion,
        human_label: human.label,
        human_mean: human.mean,
        human_ratings: human.ratings,
        rating,
        exact: result.outcome.status === 'error' ? null : rating === human.label,
        ...result.item.meta,
      };
    },

    async tables(summary, context) {
      return likertTables(spec, summary, context);
    },
  };
}
