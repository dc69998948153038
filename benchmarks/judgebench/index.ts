/**
 * JudgeBench (Tan et al., ICLR 2025): can a judge tell the correct response from the wrong one on hard questions?
 * One benchmark per split (`judgebench-gpt`, 350 GPT-4o pairs; `judgebench-claude`, 270 Claude-3.5-Sonnet pairs;
 * `--benchmark judgebench` names both), each reported in the paper's layout: Knowledge, Reasoning, Math, Coding,
 * Overall. Every pair is asked in both orders by default, as JudgeBench does (Benchmark.bothOrders; a judge that
 * declares itself order-independent is asked once), and scored by its utils/metrics.py rule (scoring.ts).
 */
import type { DownloadSpec } from '../../core/download.ts';
import { alignIntervals, byColumn, type ReportRow } from '../../core/table.ts';
import type { Instructions } from '../../protocol/tasks.ts';
import { type Benchmark, incompleteNote } from '../benchmark.ts';
import { type GithubSnapshot, githubFile } from '../heldout/github.ts';
import { CATEGORIES, type JudgeBenchPair, type JudgeBenchSplit, loadJudgeBench, pairsFile, SPLITS } from './loader.ts';
import { JUDGEBENCH_CITATION, PUBLISHED } from './published.ts';
import {
  type JudgeBenchGold,
  type JudgeBenchSummary,
  type PairOutcome,
  pairOutcome,
  scoreJudgeBench,
} from './scoring.ts';

/** The snapshot the shared data folder holds (heldout/SOURCES.md). */
export const JUDGEBENCH_SNAPSHOT: GithubSnapshot = {
  repo: 'ScalerLab/JudgeBench',
  commit: 'e2c52c284e735e139b3daa61c206ee208f36c461',
  folder: 'judgebench',
};

/** The judge output files in the snapshot, per split: what the `replay:judgebench/...` judges replay. */
export function outputFile(split: JudgeBenchSplit, judgeName: string, judgeModel: string): string {
  const judge = `judge_name=${judgeName},judge_model=${judgeModel}`;
  return `outputs/dataset=judgebench,response_model=${split.responseModel},${judge}.jsonl`;
}

/** Size and sha256 of each file at the pinned commit (measured on the shared copies, byte-identical to it). */
const DOWNLOADS: Record<keyof typeof SPLITS, DownloadSpec[]> = {
  gpt: [
    githubFile(
      JUDGEBENCH_SNAPSHOT,
      pairsFile(SPLITS.gpt),
      1_960_188,
      'd5106306b38dead1b2e964ecf5534a3e7b2fc4b8d3b8da327599edfcebd76042',
    ),
    ...(
      [
        [
          'arena_hard',
          'o1-mini-2024-09-12',
          3_879_585,
          '5fddc275bebd4d006228e8f86616ae6058118ab68ad03e57fd957c1878f2d4e6',
        ],
        [
          'reward_model',
          'Ray2333_GRM-Gemma-2B-rewardmodel-ft',
          2_086_444,
          'f1ed94dfa43dde5f42245af8da00a051a28038d3ece6957ba3ce1ce82e90bc85',
        ],
        [
          'reward_model',
          'Skywork_Skywork-Reward-Gemma-2-27B',
          2_079_046,
          '2662f59e121c8b1d2fd685bfee5fb5f26f480de73cd2ae16d59f27d0758e6d78',
        ],
        [
          'reward_model',
          'Skywork_Skywork-Reward-Llama-3.1-8B',
          2_080_140,
          '1449595a5f0840994866e249f542f52f189b3d7efbb74aee75f9e9858574e08a',
        ],
        [
          'reward_model',
          'internlm_internlm2-20b-reward',
          2_083_402,
          'e292d7146b57c768129545902f2a7357f6d104ad624f0df5a14dec38e3f387cc',
        ],
        [
          'reward_model',
          'internlm_internlm2-7b-reward',
          2_081_548,
          'bfa2663790023a90339cb3d6ff1228d1db6be8baf32cf07adb958d6d6d6d551a',
        ],
      ] as const
    ).map(([name, model, size, sha]) =>
      githubFile(JUDGEBENCH_SNAPSHOT, outputFile(SPLITS.gpt, name, model), size, sha),
    ),
  ],
  claude: [
    githubFile(
      JUDGEBENCH_SNAPSHOT,
      pairsFile(SPLITS.claude),
      920_039,
      '3b70504588e400613bf5744a20a345da8701b7150be9a30c9db0e6f3d7b70a62',
    ),
    githubFile(
      JUDGEBENCH_SNAPSHOT,
      outputFile(SPLITS.claude, 'arena_hard', 'claude-3-haiku-20240307'),
      3_794_271,
      '3d30281286053c875dd09cc2ee17de8c0900a99a001b2f03d571aade669414f4',
    ),
  ],
};

const INSTRUCTIONS: Instructions = {
  taskDefinition:
    'You are given a question and two responses to it, A and B. The question has an objectively correct answer ' +
    '(a fact, the result of a chain of reasoning, a mathematical result or a working program). ' +
    'Decide which response is better.',
  evaluationInstructions:
    'The better response is the one that reaches the correct answer. Work the problem out yourself and check each ' +
    "response's reasoning, calculations or code; do not trust how confident, long or well presented a response " +
    'is, and do not let the order in which they are shown influence your decision.',
};

/** The table's columns in the paper's layout; the headline value (Overall) comes first in `metrics`. */
const COLUMNS = [...CATEGORIES, 'Overall'] as const;

const PAIR_SCORE: Record<PairOutcome, number> = { correct: 1, incorrect: 0, tied: 0.5 };

