/**
 * `compare` through the real CLI on real data: items both judges answered only, per-category differences with paired
 * intervals and tests, Holm-adjusted verdicts, the CI gate (--fail-on-regression) and the files it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchmarkComparison } from '../harness/compare.ts';
import { REGRESSION_EXIT_CODE } from '../harness/commands/compare.ts';
import { renderComparisonTerminal } from '../reports/compare.ts';
import { displayWidth } from '../reports/terminal.ts';
import { runCli, tempDir } from './helpers.ts';

const FAST = ['--resamples', '200', '--permutations', '200', '--no-progress'];

function readComparisons(dir: string): BenchmarkComparison[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'compare.json'), 'utf8')) as { comparisons: BenchmarkComparison[] })
    .comparisons;
}

describe('npm run compare', () => {
  it('a strong reward model against longer-wins on RewardBench: significant wins, ' +
    'McNemar where the category is right/wrong', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    const replay = 'replay:Skywork/Skywork-Reward-Gemma-2-27B';
    const evaluated = await runCli(['eval', '--judge', replay, '--store', store, '--no-progress', '--resamples', '0']);
    expect(evaluated.code).toBe(0);
    const { code, stdout } = await runCli([
      'compare',
      '--judge',
      replay,
      '--baseline',
      'random',
      '--store',
      store,
      '--out',
      dir,
      ...FAST,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('2985 items both judged');
    const [c] = readComparisons(dir);
    expect(c!.categories.map((k) => k.category)).toEqual(['Avg', 'Chat', 'Chat Hard', 'Safety', 'Reasoning']);
    const byName = Object.fromEntries(c!.categories.map((k) => [k.category, k]));
    // Chat, Chat Hard and Safety are plain means of right/wrong items (random never ties): McNemar. Avg and Reasoning
    // (math-prm up-weighted) are not: permutation.
    expect(byName.Chat!.test).toBe('McNemar exact');
    expect(byName.Safety!.test).toBe('McNemar exact');
    expect(byName.Avg!.test).toBe('paired permutation');
    expect(byName.Reasoning!.test).toBe('paired permutation');
    for (const k of c!.categories) {
      expect(k.verdict).toBe('win');
      expect(k.difference).toBeCloseTo(k.candidate! - k.baseline!, 10);
      expect(k.ci![0]).toBeLessThan(k.difference!);
      expect(k.ci![1]).toBeGreaterThan(k.difference!);
      expect(k.pHolm!).toBeGreaterThanOrEqual(k.p!);
    }
    // Candidate Avg equals its own eval score (both judged every item).
    expect(byName.Avg!.candidate).toBeCloseTo(93.8, 1);
    // The McNemar counts add up: the difference in right answers over the section's items is (b − c) / n.
    const chat = byName.Chat!;
    expect(chat.difference!).toBeCloseTo(
      (100 * (chat.discordant!.candidateOnly - chat.discordant!.baselineOnly)) / 358,
      6,
    );
    expect(fs.readFileSync(path.join(dir, 'compare.csv'), 'utf8').split('\n')[0]).toContain('p_holm');
    expect(fs.readFileSync(path.join(dir, 'compare.md'), 'utf8')).toContain('| Chat |');

    // On a terminal narrower than the table, each category becomes wrapped lines of the same cells; piped (no
    // width), the table is as before.
    const table = renderComparisonTerminal(c!, false);
    expect(renderComparisonTerminal(c!, false, undefined)).toBe(table);
    expect(table.split('\n').some((line) => line.length > 60)).toBe(true);
    const narrow = renderComparisonTerminal(c!, false, 60);
    for (const line of narrow.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    const flat = narrow.replace(/\s+/g, ' ');
    for (const k of c!.categories) {
      expect(flat).toContain(`${k.category} ▲`);
      expect(flat).toContain(`Δ: ${k.difference! > 0 ? '+' : ''}${k.difference!.toFixed(1)}`);
    }
  }, 120_000);

  it('compares only items both judges answered, and gates a regression with --fail-on-regression', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    // The candidate judged only the first 100 RewardBench items; the baseline (a free built-in, run by compare) all.
    const replay = 'replay:Skywork/Skywork-Reward-Gemma-2-27B';
    expect(
      (
        await runCli([
          'eval',
          '--judge',
          replay,
          '--limit',
          '100',
          '--store',
          store,
          '--no-progress',
          '--resamples',
          '0',
        ])
      ).code,
    ).toBe(0);
    const plain = await runCli([
      'compare',
      '--judge',
      replay,
      '--baseline',
      'longer-wins',
      '--store',
      store,
      '--out',
      dir,
      ...FAST,
    ]);
    expect(plain.code).toBe(0);
    const [c] = readComparisons(dir);
    expect(c!.items).toBe(2985);
    expect(c!.candidateAnswered).toBe(100);
    expect(c!.baselineAnswered).toBe(2985);
    expect(c!.compared).toBe(100);
    // The first 100 items are all Chat: the other sections have no compared item, so no value and no test.
    const chatHard = c!.categories.find((k) => k.category === 'Chat Hard')!;
    expect(chatHard.candidate).toBeNull();
    expect(chatHard.verdict).toBe('not tested');

    // shorter-wins is far worse than longer-wins on HHH (36.7 vs 63.3 on all items): a significant regression.
    const gate = [
      'compare',
      '--judge',
      'shorter-wins',
      '--baseline',
      'longer-wins',
      '--benchmark',
      'hhh',
      '--store',
      store,
      ...FAST,
    ];
    const failed = await runCli([...gate, '--fail-on-regression']);
    expect(failed.code).toBe(REGRESSION_EXIT_CODE);
    expect(failed.stderr).toMatch(
      /Regression: shorter-wins is worse than longer-wins on hhh Accuracy by 26\.\d points/,
    );
    expect((await runCli(gate)).code).toBe(0);
    // A threshold above every significant drop (the largest is helpful, −40.7 points) lets it pass.
    expect((await runCli([...gate, '--fail-on-regression', '--regression-threshold', '45'])).code).toBe(0);
  }, 120_000);

  it('says what to run when a judge has nothing stored', async () => {
    const dir = tempDir();
    const { code, stderr } = await runCli([
      'compare',
      '--judge',
      'replay:Skywork/Skywork-Reward-Gemma-2-27B',
      '--baseline',
      'random',
      '--store',
      path.join(dir, 's.sqlite'),
      ...FAST,
    ]);
    expect(code).toBe(4);
    expect(stderr).toContain(
      'npm run eval -- --judge replay:Skywork/Skywork-Reward-Gemma-2-27B --benchmark rewardbench',
    );
  }, 60_000);

  it('rejects a bad alpha and a missing baseline with one line', async () => {
    const bad = await runCli(['compare', '--judge', 'random', '--baseline', 'longer-wins', '--alpha', '2']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--alpha must be a number between 0 and 1');
    const none = await runCli(['compare', '--judge', 'random']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing --baseline');
  });
});
