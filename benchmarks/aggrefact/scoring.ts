/**
 * LLM-AggreFact scoring as MiniCheck does it (benchmark_evaluation_demo.ipynb): per dataset, balanced accuracy
 * ((TPR + TNR) / 2 × 100, sklearn's balanced_accuracy_score); the headline is the plain mean over datasets.
 *
 * A verdict that carries P(supported) is thresholded: supported when p > t, with t = 0.5 (MiniCheck's fixed
 * threshold) or, with tuning, the t in 0.01 … 0.99 with the best BAcc on that dataset's dev items (FactCG's
 * `--threshold-setting tune`: strict improvement, so ties keep the lowest t). A verdict without a probability counts
 * as p = 1 or 0, which makes every t in (0, 1) give its own yes/no.
 */
import { mean } from 'simple-statistics';
import { balancedAccuracy } from '../../core/stats.ts';
import type { Outcome } from '../benchmark.ts';
import { DATASETS, inCanonicalOrder, type Dataset } from './datasets.ts';
import type { Split } from './loader.ts';

export const DEFAULT_THRESHOLD = 0.5;
/** FactCG's grid: range(1, 100) / 100. Computed as k / 100 so each t is the same double as Python's. */
const THRESHOLD_GRID: readonly number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

export type ThresholdSetting = 'fixed' | 'tune';

export interface ScoredOutcome {
  dataset: Dataset;
  split: Split;
  /** Gold label: supported. */
  label: boolean;
  outcome: Outcome;
}

/** P(supported) to threshold: the judge's probability when it gives one, else 1 or 0 from its yes/no. */
export function supportScore(outcome: Outcome): number | null {
  if (outcome.status !== 'verdict') return null;
  const verdict = outcome.verdict;
  if (verdict.kind !== 'classification') throw new Error(`an LLM-AggreFact item got a ${verdict.kind} verdict`);
  return verdict.probability ?? (verdict.supported ? 1 : 0);
}

/**
 * The prediction at threshold t; null for an item with no answer (an error), which is left out.
 *
 * An invalid reply (the judge answered but no Yes/No could be read) counts as WRONG: the opposite of the gold label.
 * MiniCheck's scorers always output a probability, so it has no rule; any fixed class would be rewarded on the items
 * whose gold is that class (and a judge could steer its hard cases into unreadable replies), and leaving invalid
 * replies out would let a judge skip the items it cannot decide. Counting them wrong is the only rule under which an
 * unreadable reply never scores better than a real answer.
 */
export function predict(item: ScoredOutcome, threshold: number): boolean | null {
  switch (item.outcome.status) {
    case 'error':
      return null;
    case 'invalid':
      return !item.label;
    case 'verdict':
      return supportScore(item.outcome)! > threshold;
  }
}

/** BAcc × 100 of the answered items at threshold t; null when none was answered. */
export function datasetBacc(items: readonly ScoredOutcome[], threshold: number): number | null {
  const labels: boolean[] = [];
  const predictions: boolean[] = [];
  for (const item of items) {
    const p = predict(item, threshold);
    if (p === null) continue;
    labels.push(item.label);
    predictions.push(p);
  }
  const bacc = balancedAccuracy(labels, predictions);
  return bacc === null ? null : 100 * bacc;
}

/** FactCG's tuning: the first t of the grid with the highest dev BAcc; undefined when no dev item was answered. */
export function tuneThreshold(dev: readonly ScoredOutcome[]): { threshold: number; devBacc: number } | undefined {
  let best: { threshold: number; devBacc: number } | undefined;
  for (const threshold of THRESHOLD_GRID) {
    const bacc = datasetBacc(dev, threshold);
    if (bacc === null) return undefined;
    if (!best || bacc > best.devBacc) best = { threshold, devBacc: bacc };
  }
  return best;
}

export interface DatasetScore {
  /** Balanced accuracy × 100 on the test items; null when none was answered. */
  bacc: number | null;
  /** Test items of this dataset in the run. */
  n: number;
  /** Of those, gold supported / not supported. */
  supported: number;
  unsupported: number;
  invalid: number;
  errors: number;
  /** The threshold applied to P(supported). */
  threshold: number;
  /** With tuning: dev items used, and the best dev BAcc. Absent when the threshold stayed at 0.5. */
  tuning?: { devItems: number; devBacc: number };
}

export interface AggreFactScores {
  /** Mean of the per-dataset BAcc over the datasets present; null when none is. */
  score: number | null;
  datasets: Partial<Record<Dataset, DatasetScore>>;
  /** Datasets with a BAcc, in canonical order. */
  present: Dataset[];
  /** The rest of the 11. */
  missing: Dataset[];
  /** With tuning: present datasets that had no answered dev items, so kept t = 0.5. */
  untuned: Dataset[];
}

function byDataset(items: readonly ScoredOutcome[], split: Split): Map<Dataset, ScoredOutcome[]> {
  const groups = new Map<Dataset, ScoredOutcome[]>();
  for (const item of items) {
    if (item.split !== split) continue;
    const list = groups.get(item.dataset) ?? [];
    list.push(item);
    groups.set(item.dataset, list);
  }
  return groups;
}

export function scoreAggreFact(items: readonly ScoredOutcome[], setting: ThresholdSetting): AggreFactScores {
  const test = byDataset(items, 'test');
  const dev = setting === 'tune' ? byDataset(items, 'dev') : new Map<Dataset, ScoredOutcome[]>();
  const datasets: Partial<Record<Dataset, DatasetScore>> = {};
  const untuned: Dataset[] = [];
  for (const dataset of inCanonicalOrder(test.keys())) {
    const members = test.get(dataset)!;
    const tuned = setting === 'tune' ? tuneThreshold(dev.get(dataset) ?? []) : undefined;
    const threshold = tuned?.threshold ?? DEFAULT_THRESHOLD;
    const entry: DatasetScore = {
      bacc: datasetBacc(members, threshold),
      n: members.length,
      supported: members.filter((m) => m.label).length,
      unsupported: members.filter((m) => !m.label).length,
      invalid: members.filter((m) => m.outcome.status === 'invalid').length,
      errors: members.filter((m) => m.outcome.status === 'error').length,
      threshold,
    };
    if (tuned) entry.tuning = { devItems: dev.get(dataset)!.length, devBacc: tuned.devBacc };
    datasets[dataset] = entry;
    if (setting === 'tune' && !tuned && entry.bacc !== null) untuned.push(dataset);
  }
  const present = DATASETS.filter((d) => datasets[d]?.bacc !== null && datasets[d]?.bacc !== undefined);
  const values = present.map((d) => datasets[d]!.bacc!);
  return {
    score: values.length > 0 ? mean(values) : null,
    datasets,
    present,
    missing: DATASETS.filter((d) => !present.includes(d)),
    untuned,
  };
}
