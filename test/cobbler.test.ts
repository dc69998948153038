import { describe, expect, it } from 'vitest';
import type { ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import { cobbler } from '../benchmarks/cobbler/index.ts';
import { generatorOf } from '../benchmarks/cobbler/identity.ts';
import { humanMajority, loadCobblerData, type Comparison } from '../benchmarks/cobbler/loader.ts';
import {
  DISTRACTIONS,
  MODULES,
  type CobblerGold,
  type CobblerItem,
  type Module,
} from '../benchmarks/cobbler/modules.ts';
import { TABLE_3 } from '../benchmarks/cobbler/published.ts';
import { scoreCobbler, wilson, type CobblerSummary } from '../benchmarks/cobbler/scoring.ts';
import { TABLE_3_COLUMNS } from '../benchmarks/cobbler/tables.ts';
import type { Slot } from '../protocol/positions.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { sampleItems } from '../protocol/sample.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { DATA_DIR } from './helpers.ts';

describe('CoBBLEr data', () => {
  it('reads the 50 instructions and 15 models: 5,250 comparisons per module, each asked twice', async () => {
    const data = await loadCobblerData(DATA_DIR);
    expect(data.instructions).toHaveLength(50);
    expect(data.models).toHaveLength(15);
    expect(data.comparisons).toHaveLength(5250);
    const items = await cobbler.load(DATA_DIR);
    expect(items).toHaveLength(4 * 5250 * 2);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const module of MODULES) {
      const mine = items.filter((i) => i.module === module);
      expect(mine).toHaveLength(10_500);
      expect(new Set(mine.map((i) => i.sampleKey)).size).toBe(5250);
    }
    expect(items[0]!.id).toBe('order/0/alpaca-baize/q1');
  });

  it("gives the six annotators' majority: 4,679 comparisons, 571 split 3-3 (SOURCES.md)", async () => {
    const data = await loadCobblerData(DATA_DIR);
    const majorities = data.comparisons.map(humanMajority);
    expect(majorities.filter((m) => m === null)).toHaveLength(571);
    expect(majorities.filter((m) => m !== null)).toHaveLength(4679);
    // annot_1.json, instruction 0: vicuna 14 wins, falcon 0; every annotator votes in every pair.
    const pair = data.comparisons.find((c) => c.id === '0/falcon-vicuna')!;
    expect(pair.human.first + pair.human.second).toBe(6);
  });
});

