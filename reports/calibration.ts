/**
 * Calibration of a judge's verdict probabilities, for judges that return them (score-options mode, or a server's
 * log-probabilities in generate mode): is a verdict given with 80% confidence right 80% of the time, and how
 * accurate is the judge on the items it is sure of? The second is the basis of selective evaluation ("trust or
 * escalate"): keep the confident verdicts, send the rest to a stronger judge or a human.
 *
 * Per judged prompt, the confidence is the probability of the option the judge chose (top-label confidence):
 * pairwise P(chosen letter), correct when it is the gold's slot; pointwise P(chosen rating), correct on an exact
 * match with the gold (rounded human) label, the paper's metric; classification P(Yes) or P(No), whichever was
 * answered, correct when it matches the gold label. Ties, unreadable replies, errors and verdicts without
 * probabilities are left out (and counted). With --swap both orders of an item are judged prompts of their own.
 *
 * - ECE: equal-width bins over [0, 1] (bin i holds confidences in [i/B, (i+1)/B), the last also 1), then
 *   Σ_bins (n_bin / n) · |accuracy_bin − mean confidence_bin| (Guo et al. 2017).
 * - Accuracy at coverage: for each threshold t, the verdicts with confidence ≥ t: their share and accuracy.
 */
import type { Outcome } from '../benchmarks/benchmark.ts';
import type { BenchmarkRun } from '../harness/run.ts';
import type { Task } from '../protocol/tasks.ts';
import type { ReportRow, ReportTable } from '../core/table.ts';

export interface Prediction {
  /** Probability of the chosen option, 0-1. */
  confidence: number;
  correct: boolean;
}

interface ReliabilityBin {
  /** Bin edges, lower inclusive. */
  lower: number;
  upper: number;
  n: number;
  /** Mean confidence in the bin, 0-1. */
  confidence: number;
  /** Share correct in the bin, 0-1. */
  accuracy: number;
}

interface CoveragePoint {
  threshold: number;
  /** Verdicts with confidence ≥ threshold. */
  kept: number;
  /** kept / all, 0-1. */
  coverage: number;
  /** Share correct among those kept, 0-1; null when none is kept. */
  accuracy: number | null;
}

const DEFAULT_BINS = 10;
const DEFAULT_THRESHOLDS: readonly number[] = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

function binOf(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
}

/** The non-empty equal-width bins, lowest first. */
export function reliabilityBins(predictions: readonly Prediction[], bins = DEFAULT_BINS): ReliabilityBin[] {
  const sums = Array.from({ length: bins }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const p of predictions) {
    const bin = sums[binOf(p.confidence, bins)]!;
    bin.n += 1;
    bin.confidence += p.confidence;
    bin.correct += p.correct ? 1 : 0;
  }
  return sums.flatMap((s, i) =>
    s.n === 0
      ? []
      : [{ lower: i / bins, upper: (i + 1) / bins, n: s.n, confidence: s.confidence / s.n, accuracy: s.correct / s.n }],
  );
}

/** Expected calibration error, 0-1; null without predictions. */
export function expectedCalibrationError(predictions: readonly Prediction[], bins = DEFAULT_BINS): number | null {
  if (predictions.length === 0) return null;
  return reliabilityBins(predictions, bins).reduce(
    (sum, b) => sum + (b.n / predictions.length) * Math.abs(b.accuracy - b.confidence),
    0,
  );
}

export function accuracyAtCoverage(
  predictions: readonly Prediction[],
  thresholds: readonly number[] = DEFAULT_THRESHOLDS,
): CoveragePoint[] {
  return thresholds.map((threshold) => {
    const kept = predictions.filter((p) => p.confidence >= threshold);
    const correct = kept.filter((p) => p.correct).length;
    return {
      threshold,
      kept: kept.length,
      coverage: predictions.length > 0 ? kept.length / predictions.length : 0,
      accuracy: kept.length > 0 ? correct / kept.length : null,
    };
  });
}

function field<T>(gold: unknown, name: string, type: 'string' | 'number' | 'boolean'): T | undefined {
  if (typeof gold !== 'object' || gold === null) return undefined;
  const value = (gold as Record<string, unknown>)[name];
  return typeof value === type ? (value as T) : undefined;
}

/**
 * One judged prompt's confidence and correctness; null when it has no verdict, no probability for its verdict, or
 * a gold this module does not know (pairwise `chosenSlot`, pointwise `label`, classification `supported`).
 */
