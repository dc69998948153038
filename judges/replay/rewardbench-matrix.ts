/**
 * Published per-item RewardBench outcomes of 149 reward models (aims-foundations/torch_measure
 * response_matrix.csv, built from allenai/reward-bench-results). Wide CSV: a `model` column, then one column
 * per item named by the item's row index in the filtered split (sorted as strings, so map by value, not by
 * position). Values: 1.0 = chosen ranked above rejected, 0.0 = not, empty = no result.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { memoizeByKey } from '../../core/memo.ts';

const MATRIX_FILE = 'rewardbench/aims-foundations__torch_measure/data/rewardbench_data/processed/response_matrix.csv';

interface ResponseMatrix {
  file: string;
  sha256: string;
  items: number;
  /** model → outcome per item row index (1, 0, or null for no result). */
  models: Map<string, (0 | 1 | null)[]>;
}

export function loadResponseMatrix(dataDir: string): Promise<ResponseMatrix> {
  return readCached(path.join(dataDir, MATRIX_FILE));
}

async function readResponseMatrix(file: string): Promise<ResponseMatrix> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new DataError(
      `Published RewardBench per-item results not found at ${file}. ` +
        'It comes from aims-foundations/torch_measure (see rewardbench/SOURCES.md in the shared data folder).',
    );
  }
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false }) as string[][];
  } catch (error) {
    throw new DataError(`${file}: not valid CSV (${(error as Error).message}).`);
  }
  const header = records[0];
  if (header?.[0] !== 'model') throw new DataError(`${file}: line 1: expected a header starting with "model".`);
  const columns = header.slice(1).map((name, i) => {
    if (!/^\d+$/.test(name))
      throw new DataError(`${file}: line 1, column ${i + 2}: expected an item row index, got "${name}".`);
    return Number(name);
  });
  const items = columns.length;
  const seen = new Set(columns);
  if (seen.size !== items || columns.some((c) => c >= items)) {
    throw new DataError(`${file}: line 1: item columns must be the indices 0..${items - 1}, each once.`);
  }

  const models = new Map<string, (0 | 1 | null)[]>();
  records.slice(1).forEach((record, r) => {
    const line = r + 2;
    const model = record[0]!;
    const outcomes = new Array<0 | 1 | null>(items).fill(null);
    for (let c = 1; c < record.length; c++) {
      const value = record[c]!;
      const index = columns[c - 1]!;
      if (value === '') continue;
      const number = Number(value);
      if (number !== 0 && number !== 1) {
        throw new DataError(
          `${file}: line ${line} (${model}), item column ${index}: expected 1.0, 0.0 or empty, got "${value}".`,
        );
      }
      outcomes[index] = number as 0 | 1;
    }
    if (models.has(model)) throw new DataError(`${file}: line ${line}: model "${model}" appears twice.`);
    models.set(model, outcomes);
  });
  return { file, sha256: sha256(text), items, models };
}

const readCached = memoizeByKey(readResponseMatrix);

export function isComplete(outcomes: readonly (0 | 1 | null)[]): boolean {
  return outcomes.every((o) => o !== null);
}
