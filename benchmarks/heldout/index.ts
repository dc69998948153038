/**
 * The held-out pairwise human-judgment sets (FLAMe Table 1's pairwise columns, plus LLMBar): every registered
 * benchmark made by definePairwiseSet, in registry order. A new set is registered in benchmarks/index.ts only.
 */
import { BENCHMARKS, OTHER_BENCHMARKS } from '../index.ts';
import { type HeldoutBenchmark, isPairwiseSet } from './pairwise-set.ts';

export const HELDOUT_PAIRWISE: readonly HeldoutBenchmark[] = [...BENCHMARKS, ...OTHER_BENCHMARKS].filter(isPairwiseSet);
