/**
 * What a run keeps per item: the task and the prompt's hash, never the prompt's text (rendered again when asked),
 * and what it reads back from the store to decide what is left to ask.
 */
import { describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { sha256 } from '../harness/hash.ts';
import { prepareItems } from '../harness/prepare.ts';
import { Store, judgmentKey } from '../harness/store.ts';
import { renderPrompt } from '../judges/prompt.ts';
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

describe('Store.answeredKeys', () => {
  it('lists the answered judgments of one judge and benchmark, not failures and not other judges', () => {
    const store = Store.open(':memory:');
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
