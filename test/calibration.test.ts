import { describe, expect, it } from 'vitest';
import type { AnyBenchmark, ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import type { Judgment } from '../harness/store.ts';
import type { Task } from '../protocol/tasks.ts';
import {
  accuracyAtCoverage,
  calibrationTables,
  expectedCalibrationError,
  predictionOf,
  reliabilityBins,
  runPredictions,
  type Prediction,
} from '../reports/calibration.ts';

// Eight verdicts whose bins, ECE and coverage were worked out by hand (below).
const P: Prediction[] = [
  { confidence: 0.55, correct: true },
  { confidence: 0.58, correct: false },
  { confidence: 0.72, correct: true },
  { confidence: 0.75, correct: true },
  { confidence: 0.79, correct: false },
  { confidence: 0.95, correct: true },
  { confidence: 1.0, correct: true },
  { confidence: 0.3, correct: false },
];

describe('calibration metrics', () => {
  it('puts confidences in equal-width bins, the top one closed at 1', () => {
    const bins = reliabilityBins(P);
    expect(bins.map((b) => [b.lower, b.n])).toEqual([
      [0.3, 1],
      [0.5, 2],
      [0.7, 3],
      [0.9, 2],
    ]);
    // [0.7, 0.8): mean confidence (0.72 + 0.75 + 0.79) / 3, two of three right.
    expect(bins[2]!.confidence).toBeCloseTo(2.26 / 3, 12);
    expect(bins[2]!.accuracy).toBeCloseTo(2 / 3, 12);
    expect(bins[3]!.confidence).toBeCloseTo(0.975, 12);
    expect(bins[3]!.accuracy).toBe(1);
  });

  it('computes ECE as the share-weighted mean |accuracy − confidence| over bins', () => {
    // 10 bins: 1/8·0.3 + 2/8·|0.5 − 0.565| + 3/8·|2/3 − 2.26/3| + 2/8·|1 − 0.975|
    //   = 0.0375 + 0.01625 + 0.0325 + 0.00625
    expect(expectedCalibrationError(P)).toBeCloseTo(0.0925, 12);
    // 2 bins: [0, 0.5) holds 0.3 (wrong): gap 0.3; [0.5, 1] holds 7 with mean 5.34/7 and 5/7 right: gap 0.34/7.
    expect(expectedCalibrationError(P, 2)).toBeCloseTo(0.0375 + (7 / 8) * (0.34 / 7), 12);
    // A perfectly calibrated set: 0.75 confidence, three of four right.
    expect(
      expectedCalibrationError([true, true, true, false].map((correct) => ({ confidence: 0.75, correct }))),
    ).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([])).toBeNull();
  });

  it('gives accuracy and the share kept at each confidence threshold', () => {
    const points = accuracyAtCoverage(P, [0, 0.5, 0.75, 0.96, 1.01]);
    expect(points.map((p) => p.kept)).toEqual([8, 7, 4, 1, 0]);
    expect(points.map((p) => p.coverage)).toEqual([1, 7 / 8, 0.5, 1 / 8, 0]);
    expect(points[0]!.accuracy).toBe(5 / 8);
    expect(points[1]!.accuracy).toBe(5 / 7);
    expect(points[2]!.accuracy).toBe(3 / 4); // 0.75 (right), 0.79 (wrong), 0.95, 1.0
    expect(points[3]!.accuracy).toBe(1);
    expect(points[4]!.accuracy).toBeNull();
  });
});

const pair: Task = { kind: 'pairwise', context: 'q', responseA: 'a', responseB: 'b' };
const likert: Task = {
  kind: 'pointwise',
  context: 'q',
  response: 'r',
  criterion: 'coherence',
  scale: { min: 1, max: 4 },
};
const claim: Task = { kind: 'classification', document: 'd', claim: 'c' };
const verdict = (v: Extract<Outcome, { status: 'verdict' }>['verdict']): Outcome => ({ status: 'verdict', verdict: v });

