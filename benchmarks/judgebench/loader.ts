/**
 * JudgeBench (Tan et al. 2024, ScalerLab/JudgeBench): pairs of responses from one strong model to hard questions
 * whose answers can be checked, labelled by which response is correct. Two splits, one JSON Lines file each
 * (`data/dataset=judgebench,response_model=<model>.jsonl`): 350 GPT-4o pairs and 270 Claude-3.5-Sonnet pairs. A
 * record is {pair_id, original_id, source, question, response_model, response_A, response_B, label ∈ {A>B, B>A}}.
 *
 * The category is the source's prefix, as JudgeBench's run_judge.py selects it for utils/metrics.py: mmlu-pro*
 * Knowledge (MMLU-Pro), livebench-reasoning* Reasoning, livebench-math* Math, livecodebench* Coding (LiveBench,
 * LiveCodeBench). The pinned files have no other source; one would be another release, and is refused.
 *
 * One Claude pair (a28a8dae-78a7-51a7-a46f-84a6e502068d, livecodebench, "B>A") has two identical responses upstream:
 * its two orders are one prompt with one stored answer, so under the vote it can never count as correct (JudgeBench
 * calls the judge twice and could, by chance, get two different answers).
 */
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';
import type { BenchmarkItem } from '../benchmark.ts';
import { pullAgain, quote, readUtf8, requireExactRowCount } from '../data-text.ts';
import { requireFiles } from '../heldout/source-files.ts';
import { jsonLinesRecords } from '../pointwise/files.ts';

/** The folder under the data directory: the repository's layout, as `data pull judgebench` writes it. */
export const JUDGEBENCH_DIR = 'heldout/judgebench';

/** The categories in the paper's column order. */
export const CATEGORIES = ['Knowledge', 'Reasoning', 'Math', 'Coding'] as const;
export type Category = (typeof CATEGORIES)[number];

/** run_judge.py's source prefixes, in its order: a source's category is the first prefix it starts with. */
const PREFIXES: readonly (readonly [string, Category])[] = [
  ['mmlu-pro', 'Knowledge'],
  ['livebench-reasoning', 'Reasoning'],
  ['livebench-math', 'Math'],
  ['livecodebench', 'Coding'],
];

export function categoryOf(source: string): Category | null {
  return PREFIXES.find(([prefix]) => source.startsWith(prefix))?.[1] ?? null;
}

export interface JudgeBenchSplit {
  /** The benchmark id of this split. */
  id: string;
  /** The model that wrote both responses of every pair, as the file names it. */
  responseModel: string;
  /** Short name for titles: "GPT-4o", "Claude-3.5-Sonnet". */
  name: string;
  /** Pairs in the pinned release. */
  rows: number;
}

export const SPLITS = {
  gpt: { id: 'judgebench-gpt', responseModel: 'gpt-4o-2024-05-13', name: 'GPT-4o', rows: 350 },
  claude: {
    id: 'judgebench-claude',
    responseModel: 'claude-3-5-sonnet-20240620',
    name: 'Claude-3.5-Sonnet',
    rows: 270,
  },
} as const satisfies Record<string, JudgeBenchSplit>;

/** The split's pairs file, relative to JUDGEBENCH_DIR (the path in the repository). */
export function pairsFile(split: JudgeBenchSplit): string {
  return `data/dataset=judgebench,response_model=${split.responseModel}.jsonl`;
}

export type JudgeBenchLabel = 'A>B' | 'B>A';

export interface JudgeBenchPair extends BenchmarkItem {
  /** The source's pair_id (unique within a split). */
  id: string;
  category: Category;
  /** The source's `source`, e.g. "mmlu-pro-law", "livebench-math". */
  source: string;
  /** The question's id in its source dataset (null for the LiveBench and LiveCodeBench questions). */
  originalId: string | number | null;
  question: string;
  /** The two responses in the source's order: JudgeBench's first game shows them so, its second swapped. */
  responseA: string;
  responseB: string;
  /** Which response is correct. */
  label: JudgeBenchLabel;
}

const record = z.object({
  pair_id: z.string().min(1),
  original_id: z.union([z.string(), z.number(), z.null()]),
  source: z.string(),
  question: z.string(),
  response_model: z.string(),
  response_A: z.string(),
  response_B: z.string(),
  label: z.enum(['A>B', 'B>A']),
});

const EXPECTED =
  'a JudgeBench pair {pair_id, original_id, source, question, response_model, response_A, ' +
  'response_B, label "A>B" or "B>A"}';

async function readSplit(key: string): Promise<JudgeBenchPair[]> {
  const [dataDir, splitKey] = key.split('\u0000') as [string, keyof typeof SPLITS];
  const split: JudgeBenchSplit = SPLITS[splitKey];
  const rel = pairsFile(split);
  const [file] = await requireFiles(dataDir, JUDGEBENCH_DIR, [rel], `JudgeBench ${split.name} pairs`, 'judgebench');
  const text = await readUtf8(file!);
  const items: JudgeBenchPair[] = [];
  const seen = new Set<string>();
  for (const { line, record: r } of jsonLinesRecords(file!, text, record, EXPECTED)) {
    if (r.response_model !== split.responseModel) {
      throw new DataError(
        `${file}: line ${line}: response_model ${quote(r.response_model)}, but this is the ` +
          `${split.responseModel} split's file.`,
      );
    }
    const category = categoryOf(r.source);
    if (!category) {
      throw new DataError(
        `${file}: line ${line}: source ${quote(r.source)} is none of JudgeBench's categories (a source starting ` +
          `with ${PREFIXES.map(([p]) => quote(p)).join(', ')}); the file is another release. ` +
          pullAgain('judgebench'),
      );
    }
    if (seen.has(r.pair_id)) throw new DataError(`${file}: line ${line}: pair_id ${quote(r.pair_id)} occurs twice.`);
    seen.add(r.pair_id);
    items.push({
      id: r.pair_id,
      category,
      source: r.source,
      originalId: r.original_id,
      question: r.question,
      responseA: r.response_A,
      responseB: r.response_B,
      label: r.label,
    });
  }
  requireExactRowCount(file!, items.length, split.rows, 'pairs', pullAgain('judgebench'));
  return items;
}

const cached = memoizeByKey(readSplit);

/** A split's pairs in file order; memoized per data directory. */
export function loadJudgeBench(dataDir: string, split: keyof typeof SPLITS): Promise<JudgeBenchPair[]> {
  return cached(`${path.resolve(dataDir)}\u0000${split}`);
}
