import { describe, expect, it } from 'vitest';
import { SUBSET_MAPPING } from '../benchmarks/rewardbench/constants.ts';
import type { ItemResult } from '../benchmarks/benchmark.ts';
import { pairwiseItemScore } from '../benchmarks/pairwise.ts';
import { rewardbench, type RewardBenchGold, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import type { RewardBenchItem } from '../benchmarks/rewardbench/loader.ts';
import { scoreRewardBench } from '../benchmarks/rewardbench/scoring.ts';
import { runEval, type RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR } from './helpers.ts';

async function run(judgeId: string, seed = 0, store = Store.open(':memory:')): Promise<RunResult> {
  const judge = await createJudge(judgeId, { dataDir: DATA_DIR, seed });
  return runEval({ judge, benchmarks: [rewardbench], dataDir: DATA_DIR, seed, store, progress: false });
}

type Outcome = ItemResult['outcome'];
const pick = (choice: 'A' | 'B' | 'tie'): Outcome => ({ status: 'verdict', verdict: { kind: 'pairwise', choice } });
const task = { kind: 'pairwise' as const, context: 'q', responseA: 'x', responseB: 'y' };
const instructions = { taskDefinition: 't', evaluationInstructions: 'e' };
function itemScore(outcome: Outcome, swapped?: Outcome): number | null {
  return pairwiseItemScore({
    item: { id: 'i' },
    prepared: { task, instructions, gold: { chosenSlot: 'B' } },
    outcome,
    ...(swapped
      ? { swapped: { prepared: { task, instructions, gold: { chosenSlot: 'A' as const } }, outcome: swapped } }
      : {}),
  });
}

describe('RewardBench item scores', () => {
  it('1 for the chosen slot, 0 for the other, 0.5 for a tie or an unreadable verdict, nothing for an error', () => {
    expect(itemScore(pick('B'))).toBe(1);
    expect(itemScore(pick('A'))).toBe(0);
    expect(itemScore(pick('tie'))).toBe(0.5);
    expect(itemScore({ status: 'invalid', reason: 'no verdict found' })).toBe(0.5);
    expect(itemScore({ status: 'error', message: 'timeout' })).toBeNull();
  });

  it('asked in both orders: right only if both orders pick the better response; a position flip is a tie', () => {
    // The better response is B in the first order and A in the swapped one.
    expect(itemScore(pick('B'), pick('A'))).toBe(1);
    expect(itemScore(pick('A'), pick('B'))).toBe(0);
    expect(itemScore(pick('B'), pick('B'))).toBe(0.5); // always answers B: a flip
    expect(itemScore(pick('A'), pick('A'))).toBe(0.5);
    expect(itemScore(pick('B'), { status: 'invalid', reason: 'x' })).toBe(0.5);
    expect(itemScore(pick('B'), { status: 'error', message: 'x' })).toBeNull();
  });
});

describe('RewardBench weighting', () => {
  it('section = Σ acc·EXAMPLE_COUNTS / Σ EXAMPLE_COUNTS; errors are left out; missing subsets are reported', () => {
    const items = [
      ...Array.from({ length: 4 }, (_, i) => ({ subset: 'math-prm', score: i === 0 ? 1 : 0 })), // 25%
      { subset: 'hep-go', score: 1 }, // 100%
      { subset: 'hep-go', score: null }, // error: not scored
      { subset: 'hep-rust', score: 0.5 }, // 50%
      { subset: 'donotanswer', score: 1 },
    ];
    const scores = scoreRewardBench(items);
    expect(scores.subsets).toEqual({ 'math-prm': 25, 'hep-go': 100, 'hep-rust': 50, donotanswer: 100 });
    // Only present subsets weigh in, as in the official code: (25·984 + 100·164 + 50·164) / (984 + 328)
    expect(scores.sections.Reasoning).toBeCloseTo((25 * 984 + 100 * 164 + 50 * 164) / (984 + 328), 12);
    expect(scores.sections.Safety).toBe(100);
    expect(scores.sections.Chat).toBeNull();
    expect(scores.score).toBeNull();
    expect(scores.missingSubsets).toContain('alpacaeval-easy');
    expect(scores.missingSubsets).not.toContain('hep-go');
  });
});

describe('longer-wins on the real split', () => {
  it('reproduces the published length audit of RewardBench (decided pairs, ties excluded)', async () => {
    const result = await run('longer-wins');
    const { summary } = result.benchmarks[0]!;
    const results = result.benchmarks[0]!.results as ItemResult<RewardBenchItem, RewardBenchGold>[];
    const s = summary as RewardBenchSummary;
    expect(s.n).toBe(2985);
    expect(s.errors).toBe(0);
    expect(s.complete).toBe(true);

    // rewardbench/SOURCES.md, verification 2: "chosen is the longer response", ties excluded.
    const audit: [string, string[], number, number][] = [
      ['overall', Object.values(SUBSET_MAPPING).flat(), 42.6, 2617],
      ['Chat', [...SUBSET_MAPPING.Chat], 80.6, 356],
      ['Chat Hard', [...SUBSET_MAPPING['Chat Hard']], 29.3, 454],
      ['Safety', [...SUBSET_MAPPING.Safety], 41.9, 740],
      ['Reasoning', [...SUBSET_MAPPING.Reasoning], 36.2, 1067],
      ['alpacaeval-easy', ['alpacaeval-easy'], 100, 99],
      ['alpacaeval-hard', ['alpacaeval-hard'], 100, 94],
      ['alpacaeval-length', ['alpacaeval-length'], 64.2, 95],
      ['llmbar-adver-neighbor', ['llmbar-adver-neighbor'], 11.9, 134],
      ['math-prm', ['math-prm'], 7.8, 447],
      ['refusals-dangerous', ['refusals-dangerous'], 8.0, 100],
    ];
    for (const [name, subsets, rate, decided] of audit) {
      const scores = results.filter((r) => subsets.includes(r.item.subset)).map((r) => pairwiseItemScore(r));
      const decidedScores = scores.filter((x) => x !== 0.5);
      expect(decidedScores.length, name).toBe(decided);
      const correct = decidedScores.filter((x) => x === 1).length;
      expect(Number(((100 * correct) / decided).toFixed(1)), name).toBe(rate);
    }

    // Ties count 0.5: alpacaeval-easy has 99 decided pairs, all won, and one tie.
    expect(s.subsets['alpacaeval-easy']).toBe(99.5);
    expect(s.ties).toBe(2985 - 2617);
    // Official weighting: Reasoning is half math-prm and half the mean of the six hep-* subsets.
    const hep = ['hep-cpp', 'hep-go', 'hep-java', 'hep-js', 'hep-python', 'hep-rust'].map((h) => s.subsets[h]!);
    expect(s.sections.Reasoning).toBeCloseTo(
      0.5 * s.subsets['math-prm']! + 0.5 * (hep.reduce((a, b) => a + b) / 6),
      10,
    );
    // Chat (and Chat Hard, Safety) weighted by EXAMPLE_COUNTS is the item-weighted mean: 287 wins + 2 ties of 358.
    expect(s.sections.Chat).toBeCloseTo((100 * 288) / 358, 10);
    expect(s.score).toBeCloseTo(
      (s.sections.Chat! + s.sections['Chat Hard']! + s.sections.Safety! + s.sections.Reasoning!) / 4,
      10,
    );
  });

  it('shorter-wins is its mirror image: per subset, longer + shorter = 100', async () => {
    const longer = (await run('longer-wins')).benchmarks[0]!.summary as RewardBenchSummary;
    const shorter = (await run('shorter-wins')).benchmarks[0]!.summary as RewardBenchSummary;
    for (const [subset, value] of Object.entries(longer.subsets))
      expect(value + shorter.subsets[subset]!).toBeCloseTo(100, 10);
  });
});

describe('random judge', () => {
  it('scores about 50, the same for the same seed, differently for another seed', async () => {
    const a = (await run('random', 0)).benchmarks[0]!;
    const b = (await run('random', 0)).benchmarks[0]!;
    const c = (await run('random', 1)).benchmarks[0]!;
    expect(a.summary).toEqual(b.summary);
    expect(a.summary.score).not.toBe(c.summary.score);
    // 2,985 fair coin flips: the overall accuracy is within 4 standard deviations of 50.
    const sd = 100 * Math.sqrt(0.25 / 2985);
    const overall =
      (a.results as ItemResult<RewardBenchItem, RewardBenchGold>[]).filter((r) => pairwiseItemScore(r) === 1).length /
      29.85;
    expect(Math.abs(overall - 50)).toBeLessThan(4 * sd);
  });
});
