import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_COUNTS, SUBSET_SIZES, SUBSETS, TOTAL_ITEMS } from '../benchmarks/rewardbench/constants.ts';
import {
  REWARDBENCH_FILES,
  loadRewardBench,
  readRewardBenchFile,
  type RewardBenchItem,
} from '../benchmarks/rewardbench/loader.ts';
import { DataError } from '../core/errors.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

let items: RewardBenchItem[];
beforeAll(async () => {
  items = await loadRewardBench(DATA_DIR);
});

/** Writes a parquet file with the given string/int64 columns. */
function writeParquet(file: string, columns: Record<string, (string | bigint)[]>): void {
  const columnData = Object.entries(columns).map(([name, data]) => ({
    name,
    data,
    type: typeof data[0] === 'bigint' ? ('INT64' as const) : ('STRING' as const),
  }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData })));
}

describe('RewardBench loader on the real filtered split', () => {
  it('reads all 2,985 rows, with every subset at its published size', () => {
    expect(items).toHaveLength(TOTAL_ITEMS);
    const counts: Record<string, number> = {};
    for (const item of items) counts[item.subset] = (counts[item.subset] ?? 0) + 1;
    expect(counts).toEqual(SUBSET_SIZES);
    expect(Object.keys(counts).sort()).toEqual([...SUBSETS].sort());
    // math-prm is the one subset whose weight differs from its size.
    expect(counts['math-prm']).toBe(447);
    expect(EXAMPLE_COUNTS['math-prm']).toBe(984);
  });

  it('keys items by subset/id: id 3692 is two different items', () => {
    const withId = items.filter((i) => i.id.endsWith('/3692'));
    expect(withId.map((i) => i.id).sort()).toEqual(['donotanswer/3692', 'hep-python/3692']);
    expect(new Set(items.map((i) => i.id)).size).toBe(TOTAL_ITEMS);
    expect(withId.map((i) => i.index).sort()).toEqual([1553, 1554]);
  });

  it('maps the renamed columns: row 0 is the first alpacaeval-easy item with its chosen response', () => {
    const first = items[0]!;
    expect(first.index).toBe(0);
    expect(first.subset).toBe('alpacaeval-easy');
    expect(first.prompt).toBe('How do I detail a car?');
    expect(first.chosen.length).toBeGreaterThan(first.rejected.length); // alpacaeval-easy: chosen is longer
    expect(items.every((i, k) => i.index === k)).toBe(true);
  });

  it('reads the official column names to the same items', async () => {
    const file = path.join(tempDir(), REWARDBENCH_FILES[0]);
    writeParquet(file, {
      prompt: items.map((i) => i.prompt),
      chosen: items.map((i) => i.chosen),
      chosen_model: items.map((i) => i.chosenModel),
      rejected: items.map((i) => i.rejected),
      rejected_model: items.map((i) => i.rejectedModel),
      subset: items.map((i) => i.subset),
      id: items.map((i) => BigInt(i.id.split('/')[1]!)),
    });
    const official = await readRewardBenchFile(file);
    expect(official).toEqual(items);
    // The official location is preferred over the renamed copy when both exist.
    const dataDir = path.dirname(path.dirname(path.dirname(path.dirname(file))));
    await expect(loadRewardBench(dataDir)).resolves.toEqual(items);
  });
});

describe('RewardBench loader errors name the file and what was expected', () => {
  it('missing data: where it looked and how to get it', async () => {
    const empty = tempDir();
    const error = await loadRewardBench(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    const message = (error as Error).message;
    for (const rel of REWARDBENCH_FILES) expect(message).toContain(path.join(empty, rel));
    expect(message).toContain('npm run data -- pull rewardbench');
  });

  it('a file that is not parquet', async () => {
    const file = path.join(tempDir(), 'broken.parquet');
    fs.writeFileSync(file, 'this is not parquet at all');
    await expect(readRewardBenchFile(file)).rejects.toThrow(new RegExp(`${file}: not a readable parquet file`));
  });

  it('a parquet file with other columns', async () => {
    const file = path.join(tempDir(), 'other.parquet');
    writeParquet(file, { text: ['a', 'b'], score: [1n, 2n] });
    const error = (await readRewardBenchFile(file).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(`${file}: unexpected columns [text, score]`);
    expect(error.message).toContain('prompt, chosen, rejected, chosen_model, rejected_model, subset, id');
  });

  it('a renamed copy whose label says A is not the chosen response', async () => {
    const file = path.join(tempDir(), 'renamed.parquet');
    const row = (label: bigint, id: bigint) => ({
      question: 'q',
      response_A: 'a',
      response_B: 'b',
      chosen_model: 'm',
      rejected_model: 'n',
      subset: 'donotanswer',
      id,
      label,
    });
    const rows = [row(1n, 1n), row(0n, 2n)];
    const columns: Record<string, (string | bigint)[]> = {};
    for (const key of Object.keys(rows[0]!)) columns[key] = rows.map((r) => r[key as keyof typeof r]);
    writeParquet(file, columns);
    await expect(readRewardBenchFile(file)).rejects.toThrow(`${file}: row 1, column "label": label must be 1`);
  });

  it('an unknown subset and a duplicated subset/id', async () => {
    const base = {
      prompt: ['p', 'p'],
      chosen: ['c', 'c'],
      chosen_model: ['m', 'm'],
      rejected: ['r', 'r'],
      rejected_model: ['n', 'n'],
    };
    const unknown = path.join(tempDir(), 'unknown.parquet');
    writeParquet(unknown, { ...base, subset: ['donotanswer', 'not-a-subset'], id: [1n, 2n] });
    await expect(readRewardBenchFile(unknown)).rejects.toThrow(`${unknown}: row 1: unknown subset "not-a-subset"`);
    const dup = path.join(tempDir(), 'dup.parquet');
    writeParquet(dup, { ...base, subset: ['donotanswer', 'donotanswer'], id: [7n, 7n] });
    await expect(readRewardBenchFile(dup)).rejects.toThrow(`${dup}: rows 0 and 1 both have subset/id donotanswer/7`);
  });
});
