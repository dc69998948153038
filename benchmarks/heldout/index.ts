/** The held-out pairwise human-judgment sets (FLAMe Table 1's pairwise columns, plus LLMBar). */
import type { HeldoutBenchmark } from './pairwise-set.ts';
import { alpacafarm } from './alpacafarm/index.ts';
import { contrastiveSearch } from './contrastive-search/index.ts';
import { copoem } from './copoem/index.ts';
import { expertLfqa } from './expert-lfqa/index.ts';
import { hhh } from './hhh/index.ts';
import { litmt } from './litmt/index.ts';
import { llmbar } from './llmbar/index.ts';
import { rankgen } from './rankgen/index.ts';

export { alpacafarm, contrastiveSearch, copoem, expertLfqa, hhh, litmt, llmbar, rankgen };

export const HELDOUT_PAIRWISE: readonly HeldoutBenchmark[] = [
  alpacafarm,
  rankgen,
  contrastiveSearch,
  litmt,
  hhh,
  copoem,
  expertLfqa,
  llmbar,
];