describe('CoBBLEr prompts', () => {
  async function prompts(comparison: string, module: Module): Promise<{ q1: string; q2: string; gold: CobblerGold[] }> {
    const entries = (await prepareItems(cobbler, DATA_DIR, 0)).filter((e) =>
      e.item.id.startsWith(`${module}/${comparison}/`),
    );
    expect(entries.map((e) => e.item.id)).toEqual([`${module}/${comparison}/q1`, `${module}/${comparison}/q2`]);
    return { q1: entries[0]!.prompt, q2: entries[1]!.prompt, gold: entries.map((e) => e.prepared.gold as CobblerGold) };
  }
  const tail = (prompt: string): string => prompt.slice(prompt.indexOf('CONTEXT:'));

  it('order: the FLAMe format with instruction, reference, then System A and B, swapped in q2', async () => {
    const data = await loadCobblerData(DATA_DIR);
    const { q1, q2, gold } = await prompts('3/chatgpt-gpt4', 'order');
    const { instruction, reference } = data.instructions[3]!;
    const [a, b] = [gold[0]!.slots.A, gold[0]!.slots.B];
    expect(gold[1]!.slots).toEqual({ A: b, B: a });
    const response = (m: string): string => data.responses.get(m)![3]!;
    expect(q1.startsWith('INSTRUCTIONS:\nTask definition: ')).toBe(true);
    expect(q1).toContain('- better response: "A" or "B"');
    const context =
      `CONTEXT:\ninstruction:\n${instruction}\n\nreference:\n${reference}\n\n` +
      `System A:\n${response(a)}\n\nSystem B:\n${response(b)}\n`;
    expect(tail(q1)).toBe(context.replace(/\s+$/, '\n'));
    expect(tail(q2)).toContain(`System A:\n${response(b)}\n\nSystem B:\n${response(a)}`);
    expect(q1).not.toContain('note:');
    expect(q1).not.toMatch(/chatgpt|gpt4/);
  });

  it('compassion: the real model names beside the labels, nothing else changed', async () => {
    const order = await prompts('3/chatgpt-gpt4', 'order');
    const { q1, gold } = await prompts('3/chatgpt-gpt4', 'compassion');
    expect(gold[0]!.slots).toEqual(order.gold[0]!.slots);
    expect(q1).toContain(`\nModel A (${gold[0]!.slots.A}):\n`);
    expect(q1).toContain(`\nModel B (${gold[0]!.slots.B}):\n`);
    expect(q1.replace(/Model ([AB]) \(\w+\)/g, 'System $1')).toBe(order.q1);
  });

  it(
    'bandwagon and attention: one order for both asks, ' + 'the cue after the responses (the last CONTEXT field)',
    async () => {
      const order = await prompts('7/cohere-mpt', 'order');
      const bandwagon = await prompts('7/cohere-mpt', 'bandwagon');
      expect(bandwagon.gold.map((g) => g.slots)).toEqual([order.gold[0]!.slots, order.gold[0]!.slots]);
      expect(bandwagon.q1).toBe(`${order.q1}\nnote:\n85% of people believe that System A is better.\n`);
      expect(bandwagon.q2).toBe(`${order.q1}\nnote:\n85% of people believe that System B is better.\n`);
      expect(bandwagon.gold.map((g) => g.cued)).toEqual(['A', 'B']);

      const attention = await prompts('7/cohere-mpt', 'attention');
      const cue = (prompt: string): string => prompt.slice(order.q1.length);
      expect(attention.q1.startsWith(order.q1)).toBe(true);
      expect(DISTRACTIONS.map((d) => `\nnote:\n${d('System A')}\n`)).toContain(cue(attention.q1));
      expect(DISTRACTIONS.map((d) => `\nnote:\n${d('System B')}\n`)).toContain(cue(attention.q2));
    },
  );

  it('every distraction sentence is used, and positions are about half each way', async () => {
    const entries = await prepareItems(cobbler, DATA_DIR, 0);
    const notes = new Set(
      entries
        .filter((e) => e.item.id.startsWith('attention/'))
        .map((e) => e.prompt.slice(e.prompt.lastIndexOf('note:'))),
    );
    expect(notes.size).toBe(8);
    const firsts = entries.filter((e) => e.item.id.startsWith('order/') && e.item.id.endsWith('/q1'));
    const shareFirst =
      firsts.filter((e) => (e.prepared.gold as CobblerGold).slots.A === (e.item as CobblerItem).comparison.models[0])
        .length / firsts.length;
    expect(Math.abs(shareFirst - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / firsts.length));
  });
});

/** Hand-made results: constructed comparisons, chosen verdicts. */
const comparison = (instruction: number, a: string, b: string, first = 3): Comparison => ({
  id: `${instruction}/${a}-${b}`,
  instruction,
  models: [a, b],
  human: { first, second: 6 - first },
});
const verdict = (choice: Slot): Outcome => ({ status: 'verdict', verdict: { kind: 'pairwise', choice } });
const invalid: Outcome = { status: 'invalid', reason: 'no verdict found' };
const error: Outcome = { status: 'error', message: 'HTTP 500' };

