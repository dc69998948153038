import { describe, expect, it } from 'vitest';
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import { rewardbench, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { sampleItems } from '../protocol/sample.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR } from './helpers.ts';

describe('--sample', () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: `item-${i}`, sampleGroup: i < 900 ? 'big' : 'small' }));

  it('draws N items per group, all of a smaller group, in the original order, the same for the same seed', () => {
    const sample = sampleItems(items, 256, 0, 'demo');
    expect(sample.filter((i) => i.sampleGroup === 'big')).toHaveLength(256);
    expect(sample.filter((i) => i.sampleGroup === 'small')).toHaveLength(100);
    expect(sample.map((i) => Number(i.id.slice(5)))).toEqual(
      [...sample.map((i) => Number(i.id.slice(5)))].sort((a, b) => a - b),
    );
    expect(sampleItems(items, 256, 0, 'demo')).toEqual(sample);
    expect(sampleItems([...items].reverse(), 256, 0, 'demo').reverse()).toEqual(sample);
    expect(sampleItems(items, 256, 1, 'demo')).not.toEqual(sample);
  });

  it('leaves a benchmark the paper runs in full alone (RewardBench)', async () => {
    expect(await prepareItems(rewardbench, DATA_DIR, 0, { sample: 256 })).toHaveLength(2985);
    const sampled: AnyBenchmark = { ...rewardbench, id: 'rewardbench-sampled', runInFull: false };
    expect(await prepareItems(sampled, DATA_DIR, 0, { sample: 256 })).toHaveLength(256);
  });
});

describe('--swap', () => {
  it('asks every pairwise item in both orders, stores both, and reports order consistency', async () => {
    const store = Store.open(':memory:');
    const judge = await createJudge('longer-wins', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store,
      swap: true,
      progress: false,
    });
    const b = run.benchmarks[0]!;
    expect(b.asked).toBe(2 * 2985);
    for (let i = 0; i < b.results.length; i++) {
      const original = b.judgments[i]!;
      const swapped = b.swappedJudgments[i]!;
      expect(swapped.promptHash).not.toBe(original.promptHash);
      const task = b.results[i]!.prepared.task;
      const mirrored = b.results[i]!.swapped!.prepared.task;
      if (task.kind !== 'pairwise' || mirrored.kind !== 'pairwise') throw new Error('pairwise expected');
      expect([mirrored.responseA, mirrored.responseB]).toEqual([task.responseB, task.responseA]);
    }
    // A length judge has no position bias: every item agrees across orders, so the score is the single-order one.
    const s = b.summary as RewardBenchSummary;
    expect(s.consistency).toEqual({ compared: 2985, agreed: 2985, rate: 100 });
    const single = await runEval({
      judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store,
      progress: false,
    });
    expect(single.benchmarks[0]!.asked).toBe(0); // the first order was already stored by the swapped run
    expect(single.benchmarks[0]!.summary.score).toBeCloseTo(s.score!, 12);
  });
});
