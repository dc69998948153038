import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../benchmarks/benchmark.ts';
import { TABLE_1 } from '../benchmarks/flame-paper.ts';
import { contrastiveSearch } from '../benchmarks/heldout/contrastive-search/index.ts';
import { copoem } from '../benchmarks/heldout/copoem/index.ts';
import { expertLfqa } from '../benchmarks/heldout/expert-lfqa/index.ts';
import { hhh } from '../benchmarks/heldout/hhh/index.ts';
import type { HumanPair } from '../benchmarks/heldout/human-pair.ts';
import { litmt } from '../benchmarks/heldout/litmt/index.ts';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import type { HeldoutBenchmark } from '../benchmarks/heldout/pairwise-set.ts';
import { rankgen } from '../benchmarks/heldout/rankgen/index.ts';
import type { HeldoutGold, HeldoutSummary } from '../benchmarks/heldout/scoring.ts';
import { pairwiseItemScore } from '../benchmarks/pairwise.ts';
import { chosenSlot } from '../protocol/positions.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { LLMBAR_DIR as LLMBAR_RESULTS_DIR } from '../judges/replay/llmbar.ts';
import { DATA_DIR } from './helpers.ts';

type Result = ItemResult<HumanPair, HeldoutGold>;

async function run(benchmark: HeldoutBenchmark, judgeId: string, options: { seed?: number; swap?: boolean } = {}) {
  const seed = options.seed ?? 0;
  const judge = await createJudge(judgeId, { dataDir: DATA_DIR, seed });
  const result = await runEval({
    judge,
    benchmarks: [benchmark],
    dataDir: DATA_DIR,
    seed,
    store: Store.open(':memory:'),
    progress: false,
    swap: options.swap,
  });
  const b = result.benchmarks[0]!;
  return { summary: b.summary as HeldoutSummary, results: b.results as Result[] };
}

/**
 * How SOURCES.md's "longer response wins" rates treat equal lengths: the response the source lists first wins
 * only when it is strictly longer; otherwise (shorter *or equal*) the second one does, as Python's
 * `first if len(first) > len(second) else second` would. Two figures decide it:
 *  - LLMBar Natural 0.560 = 56/100: its one equal-length pair has label 1 (output_1), counted as lost
 *    (scoring it 0.5 would give 0.565; counting it won, 0.570);
 *  - RankGen 0.540 = 108/200: its one equal-length pair is won by Input.Second, counted as won
 *    (counting only strictly longer winners would give 0.535).
 * All the other figures agree with this rule. Our longer-wins judge answers "tie" on equal lengths, which scores
 * 0.5, so the comparable rate is: items scored 1, plus tied items whose preferred response is the second.
 */
function sourcesLongerRate(results: readonly Result[]): number {
  let won = 0;
  for (const r of results) {
    const outcome = r.outcome;
    if (outcome.status !== 'verdict' || outcome.verdict.kind !== 'pairwise')
      throw new Error('length judges always answer');
    if (outcome.verdict.choice === 'tie') won += r.item.better === 'second' ? 1 : 0;
    else won += pairwiseItemScore(r) === 1 ? 1 : 0;
  }
  return Number((won / results.length).toFixed(3));
}

// SOURCES.md, "Longer response wins" baseline (character length), under the recommended labels.
const LONGER_WINS: [HeldoutBenchmark, number][] = [
  [hhh, 0.629],
  [contrastiveSearch, 0.23],
  [rankgen, 0.54],
  [copoem, 0.627],
  [expertLfqa, 0.69],
  [litmt, 0.485],
];
const LLMBAR_LONGER_WINS: Record<string, number> = {
  Natural: 0.56,
  Neighbor: 0.119,
  GPTInst: 0.13,
  GPTOut: 0.447,
  Manual: 0.174,
};

const ALL = [llmbar, contrastiveSearch, hhh, copoem, rankgen, expertLfqa, litmt];

describe('longer-wins reproduces the length baselines of SOURCES.md', () => {
  it.each(LONGER_WINS.map(([b, rate]) => [b.id, b, rate] as const))('%s', async (_id, benchmark, rate) => {
    const { summary, results } = await run(benchmark, 'longer-wins');
    expect(summary.errors).toBe(0);
    expect(sourcesLongerRate(results)).toBe(rate);
    // Our own score counts the judge's length ties as 0.5, like any tie.
    const wins = results.filter((r) => pairwiseItemScore(r) === 1).length;
    expect(summary.score).toBeCloseTo((100 * (wins + 0.5 * summary.ties)) / summary.n, 10);
  });

  it('llmbar, per subset', async () => {
    const { summary, results } = await run(llmbar, 'longer-wins');
    for (const [subset, rate] of Object.entries(LLMBAR_LONGER_WINS)) {
      expect(sourcesLongerRate(results.filter((r) => r.item.group === subset)), subset).toBe(rate);
    }
    // Pooled is the item-weighted mean of the subsets.
    const pooled =
      Object.entries(summary.groups).reduce((sum, [g, acc]) => sum + acc! * summary.groupSizes[g]!, 0) / summary.n;
    expect(summary.score).toBeCloseTo(pooled, 10);
  });
});

