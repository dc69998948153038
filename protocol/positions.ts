/**
 * Where the better response goes. Each gold pairwise item gets A/B by a hash of (seed, benchmark, item id):
 * the same for every judge and every rerun, independent of item order, and close to 50/50, so a judge that
 * always answers "A" scores about 50. `--swap` also asks the mirrored order (mirrorPair).
 */
import { uniform } from '../core/hash.ts';
import type { Instructions, PairwiseTask, Task } from './tasks.ts';

export type Slot = 'A' | 'B';

interface GoldPair {
  context: string;
  chosen: string;
  rejected: string;
}

/** The gold of every pairwise benchmark: where the better response was put. Benchmarks may add fields. */
export interface PairwiseGold {
  chosenSlot: Slot;
}

interface PresentedPair {
  task: PairwiseTask;
  chosenSlot: Slot;
}

export function chosenSlot(seed: number, benchmark: string, itemId: string): Slot {
  return uniform('positions', seed, benchmark, itemId) < 0.5 ? 'A' : 'B';
}

export function presentPair(pair: GoldPair, slot: Slot): PresentedPair {
  const [responseA, responseB] = slot === 'A' ? [pair.chosen, pair.rejected] : [pair.rejected, pair.chosen];
  return { task: { kind: 'pairwise', context: pair.context, responseA, responseB }, chosenSlot: slot };
}

/**
 * The same pairwise item with A and B exchanged (for --swap). Pairwise benchmarks' gold must say where the better
 * response is (PairwiseGold); this is checked here so a benchmark that forgets fails loudly, not silently.
 */
export function mirrorPair<P extends { task: Task; instructions: Instructions; gold: unknown }>(prepared: P): P {
  const { task } = prepared;
  const gold = prepared.gold as Partial<PairwiseGold> | undefined;
  if (task.kind !== 'pairwise') throw new Error(`only pairwise items can be swapped, not ${task.kind}`);
  if (gold?.chosenSlot !== 'A' && gold?.chosenSlot !== 'B')
    throw new Error('pairwise gold must have chosenSlot "A" or "B"');
  return {
    ...prepared,
    task: { ...task, responseA: task.responseB, responseB: task.responseA },
    gold: { ...gold, chosenSlot: gold.chosenSlot === 'A' ? 'B' : 'A' },
  };
}