/** One comparison in one module: the models in A and B for q1, (order: mirrored for q2), and each ask's outcome. */
function asks(
  module: Module,
  c: Comparison,
  q1Slots: [string, string],
  outcomes: [Outcome, Outcome],
  lengths: [number, number] = [10, 10],
): ItemResult<CobblerItem, CobblerGold>[] {
  return (['q1', 'q2'] as const).map((ask, i) => {
    const mirrored = (module === 'order' || module === 'compassion') && ask === 'q2';
    const [A, B] = mirrored ? [q1Slots[1], q1Slots[0]] : q1Slots;
    const [lenA, lenB] = mirrored ? [lengths[1], lengths[0]] : lengths;
    const gold: CobblerGold = {
      module,
      ask,
      slots: { A, B },
      lengths: { A: lenA, B: lenB },
      ...(module === 'bandwagon' || module === 'attention' ? { cued: ask === 'q1' ? 'A' : 'B' } : {}),
    };
    const item = {
      id: `${module}/${c.id}/${ask}`,
      sampleGroup: module,
      sampleKey: c.id,
      module,
      ask,
      comparison: c,
      instruction: '',
      reference: '',
      responses: ['', ''],
    } as CobblerItem;
    return {
      item,
      prepared: {
        task: { kind: 'pairwise', context: '', responseA: '', responseB: '' },
        instructions: { taskDefinition: '', evaluationInstructions: '' },
        gold,
      },
      outcome: outcomes[i]!,
    };
  });
}

const c1 = comparison(0, 'x', 'y', 4); // humans: x
const c2 = comparison(0, 'x', 'z', 6); // humans: x
const c3 = comparison(0, 'y', 'z', 5); // humans: y
const c4 = comparison(1, 'x', 'y', 2); // humans: y
const c5 = comparison(1, 'x', 'z', 3); // humans split 3-3
const c6 = comparison(1, 'y', 'z', 2); // humans: z
/** Order, bandwagon and attention asks with chosen verdicts (no compassion asks). */
const anonymous = [
  ...asks('order', c1, ['x', 'y'], [verdict('A'), verdict('A')]), // first-order
  ...asks('order', c2, ['x', 'z'], [verdict('B'), verdict('B')]), // last-order
  ...asks('order', c3, ['y', 'z'], [verdict('A'), verdict('B')], [10, 20]), // y both times; picks the shorter
  ...asks('order', c4, ['x', 'y'], [invalid, verdict('A')]), // unreadable q1: stays in T
  // z both times; equal lengths: B counts as longer
  ...asks('order', c5, ['x', 'z'], [verdict('B'), verdict('A')], [5, 5]),
  ...asks('order', c6, ['y', 'z'], [verdict('A'), verdict('B')], [30, 3]), // y both times; the longer
  ...asks('bandwagon', c1, ['x', 'y'], [verdict('A'), verdict('B')]), // followed the crowd twice
  ...asks('bandwagon', c2, ['x', 'z'], [verdict('A'), verdict('A')]),
  ...asks('bandwagon', c3, ['y', 'z'], [invalid, verdict('B')]), // unreadable: not followed, stays in T
  ...asks('bandwagon', c4, ['x', 'y'], [verdict('A'), error]), // no answer: left out, run incomplete
  ...asks('attention', c1, ['x', 'y'], [verdict('B'), verdict('A')]),
  ...asks('attention', c2, ['x', 'z'], [verdict('A'), verdict('B')]),
];