export function predictionOf(
  task: Task,
  outcome: Outcome,
  gold: unknown,
  probabilities: Readonly<Record<string, number>> | null | undefined,
): Prediction | null {
  if (outcome.status !== 'verdict') return null;
  const verdict = outcome.verdict;
  let confidence: number | undefined;
  let correct: boolean | undefined;
  if (verdict.kind === 'pairwise' && task.kind === 'pairwise') {
    if (verdict.choice === 'tie') return null;
    const slot = field<string>(gold, 'chosenSlot', 'string');
    confidence = probabilities?.[verdict.choice];
    correct = slot === undefined ? undefined : verdict.choice === slot;
  } else if (verdict.kind === 'pointwise' && task.kind === 'pointwise') {
    const label = field<number>(gold, 'label', 'number');
    confidence = probabilities?.[String(verdict.score)];
    correct = label === undefined ? undefined : verdict.score === label;
  } else if (verdict.kind === 'classification' && task.kind === 'classification') {
    // outcomeOf (harness/outcomes.ts) has already turned P(Yes)/P(No) into P(supported) on the verdict.
    const supported = field<boolean>(gold, 'supported', 'boolean');
    confidence =
      verdict.probability === undefined ? undefined : verdict.supported ? verdict.probability : 1 - verdict.probability;
    correct = supported === undefined ? undefined : verdict.supported === supported;
  }
  if (confidence === undefined || correct === undefined || !Number.isFinite(confidence)) return null;
  return { confidence: Math.min(1, Math.max(0, confidence)), correct };
}

interface RunPredictions {
  predictions: Prediction[];
  /** Judged prompts with a verdict (with or without probabilities). */
  verdicts: number;
}

/** Every judged prompt of a benchmark run (both orders with --swap), with the stored probabilities. */
export function runPredictions(run: Pick<BenchmarkRun, 'results' | 'judgments' | 'swappedJudgments'>): RunPredictions {
  const predictions: Prediction[] = [];
  let verdicts = 0;
  run.results.forEach((result, i) => {
    const asked = [{ prepared: result.prepared, outcome: result.outcome, judgment: run.judgments[i] }];
    if (result.swapped) asked.push({ ...result.swapped, judgment: run.swappedJudgments[i] });
    for (const { prepared, outcome, judgment } of asked) {
      if (outcome.status === 'verdict') verdicts += 1;
      const prediction = predictionOf(prepared.task, outcome, prepared.gold, judgment?.optionProbabilities);
      if (prediction) predictions.push(prediction);
    }
  });
  return { predictions, verdicts };
}

const pct = (x: number): number => 100 * x;

/**
 * The reliability table and the accuracy-at-coverage table for one benchmark run; none when no verdict came with
 * probabilities (judges that only generate text).
 */
export function calibrationTables(
  run: Pick<BenchmarkRun, 'benchmark' | 'results' | 'judgments' | 'swappedJudgments'>,
  bins = DEFAULT_BINS,
  thresholds = DEFAULT_THRESHOLDS,
): ReportTable[] {
  const { predictions, verdicts } = runPredictions(run);
  if (predictions.length === 0) return [];
  const { id, title } = run.benchmark;
  const n = predictions.length;
  const ece = expectedCalibrationError(predictions, bins)!;
  const accuracy = predictions.filter((p) => p.correct).length / n;
  const confidence = predictions.reduce((s, p) => s + p.confidence, 0) / n;
  const row = (label: string, values: (number | null)[]): ReportRow => ({ label, source: 'this run', values });
  const covered =
    verdicts === n
      ? `${n} judged prompts`
      : `${n} of ${verdicts} verdicts (the others had no probability for their verdict, or were ties)`;

  const reliability: ReportTable = {
    id: `${id}-calibration`,
    title: `${title}: calibration of verdict probabilities (ECE ${pct(ece).toFixed(1)}, ${n} verdicts)`,
    columns: ['Share', 'Confidence', 'Accuracy', 'Gap'],
    rows: [
      ...reliabilityBins(predictions, bins).map((b) =>
        row(`confidence ${b.lower.toFixed(2)}–${b.upper.toFixed(2)} (n=${b.n})`, [
          pct(b.n / n),
          pct(b.confidence),
          pct(b.accuracy),
          pct(b.accuracy - b.confidence),
        ]),
      ),
      row(`all (n=${n})`, [100, pct(confidence), pct(accuracy), pct(accuracy - confidence)]),
      row(`ECE, ${bins} equal-width bins`, [null, null, null, pct(ece)]),
    ],
    notes: [
      'Confidence: the probability the judge gave the option it chose; ' +
        'accuracy: the share of those verdicts that are right (pairwise: the gold response; ' +
        `pointwise: exact match with the gold rating; classification: the gold label). ${covered}.`,
      'Share: % of verdicts in the bin. Gap = accuracy − confidence (negative: overconfident). ' +
        'ECE = Σ share × |gap| over the bins, in points.',
    ],
  };
  const coverage: ReportTable = {
    id: `${id}-coverage`,
    title: `${title}: accuracy at coverage (keep verdicts with confidence ≥ t)`,
    columns: ['Kept', 'Accuracy'],
    rows: accuracyAtCoverage(predictions, thresholds).map((c) =>
      row(`t = ${c.threshold.toFixed(2)} (n=${c.kept})`, [
        pct(c.coverage),
        c.accuracy === null ? null : pct(c.accuracy),
      ]),
    ),
    notes: [
      'Kept: % of verdicts whose confidence is at least t; Accuracy: among those. ' +
        'Selective evaluation: trust the kept verdicts, escalate the rest.',
    ],
  };
  return [reliability, coverage];
}
