/**
 * JudgeBench's scoring rule (benchmarks/judgebench/scoring.ts) against its own utils/metrics.py on every combination
 * of decisions: ties, missing verdicts, inconsistent orders, the one-order (reward model) game, and how the harness's
 * own "no answer" (an error) is kept out of the denominator.
 */
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../benchmarks/benchmark.ts';
import { judgebenchGpt } from '../benchmarks/judgebench/index.ts';
import type { Category, JudgeBenchPair } from '../benchmarks/judgebench/loader.ts';
import { type JudgeBenchResult, pairOutcome, scoreJudgeBench } from '../benchmarks/judgebench/scoring.ts';
import { mirrorPair } from '../protocol/positions.ts';

type Decision = 'A>B' | 'B>A' | 'A=B' | null;
const DECISIONS: readonly Decision[] = ['A>B', 'B>A', 'A=B', null];

/**
 * What metrics.py's compute_final_metrics says of a one-pair list, per combination, in the loop order label ∈
 * [A>B, B>A] × first decision × second decision (1 = correct). Computed once with python3 on the pinned
 * utils/metrics.py (/tmp driver: each pair {label, judgments: [{decision: d1}, {decision: d2}]}, reverse_order=True;
 * and [{decision: d1}] with reverse_order=False for the one-order game). The second decision is recorded in the
 * order shown in the second game (response_B as A), as JudgeBench's output files record it.
 */
const METRICS_PY_BOTH = '01110000010001000000101110001000';
const METRICS_PY_SINGLE = '10000100';

function pair(label: 'A>B' | 'B>A', category: Category = 'Knowledge', id = 'p'): JudgeBenchPair {
  return {
    id,
    category,
    source: 'mmlu-pro-law',
    originalId: 1,
    question: 'Q?',
    responseA: 'first response',
    responseB: 'second response',
    label,
  };
}

/** A recorded decision as the outcome the replay judge gives for it. */
function outcome(decision: Decision): Outcome {
  if (decision === null) return { status: 'invalid', reason: 'no verdict' };
  const choice = decision === 'A>B' ? 'A' : decision === 'B>A' ? 'B' : 'tie';
  return { status: 'verdict', verdict: { kind: 'pairwise', choice } };
}

function result(item: JudgeBenchPair, first: Outcome, second?: Outcome): JudgeBenchResult {
  const prepared = judgebenchGpt.prepare(item, 0);
  return {
    item,
    prepared,
    outcome: first,
    ...(second ? { swapped: { prepared: mirrorPair(prepared), outcome: second } } : {}),
  };
}

describe('JudgeBench scoring = utils/metrics.py', () => {
  it('both orders: every combination of the two decisions, for both labels', () => {
    const bits: string[] = [];
    for (const label of ['A>B', 'B>A'] as const) {
      for (const d1 of DECISIONS) {
        for (const d2 of DECISIONS) {
          bits.push(pairOutcome(result(pair(label), outcome(d1), outcome(d2))) === 'correct' ? '1' : '0');
        }
      }
    }
    expect(bits.join('')).toBe(METRICS_PY_BOTH);
  });

  it('one order (a reward model): only a decision naming the correct response counts', () => {
    const bits = (['A>B', 'B>A'] as const).flatMap((label) =>
      DECISIONS.map((d) => (pairOutcome(result(pair(label), outcome(d))) === 'correct' ? '1' : '0')),
    );
    expect(bits.join('')).toBe(METRICS_PY_SINGLE);
  });

  it('names how a pair came out: a split decision and a double tie are "tied", two wrong votes "incorrect"', () => {
    const p = pair('A>B');
    expect(pairOutcome(result(p, outcome('A>B'), outcome('A>B')))).toBe('tied'); // position bias: one each way
    expect(pairOutcome(result(p, outcome('A=B'), outcome('A=B')))).toBe('tied');
    expect(pairOutcome(result(p, outcome('B>A'), outcome('A>B')))).toBe('incorrect');
    expect(pairOutcome(result(p, outcome('B>A'), outcome(null)))).toBe('incorrect');
    expect(pairOutcome(result(p, outcome('A=B')))).toBe('tied');
  });

  it('a failed call upstream (judgment None) is a vote of 0, as metrics.py counts it', () => {
    // metrics.py on {label A>B, judgments [{decision A>B}, None]} prints 100.0 (python3, same driver).
    const failed: Outcome = { status: 'invalid', reason: 'JudgeBench recorded no judgment (the call failed)' };
    expect(pairOutcome(result(pair('A>B'), outcome('A>B'), failed))).toBe('correct');
  });

  it('scores per category and overall, and keeps pairs without an answer out of the denominator', () => {
    const results = [
      result(pair('A>B', 'Knowledge', 'k1'), outcome('A>B'), outcome('B>A')), // correct
      result(pair('B>A', 'Knowledge', 'k2'), outcome('A>B'), outcome('A>B')), // tied (inconsistent)
      result(pair('A>B', 'Math', 'm1'), outcome('A=B'), outcome('B>A')), // correct (tie + right)
      result(pair('A>B', 'Math', 'm2'), outcome(null), outcome('A>B')), // incorrect (none + wrong)
      result(pair('A>B', 'Coding', 'c1'), { status: 'error', message: 'timeout' }, outcome('B>A')), // unanswered
    ];
    const s = scoreJudgeBench(results);
    expect(s.score).toBeCloseTo(50, 10); // 2 of the 4 answered pairs
    expect(s.categories).toEqual({ Knowledge: 50, Reasoning: null, Math: 50, Coding: null });
    expect(s.categorySizes).toEqual({ Knowledge: 2, Reasoning: 0, Math: 2, Coding: 1 });
    expect(s).toMatchObject({ n: 5, errors: 1, complete: false, correct: 2, incorrect: 1, tied: 1, bothOrders: 5 });
    expect(s.ties).toBe(1);
    expect(s.invalid).toBe(1);
    // Of the four pairs answered in both orders, only k1's two decisions agree.
    expect(s.consistency).toMatchObject({ compared: 4, agreed: 1 });
  });

  it("binaryOutcome: right or wrong in Overall and the pair's category; null without an answer", () => {
    const metrics = judgebenchGpt.metrics!;
    const right = result(pair('A>B', 'Math'), outcome('A>B'), outcome('B>A'));
    const tied = result(pair('A>B', 'Math'), outcome('A>B'), outcome('A>B'));
    const none = result(pair('A>B', 'Math'), { status: 'error', message: 'x' }, outcome('B>A'));
    expect(metrics.binaryOutcome!(right)).toEqual({ columns: ['Overall', 'Math'], correct: true });
    expect(metrics.binaryOutcome!(tied)).toEqual({ columns: ['Overall', 'Math'], correct: false });
    expect(metrics.binaryOutcome!(none)).toEqual({ columns: ['Overall', 'Math'], correct: null });
    expect(Object.keys(metrics.values(scoreJudgeBench([right])))).toEqual([
      'Overall',
      'Knowledge',
      'Reasoning',
      'Math',
      'Coding',
    ]);
  });
});
