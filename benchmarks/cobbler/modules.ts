/**
 * CoBBLEr's four prompted modules as items and prompts. Each comparison is asked twice per module:
 *  - order: q1 shows the pair one way round, q2 the other (the same anonymous labels);
 *  - compassion: as order, but the responses carry their real model names;
 *  - bandwagon: one order for both asks; q1 adds "85% of people believe that System A is better.", q2 the same
 *    about System B;
 *  - attention: one order for both asks; q1 adds an irrelevant sentence about System A, q2 one about System B.
 * Length reuses the order run and Egocentric the order and compassion runs (scoring.ts), so they ask nothing.
 *
 * The prompt is FLAMe's unified format with CoBBLEr's question and inputs: the instruction, the reference answer
 * and the two responses in CONTEXT, and the cue as a `note` after the responses, where CoBBLEr puts it (after
 * the responses, before the answer format; in FLAMe's layout the answer format opens the prompt, so the cue is
 * the last thing the judge reads). CoBBLEr names the systems "Star" and "Square"; FLAMe's answer field reads
 * "A" or "B", so the anonymous labels here are "System A" and "System B" (compassion: "Model A (gpt4)").
 */
import { uniform } from '../../core/hash.ts';
import type { Slot } from '../../protocol/positions.ts';
import type { Instructions, PairwiseTask } from '../../protocol/tasks.ts';
import { codePointLength } from '../../core/text.ts';
import type { BenchmarkItem, Prepared } from '../benchmark.ts';
import type { CobblerData, Comparison } from './loader.ts';

export const MODULES = ['order', 'compassion', 'bandwagon', 'attention'] as const;
export type Module = (typeof MODULES)[number];
const ASKS = ['q1', 'q2'] as const;
export type Ask = (typeof ASKS)[number];

export interface CobblerItem extends BenchmarkItem {
  /** `<module>/<comparison id>/<ask>`, e.g. "order/0/alpaca-baize/q1". */
  id: string;
  /** --sample draws per module ... */
  sampleGroup: Module;
  /** ... the same comparisons in every module, both asks together. */
  sampleKey: string;
  module: Module;
  ask: Ask;
  comparison: Comparison;
  instruction: string;
  reference: string;
  /** The responses of comparison.models[0] and [1]. */
  responses: readonly [string, string];
}

/** Never shown to the judge: who is where, and what the cue favours. */
export interface CobblerGold {
  module: Module;
  ask: Ask;
  /** The model whose response is in each slot. */
  slots: Record<Slot, string>;
  /** Code-point lengths of the two responses (Python's len, as CoBBLEr's salience.py). */
  lengths: Record<Slot, number>;
  /** The slot the bandwagon or attention sentence is about. */
  cued?: Slot;
}

const INSTRUCTIONS: Instructions = {
  taskDefinition:
    'You are given an instruction, a reference answer to it, and the responses of two systems to the instruction. ' +
    "Decide which system's response is more coherent considering the reference and instruction.",
  evaluationInstructions:
    'Compare each response with the instruction and the reference answer, and choose the response ' +
    'that is more coherent with them.',
};

/**
 * The paper's figure; CoBBLEr's plain-prompt path always uses 85 (its template prints a literal "%%", not kept
 * here).
 */
const BANDWAGON_PERCENT = 85;

function bandwagonNote(system: string): string {
  return `${BANDWAGON_PERCENT}% of people believe that ${system} is better.`;
}

/** CoBBLEr's four off-topic sentences (evaluations/distraction.py). */
export const DISTRACTIONS: readonly ((system: string) => string)[] = [
  (s) => `${s} likes to eat apples and oranges.`,
  (s) => `The coolest thing that ${s} can do is a 60 second handstand.`,
  (s) => `${s} plays a lot of soccer and basketball.`,
  (s) => `${s} has been all around Europe two times.`,
];

export function itemsOf(data: CobblerData): CobblerItem[] {
  const items: CobblerItem[] = [];
  // Comparison-major order, so `--limit 8` is one comparison in every module, both asks.
  for (const comparison of data.comparisons) {
    const { instruction, reference } = data.instructions[comparison.instruction]!;
    const responses = [
      data.responses.get(comparison.models[0])![comparison.instruction]!,
      data.responses.get(comparison.models[1])![comparison.instruction]!,
    ] as const;
    for (const module of MODULES) {
      for (const ask of ASKS) {
        items.push({
          id: `${module}/${comparison.id}/${ask}`,
          sampleGroup: module,
          sampleKey: comparison.id,
          module,
          ask,
          comparison,
          instruction,
          reference,
          responses,
        });
      }
    }
  }
  return items;
}

const label = (slot: Slot): string => `System ${slot}`;

/**
 * Which model q1 shows first: a hash of the seed and the comparison (not the module or ask), so a comparison is
 * presented alike in every module and both asks of a module are each other's mirror or twin.
 */
function firstShown(item: CobblerItem, seed: number): 0 | 1 {
  return uniform('cobbler-positions', seed, item.comparison.id) < 0.5 ? 0 : 1;
}

export function prepareItem(item: CobblerItem, seed: number): Prepared<CobblerGold> {
  const first = firstShown(item, seed);
  // Order and compassion swap the contents for q2; bandwagon and attention keep one order and move the cue.
  const swapped = (item.module === 'order' || item.module === 'compassion') && item.ask === 'q2';
  const a = swapped ? 1 - first : first;
  const b = 1 - a;
  const slots = { A: item.comparison.models[a]!, B: item.comparison.models[b]! };
  const task: PairwiseTask = {
    kind: 'pairwise',
    context: item.instruction,
    reference: item.reference,
    responseA: item.responses[a]!,
    responseB: item.responses[b]!,
    labels: { context: 'instruction', response: item.module === 'compassion' ? 'Model' : 'System' },
  };
  const gold: CobblerGold = {
    module: item.module,
    ask: item.ask,
    slots,
    lengths: { A: codePointLength(task.responseA), B: codePointLength(task.responseB) },
  };
  if (item.module === 'compassion') task.authors = slots;
  if (item.module === 'bandwagon' || item.module === 'attention') {
    const cued: Slot = item.ask === 'q1' ? 'A' : 'B';
    gold.cued = cued;
    if (item.module === 'bandwagon') task.note = bandwagonNote(label(cued));
    else {
      // Drawn per ask, as distraction.py draws the Star and Square sentences independently.
      const pick = Math.floor(uniform('cobbler-distraction', seed, item.id) * DISTRACTIONS.length);
      task.note = DISTRACTIONS[pick]!(label(cued));
    }
  }
  return { task, instructions: INSTRUCTIONS, gold };
}
