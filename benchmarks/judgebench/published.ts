/**
 * Published JudgeBench scores: the judge output files ScalerLab/JudgeBench publishes under outputs/ (the seven in the
 * pinned snapshot, e2c52c2), each scored by its own utils/metrics.py as run_judge.py prints them (two decimals).
 * Reward models were run in both orders, and metrics.py gives the same numbers for them in either mode. The
 * `replay:judgebench/...` judges replay these files and reproduce every number (test/judgebench-replay.test.ts);
 * the six GPT-4o rows are also the JudgeBench paper's (Tan et al., ICLR 2025) numbers for these judges.
 */
import type { Category } from './loader.ts';

export const JUDGEBENCH_CITATION = 'JudgeBench outputs/, scored by its metrics.py';

export interface PublishedRow {
  /** As the paper names the judge. */
  label: string;
  /** The split's benchmark id. */
  benchmark: 'judgebench-gpt' | 'judgebench-claude';
  /** The judge that replays the output file; its publishedAs is this row's label. */
  replay: string;
  values: Record<Category | 'Overall', number>;
}

export const PUBLISHED: readonly PublishedRow[] = [
  {
    label: 'Arena-Hard Judge (o1-mini)',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/arena_hard/o1-mini-2024-09-12',
    values: { Knowledge: 58.44, Reasoning: 62.24, Math: 82.14, Coding: 78.57, Overall: 65.71 },
  },
  {
    label: 'InternLM2-7B-Reward',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/reward_model/internlm_internlm2-7b-reward',
    values: { Knowledge: 56.49, Reasoning: 61.22, Math: 71.43, Coding: 50.0, Overall: 59.43 },
  },
  {
    label: 'InternLM2-20B-Reward',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/reward_model/internlm_internlm2-20b-reward',
    values: { Knowledge: 62.34, Reasoning: 69.39, Math: 66.07, Coding: 50.0, Overall: 63.43 },
  },
  {
    label: 'GRM-Gemma-2B',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/reward_model/Ray2333_GRM-Gemma-2B-rewardmodel-ft',
    values: { Knowledge: 62.99, Reasoning: 53.06, Math: 64.29, Coding: 54.76, Overall: 59.43 },
  },
  {
    label: 'Skywork-Reward-Gemma-2-27B',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/reward_model/Skywork_Skywork-Reward-Gemma-2-27B',
    values: { Knowledge: 59.74, Reasoning: 66.33, Math: 83.93, Coding: 50.0, Overall: 64.29 },
  },
  {
    label: 'Skywork-Reward-Llama-3.1-8B',
    benchmark: 'judgebench-gpt',
    replay: 'replay:judgebench/reward_model/Skywork_Skywork-Reward-Llama-3.1-8B',
    values: { Knowledge: 59.09, Reasoning: 64.29, Math: 76.79, Coding: 50.0, Overall: 62.29 },
  },
  {
    label: 'Arena-Hard Judge (Claude-3-Haiku)',
    benchmark: 'judgebench-claude',
    replay: 'replay:judgebench/arena_hard/claude-3-haiku-20240307',
    values: { Knowledge: 37.66, Reasoning: 29.41, Math: 32.35, Coding: 9.68, Overall: 32.22 },
  },
];
