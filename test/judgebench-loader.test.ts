/**
 * JudgeBench's two splits as loaded from the pinned files (heldout/judgebench/ in the shared data folder): counts,
 * categories from the source prefix as run_judge.py selects them, the source's own A/B order, and errors for missing
 * or damaged files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgebenchClaude, judgebenchGpt } from '../benchmarks/judgebench/index.ts';
import {
  categoryOf,
  JUDGEBENCH_DIR,
  type JudgeBenchSplit,
  pairsFile,
  SPLITS,
} from '../benchmarks/judgebench/loader.ts';
import { selectBenchmarks } from '../benchmarks/index.ts';
import { DataError, MissingDataError } from '../core/errors.ts';
import { prepareItems } from '../harness/prepare.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

function count<T>(values: readonly T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/** A data folder holding one split file with these lines. */
function splitFolder(lines: string[], split: JudgeBenchSplit = SPLITS.gpt): string {
  const dir = tempDir();
  const file = path.join(dir, JUDGEBENCH_DIR, pairsFile(split));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return dir;
}

/** The first n records of the real GPT-4o file, as text lines. */
function realLines(n: number): string[] {
  const text = fs.readFileSync(path.join(DATA_DIR, JUDGEBENCH_DIR, pairsFile(SPLITS.gpt)), 'utf8');
  return text.split('\n').slice(0, n);
}

describe('JudgeBench loader, on the pinned files', () => {
  it('GPT-4o: 350 pairs, Knowledge 154, Reasoning 98, Math 56, Coding 42', async () => {
    const items = await judgebenchGpt.load(DATA_DIR);
    expect(items).toHaveLength(350);
    expect(new Set(items.map((i) => i.id)).size).toBe(350);
    expect(count(items.map((i) => i.category))).toEqual({ Knowledge: 154, Reasoning: 98, Math: 56, Coding: 42 });
    expect(count(items.map((i) => i.label))).toEqual({ 'A>B': 193, 'B>A': 157 });
  });

  it('Claude-3.5-Sonnet: 270 pairs, Knowledge 154, Reasoning 51, Math 34, Coding 31', async () => {
    const items = await judgebenchClaude.load(DATA_DIR);
    expect(items).toHaveLength(270);
    expect(count(items.map((i) => i.category))).toEqual({ Knowledge: 154, Reasoning: 51, Math: 34, Coding: 31 });
    expect(count(items.map((i) => i.label))).toEqual({ 'A>B': 143, 'B>A': 127 });
  });

  it("the category is run_judge.py's source prefix", () => {
    expect(categoryOf('mmlu-pro-computer science')).toBe('Knowledge');
    expect(categoryOf('livebench-reasoning')).toBe('Reasoning');
    expect(categoryOf('livebench-math')).toBe('Math');
    expect(categoryOf('livecodebench')).toBe('Coding');
    expect(categoryOf('livebench-language')).toBeNull();
  });

  it("asks the source's order first and its mirror second, with the correct response as gold", async () => {
    const entries = await prepareItems(judgebenchGpt, DATA_DIR, 0);
    const items = await judgebenchGpt.load(DATA_DIR);
    expect(entries).toHaveLength(350);
    for (const [i, e] of entries.entries()) {
      const item = items[i]!;
      expect(e.prepared.task).toMatchObject({ kind: 'pairwise', responseA: item.responseA, responseB: item.responseB });
      expect(e.prepared.gold).toEqual({ chosenSlot: item.label === 'A>B' ? 'A' : 'B' });
      expect(e.swapped?.prepared.task).toMatchObject({ responseA: item.responseB, responseB: item.responseA });
    }
    // A judge that declares itself order-independent is asked once; --swap still asks it both orders.
    expect((await prepareItems(judgebenchGpt, DATA_DIR, 0, { orderIndependent: true })).some((e) => e.swapped)).toBe(
      false,
    );
    const forced = await prepareItems(judgebenchGpt, DATA_DIR, 0, { orderIndependent: true, swap: true });
    expect(forced.every((e) => e.swapped)).toBe(true);
    // --sample leaves it whole (JudgeBench is reported on every pair); --limit still cuts it.
    expect(await prepareItems(judgebenchGpt, DATA_DIR, 0, { sample: 10 })).toHaveLength(350);
    expect(await prepareItems(judgebenchGpt, DATA_DIR, 0, { limit: 10 })).toHaveLength(10);
  });

  it('"judgebench" names both splits; "all" runs them after FLAMe Table 1\'s', () => {
    expect(selectBenchmarks('judgebench').map((b) => b.id)).toEqual(['judgebench-gpt', 'judgebench-claude']);
    expect(selectBenchmarks('judgebench-claude,judgebench').map((b) => b.id)).toEqual([
      'judgebench-claude',
      'judgebench-gpt',
    ]);
    expect(
      selectBenchmarks('all')
        .map((b) => b.id)
        .slice(-3),
    ).toEqual(['expert-lfqa', 'judgebench-gpt', 'judgebench-claude']);
  });
});

describe('JudgeBench loader, on missing or damaged files', () => {
  it('missing: says where it looked and how to get it (a MissingDataError, so "all" skips it)', async () => {
    const error = await judgebenchGpt.load(tempDir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDataError);
    expect((error as Error).message).toContain('JudgeBench GPT-4o pairs data not found');
    expect((error as Error).message).toContain(pairsFile(SPLITS.gpt));
    expect((error as Error).message).toContain('npm run data -- pull judgebench');
  });

  it('a short file is another release, and refused', async () => {
    const error = await judgebenchGpt.load(splitFolder(realLines(3))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/3 pairs, fewer than the 350 of the pinned release/);
  });

  it('a bad record names its line and field', async () => {
    const lines = realLines(3);
    const bad = JSON.parse(lines[1]!) as Record<string, unknown>;
    bad.label = 'A=B';
    lines[1] = JSON.stringify(bad);
    const error = await judgebenchGpt.load(splitFolder(lines)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/line 2, "label"/);
  });

  it('a source outside the four categories, or the other split in this split’s file, is refused', async () => {
    const lines = realLines(2);
    const other = JSON.parse(lines[1]!) as Record<string, unknown>;
    other.source = 'livebench-language';
    const unknown = await judgebenchGpt.load(splitFolder([lines[0]!, JSON.stringify(other)])).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/line 2: source "livebench-language" is none of JudgeBench's/);
    const claudeFile = await judgebenchClaude.load(splitFolder(realLines(2), SPLITS.claude)).catch((e: unknown) => e);
    expect((claudeFile as Error).message).toMatch(/line 1: response_model "gpt-4o-2024-05-13", but this is the claude/);
  });

  it('a pair_id twice is refused', async () => {
    const [first] = realLines(1);
    const error = await judgebenchGpt.load(splitFolder([first!, first!])).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/line 2: pair_id ".*" occurs twice/);
  });
});