describe('predictionOf: confidence of the chosen option, and whether it is right', () => {
  it('pairwise: P(chosen letter) against the gold slot', () => {
    expect(
      predictionOf(pair, verdict({ kind: 'pairwise', choice: 'B' }), { chosenSlot: 'A' }, { A: 0.2, B: 0.8 }),
    ).toEqual({ confidence: 0.8, correct: false });
    expect(
      predictionOf(pair, verdict({ kind: 'pairwise', choice: 'A' }), { chosenSlot: 'A' }, { A: 0.6, B: 0.4 }),
    ).toEqual({ confidence: 0.6, correct: true });
    expect(
      predictionOf(pair, verdict({ kind: 'pairwise', choice: 'tie' }), { chosenSlot: 'A' }, { A: 0.5, B: 0.5 }),
    ).toBeNull();
    expect(predictionOf(pair, verdict({ kind: 'pairwise', choice: 'A' }), { chosenSlot: 'A' }, null)).toBeNull();
    expect(
      predictionOf(pair, { status: 'invalid', reason: 'no verdict' }, { chosenSlot: 'A' }, { A: 0.6, B: 0.4 }),
    ).toBeNull();
  });

  it('pointwise: P(chosen rating), right on an exact match with the gold label', () => {
    const probs = { '1': 0.1, '2': 0.2, '3': 0.6, '4': 0.1 };
    expect(predictionOf(likert, verdict({ kind: 'pointwise', score: 3 }), { label: 3, mean: 3.2 }, probs)).toEqual({
      confidence: 0.6,
      correct: true,
    });
    expect(predictionOf(likert, verdict({ kind: 'pointwise', score: 2 }), { label: 3, mean: 3.2 }, probs)).toEqual({
      confidence: 0.2,
      correct: false,
    });
  });

  it('classification: P(Yes) or P(No), whichever was answered', () => {
    expect(
      predictionOf(
        claim,
        verdict({ kind: 'classification', supported: false, probability: 0.3 }),
        { supported: false },
        null,
      ),
    ).toEqual({ confidence: 0.7, correct: true });
    expect(
      predictionOf(
        claim,
        verdict({ kind: 'classification', supported: true, probability: 0.9 }),
        { supported: false },
        null,
      ),
    ).toEqual({ confidence: 0.9, correct: false });
    expect(
      predictionOf(claim, verdict({ kind: 'classification', supported: true }), { supported: true }, null),
    ).toBeNull();
  });
});

describe('calibrationTables', () => {
  const benchmark = { id: 'pairs', title: 'Pairs' } as AnyBenchmark;
  const judged = (probabilities: Record<string, number> | null): Judgment =>
    ({ optionProbabilities: probabilities }) as Judgment;
  const item = (id: string, choice: 'A' | 'B', gold: 'A' | 'B'): ItemResult => ({
    item: { id },
    prepared: {
      task: pair,
      instructions: { taskDefinition: '', evaluationInstructions: '' },
      gold: { chosenSlot: gold },
    },
    outcome: verdict({ kind: 'pairwise', choice }),
  });

  it('adds a reliability and a coverage table per benchmark when verdicts have probabilities', () => {
    const results = [item('1', 'A', 'A'), item('2', 'B', 'A'), item('3', 'A', 'A')];
    const judgments = [judged({ A: 0.9, B: 0.1 }), judged({ A: 0.35, B: 0.65 }), judged(null)];
    const run = { benchmark, results, judgments, swappedJudgments: [undefined, undefined, undefined] };
    expect(runPredictions(run)).toEqual({
      predictions: [
        { confidence: 0.9, correct: true },
        { confidence: 0.65, correct: false },
      ],
      verdicts: 3,
    });
    const [reliability, coverage] = calibrationTables(run);
    expect(reliability!.id).toBe('pairs-calibration');
    // Bins [0.6, 0.7) and [0.9, 1]: ECE = ½·0.65 + ½·0.1 = 0.375.
    expect(reliability!.rows.map((r) => r.label)).toEqual([
      'confidence 0.60–0.70 (n=1)',
      'confidence 0.90–1.00 (n=1)',
      'all (n=2)',
      'ECE, 10 equal-width bins',
    ]);
    expect(reliability!.rows[0]!.values).toEqual([50, 65, 0, -65]);
    expect(reliability!.rows.at(-1)!.values[3]).toBeCloseTo(37.5, 10);
    expect(reliability!.notes[0]).toContain('2 of 3 verdicts');
    expect(coverage!.id).toBe('pairs-coverage');
    const at = (t: string) => coverage!.rows.find((r) => r.label.startsWith(`t = ${t}`))!.values;
    expect(at('0.50')).toEqual([100, 50]);
    expect(at('0.80')).toEqual([50, 100]);
    expect(at('0.95')).toEqual([0, null]);
  });

  it('adds nothing for a judge without probabilities', () => {
    const run = { benchmark, results: [item('1', 'A', 'A')], judgments: [judged(null)], swappedJudgments: [undefined] };
    expect(calibrationTables(run)).toEqual([]);
  });
});
