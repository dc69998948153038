/**
 * compare.json's verdict: the regression gate's settings, what it found, the exit code, and for each regression the
 * items that decided it (checked against both judges' own per-item scores from eval's predictions.jsonl).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBSET_MAPPING } from '../benchmarks/rewardbench/constants.ts';
import { type BenchmarkComparison, DECIDING_ITEMS_CAP } from '../harness/compare.ts';
import { REGRESSION_EXIT_CODE } from '../harness/commands/compare.ts';
import type { CompareVerdict } from '../reports/compare.ts';
import { runCli, tempDir } from './helpers.ts';

const FAST = ['--resamples', '200', '--permutations', '200', '--no-progress'];
const REPLAY = 'replay:Skywork/Skywork-Reward-Gemma-2-27B';

function readCompare(dir: string): { comparisons: BenchmarkComparison[]; verdict: CompareVerdict } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'compare.json'), 'utf8'));
}

/** Item id → RewardBench score (1 right, 0 wrong) from an eval's predictions.jsonl, in item order. */
function scores(out: string): Map<string, number> {
  const lines = fs.readFileSync(path.join(out, 'predictions.jsonl'), 'utf8').trim().split('\n');
  return new Map(
    lines.map((l) => JSON.parse(l) as { item_id: string; score: number }).map((r) => [r.item_id, r.score]),
  );
}

describe('compare.json verdict', () => {
  it('a regression with --fail-on-regression: exit 6, the gate, and the items that decided it', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    const limit = ['--limit', '1000'];
    for (const [judge, out] of [
      [REPLAY, 'strong'],
      ['random', 'random'],
    ] as const) {
      const run = await runCli([
        'eval',
        '--judge',
        judge,
        ...limit,
        '--resamples',
        '0',
        '--store',
        store,
        '--out',
        path.join(dir, out),
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    const strong = scores(path.join(dir, 'strong'));
    const weak = scores(path.join(dir, 'random'));
    const ids = [...weak.keys()];
    // The discordant pairs, from each judge's own scores: only the baseline right, only the candidate right.
    const baselineOnly = ids.filter((id) => strong.get(id) === 1 && weak.get(id) === 0);
    const candidateOnly = ids.filter((id) => strong.get(id) === 0 && weak.get(id) === 1);
    expect(baselineOnly.length).toBeGreaterThan(DECIDING_ITEMS_CAP);

    const compare = ['compare', '--judge', 'random', '--baseline', REPLAY, ...limit, '--store', store, ...FAST];
    const gated = await runCli([...compare, '--fail-on-regression', '--out', path.join(dir, 'gated')]);
    expect(gated.code, gated.stderr).toBe(REGRESSION_EXIT_CODE);
    const { comparisons, verdict } = readCompare(path.join(dir, 'gated'));
    expect(verdict).toMatchObject({
      regression: true,
      threshold: 0,
      alpha: 0.05,
      failOnRegression: true,
      exitCode: REGRESSION_EXIT_CODE,
    });
    const [c] = comparisons;
    const losses = c!.categories.filter((k) => k.verdict === 'loss');
    expect(verdict.regressions.map((r) => r.category)).toEqual(losses.map((k) => k.category));
    expect(verdict.regressions.map((r) => r.category)).toEqual(expect.arrayContaining(['Avg', 'Chat']));
    for (const r of verdict.regressions) {
      const k = losses.find((l) => l.category === r.category)!;
      expect(r).toEqual({
        candidate: 'random',
        baseline: REPLAY,
        benchmark: 'rewardbench',
        category: k.category,
        delta: k.difference,
        interval: k.ci,
        test: k.test,
        p: k.p,
        pHolm: k.pHolm,
        decidingItems: k.decidingItems,
      });
      expect(r.delta).toBeLessThan(0);
    }

    // Chat is right/wrong (McNemar): its deciding items are exactly its discordant pairs, in item order.
    const chat = verdict.regressions.find((r) => r.category === 'Chat')!;
    const chatItems = (list: string[]) => list.filter((id) => SUBSET_MAPPING.Chat.includes(id.split('/')[0]!));
    expect(chat.test).toBe('McNemar exact');
    expect(chat.decidingItems).toEqual({
      basis: 'right/wrong',
      baselineBetter: {
        count: chatItems(baselineOnly).length,
        ids: chatItems(baselineOnly).slice(0, DECIDING_ITEMS_CAP),
      },
      candidateBetter: { count: chatItems(candidateOnly).length, ids: chatItems(candidateOnly) },
    });
    const chatCategory = c!.categories.find((k) => k.category === 'Chat')!;
    expect(chatCategory.discordant).toEqual({
      candidateOnly: chatItems(candidateOnly).length,
      baselineOnly: chatItems(baselineOnly).length,
    });

    // Avg weights sections, so it is tested by permutation and its items found by exchanging each alone: the same
    // discordant items, every section's, the ones weighing most first; the list is capped, the count is not.
    const avg = verdict.regressions.find((r) => r.category === 'Avg')!.decidingItems!;
    expect(avg.basis).toBe('exchange');
    expect(avg.baselineBetter!.count).toBe(baselineOnly.length);
    expect(avg.baselineBetter!.ids).toHaveLength(DECIDING_ITEMS_CAP);
    expect(baselineOnly).toEqual(expect.arrayContaining(avg.baselineBetter!.ids));
    expect(avg.candidateBetter!.count).toBe(candidateOnly.length);
    expect([...avg.candidateBetter!.ids].sort()).toEqual([...candidateOnly].sort().slice(0, DECIDING_ITEMS_CAP));

    const md = fs.readFileSync(path.join(dir, 'gated', 'compare.md'), 'utf8');
    const drop = (-verdict.regressions[0]!.delta).toFixed(1);
    expect(md).toContain(
      `**Verdict**: Regression: random is worse than ${REPLAY} on rewardbench Avg by ${drop} points`,
    );
    expect(md).toContain(`items only ${REPLAY} got right: ${chatItems(baselineOnly).length}`);
    expect(md).toContain('Exit 6 (--fail-on-regression).');

    // Above every drop, no regression: the verdict says so and the command exits 0.
    const passed = await runCli([
      ...compare,
      '--fail-on-regression',
      '--regression-threshold',
      '99',
      '--out',
      path.join(dir, 'passed'),
    ]);
    expect(passed.code, passed.stderr).toBe(0);
    const after = readCompare(path.join(dir, 'passed')).verdict;
    expect(after).toEqual({
      regression: false,
      threshold: 99,
      alpha: 0.05,
      failOnRegression: true,
      exitCode: 0,
      regressions: [],
    });
    expect(fs.readFileSync(path.join(dir, 'passed', 'compare.md'), 'utf8')).toContain('**Verdict**: No regression');
  }, 180_000);
});
