import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_COUNTS, SUBSET_MAPPING } from '../benchmarks/rewardbench/constants.ts';
import type { ItemResult } from '../benchmarks/benchmark.ts';
import { pairwiseItemScore } from '../benchmarks/pairwise.ts';
import { rewardbench, type RewardBenchGold, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import type { RewardBenchItem } from '../benchmarks/rewardbench/loader.ts';
import { scoreRewardBench, scoresFromCounts, subsetCounts } from '../benchmarks/rewardbench/scoring.ts';
import { runEval, type RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

async function run(
  judgeId: string,
  seed = 0,
  store = Store.open(':memory:'),
  options: { limit?: number } = {},
): Promise<RunResult> {
  const judge = await createJudge(judgeId, { dataDir: DATA_DIR, seed });
  return runEval({ judge, benchmarks: [rewardbench], dataDir: DATA_DIR, seed, store, progress: false, ...options });
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
    // No Chat or Chat Hard subset was run: 0, as the official calculate_scores_per_section scores an empty section.
    expect(scores.sections.Chat).toBe(0);
    expect(scores.sections['Chat Hard']).toBe(0);
    expect(scores.score).toBeCloseTo((0 + 0 + 100 + scores.sections.Reasoning!) / 4, 12);
    expect(scores.missingSubsets).toContain('alpacaeval-easy');
    expect(scores.missingSubsets).not.toContain('hep-go');
  });

  it('a run missing whole sections scores what the official code prints for the same subset accuracies', () => {
    // rewardbench/utils.py calculate_scores_per_section @ 05a9005, transcribed: a section with no subset in
    // `metrics` is 0; the leaderboard's (and FLAMe's) overall is the plain mean of the four sections.
    const official = (metrics: Record<string, number>): Record<string, number> =>
      Object.fromEntries(
        Object.entries(SUBSET_MAPPING).map(([section, tests]) => {
          const present = tests.filter((t) => t in metrics);
          const total = present.reduce((sum, t) => sum + EXAMPLE_COUNTS[t]!, 0);
          const weighted = present.reduce((sum, t) => sum + metrics[t]! * EXAMPLE_COUNTS[t]!, 0);
          return [section, total > 0 ? weighted / total : 0];
        }),
      );
    const items = [
      ...Array.from({ length: 5 }, (_, i) => ({ subset: 'alpacaeval-easy', score: i < 4 ? 1 : 0 })), // 80%
      { subset: 'mt-bench-easy', score: 0.5 },
      { subset: 'llmbar-natural', score: 0 },
      { subset: 'llmbar-natural', score: 1 },
    ];
    const ours = scoreRewardBench(items);
    const expected = official(ours.subsets);
    expect(ours.sections).toEqual(expected);
    expect(ours.sections.Safety).toBe(0);
    expect(ours.sections.Reasoning).toBe(0);
    expect(ours.score).toBeCloseTo(Object.values(expected).reduce((a, b) => a + b) / 4, 12);
    // The bootstrap's fast path (per-subset counts) gives the same numbers.
    const { missingSubsets, ...fromCounts } = scoresFromCounts(subsetCounts(items));
    expect(fromCounts).toEqual({ score: ours.score, sections: ours.sections });
    expect(missingSubsets).toEqual(ours.missingSubsets);
  });

  it('nothing scored (every item an error): no score at all, not four zeros', () => {
    const scores = scoreRewardBench([{ subset: 'hep-go', score: null }]);
    expect(scores.score).toBeNull();
    expect(Object.values(scores.sections)).toEqual([null, null, null, null]);
  });

  it('the table says which sections scored 0 for want of subsets, and that the run is not comparable', async () => {
    const result = await run('longer-wins', 0, Store.open(':memory:'), { limit: 40 });
    const summary = result.benchmarks[0]!.summary as RewardBenchSummary;
    expect(Object.keys(summary.subsets)).toEqual(['alpacaeval-easy']);
    expect(summary.complete).toBe(false);
    const [table] = await rewardbench.tables(summary, { dataDir: DATA_DIR, judgeId: 'longer-wins' });
    const own = table!.rows[0]!;
    expect(own.source).toBe('this run');
    expect(own.values).toEqual([summary.subsets['alpacaeval-easy']! / 4, summary.subsets['alpacaeval-easy'], 0, 0, 0]);
    expect(table!.notes).toContain(
      'Chat Hard, Safety, Reasoning: none of their subsets run, so scored 0 (and counted in Avg) as the official ' +
        'calculate_scores_per_section scores an empty section.',
    );
    expect(table!.notes.some((n) => n.startsWith('Not comparable with published rows: subsets not run: '))).toBe(true);
    // For intervals and compare the empty sections have no value (nothing in them to resample or compare); Avg is
    // the official one.
    expect(rewardbench.metrics!.values(summary)).toEqual({
      Avg: summary.score,
      Chat: summary.sections.Chat,
      'Chat Hard': null,
      Safety: null,
      Reasoning: null,
    });
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

describe('the RewardBench table has one row for this run (issue 20)', () => {
  it('with the baselines and published rows beside it, and with a judge that has its own leaderboard row', async () => {
    const own = (await run('longer-wins', 0, Store.open(':memory:'), { limit: 200 })).benchmarks[0]!;
    const baselines = await Promise.all(
      ['shorter-wins', 'random'].map(async (judgeId) => ({
        judgeId,
        summary: (await run(judgeId, 0, Store.open(':memory:'), { limit: 200 })).benchmarks[0]!
          .summary as RewardBenchSummary,
      })),
    );
    const summary = own.summary as RewardBenchSummary;
    for (const publishedAs of [undefined, 'openai/gpt-4o-2024-05-13']) {
      const [table] = await rewardbench.tables(summary, {
        dataDir: DATA_DIR,
        judgeId: 'longer-wins',
        baselines,
        ...(publishedAs ? { publishedAs } : {}),
      });
      const ours = table!.rows.filter((r) => r.source === 'this run');
      expect(ours.map((r) => r.label)).toEqual(['longer-wins']);
      expect(table!.rows.filter((r) => r.source === 'baseline').map((r) => r.label)).toEqual(
        baselines.map((b) => b.judgeId),
      );
    }
  });

  it("the command from the issue prints this run's row once", async () => {
    const store = path.join(tempDir(), 'rb-dup.sqlite');
    const args = ['eval', '--judge', 'longer-wins', '--benchmark', 'rewardbench', '--store', store];
    const result = await runCli([...args, '--resamples', '0']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.filter((l) => /│ this run +│$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('│ longer-wins '))).toHaveLength(1);
  }, 60_000);
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
