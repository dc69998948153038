/**
 * Where the better response goes. Each gold pairwise item gets A/B by a hash of (seed, benchmark, item id):
 * the same for every judge and every rerun, independent of item order, and close to 50/50, so a judge that
 * always answers "A" scores about 50.
 */
import { uniform } from './hash.ts';
import type { PairwiseTask } from './tasks.ts';

export type Slot = 'A' | 'B';

export interface GoldPair {
  context: string;
  chosen: string;
  rejected: string;
}

export interface PresentedPair {
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
