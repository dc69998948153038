/**
 * LLMBar (Zeng et al., ICLR 2024): the 419 items of the Natural set and the four Adversarial subsets, each a
 * `dataset.json` array of {input, output_1, output_2, label ∈ {1, 2}} with a curated gold label (no votes, no ties).
 * `Dataset/Processed/*` (FairEval, LLMEval², MT-Bench) are other benchmarks re-processed by the authors and are
 * not read. The source has no item key, so an item is its subset and row.
 */
import { z } from 'zod';
import { jsonPairLoader } from '../human-pair.ts';

export const LLMBAR_DIR = 'heldout/llmbar';

/** Subset name → path inside the repository (the README's `Dataset/Natural` is really `Dataset/LLMBar/Natural`). */
export const LLMBAR_SUBSETS = {
  Natural: 'Dataset/LLMBar/Natural/dataset.json',
  Neighbor: 'Dataset/LLMBar/Adversarial/Neighbor/dataset.json',
  GPTInst: 'Dataset/LLMBar/Adversarial/GPTInst/dataset.json',
  GPTOut: 'Dataset/LLMBar/Adversarial/GPTOut/dataset.json',
  Manual: 'Dataset/LLMBar/Adversarial/Manual/dataset.json',
} as const;

/** Rows per subset file in the pinned release (the data folder's heldout/SOURCES.md): 419 in all. */
export const LLMBAR_ROWS: Readonly<Record<keyof typeof LLMBAR_SUBSETS, number>> = {
  Natural: 100,
  Neighbor: 134,
  GPTInst: 92,
  GPTOut: 47,
  Manual: 46,
};

export type LlmbarSubset = keyof typeof LLMBAR_SUBSETS;
export const LLMBAR_SUBSET_NAMES = Object.keys(LLMBAR_SUBSETS) as LlmbarSubset[];
/** The Adversarial subsets, which LLMBar also reports as one average. */
export const LLMBAR_ADVERSARIAL: readonly LlmbarSubset[] = ['Neighbor', 'GPTInst', 'GPTOut', 'Manual'];

const row = z.object({
  input: z.string(),
  output_1: z.string(),
  output_2: z.string(),
  label: z.literal([1, 2]),
});

export const loadLlmbar = jsonPairLoader({
  title: 'LLMBar',
  benchmarkId: 'llmbar',
  dir: LLMBAR_DIR,
  files: LLMBAR_SUBSET_NAMES.map((subset) => LLMBAR_SUBSETS[subset]),
  rows: LLMBAR_SUBSET_NAMES.map((subset) => LLMBAR_ROWS[subset]),
  record: row,
  pair(r, { fileIndex, index }) {
    const subset = LLMBAR_SUBSET_NAMES[fileIndex]!;
    return {
      id: `${subset.toLowerCase()}/${index}`,
      context: r.input,
      first: r.output_1,
      second: r.output_2,
      better: r.label === 1 ? 'first' : 'second',
      group: subset,
    };
  },
});
