import { describe, expect, it } from 'vitest';
import { INSTRUCTIONS, rewardbench } from '../benchmarks/rewardbench/index.ts';
import { loadRewardBench } from '../benchmarks/rewardbench/loader.ts';
import { chosenSlot } from '../protocol/positions.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { renderPrompt } from '../protocol/prompt.ts';
import { DATA_DIR } from './helpers.ts';

describe('FLAMe unified prompt, pairwise', () => {
  it('has an INSTRUCTIONS block (definition, evaluation instructions, output fields) then a CONTEXT block', () => {
    const prompt = renderPrompt(INSTRUCTIONS, {
      kind: 'pairwise',
      context: 'What is 2+2?',
      responseA: '4',
      responseB: '5',
    });
    expect(prompt).toBe(
      [
        'INSTRUCTIONS:',
        `Task definition: ${INSTRUCTIONS.taskDefinition}`,
        '',
        `Evaluation instructions: ${INSTRUCTIONS.evaluationInstructions}`,
        '',
        'Output fields:',
        '- explanation: one to three sentences comparing the two responses',
        '- better response: "A" or "B"',
        'Write each output field on its own line, in this order:',
        'explanation: ...',
        'better response: ...',
        '',
        'CONTEXT:',
        'prompt:',
        'What is 2+2?',
        '',
        'response A:',
        '4',
        '',
        'response B:',
        '5',
        '',
      ].join('\n'),
    );
  });
});

describe('A/B positions', () => {
  it('are seeded per item, about half each way, and the same whatever the item order', async () => {
    const items = await loadRewardBench(DATA_DIR);
    const slots = items.map((i) => chosenSlot(0, 'rewardbench', i.id));
    const shareA = slots.filter((s) => s === 'A').length / items.length;
    // 2,985 fair draws: within 4 standard deviations of one half.
    expect(Math.abs(shareA - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / items.length));
    const reversed = [...items]
      .reverse()
      .map((i) => chosenSlot(0, 'rewardbench', i.id))
      .reverse();
    expect(reversed).toEqual(slots);
    const otherSeed = items.map((i) => chosenSlot(1, 'rewardbench', i.id));
    expect(otherSeed).not.toEqual(slots);

    const prepared = await prepareItems(rewardbench, DATA_DIR, 0);
    prepared.forEach((p, k) => {
      const task = p.prepared.task;
      if (task.kind !== 'pairwise') throw new Error('pairwise expected');
      const chosen = slots[k] === 'A' ? task.responseA : task.responseB;
      expect(chosen).toBe(items[k]!.chosen);
    });
  });

  it('every judge is asked exactly the same prompts', async () => {
    const store = Store.open(':memory:');
    const hashes: string[][] = [];
    for (const id of ['longer-wins', 'random', 'replay:openbmb/UltraRM-13b']) {
      const judge = await createJudge(id, { dataDir: DATA_DIR, seed: 0 });
      const run = await runEval({
        judge,
        benchmarks: [rewardbench],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        progress: false,
      });
      hashes.push(run.benchmarks[0]!.judgments.map((j) => j!.promptHash));
    }
    expect(hashes[0]).toHaveLength(2985);
    expect(hashes[1]).toEqual(hashes[0]);
    expect(hashes[2]).toEqual(hashes[0]);
  });
});
