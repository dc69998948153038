/**
 * "A benchmark is one module plus one registry line": the worked example of ARCHITECTURE.md (a held-out pairwise
 * set in LLMBar's dataset.json layout), built here from the same shared helpers on a tiny file written in that
 * layout, loads, prepares, scores and renders its table with nothing else edited; and the registry is the one list
 * every held-out set is found in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import { githubFile } from '../benchmarks/heldout/github.ts';
import { type HumanPair, jsonPairLoader } from '../benchmarks/heldout/human-pair.ts';
import { HELDOUT_PAIRWISE } from '../benchmarks/heldout/index.ts';
import { definePairwiseSet, isPairwiseSet } from '../benchmarks/heldout/pairwise-set.ts';
import type { HeldoutGold } from '../benchmarks/heldout/scoring.ts';
import { REGISTERED, getBenchmark } from '../benchmarks/index.ts';
import { DataError } from '../core/errors.ts';
import { tempDir } from './helpers.ts';

// The worked example, as ARCHITECTURE.md shows it (benchmarks/heldout/my-set/index.ts), with the pinned row count
// as a parameter so the tiny file below can stand in for the real one.
function defineMySet(pinnedRows: number) {
  const FILE = 'data/dataset.json';
  const record = z.object({ input: z.string(), output_1: z.string(), output_2: z.string(), label: z.literal([1, 2]) });

  return definePairwiseSet({
    id: 'my-set',
    title: 'MySet',
    description: 'MySet: instruction/output pairs with curated gold labels',
    instructions: {
      taskDefinition: 'You are given an instruction and two outputs, A and B. Decide which output is better.',
      evaluationInstructions:
        'Prefer the output that follows the instruction more closely. Do not let the order of the outputs or ' +
        'their length influence your decision.',
    },
    labels: { context: 'instruction', response: 'output' },
    groupKind: 'group',
    groups: [],
    perAnnotation: false,
    labelRule: 'the curated gold label of each pair',
    downloads: [
      githubFile({ repo: 'owner/my-set', commit: 'a'.repeat(40), folder: 'my_set' }, FILE, 1_234, 'b'.repeat(64)),
    ],
    load: jsonPairLoader({
      title: 'MySet',
      benchmarkId: 'my-set',
      dir: 'heldout/my_set',
      files: [FILE],
      rows: [pinnedRows],
      record,
      pair: (r, { index }) => ({
        id: `all/${index}`,
        context: r.input,
        first: r.output_1,
        second: r.output_2,
        better: r.label === 1 ? 'first' : 'second',
        group: 'all',
      }),
    }),
  });
}

/** Four pairs in LLMBar's dataset.json layout (heldout/llmbar/Dataset/LLMBar/Natural/dataset.json). */
const ROWS = [
  { input: 'Say hi.', output_1: 'Hi!', output_2: 'Bye.', label: 1 },
  { input: 'Count to 3.', output_1: '1, 2', output_2: '1, 2, 3', label: 2 },
  { input: 'Name a colour.', output_1: 'Seven.', output_2: 'Blue.', label: 2 },
  { input: 'Spell cat.', output_1: 'c-a-t', output_2: 'k-a-t', label: 1 },
];

function writeSet(rows: readonly unknown[]): string {
  const dataDir = tempDir();
  const file = path.join(dataDir, 'heldout/my_set/data/dataset.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(rows, null, 2));
  return dataDir;
}

/** A judge that picks the preferred response on every item but the last, where it picks the other one. */
function answer(
  items: readonly HumanPair[],
  benchmark: ReturnType<typeof defineMySet>,
): ItemResult<HumanPair, HeldoutGold>[] {
  return items.map((item, i) => {
    const prepared = benchmark.prepare(item, 0);
    const chosen = prepared.gold.chosenSlot;
    const choice = i < items.length - 1 ? chosen : chosen === 'A' ? 'B' : 'A';
    const outcome: Outcome = { status: 'verdict', verdict: { kind: 'pairwise', choice } };
    return { item, prepared, outcome };
  });
}

describe('a new held-out pairwise set: one module from the shared helpers', () => {
  it('loads the file, prepares each pair, scores the judge and renders its table', async () => {
    const dataDir = writeSet(ROWS);
    const mySet = defineMySet(ROWS.length);
    const items = await mySet.load(dataDir);
    expect(items.map((i) => [i.id, i.better])).toEqual([
      ['all/0', 'first'],
      ['all/1', 'second'],
      ['all/2', 'second'],
      ['all/3', 'first'],
    ]);

    const prepared = mySet.prepare(items[1]!, 0);
    expect(prepared.task).toMatchObject({ kind: 'pairwise', labels: { context: 'instruction', response: 'output' } });
    const task = prepared.task as { context: string; responseA: string; responseB: string };
    expect(task.context).toBe('Count to 3.');
    const preferred = prepared.gold.chosenSlot === 'A' ? task.responseA : task.responseB;
    expect(preferred).toBe('1, 2, 3');

    const summary = mySet.score(answer(items, mySet));
    expect(summary).toMatchObject({ score: 75, n: 4, invalid: 0, errors: 0, complete: true, groups: {} });
    expect(mySet.metrics?.values(summary)).toEqual({ Accuracy: 75 });

    const [table] = await mySet.tables(summary, { dataDir, judgeId: 'my-judge' });
    expect(table!.title).toBe('MySet: 4 items, 0 invalid, 0 errors');
    expect(table!.columns).toEqual(['Accuracy']);
    expect(table!.rows).toEqual([{ label: 'my-judge', source: 'this run', values: [75], intervals: undefined }]);
    expect(isPairwiseSet(mySet)).toBe(true);
  });

  it('reports a malformed record and a short file as every held-out loader does', async () => {
    const bad = writeSet([ROWS[0], { ...ROWS[1], label: 3 }]);
    const file = path.join(bad, 'heldout/my_set/data/dataset.json');
    await expect(defineMySet(2).load(bad)).rejects.toThrow(
      new DataError(`${file}: line 8 (row 1): field "label": Invalid option: expected one of 1|2`),
    );
    const short = writeSet(ROWS);
    await expect(defineMySet(5).load(short)).rejects.toThrow(
      `4 rows, fewer than the 5 of the pinned release; the file is truncated or another version. ` +
        'Download it again with: npm run data -- pull my-set',
    );
  });
});

describe('the registry', () => {
  const all = REGISTERED;

  it('has each id once, and finds each by its id', () => {
    expect(new Set(all.map((b) => b.id)).size).toBe(all.length);
    for (const benchmark of all) expect(getBenchmark(benchmark.id)).toBe(benchmark);
  });

  it('is where the held-out pairwise sets are found, in its order: no second list to edit', () => {
    const known = ['alpacafarm', 'rankgen', 'contrastive-search', 'litmt', 'hhh', 'copoem', 'expert-lfqa', 'llmbar'];
    expect(HELDOUT_PAIRWISE.map((b) => b.id)).toEqual(expect.arrayContaining(known));
    expect(HELDOUT_PAIRWISE).toEqual(all.filter((b) => isPairwiseSet(b)));
    expect(isPairwiseSet(getBenchmark('rewardbench'))).toBe(false);
  });
});
