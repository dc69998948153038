import { describe, expect, it } from 'vitest';
import { rewardbench, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import { loadLeaderboard } from '../benchmarks/rewardbench/leaderboard.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { isComplete, loadResponseMatrix } from '../judges/replay/rewardbench-matrix.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

describe('replay of published per-item RewardBench results', () => {
  it('every complete model reproduces its leaderboard row to within 0.05 points', async () => {
    const matrix = await loadResponseMatrix(DATA_DIR);
    const complete = [...matrix.models].filter(([, outcomes]) => isComplete(outcomes)).map(([model]) => model);
    expect(complete).toHaveLength(133);
    const leaderboard = await loadLeaderboard(DATA_DIR);
    const store = Store.open(`${tempDir()}/replay.sqlite`);

    let compared = 0;
    let comparedScore = 0;
    let worst = 0;
    for (const model of complete) {
      const judge = await createJudge(`replay:${model}`, { dataDir: DATA_DIR, seed: 0 });
      const run = await runEval({
        judge,
        benchmarks: [rewardbench],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        progress: false,
      });
      const s = run.benchmarks[0]!.summary as RewardBenchSummary;
      expect(s.n, model).toBe(2985);
      expect(s.errors, model).toBe(0);
      expect(s.invalid, model).toBe(0);
      const row = leaderboard.get(model);
      if (!row) continue; // _ref_free variants and internal checkpoints have no leaderboard row
      compared += 1;
      const pairs: [string, number | null, number | null][] = [
        ['Chat', s.sections.Chat, row.chat],
        ['Chat Hard', s.sections['Chat Hard'], row.chatHard],
        ['Safety', s.sections.Safety, row.safety],
        ['Reasoning', s.sections.Reasoning, row.reasoning],
      ];
      // The leaderboard's Score adds Prior Sets when a model has them; otherwise it is our overall.
      if (row.priorSets === null) {
        pairs.push(['Score', s.score, row.score]);
        comparedScore += 1;
      }
      for (const [name, ours, published] of pairs) {
        expect(published, `${model} ${name}`).not.toBeNull();
        const delta = Math.abs(ours! - published!);
        worst = Math.max(worst, delta);
        expect(delta, `${model} ${name}: ours ${ours} vs leaderboard ${published}`).toBeLessThanOrEqual(0.05);
      }
    }
    store.close();
    // SOURCES.md: 99 of the 133 complete models have a leaderboard row.
    expect(compared).toBe(99);
    expect(comparedScore).toBeGreaterThan(0);
    console.log(
      `replay: ${compared} models compared (${comparedScore} also on Score); ` +
        `largest difference ${worst.toFixed(4)} points`,
    );
  });

  it('an incomplete model replays with errors for the items it has no result for, and no overall score', async () => {
    const matrix = await loadResponseMatrix(DATA_DIR);
    const [model, outcomes] = [...matrix.models].find(([_m, o]) => !isComplete(o) && o.some((x) => x !== null))!;
    const judge = await createJudge(`replay:${model}`, { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store: Store.open(':memory:'),
      progress: false,
    });
    const s = run.benchmarks[0]!.summary as RewardBenchSummary;
    expect(s.errors).toBe(outcomes.filter((o) => o === null).length);
    expect(s.complete).toBe(false);
    expect(run.status).toBe('incomplete');
  });

  it('an unknown model is refused with suggestions', async () => {
    await expect(createJudge('replay:Skywork/no-such-model', { dataDir: DATA_DIR, seed: 0 })).rejects.toThrow(
      /no published RewardBench results for "Skywork\/no-such-model".*Did you mean: Skywork\//,
    );
    await expect(createJudge('replay', { dataDir: DATA_DIR, seed: 0 })).rejects.toThrow(
      /Reward models with published RewardBench results:\n {2}0-hero\/Matter-0.1-7B-DPO-preview/,
    );
    await expect(createJudge('replay', { dataDir: DATA_DIR, seed: 0 })).rejects.toThrow(
      /LLM judges with published LLMBar results:\n {2}llmbar\/ChatGPT\/Metrics_Reference/,
    );
  });
});
