/**
 * What a run keeps per item: the task and the prompt's hash, never the prompt's text (rendered again when asked),
 * and what it reads back from the store to decide what is left to ask.
 */
import { describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { sha256 } from '../core/hash.ts';
import { storedResults } from '../harness/outcomes.ts';
import { prepareItems } from '../harness/prepare.ts';
import type { RunResult } from '../harness/run.ts';
import { Store, judgmentKey } from '../harness/store.ts';
import { renderPrompt } from '../protocol/prompt.ts';
import { predictionLines } from '../reports/summary.ts';
import { DATA_DIR } from './helpers.ts';

describe('prepared items', () => {
  it('keep each prompt as its hash and render the same text whenever it is read', async () => {
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 50, swap: true });
    expect(entries).toHaveLength(50);
    for (const entry of entries) {
      for (const shown of [entry, entry.swapped!]) {
        // No string holding the prompt is kept on the item (a 100,000-item run would hold them all).
        expect(Object.values(shown).some((v) => typeof v === 'string' && v.length > 100)).toBe(false);
        const text = renderPrompt(shown.prepared.instructions, shown.prepared.task);
        expect(shown.prompt).toBe(text);
        expect(shown.promptHash).toBe(sha256(text));
      }
      expect(entry.swapped!.promptHash).not.toBe(entry.promptHash);
    }
  });
});

const row = {
  benchmark: 'rewardbench',
  judgeId: 'j',
  runId: 1,
  replyType: 'text' as const,
  raw: 'better response: A',
  verdict: null,
  error: null,
  latencyMs: 1,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  optionProbabilities: null,
  invalidReason: null,
  attempts: 1,
};

describe('Store.answeredKeys', () => {
  it('lists the answered judgments of one judge and benchmark, not failures and not other judges', () => {
    const store = Store.open(':memory:');
    store.record('fp', { ...row, itemId: 'a', promptHash: 'h1' });
    store.record('fp', { ...row, itemId: 'b', promptHash: 'h1', replyType: null, raw: null, error: 'HTTP 500' });
    store.record('fp', { ...row, itemId: 'c', promptHash: 'h2', benchmark: 'llmbar' });
    store.record('other', { ...row, itemId: 'd', promptHash: 'h1' });
    expect([...store.answeredKeys('fp', 'rewardbench')]).toEqual([judgmentKey('a', 'h1')]);
    // The failure is still stored (and shown as such); it is simply asked again.
    expect(store.judgments('fp', 'rewardbench').get(judgmentKey('b', 'h1'))?.error).toBe('HTTP 500');
    store.record('fp', { ...row, itemId: 'b', promptHash: 'h1' });
    expect(new Set(store.answeredKeys('fp', 'rewardbench'))).toEqual(
      new Set([judgmentKey('a', 'h1'), judgmentKey('b', 'h1')]),
    );
    store.close();
  });
});

describe('a large run', () => {
  it('keeps no reply text once its outcome is read; predictions.jsonl reads them back from the store', async () => {
    const store = Store.open(':memory:');
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 20, swap: true });
    entries.forEach((e, i) => {
      for (const [shown, choice] of [
        [e, 'A'],
        [e.swapped!, i % 3 === 0 ? 'tie' : 'B'],
      ] as const) {
        const raw = `explanation: reply ${i}\nbetter response: ${choice}`;
        store.record('fp', { ...row, itemId: e.item.id, promptHash: shown.promptHash, raw });
      }
    });
    const stored = store.judgments('fp', 'rewardbench');
    const kept = storedResults(entries, stored, false, true);
    const slim = storedResults(entries, stored, false, false);
    expect([...slim.judgments, ...slim.swappedJudgments].every((j) => j !== undefined && j.raw === null)).toBe(true);
    expect(slim.results).toEqual(kept.results);
    const runOf = (r: typeof kept): RunResult =>
      ({
        benchmarks: [{ benchmark: rewardbench, ...r, repliesInStore: r === slim }],
        replyText: (j) => store.replyText('fp', j.benchmark, j.itemId, j.promptHash),
      }) as Pick<RunResult, 'benchmarks' | 'replyText'> as RunResult;
    const lines = [...predictionLines(runOf(kept))];
    expect(lines).toHaveLength(20);
    expect(lines[3]).toContain('reply 3');
    expect([...predictionLines(runOf(slim))]).toEqual(lines);
    store.close();
  });
});
