/**
 * Replays of JudgeBench's seven published judge output files, run through the harness (positions, store, scorer)
 * like any judge, reproduce what JudgeBench's own utils/metrics.py prints for each file, to the printed digit.
 */
import { describe, expect, it } from 'vitest';
import { JUDGEBENCH, judgebenchClaude, judgebenchGpt } from '../benchmarks/judgebench/index.ts';
import { CATEGORIES } from '../benchmarks/judgebench/loader.ts';
import { PUBLISHED } from '../benchmarks/judgebench/published.ts';
import type { JudgeBenchSummary } from '../benchmarks/judgebench/scoring.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { listJudgeBenchOutputs } from '../judges/replay/judgebench.ts';
import { DATA_DIR } from './helpers.ts';

/**
 * What metrics.py prints for each output file ("<source>: <score:.2f>%."), computed once with python3: a driver that
 * imports the pinned utils/metrics.py and runs run_judge.py's loop over the sources "mmlu-pro", "livebench-reasoning",
 * "livebench-math", "livecodebench" and "" (Overall), with reverse_order = not single_game. Arena-Hard files: both
 * orders (JudgeBench's default). Reward models: --single_game, as JudgeBench runs them; their files hold both games,
 * and metrics.py prints the same numbers in both modes. PAPER_TABLE_3 below cross-checks the reward models with the
 * paper's table.
 * Order: Knowledge, Reasoning, Math, Coding, Overall.
 */
const METRICS_PY: Record<string, { benchmark: string; values: [string, string, string, string, string] }> = {
  'arena_hard/o1-mini-2024-09-12': {
    benchmark: 'judgebench-gpt',
    values: ['58.44', '62.24', '82.14', '78.57', '65.71'],
  },
  'arena_hard/claude-3-haiku-20240307': {
    benchmark: 'judgebench-claude',
    values: ['37.66', '29.41', '32.35', '9.68', '32.22'],
  },
  'reward_model/internlm_internlm2-7b-reward': {
    benchmark: 'judgebench-gpt',
    values: ['56.49', '61.22', '71.43', '50.00', '59.43'],
  },
  'reward_model/internlm_internlm2-20b-reward': {
    benchmark: 'judgebench-gpt',
    values: ['62.34', '69.39', '66.07', '50.00', '63.43'],
  },
  'reward_model/Ray2333_GRM-Gemma-2B-rewardmodel-ft': {
    benchmark: 'judgebench-gpt',
    values: ['62.99', '53.06', '64.29', '54.76', '59.43'],
  },
  'reward_model/Skywork_Skywork-Reward-Gemma-2-27B': {
    benchmark: 'judgebench-gpt',
    values: ['59.74', '66.33', '83.93', '50.00', '64.29'],
  },
  'reward_model/Skywork_Skywork-Reward-Llama-3.1-8B': {
    benchmark: 'judgebench-gpt',
    values: ['59.09', '64.29', '76.79', '50.00', '62.29'],
  },
};

/**
 * The JudgeBench paper's reward-model table (Tan et al., ICLR 2025, Table 3; GPT-4o pairs), as transcribed in a
 * public reading note of the paper found through this workplace's code index (no copy of the paper itself is stored
 * here). Knowledge, Reasoning, Math, Coding, Overall. Its prompted-judge tables list no o1-mini or Claude-3-Haiku
 * Arena-Hard row, so the other two replays have nothing to be checked against.
 */
const PAPER_TABLE_3: Record<string, [string, string, string, string, string]> = {
  'reward_model/Skywork_Skywork-Reward-Gemma-2-27B': ['59.74', '66.33', '83.93', '50.00', '64.29'],
  'reward_model/Skywork_Skywork-Reward-Llama-3.1-8B': ['59.09', '64.29', '76.79', '50.00', '62.29'],
  'reward_model/internlm_internlm2-20b-reward': ['62.34', '69.39', '66.07', '50.00', '63.43'],
  'reward_model/internlm_internlm2-7b-reward': ['56.49', '61.22', '71.43', '50.00', '59.43'],
  'reward_model/Ray2333_GRM-Gemma-2B-rewardmodel-ft': ['62.99', '53.06', '64.29', '54.76', '59.43'],
};

/** As metrics.py prints a score: two decimals. */
function printed(summary: JudgeBenchSummary): string[] {
  return [...CATEGORIES.map((c) => summary.categories[c]), summary.score].map((v) => v!.toFixed(2));
}

async function replay(name: string, swap = false): Promise<JudgeBenchSummary> {
  const judge = await createJudge(`replay:judgebench/${name}`, { dataDir: DATA_DIR, seed: 0 });
  const benchmark = METRICS_PY[name]!.benchmark === 'judgebench-gpt' ? judgebenchGpt : judgebenchClaude;
  const run = await runEval({
    judge,
    benchmarks: [benchmark],
    dataDir: DATA_DIR,
    seed: 0,
    store: Store.open(':memory:'),
    swap,
    progress: false,
  });
  expect(run.status, name).toBe('complete');
  return run.benchmarks[0]!.summary as JudgeBenchSummary;
}