function rowValues(summary: JudgeBenchSummary): (number | null)[] {
  return [...CATEGORIES.map((c) => summary.categories[c]), summary.score];
}

function fixed(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

function notes(split: JudgeBenchSplit, summary: JudgeBenchSummary): string[] {
  const sizes = CATEGORIES.map((c) => `${c} ${summary.categorySizes[c]}`).join(', ');
  const out = [
    `${summary.n === split.rows ? summary.n : `${summary.n} of the split's ${split.rows}`} pairs of ` +
      `${split.name} responses (${sizes}): MMLU-Pro (Knowledge), LiveBench (Reasoning, Math) and LiveCodeBench ` +
      '(Coding) questions; the label says which response is correct.',
    "Scored as JudgeBench's utils/metrics.py: each pair is asked in both orders (A and B as the source lists them, " +
      'then swapped); each decision votes +1 for the correct response, −1 for the other, 0 for a tie or no ' +
      'verdict, and a pair is correct when its votes sum above 0. A judge that declares itself order-independent ' +
      '(a reward model) is asked once, and a pair is correct when that decision is.',
    `This run: ${summary.bothOrders} of ${summary.n} pairs asked in both orders; ${summary.correct} correct, ` +
      `${summary.incorrect} wrong, ${summary.tied} with votes that cancel or no verdict (${summary.ties} tie ` +
      `verdicts, ${summary.invalid} unreadable replies).` +
      (summary.consistency
        ? ` The two orders agree on ${summary.consistency.agreed} of ${summary.consistency.compared} pairs ` +
          `(${fixed(summary.consistency.rate)}%).`
        : ''),
    `Published rows: ${JUDGEBENCH_CITATION} (two decimals, as its run_judge.py prints them); ` +
      '--judge replay:judgebench/<judge_name>/<judge_model> replays each file (--judge replay lists them).',
  ];
  out.push(...incompleteNote(summary, 'pairs'));
  return out;
}

export type JudgeBenchBenchmark = Benchmark<JudgeBenchPair, JudgeBenchGold, JudgeBenchSummary>;

function judgebenchSplit(key: keyof typeof SPLITS): JudgeBenchBenchmark {
  const split: JudgeBenchSplit = SPLITS[key];
  const published = PUBLISHED.filter((p) => p.benchmark === split.id);
  return {
    id: split.id,
    title: `JudgeBench (${split.name} pairs)`,
    description: `JudgeBench, ${split.rows} ${split.name} response pairs: which response is correct (both orders)`,
    taskKind: 'pairwise',
    bothOrders: true,
    runInFull: true,
    downloads: DOWNLOADS[key],

    load: (dataDir) => loadJudgeBench(dataDir, key),

    // The source's own order first, as JudgeBench's first game; the second is the mirrored task (bothOrders).
    prepare(item) {
      return {
        task: {
          kind: 'pairwise',
          context: item.question,
          responseA: item.responseA,
          responseB: item.responseB,
          labels: { context: 'question', response: 'response' },
        },
        instructions: INSTRUCTIONS,
        gold: { chosenSlot: item.label === 'A>B' ? 'A' : 'B' },
      };
    },

    metrics: {
      values: (s) => byColumn(['Overall', ...CATEGORIES], [s.score, ...CATEGORIES.map((c) => s.categories[c])]),
      stratum: (item) => item.category,
      binaryOutcome(result) {
        const outcome = pairOutcome(result);
        return { columns: ['Overall', result.item.category], correct: outcome === null ? null : outcome === 'correct' };
      },
    },

    score: scoreJudgeBench,

    describe(result) {
      const item = result.item;
      const outcome = pairOutcome(result);
      return {
        category: item.category,
        source: item.source,
        original_id: item.originalId,
        label: item.label,
        orders: result.swapped ? 2 : 1,
        outcome,
        // The pair's score as the other pairwise benchmarks give it: right 1, votes cancelling 0.5, wrong 0.
        score: outcome === null ? null : PAIR_SCORE[outcome],
      };
    },

    async tables(summary, context) {
      const columns = [...COLUMNS];
      const measured = (label: string, source: ReportRow['source'], s: JudgeBenchSummary): ReportRow => ({
        label,
        source,
        values: rowValues(s),
        intervals: alignIntervals(columns, context.intervals?.(s)),
      });
      const paperRow = (p: (typeof published)[number], nested: boolean): ReportRow => ({
        label: p.label,
        source: 'paper',
        citation: JUDGEBENCH_CITATION,
        values: COLUMNS.map((c) => p.values[c]),
        ...(nested ? { nested } : {}),
      });
      const own = published.find((p) => p.label === context.publishedAs);
      const rows: ReportRow[] = [measured(context.judgeId, 'this run', summary)];
      if (own) rows.push(paperRow(own, true));
      for (const b of context.baselines ?? []) rows.push(measured(b.judgeId, 'baseline', b.summary));
      for (const p of published) if (p !== own) rows.push(paperRow(p, false));
      return [
        {
          id: split.id,
          title:
            `JudgeBench, ${split.name} pairs (paper layout): ${summary.n} pairs, ${summary.invalid} invalid, ` +
            `${summary.errors} errors`,
          columns,
          rows,
          notes: notes(split, summary),
        },
      ];
    },
  };
}

export const judgebenchGpt = judgebenchSplit('gpt');
export const judgebenchClaude = judgebenchSplit('claude');
/** Both splits: what `--benchmark judgebench` and `data pull judgebench` name. */
export const JUDGEBENCH: readonly JudgeBenchBenchmark[] = [judgebenchGpt, judgebenchClaude];