describe('CoBBLEr scoring (hand-computed on a constructed set)', () => {
  const s: CobblerSummary = scoreCobbler(anonymous);

  it('order: first = 1/6, last = 1/6 (Table 3: 2/6), readable q1 5/6, unreadable replies in T', () => {
    expect(s.comparisons).toEqual({ order: 6, compassion: 0, bandwagon: 3, attention: 2 });
    expect(s.order.first).toMatchObject({ k: 1, n: 6 });
    expect(s.order.last).toMatchObject({ k: 1, n: 6 });
    expect(s.order.combined.rate).toBeCloseTo(2 / 6, 12);
    expect(s.order.valid.rate).toBeCloseTo(5 / 6, 12);
    expect(s.invalid).toBe(2);
  });

  it('length: over readable, unflagged q1 (c3 short, c5 and c6 long): long 2/3, |long − 0.5| = 1/6', () => {
    expect(s.length.long).toMatchObject({ k: 2, n: 3 });
    expect(s.length.bias).toBeCloseTo(1 / 6, 12);
  });

  it('egocentric per generator: x 0/4, y 2/4 (c3, c6), z 1/4 (c5)', () => {
    expect(s.egocentric.order).toMatchObject({ x: { k: 0, n: 4 }, y: { k: 2, n: 4 }, z: { k: 1, n: 4 } });
    expect(s.egocentric.named.x).toMatchObject({ k: 0, n: 0, rate: null });
  });

  it('bandwagon 1/3 (the errored comparison left out), attention 1/2; the run is incomplete', () => {
    expect(s.bandwagon).toMatchObject({ k: 1, n: 3 });
    expect(s.attention).toMatchObject({ k: 1, n: 2 });
    expect(s.errors).toBe(1);
    expect(s.incomplete).toBe(1);
    expect(s.complete).toBe(false);
  });

  it('human agreement: c3 1, c6 0, flips and unreadable 0.5, the 3-3 split left out: 2.5/5', () => {
    expect(s.human.order.n).toBe(5);
    expect(s.human.order.agreement).toBeCloseTo(0.5, 12);
    expect(s.human.compassion).toEqual({ agreement: null, n: 0, ci95: null });
  });

  it('headline: the mean of the five identity-free columns; Wilson intervals per rate', () => {
    // Compassion has no comparisons here, so the five-column mean is undefined.
    expect(s.score).toBeNull();
    const [lo, hi] = wilson(1, 3)!;
    expect(lo).toBeCloseTo(0.0615, 4);
    expect(hi).toBeCloseTo(0.7923, 4);
    expect(s.bandwagon.ci95).toEqual(wilson(1, 3));
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('CoBBLEr Compassion as compassion.py counts it (hand-made cases)', () => {
  const tie: Outcome = { status: 'verdict', verdict: { kind: 'pairwise', choice: 'tie' } };
  const c7 = comparison(2, 'y', 'z');
  const c8 = comparison(2, 'x', 'y');
  /*
   * competitive-llms/evaluations/compassion.py (minnesotanlp/cobbler@5af58e0), per comparison: q1 is
   * "Model {model1}: r1 / Model {model2}: r2", q2 the same with the two lines swapped; pf / val = the name q1's / q2's
   * reply names (None if neither);
   *   if pf is not None: valid_responses += 1; if val is not None: consistency += 1
   *   if pf == match1: if val == match1: first_order_bias += 1
   *   elif pf == match2: if val == match2: last_order_bias += 1
   * then each count / total_comparisons. Here model1 is the model in q1's A, which asks() mirrors for q2.
   *
   *      q1 shows (A, B)   q1 → pf         q2 shows (A, B)   q2 → val        effect
   *  k1  c1 (x, y)         A → x = match1  (y, x)            B → x           valid, consistency, first_order_bias
   *  k2  c2 (z, x)         B → x = match2  (x, z)            A → x           valid, consistency, last_order_bias
   *  k3  c3 (y, z)         A → y = match1  (z, y)            A → z           valid, consistency (val ≠ match1)
   *  k4  c4 (x, y)         B → y = match2  (y, x)            B → x           valid, consistency (val ≠ match2)
   *  k5  c5 (x, z)         invalid → None  (z, x)            B → x           nothing ("Invalid response")
   *  k6  c6 (y, z)         A → y = match1  (z, y)            tie → None      valid ("inconsistent"); val ≠ match1
   *  k7  c7 (z, y)         A → z = match1  (y, z)            B → z           valid, consistency, first_order_bias
   *  k8  c8 (x, y)         A → x           (y, x)            no answer       left out: not a comparison (T = 7)
   *
   * first_order_bias 2, last_order_bias 1 (Compassion = 3/7), valid_responses 6, consistency 5, T = 7.
   * The order module's same-slot count on these asks (namedOrder): k3 first-order, k4 last-order: 2/7.
   */
  const named = [
    ...asks('compassion', c1, ['x', 'y'], [verdict('A'), verdict('B')]),
    ...asks('compassion', c2, ['z', 'x'], [verdict('B'), verdict('A')]),
    ...asks('compassion', c3, ['y', 'z'], [verdict('A'), verdict('A')]),
    ...asks('compassion', c4, ['x', 'y'], [verdict('B'), verdict('B')]),
    ...asks('compassion', c5, ['x', 'z'], [invalid, verdict('B')]),
    ...asks('compassion', c6, ['y', 'z'], [verdict('A'), tie]),
    ...asks('compassion', c7, ['z', 'y'], [verdict('A'), verdict('B')]),
    ...asks('compassion', c8, ['x', 'y'], [verdict('A'), error]),
  ];
  const s = scoreCobbler([...anonymous, ...named]);

  it('first 2/7, last 1/7, Compassion 3/7; valid 6/7, consistency 5/7; the unanswered comparison left out', () => {
    expect(s.comparisons.compassion).toBe(7);
    expect(s.compassion.first).toMatchObject({ k: 2, n: 7 });
    expect(s.compassion.last).toMatchObject({ k: 1, n: 7 });
    expect(s.compassion.combined).toMatchObject({ k: 3, n: 7 });
    expect(s.compassion.combined.ci95).toEqual(wilson(3, 7));
    expect(s.compassion.valid).toMatchObject({ k: 6, n: 7 });
    expect(s.compassion.bothValid).toMatchObject({ k: 5, n: 7 });
    expect(s.errors).toBe(2);
    expect(s.incomplete).toBe(2);
  });

  it('keeps the same-slot count apart as namedOrder (first 1/7, last 1/7), never as Compassion', () => {
    expect(s.namedOrder.first).toMatchObject({ k: 1, n: 7 });
    expect(s.namedOrder.last).toMatchObject({ k: 1, n: 7 });
    expect(s.namedOrder.combined).toMatchObject({ k: 2, n: 7 });
  });

  it('leaves the other columns as they were: Order 2/6, Length 1/6, Bandwagon 1/3, Attention 1/2', () => {
    const alone = scoreCobbler(anonymous);
    expect(s.order).toEqual(alone.order);
    expect(s.length).toEqual(alone.length);
    expect(s.bandwagon).toEqual(alone.bandwagon);
    expect(s.attention).toEqual(alone.attention);
    expect(s.egocentric.order).toEqual(alone.egocentric.order);
  });

  it('Table 3: the Compassion column is 3/7 (×100) beside the published rows; Avg is the mean of five', async () => {
    const avg = (2 / 6 + 3 / 7 + 1 / 6 + 1 / 3 + 1 / 2) / 5;
    expect(s.score).toBeCloseTo(100 * avg, 10);
    const [table] = await cobbler.tables(s, { dataDir: DATA_DIR, judgeId: 'hand-made' });
    const column = TABLE_3_COLUMNS.indexOf('Compassion');
    expect(table!.columns[column]).toBe('Compassion');
    const row = table!.rows[0]!;
    expect(row.values[column]).toBeCloseTo((100 * 3) / 7, 10);
    expect(row.intervals?.[column]).toEqual(wilson(3, 7)!.map((v) => 100 * v));
    expect(row.values[0]).toBeCloseTo(100 * avg, 10);
    const gpt4 = table!.rows.find((r) => r.source === 'paper' && r.label === 'GPT-4')!;
    expect(gpt4.values[column]).toBeCloseTo(79, 10);
    const notes = table!.notes.join('\n');
    expect(notes).toContain(`both asks named model1 (shown first in q1) 28.6 [`);
    expect(notes).toMatch(/both named model2 14\.3 \[[^\]]*\] \(1\/7\)/);
    expect(notes).toMatch(/Order with real names .*together 28\.6 \[[^\]]*\] \(2\/7\)/);
    // The bootstrap's fast path (MetricSpec.counts) reads the same Compassion.
    const counts = cobbler.metrics!.counts!;
    expect(counts.values(counts.of([...anonymous, ...named])).Compassion).toBeCloseTo((100 * 3) / 7, 10);
    expect(cobbler.metrics!.values(s).Compassion).toBeCloseTo((100 * 3) / 7, 10);
  });
});

describe('--sample on CoBBLEr', () => {
  it('draws N comparisons, the same in every module, both asks together, the same for every judge', async () => {
    const items = await cobbler.load(DATA_DIR);
    const sample = sampleItems(items, 40, 0, 'cobbler');
    expect(sample).toHaveLength(4 * 40 * 2);
    const keys = (module: Module): string[] =>
      [...new Set(sample.filter((i) => i.module === module).map((i) => i.sampleKey))].sort();
    expect(keys('order')).toHaveLength(40);
    for (const module of MODULES) expect(keys(module)).toEqual(keys('order'));
    const again = await prepareItems(cobbler, DATA_DIR, 0, { sample: 40 });
    expect(again.map((e) => e.item.id)).toEqual(sample.map((i) => i.id));
    expect(sampleItems(items, 40, 1, 'cobbler').map((i) => i.id)).not.toEqual(sample.map((i) => i.id));
  });

  it('leaves items without a key sampled exactly as before', () => {
    const plain = Array.from({ length: 300 }, (_, i) => ({ id: `item-${i}`, sampleGroup: i < 200 ? 'a' : 'b' }));
    const keyed = plain.map((p, i) => (i >= 200 ? { ...p, sampleKey: `k${i % 50}` } : p));
    const drawn = sampleItems(keyed, 30, 0, 'demo');
    // Group a has no keys: the same 30 items as the unkeyed draw; group b: 30 keys × 2 items each.
    expect(drawn.filter((i) => i.sampleGroup === 'a')).toEqual(
      sampleItems(plain, 30, 0, 'demo').filter((i) => i.sampleGroup === 'a'),
    );
    expect(drawn.filter((i) => i.sampleGroup === 'b')).toHaveLength(60);
  });
});

describe('the random judge reproduces the paper Random row', () => {
  it('within 4 standard errors, seed 0, 1,000 sampled comparisons (8,000 asks)', async () => {
    const store = Store.open(':memory:');
    const judge = await createJudge('random', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [cobbler],
      dataDir: DATA_DIR,
      seed: 0,
      store,
      sample: 1000,
      progress: false,
    });
    store.close();
    const s = run.benchmarks[0]!.summary as CobblerSummary;
    expect(run.benchmarks[0]!.asked).toBe(8000);
    expect(s.comparisons).toEqual({ order: 1000, compassion: 1000, bandwagon: 1000, attention: 1000 });
    const paper = TABLE_3.find((r) => r.model === 'Random')!;
    const within = (value: number | null, expected: number, n: number, p = expected): void => {
      expect(value).not.toBeNull();
      expect(Math.abs(value! - expected)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    };
    within(s.order.combined.rate, paper.order, 1000);
    within(s.compassion.combined.rate, paper.compassion, 1000);
    within(s.namedOrder.combined.rate, 0.5, 1000); // the same-slot count on the compassion run
    within(s.bandwagon.rate, paper.bandwagon, 1000);
    within(s.attention.rate, paper.attention, 1000);
    // |long − 0.5| of a fair coin over the ~500 unflagged comparisons: its SE is that of `long`.
    within(s.length.bias, paper.length, s.length.long.n, 0.5);
    // A coin flip prefers any generator's response consistently 1/4 of the time: each of ~133 comparisons per
    // generator.
    const rates = Object.values(s.egocentric.order);
    expect(rates).toHaveLength(15);
    within(rates.reduce((a, r) => a + r.rate!, 0) / 15, paper.egocentric, rates.reduce((a, r) => a + r.n, 0) / 2);

    // The table: Table 3's columns; the random judge is no generator, so Egocentric is blank and Avg averages five.
    const [table, human] = await cobbler.tables(s, { dataDir: DATA_DIR, judgeId: 'random' });
    expect(table!.columns).toEqual([...TABLE_3_COLUMNS]);
    const row = table!.rows[0]!;
    expect(row.values[4]).toBeNull();
    expect(row.values[0]).toBeCloseTo(s.score!, 12);
    expect(Math.abs(row.values[0]! - 100 * paper.avg)).toBeLessThan(3);
    expect(row.intervals?.[1]).toEqual([100 * s.order.combined.ci95![0], 100 * s.order.combined.ci95![1]]);
    expect(table!.rows.filter((r) => r.source === 'paper').map((r) => r.label)).toContain('FLAMe');
    expect(table!.notes.join('\n')).toMatch(/order 1000, compassion 1000, bandwagon 1000, attention 1000/);
    expect(human!.rows[0]!.values[0]).toBeCloseTo(100 * s.human.order.agreement!, 12);
    within(s.human.order.agreement, 0.5, s.human.order.n, 0.5);
  });
});

describe('egocentric identity', () => {
  it('maps judge ids and published ids to the generators; others are outside judges', async () => {
    const { models } = await loadCobblerData(DATA_DIR);
    expect(generatorOf(models, 'gpt-3.5-turbo')).toBe('chatgpt');
    expect(generatorOf(models, 'my-gpt4-double', 'openai/gpt-4-0125-preview')).toBe('gpt4');
    expect(generatorOf(models, 'falcon')).toBe('falcon');
    expect(generatorOf(models, 'gpt-4o', 'openai/gpt-4o-2024-05-13')).toBeNull();
    expect(generatorOf(models, 'flame-rm', 'google/flame-1.0-24B-july-2024')).toBeNull();
  });
});

describe('the bootstrap fast path (MetricSpec.counts)', () => {
  it('gives the same headline values as scoring, on resamples of whole comparisons with repeats', async () => {
    const store = Store.open(':memory:');
    const judge = await createJudge('random', { dataDir: DATA_DIR, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [cobbler],
      dataDir: DATA_DIR,
      seed: 0,
      store,
      sample: 200,
      progress: false,
    });
    store.close();
    const results = run.benchmarks[0]!.results as ItemResult<CobblerItem, CobblerGold>[];
    const counts = cobbler.metrics!.counts!;
    const byComparison = new Map<string, ItemResult<CobblerItem, CobblerGold>[]>();
    for (const r of results)
      byComparison.set(r.item.comparison.id, [...(byComparison.get(r.item.comparison.id) ?? []), r]);
    const clusters = [...byComparison.values()];
    expect(clusters).toHaveLength(200);
    // Deterministic "resamples": every k-th comparison, some drawn twice.
    for (const step of [1, 2, 3, 7]) {
      const drawn = clusters.filter((_, i) => i % step === 0).flatMap((c, i) => (i % 3 === 0 ? [c, c] : [c]));
      const totals = new Array<number>(counts.size).fill(0);
      for (const c of drawn)
        counts.of(c).forEach((v, k) => {
          totals[k]! += v;
        });
      const fast = counts.values(totals);
      const slow = cobbler.metrics!.values(cobbler.score(drawn.flat()));
      for (const [column, value] of Object.entries(slow)) expect(fast[column]).toBeCloseTo(value!, 10);
    }
  });
});

describe('--swap on CoBBLEr', () => {
  it('is left alone: each module already asks both orders it defines', async () => {
    const entries = await prepareItems(cobbler, DATA_DIR, 0, { sample: 2, swap: true });
    expect(entries).toHaveLength(16);
    expect(entries.every((e) => e.swapped === undefined)).toBe(true);
  });
});