describe('shorter-wins and random', () => {
  it.each(ALL.map((b) => [b.id, b] as const))(
    '%s: shorter-wins mirrors longer-wins overall and per group',
    async (_id, benchmark) => {
      const longer = (await run(benchmark, 'longer-wins')).summary;
      const shorter = (await run(benchmark, 'shorter-wins')).summary;
      expect(longer.score! + shorter.score!).toBeCloseTo(100, 10);
      for (const [group, value] of Object.entries(longer.groups))
        expect(value! + shorter.groups[group]!, group).toBeCloseTo(100, 10);
      if (longer.perAnnotation)
        expect(longer.perAnnotation.agreement! + shorter.perAnnotation!.agreement!).toBeCloseTo(100, 10);
    },
  );

  it('random: the same for the same seed, about 50 on the pooled 1,673 items, different for another seed', async () => {
    const scores: number[] = [];
    const seed1: number[] = [];
    let n = 0;
    let right = 0;
    for (const benchmark of ALL) {
      const a = await run(benchmark, 'random', { seed: 0 });
      const b = await run(benchmark, 'random', { seed: 0 });
      expect(a.summary).toEqual(b.summary);
      expect(a.summary.ties).toBe(0); // random never says tie: every item is 1 or 0
      scores.push(a.summary.score!);
      seed1.push((await run(benchmark, 'random', { seed: 1 })).summary.score!);
      n += a.summary.n;
      right += a.results.filter((r) => pairwiseItemScore(r) === 1).length;
    }
    expect(n).toBe(419 + 113 + 221 + 51 + 200 + 129 + 540);
    // n fair coin flips: within 4 standard deviations of 50%.
    expect(Math.abs(right / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    expect(seed1).not.toEqual(scores);
  });
});

describe('positions', () => {
  it.each(ALL.map((b) => [b.id, b] as const))(
    '%s: A/B by chosenSlot(seed, id, item id), preferred response at the gold slot, about half A',
    async (_id, benchmark) => {
      const entries = await prepareItems(benchmark, DATA_DIR, 0);
      let a = 0;
      for (const entry of entries) {
        const item = entry.item as HumanPair;
        const { task, gold } = entry.prepared as {
          task: { kind: string; responseA: string; responseB: string; context: string };
          gold: HeldoutGold;
        };
        expect(gold.chosenSlot).toBe(chosenSlot(0, benchmark.id, item.id));
        const preferred = item.better === 'first' ? item.first : item.second;
        expect(gold.chosenSlot === 'A' ? task.responseA : task.responseB).toBe(preferred);
        expect(task.context).toBe(item.context);
        if (gold.chosenSlot === 'A') a += 1;
      }
      // A binomial(n, 1/2) count is within 4 standard deviations of n/2.
      expect(Math.abs(a - entries.length / 2)).toBeLessThan(4 * Math.sqrt(entries.length / 4));
    },
  );

  it('--swap mirrors every item: a length judge agrees with itself across orders and scores the same', async () => {
    for (const benchmark of [copoem, hhh]) {
      const plain = (await run(benchmark, 'longer-wins')).summary;
      const swapped = (await run(benchmark, 'longer-wins', { swap: true })).summary;
      expect(swapped.consistency).toEqual({ compared: plain.n, agreed: plain.n, rate: 100 });
      expect(swapped.score).toBeCloseTo(plain.score!, 10);
    }
  });
});

describe('tables', () => {
  it('HHH: this run, the baselines and the paper column of Table 1, with the breakdown by source', async () => {
    const own = await run(hhh, 'random');
    const baselines = [];
    for (const id of ['longer-wins', 'shorter-wins'])
      baselines.push({ judgeId: id, summary: (await run(hhh, id)).summary });
    const [table] = await hhh.tables(own.summary, { dataDir: DATA_DIR, judgeId: 'random', baselines });
    expect(table!.columns).toEqual(['Accuracy', 'harmless', 'helpful', 'honest', 'other']);
    expect(table!.rows[0]).toMatchObject({
      label: 'random',
      source: 'this run',
      values: [own.summary.score, ...Object.values(own.summary.groups)],
    });
    expect(table!.rows.slice(1, 3).map((r) => [r.label, r.source])).toEqual([
      ['longer-wins', 'baseline'],
      ['shorter-wins', 'baseline'],
    ]);
    const paper = table!.rows.filter((r) => r.source === 'paper');
    expect(paper.map((r) => r.label)).toEqual(TABLE_1.map((r) => r.model));
    expect(paper.map((r) => r.values[0])).toEqual(TABLE_1.map((r) => r.values.HHH));
    expect(paper.every((r) => r.values.slice(1).every((v) => v === null))).toBe(true);
    expect(table!.notes.join('\n')).toContain('221 items');
  });

  it('Contrastive Search: per-annotation column, and the tied pairs are reported', async () => {
    const own = await run(contrastiveSearch, 'longer-wins');
    const [table] = await contrastiveSearch.tables(own.summary, { dataDir: DATA_DIR, judgeId: 'longer-wins' });
    expect(table!.columns).toEqual(['Accuracy', 'book', 'wikinews', 'wikitext', 'Per-annotation']);
    expect(table!.rows[0]!.values.at(-1)).toBe(own.summary.perAnnotation!.agreement);
    const notes = table!.notes.join('\n');
    expect(notes).toContain('113 items');
    expect(notes).toMatch(/37 pairs whose annotator votes were tied \(\d+ votes\) left out/);
    expect(table!.rows.filter((r) => r.source === 'paper').map((r) => r.values[0])).toEqual(
      TABLE_1.map((r) => r.values.ContS),
    );
  });

  it('LLMBar is not in Table 1: no paper rows, pooled, per subset and the Adversarial average', async () => {
    const own = await run(llmbar, 'longer-wins');
    const [table] = await llmbar.tables(own.summary, { dataDir: DATA_DIR, judgeId: 'longer-wins' });
    expect(llmbar.paperColumn).toBeUndefined();
    expect(table!.columns).toEqual([
      'Accuracy',
      'Natural',
      'Neighbor',
      'GPTInst',
      'GPTOut',
      'Manual',
      'Adversarial avg',
    ]);
    expect(table!.rows.some((r) => r.source === 'paper')).toBe(false);
  });

  it("LLMBar's Adversarial average: the plain mean of the four subsets' accuracies, as LLMBar reports it", async () => {
    const own = await run(llmbar, 'longer-wins');
    const baselines = await Promise.all(
      ['shorter-wins', 'random'].map(async (judgeId) => ({ judgeId, summary: (await run(llmbar, judgeId)).summary })),
    );
    const [table] = await llmbar.tables(own.summary, { dataDir: DATA_DIR, judgeId: 'longer-wins', baselines });
    const column = table!.columns.indexOf('Adversarial avg');
    const adversarial = ['Neighbor', 'GPTInst', 'GPTOut', 'Manual'];
    // Every measured row (this run and the baselines) gets the column, from its own per-subset accuracies.
    expect(table!.rows.map((r) => r.source)).toEqual(['this run', 'baseline', 'baseline']);
    for (const [row, summary] of [own.summary, ...baselines.map((b) => b.summary)].map(
      (s, i) => [table!.rows[i]!, s] as const,
    )) {
      const plain = adversarial.reduce((sum, g) => sum + summary.groups[g]!, 0) / 4;
      expect(row.values[column]).toBeCloseTo(plain, 10);
      expect(llmbar.metrics!.values(summary)['Adversarial avg']).toBeCloseTo(plain, 10);
    }
    // Not the pooled accuracy of the 319 Adversarial items: the subsets' sizes (134, 92, 47, 46) do not weigh in.
    const s = own.summary;
    const pooled = adversarial.reduce((sum, g) => sum + s.groups[g]! * s.groupSizes[g]!, 0) / 319;
    expect(Math.abs(table!.rows[0]!.values[column]! - pooled)).toBeGreaterThan(1);
    expect(table!.notes.join('\n')).toContain(
      "Adversarial avg: the plain mean of the four Adversarial subsets' accuracies (Neighbor, GPTInst, GPTOut, Manual)",
    );
  });

  it("LLMBar's recorded results: the plain mean gives GPT-4's quoted Adversarial figure, pooling does not", () => {
    // GPT-4 with Rules+Metrics+Reference (LLMBar's best evaluator): its Adversarial average is quoted as 82.8.
    const accuracy = (subset: string): number => {
      const file = path.join(
        DATA_DIR,
        LLMBAR_RESULTS_DIR,
        subset,
        'evaluators/GPT-4/Metrics_Reference/statistics.json',
      );
      return Number.parseFloat(JSON.parse(fs.readFileSync(file, 'utf8')).correct_average);
    };
    const sizes: Record<string, number> = { Neighbor: 134, GPTInst: 92, GPTOut: 47, Manual: 46 };
    const values = Object.keys(sizes).map((subset) => accuracy(`Adversarial/${subset}`));
    expect(Number((values.reduce((a, b) => a + b) / 4).toFixed(1))).toBe(82.8);
    const pooled = Object.values(sizes).reduce((sum, n, i) => sum + values[i]! * n, 0) / 319;
    expect(Number(pooled.toFixed(1))).toBe(84.5);
  });

  it('LLMBar: the Adversarial average is blank when a subset has no scored item (a --limit run)', async () => {
    const judge = await createJudge('longer-wins', { dataDir: DATA_DIR, seed: 0 });
    const result = await runEval({
      judge,
      benchmarks: [llmbar],
      dataDir: DATA_DIR,
      seed: 0,
      store: Store.open(':memory:'),
      progress: false,
      limit: 150,
    });
    const summary = result.benchmarks[0]!.summary as HeldoutSummary;
    expect(summary.groups.Manual).toBeNull();
    expect(llmbar.metrics!.values(summary)['Adversarial avg']).toBeNull();
  });
});
