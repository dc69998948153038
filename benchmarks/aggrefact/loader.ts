/**
 * Reads LLM-AggreFact in its own schema: `dataset, doc, claim, label` (label 1 = supported), plus the optional
 * `contamination_identifier` canary the Hub release added (ignored here). Two formats:
 *  - parquet, as the Hub release ships it (lytang/LLM-AggreFact data/{test,dev}-00000-of-00001.parquet);
 *  - JSONL, one row object per line (the partial rebuild in aggrefact/rebuilt/test.jsonl).
 *
 * The rows have no id column, so an item's id is its dataset plus a hash of (doc, claim): stable across releases as
 * long as the text is, and independent of row order. Rows with the same dataset, doc and claim (the release has
 * some) are told apart by their occurrence number, "~2", "~3", in file order. Dev items carry a "dev/" prefix so
 * the two splits can be asked in one run.
 */
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { z } from 'zod';
import { DataError, MissingDataError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { memoizeByKey } from '../../core/memo.ts';
import { checkParquetText, firstFile, parquetTextParsers, quote, readUtf8, requireRowCount } from '../data-text.ts';
import { DATASETS, isDataset, type Dataset } from './datasets.ts';

export type Split = 'test' | 'dev';

export interface AggreFactItem {
  /** "<dataset>/<16 hex of sha256(doc, claim)>", "dev/" in front for dev items, "~n" behind for the n-th duplicate. */
  id: string;
  /** The paper samples 256 per dataset; dev items are sampled apart from test items. */
  sampleGroup: string;
  split: Split;
  dataset: Dataset;
  doc: string;
  claim: string;
  /** Gold: the claim is supported by the document (label 1). */
  label: boolean;
  /** The file it came from, relative to the data directory (tells the report whether the rebuild was used). */
  file: string;
}

const HUB_DIR = 'aggrefact/lytang__LLM-AggreFact';

/**
 * The Hub release, as `npm run data -- pull aggrefact` stores it (upstream layout under
 * <benchmark>/<owner>__<repo>).
 */
export const OFFICIAL_FILES: Readonly<Record<Split, string>> = {
  test: `${HUB_DIR}/data/test-00000-of-00001.parquet`,
  dev: `${HUB_DIR}/data/dev-00000-of-00001.parquet`,
};

/** The partial rebuild from upstream sources (3 of 11 datasets; see the data folder's aggrefact/SOURCES.md). */
export const REBUILT_TEST_FILE = 'aggrefact/rebuilt/test.jsonl';
/**
 * Rows of the rebuild (the data folder's aggrefact/SOURCES.md). The Hub release's 29,320 test rows are not pinned
 * here: that file is not in this workplace, so the count could not be checked against it.
 */
export const REBUILT_TEST_ROWS = 7308;

/** Relative to the data directory, in the order they are tried. */
export const TEST_FILES = [OFFICIAL_FILES.test, REBUILT_TEST_FILE] as const;
const DEV_FILES = [OFFICIAL_FILES.dev] as const;

const REQUIRED_COLUMNS = ['dataset', 'doc', 'claim', 'label'] as const;

const rowSchema = z.object({
  dataset: z.string(),
  doc: z.string(),
  claim: z.string(),
  // int64 in the parquet (a bigint once read), a number in JSON.
  label: z
    .union([z.number(), z.bigint()])
    .refine((v) => Number(v) === 0 || Number(v) === 1, { message: 'must be 1 (supported) or 0 (not supported)' })
    .transform((v) => Number(v) === 1),
  contamination_identifier: z.string().nullish(),
});

type Row = z.infer<typeof rowSchema>;

/** The first of `candidates` that exists, relative to the data directory as given. */
async function firstExisting(dataDir: string, candidates: readonly string[]): Promise<string | undefined> {
  const found = await firstFile(dataDir, candidates);
  return found && candidates[found.index];
}

/** The test file to use, relative to the data directory. */
async function findTestFile(dataDir: string): Promise<string> {
  const found = await firstExisting(dataDir, TEST_FILES);
  if (found) return found;
  throw new MissingDataError(
    [
      'LLM-AggreFact data not found. Looked for:',
      ...TEST_FILES.map((rel) => `  ${path.join(dataDir, rel)}`),
      'Download the official release with: npm run data -- pull aggrefact',
      '(the dataset is gated on the Hugging Face Hub: accept its terms there and set HF_TOKEN),',
      'or point --data / AUTORATER_DATA at a folder that has it.',
    ].join('\n'),
  );
}

/** The dev file, relative to the data directory, or undefined when there is none (it is only used for tuning). */
function findDevFile(dataDir: string): Promise<string | undefined> {
  return firstExisting(dataDir, DEV_FILES);
}

function describeIssue(where: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || '(row)';
  return `${where}, field "${field}": ${issue.message}`;
}

async function readParquetRows(file: string): Promise<{ raw: Record<string, unknown>; where: string }[]> {
  let columns: string[];
  let rows: Record<string, unknown>[];
  try {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    columns = parquetSchema(metadata).children.map((c) => c.element.name);
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
    if (missing.length > 0) {
      throw new DataError(
        `${file}: unexpected columns [${columns.join(', ')}]; missing [${missing.join(', ')}]. Expected ` +
          `LLM-AggreFact's schema: [${REQUIRED_COLUMNS.join(', ')}] (and optionally contamination_identifier).`,
      );
    }
    const parsers = parquetTextParsers as { stringFromBytes(bytes: Uint8Array): unknown };
    const columnsRead = [...REQUIRED_COLUMNS];
    rows = (await parquetReadObjects({ file: buffer, metadata, columns: columnsRead, parsers })) as Record<
      string,
      unknown
    >[];
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${file}: not a readable parquet file (${(error as Error).message}).`);
  }
  return rows.map((raw, index) => {
    checkParquetText(file, index, raw);
    return { raw, where: `${file}: row ${index}` };
  });
}

async function readJsonlRows(file: string): Promise<{ raw: unknown; where: string }[]> {
  const text = await readUtf8(file);
  const rows: { raw: unknown; where: string }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return; // the trailing newline, or blank lines between rows
    const where = `${file}: line ${i + 1}`;
    try {
      rows.push({ raw: JSON.parse(line), where });
    } catch (error) {
      throw new DataError(
        `${where}: not valid JSON (${(error as Error).message}); expected one object ` +
          '{dataset, doc, claim, label} per line.',
      );
    }
  });
  return rows;
}

/** Reads one split file (parquet or JSONL by extension) into items. `rel` is the file relative to `dataDir`. */
export async function readAggreFactFile(dataDir: string, rel: string, split: Split): Promise<AggreFactItem[]> {
  const file = path.join(dataDir, rel);
  const rows = rel.endsWith('.parquet') ? await readParquetRows(file) : await readJsonlRows(file);
  const items: AggreFactItem[] = [];
  const seen = new Map<string, number>();
  for (const { raw, where } of rows) {
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) throw new DataError(describeIssue(where, parsed.error));
    const row: Row = parsed.data;
    if (!isDataset(row.dataset)) {
      throw new DataError(
        `${where}: unknown dataset ${quote(row.dataset)} (expected one of LLM-AggreFact's: ${DATASETS.join(', ')}).`,
      );
    }
    const content = sha256(`${row.doc}\u0000${row.claim}`).slice(0, 16);
    const base = `${split === 'dev' ? 'dev/' : ''}${row.dataset}/${content}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    items.push({
      id: occurrence === 1 ? base : `${base}~${occurrence}`,
      sampleGroup: split === 'dev' ? `dev/${row.dataset}` : row.dataset,
      split,
      dataset: row.dataset,
      doc: row.doc,
      claim: row.claim,
      label: row.label,
      file: rel,
    });
  }
  if (items.length === 0) throw new DataError(`${file}: has no rows.`);
  if (rel === REBUILT_TEST_FILE) requireRowCount(file, items.length, REBUILT_TEST_ROWS);
  return items;
}

// Cached per (data dir, file, split): every judge and baseline in a process sees the same items.
const readCached = memoizeByKey((key) => {
  const [dataDir, rel, split] = JSON.parse(key) as [string, string, Split];
  return readAggreFactFile(dataDir, rel, split);
});

function read(dataDir: string, rel: string, split: Split): Promise<AggreFactItem[]> {
  return readCached(JSON.stringify([path.resolve(dataDir), rel, split]));
}

/** The test split: the official file when it has been pulled, else the partial rebuild. */
export async function loadAggreFactTest(dataDir: string): Promise<AggreFactItem[]> {
  return read(dataDir, await findTestFile(dataDir), 'test');
}

/** The dev split, or no items when it has not been pulled. */
export async function loadAggreFactDev(dataDir: string): Promise<AggreFactItem[]> {
  const rel = await findDevFile(dataDir);
  return rel ? read(dataDir, rel, 'dev') : [];
}
