/**
 * Reads RewardBench's filtered split from parquet. Two layouts are accepted:
 *  - the official file (allenai/reward-bench data/filtered-00000-of-00001.parquet):
 *    prompt, chosen, rejected, chosen_model, rejected_model, subset, id;
 *  - the renamed copy in sustech-nlp/BiasScope: question (= prompt), response_A (= chosen),
 *    response_B (= rejected), label (always 1: A is the chosen one), domain, and the same other columns.
 * Item identity is subset/id: id alone is not unique (3692 is both a donotanswer and a hep-python item).
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';
import { checkParquetText, findDataFile, parquetTextParsers, pullAgain, quote, requireRowCount } from '../data-text.ts';
import { EXAMPLE_COUNTS, TOTAL_ITEMS } from './constants.ts';

export interface RewardBenchItem {
  /** subset/id, e.g. "donotanswer/3692". */
  id: string;
  /** Row index in the filtered split (published per-item results are keyed by it). */
  index: number;
  subset: string;
  prompt: string;
  chosen: string;
  rejected: string;
  chosenModel: string;
  rejectedModel: string;
}

/** Relative to the data directory, in the order they are tried. */
export const REWARDBENCH_FILES = [
  'rewardbench/allenai__reward-bench/data/filtered-00000-of-00001.parquet',
  'rewardbench/sustech-nlp__BiasScope/data/rewardbench/rewardbench_filtered.parquet',
] as const;

const OFFICIAL_COLUMNS = ['prompt', 'chosen', 'rejected', 'chosen_model', 'rejected_model', 'subset', 'id'] as const;
const RENAMED_COLUMNS = [
  'question',
  'response_A',
  'response_B',
  'chosen_model',
  'rejected_model',
  'subset',
  'id',
  'label',
] as const;

const idSchema = z.union([z.bigint(), z.number().int()]).transform((v) => String(v));
const officialRow = z.object({
  prompt: z.string(),
  chosen: z.string(),
  rejected: z.string(),
  chosen_model: z.string(),
  rejected_model: z.string(),
  subset: z.string(),
  id: idSchema,
});
const renamedRow = z
  .object({
    question: z.string(),
    response_A: z.string(),
    response_B: z.string(),
    chosen_model: z.string(),
    rejected_model: z.string(),
    subset: z.string(),
    id: idSchema,
    label: z.union([z.bigint(), z.number()]).transform(Number),
  })
  .refine((row) => row.label === 1, { message: 'label must be 1 (response_A is the chosen response)', path: ['label'] })
  .transform((row) => ({
    prompt: row.question,
    chosen: row.response_A,
    rejected: row.response_B,
    chosen_model: row.chosen_model,
    rejected_model: row.rejected_model,
    subset: row.subset,
    id: row.id,
  }));

function findRewardBenchFile(dataDir: string): Promise<string> {
  return findDataFile(dataDir, 'RewardBench data', REWARDBENCH_FILES, [
    'Download the official file with: npm run data -- pull rewardbench',
    'or point --data / AUTORATER_DATA at a folder that has it.',
  ]);
}

function describeIssue(file: string, row: number, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || '(row)';
  return `${file}: row ${row}, column "${field}": ${issue.message}`;
}

/** Loads and validates the split. Cached per file: every judge in a process sees the same items. */
export async function loadRewardBench(dataDir: string): Promise<RewardBenchItem[]> {
  return readCached(await findRewardBenchFile(dataDir));
}

export async function readRewardBenchFile(file: string): Promise<RewardBenchItem[]> {
  let rows: Record<string, unknown>[];
  let columns: string[];
  try {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    columns = parquetSchema(metadata).children.map((c) => c.element.name);
    const parsers = parquetTextParsers as { stringFromBytes(bytes: Uint8Array): unknown };
    rows = (await parquetReadObjects({ file: buffer, metadata, parsers })) as Record<string, unknown>[];
  } catch (error) {
    throw new DataError(`${file}: not a readable parquet file (${(error as Error).message}).`);
  }

  const has = (names: readonly string[]): boolean => names.every((n) => columns.includes(n));
  const schema = has(OFFICIAL_COLUMNS) ? officialRow : has(RENAMED_COLUMNS) ? renamedRow : undefined;
  if (!schema) {
    throw new DataError(
      `${file}: unexpected columns [${columns.join(', ')}]. Expected RewardBench's filtered split: ` +
        `[${OFFICIAL_COLUMNS.join(', ')}] (official) or [${RENAMED_COLUMNS.join(', ')}] (renamed copy).`,
    );
  }

  const items: RewardBenchItem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((raw, index) => {
    checkParquetText(file, index, raw);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new DataError(describeIssue(file, index, parsed.error));
    const row = parsed.data;
    if (!(row.subset in EXAMPLE_COUNTS)) {
      throw new DataError(
        `${file}: row ${index}: unknown subset ${quote(row.subset)} (expected one of RewardBench's 23 subsets).`,
      );
    }
    const id = `${row.subset}/${row.id}`;
    const previous = seen.get(id);
    if (previous !== undefined)
      throw new DataError(`${file}: rows ${previous} and ${index} both have subset/id ${id}.`);
    seen.set(id, index);
    items.push({
      id,
      index,
      subset: row.subset,
      prompt: row.prompt,
      chosen: row.chosen,
      rejected: row.rejected,
      chosenModel: row.chosen_model,
      rejectedModel: row.rejected_model,
    });
  });
  if (items.length === 0) throw new DataError(`${file}: has no rows.`);
  // Both layouts hold the whole filtered split; fewer rows would be scored as if they were all of it.
  requireRowCount(file, items.length, TOTAL_ITEMS, 'rows', pullAgain('rewardbench'));
  return items;
}

const readCached = memoizeByKey(readRewardBenchFile);