describe("replay:judgebench/... reproduces JudgeBench's metrics.py", () => {
  it('lists the seven output files of the pinned snapshot, each on its split', async () => {
    const outputs = await listJudgeBenchOutputs(DATA_DIR);
    expect([...outputs.keys()].sort()).toEqual(Object.keys(METRICS_PY).sort());
    for (const [name, files] of outputs)
      expect(
        files.map((f) => f.split.id),
        name,
      ).toEqual([METRICS_PY[name]!.benchmark]);
  });

  it.each(Object.keys(METRICS_PY))('%s: per category and overall, to the printed digit', async (name) => {
    const summary = await replay(name);
    expect(printed(summary)).toEqual(METRICS_PY[name]!.values);
    expect(summary.errors).toBe(0);
    // Reward models are asked once (order-independent), the Arena-Hard judges in both orders.
    expect(summary.bothOrders).toBe(name.startsWith('reward_model/') ? 0 : summary.n);
    expect(summary.n).toBe(name.includes('haiku') ? 270 : 350);
  });

  it.each(Object.keys(PAPER_TABLE_3))("%s: the paper's Table 3 row", async (name) => {
    expect(printed(await replay(name))).toEqual(PAPER_TABLE_3[name]);
  });

  it('reward models asked in both orders anyway (--swap) score the same, as in metrics.py', async () => {
    for (const name of Object.keys(METRICS_PY).filter((n) => n.startsWith('reward_model/'))) {
      const summary = await replay(name, true);
      expect(summary.bothOrders, name).toBe(350);
      expect(printed(summary), name).toEqual(METRICS_PY[name]!.values);
    }
  });

  it("the benchmarks' published rows are these numbers, one per file, each naming its replay", async () => {
    expect(PUBLISHED).toHaveLength(7);
    for (const row of PUBLISHED) {
      const name = row.replay.replace('replay:judgebench/', '');
      const expected = METRICS_PY[name]!;
      expect(row.benchmark).toBe(expected.benchmark);
      expect([...CATEGORIES, 'Overall' as const].map((c) => row.values[c].toFixed(2))).toEqual(expected.values);
      const judge = await createJudge(row.replay, { dataDir: DATA_DIR, seed: 0 });
      expect(judge.publishedAs).toBe(row.label);
    }
  });

  it("this run's table puts the replay's published row right under it, and the split's others below", async () => {
    const judge = await createJudge('replay:judgebench/arena_hard/o1-mini-2024-09-12', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [...JUDGEBENCH],
      dataDir: DATA_DIR,
      seed: 0,
      store: Store.open(':memory:'),
      progress: false,
      skipUnavailable: true,
    });
    const gpt = run.benchmarks.find((b) => b.benchmark.id === 'judgebench-gpt')!;
    const [table] = await judgebenchGpt.tables(gpt.summary as JudgeBenchSummary, {
      dataDir: DATA_DIR,
      judgeId: judge.id,
      publishedAs: judge.publishedAs,
    });
    expect(table!.columns).toEqual(['Knowledge', 'Reasoning', 'Math', 'Coding', 'Overall']);
    expect(table!.rows.map((r) => [r.label, r.source])).toEqual([
      [judge.id, 'this run'],
      ['Arena-Hard Judge (o1-mini)', 'paper'],
      ['InternLM2-7B-Reward', 'paper'],
      ['InternLM2-20B-Reward', 'paper'],
      ['GRM-Gemma-2B', 'paper'],
      ['Skywork-Reward-Gemma-2-27B', 'paper'],
      ['Skywork-Reward-Llama-3.1-8B', 'paper'],
    ]);
    expect(table!.rows[0]!.values.map((v) => v!.toFixed(2))).toEqual(
      METRICS_PY['arena_hard/o1-mini-2024-09-12']!.values,
    );
    // The judge has no output for the Claude pairs: that split is skipped as not applicable, nothing is asked.
    expect(run.benchmarks.map((b) => b.benchmark.id)).toEqual(['judgebench-gpt']);
    expect(run.skipped.map((s) => [s.benchmark.id, s.why, s.reason])).toEqual([
      ['judgebench-claude', 'not applicable', `${judge.id} has answers for judgebench-gpt only`],
    ]);
  });

  it('an unknown replay name lists the ones there are', async () => {
    const error = await createJudge('replay:judgebench/arena_hard/gpt-5', { dataDir: DATA_DIR, seed: 0 }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('no JudgeBench output for "arena_hard/gpt-5"');
    expect((error as Error).message).toContain('judgebench/arena_hard/claude-3-haiku-20240307  (judgebench-claude)');
  });
});
