import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyBenchmark, ItemResult } from '../benchmarks/benchmark.ts';
import { rewardbench, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import type { RewardBenchItem } from '../benchmarks/rewardbench/loader.ts';
import type { PairwiseGold } from '../protocol/positions.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { LLMBAR_DIR, listLLMBarReplays, loadLLMBarReplay } from '../judges/replay/llmbar.ts';
import { DATA_DIR } from './helpers.ts';

/** RewardBench's five llmbar-* subsets are LLMBar's 419 items (rewardbench/SOURCES.md, verification 1). */
const SUBSETS: Record<string, string> = {
  'llmbar-natural': 'Natural',
  'llmbar-adver-neighbor': 'Adversarial/Neighbor',
  'llmbar-adver-GPTInst': 'Adversarial/GPTInst',
  'llmbar-adver-GPTOut': 'Adversarial/GPTOut',
  'llmbar-adver-manual': 'Adversarial/Manual',
};
const llmbarPart: AnyBenchmark = {
  ...rewardbench,
  load: async (dataDir: string) =>
    (await rewardbench.load(dataDir)).filter((i: RewardBenchItem) => i.subset in SUBSETS),
};

/** "95 / 100 = 95.0%" → [95, 100] */
function count(value: string): [number, number] {
  const m = /^(\d+) \/ (\d+) =/.exec(value);
  if (!m) throw new Error(`unexpected statistics value ${value}`);
  return [Number(m[1]), Number(m[2])];
}

describe("replay of LLMBar's recorded LLM judgments on RewardBench's llmbar-* items", () => {
  it('lists the 25 judge/strategy pairs that have per-item results', async () => {
    const available = await listLLMBarReplays(DATA_DIR);
    expect(available).toHaveLength(25);
    expect(available).toContain('GPT-4/Vanilla');
    expect(available.filter((a) => a.startsWith('GPT-4/'))).toHaveLength(15);
  });

  it("asked in both orders, every pair reproduces LLMBar's own statistics.json per subset", async () => {
    const store = Store.open(':memory:');
    for (const name of await listLLMBarReplays(DATA_DIR)) {
      const [evaluator, strategy] = name.split('/') as [string, string];
      const judge = await createJudge(`replay:llmbar/${name}`, { dataDir: DATA_DIR, seed: 0 });
      const run = await runEval({
        judge,
        benchmarks: [llmbarPart],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        swap: true,
        progress: false,
      });
      const b = run.benchmarks[0]!;
      expect(b.summary.n, name).toBe(419);
      expect(b.summary.errors, name).toBe(0);

      const source = await loadLLMBarReplay(DATA_DIR, evaluator, strategy);
      const output1 = new Map(source.records.map((r) => [`${r.input}\u0000${r.output1}\u0000${r.output2}`, r.output1]));
      for (const [rbSubset, lbSubset] of Object.entries(SUBSETS)) {
        const results = (b.results as ItemResult<RewardBenchItem, PairwiseGold>[]).filter(
          (r) => r.item.subset === rbSubset,
        );
        let correctOriginal = 0;
        let correctSwapped = 0;
        let correctBoth = 0;
        for (const r of results) {
          // Which of our two presentations is LLMBar's "swap = False" (output_1 shown first)?
          const presentations = [
            { task: r.prepared.task, gold: r.prepared.gold, outcome: r.outcome },
            { task: r.swapped!.prepared.task, gold: r.swapped!.prepared.gold, outcome: r.swapped!.outcome },
          ];
          const isOriginal = (p: (typeof presentations)[number]): boolean =>
            p.task.kind === 'pairwise' &&
            output1.get(`${p.task.context}\u0000${p.task.responseA}\u0000${p.task.responseB}`) === p.task.responseA;
          const original = presentations.find(isOriginal)!;
          const swapped = presentations.find((p) => !isOriginal(p))!;
          const correct = (p: (typeof presentations)[number]): boolean =>
            p.outcome.status === 'verdict' &&
            p.outcome.verdict.kind === 'pairwise' &&
            p.outcome.verdict.choice === p.gold.chosenSlot;
          correctOriginal += Number(correct(original));
          correctSwapped += Number(correct(swapped));
          correctBoth += Number(correct(original) && correct(swapped));
        }
        const stats = JSON.parse(
          fs.readFileSync(
            path.join(DATA_DIR, LLMBAR_DIR, lbSubset, 'evaluators', evaluator, strategy, 'statistics.json'),
            'utf8',
          ),
        );
        expect([correctOriginal, results.length], `${name} ${lbSubset} correct_False`).toEqual(
          count(stats.correct_False),
        );
        expect([correctSwapped, results.length], `${name} ${lbSubset} correct_True`).toEqual(count(stats.correct_True));
        expect([correctBoth, results.length], `${name} ${lbSubset} correct_both`).toEqual(count(stats.correct_both));
      }
    }
  });

  it("scores GPT-4 Vanilla in one order at LLMBar's published correct_average on Natural (95.5%)", async () => {
    // With --swap, RewardBench's rule counts a flip as 0.5, so the mean over both orders equals the per-order average.
    const judge = await createJudge('replay:llmbar/GPT-4/Vanilla', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [llmbarPart],
      dataDir: DATA_DIR,
      seed: 0,
      store: Store.open(':memory:'),
      swap: true,
      progress: false,
    });
    const summary = run.benchmarks[0]!.summary as RewardBenchSummary;
    expect(summary.subsets['llmbar-natural']).toBeCloseTo(95.5, 10);
  });

  it('answers only LLMBar items: anything else is an error, not a guess', async () => {
    const judge = await createJudge('replay:llmbar/GPT-4/Vanilla', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store: Store.open(':memory:'),
      limit: 3,
      progress: false,
    });
    expect(run.benchmarks[0]!.summary.errors).toBe(3);
    await expect(createJudge('replay:llmbar/GPT-5/Vanilla', { dataDir: DATA_DIR, seed: 0 })).rejects.toThrow(
      /no LLMBar results for "GPT-5\/Vanilla"[\s\S]*llmbar\/GPT-4\/Vanilla/,
    );
  });
});
