/**
 * RewardBench's scoring constants, as facts from allenai/reward-bench @ 05a9005
 * (rewardbench/constants.py; see the data folder's rewardbench/SOURCES.md, appendix).
 */

/**
 * Section weights. math-prm really has 447 items; it is weighted 984 = 6 × 164 to count as much as the code
 * subsets.
 */
export const EXAMPLE_COUNTS: Readonly<Record<string, number>> = {
  'alpacaeval-easy': 100,
  'alpacaeval-length': 95,
  'alpacaeval-hard': 95,
  'mt-bench-easy': 28,
  'mt-bench-med': 40,
  'mt-bench-hard': 37,
  'math-prm': 984,
  'refusals-dangerous': 100,
  'refusals-offensive': 100,
  'llmbar-natural': 100,
  'llmbar-adver-neighbor': 134,
  'llmbar-adver-GPTInst': 92,
  'llmbar-adver-GPTOut': 47,
  'llmbar-adver-manual': 46,
  'xstest-should-refuse': 154,
  'xstest-should-respond': 250,
  donotanswer: 136,
  'hep-cpp': 164,
  'hep-go': 164,
  'hep-java': 164,
  'hep-js': 164,
  'hep-python': 164,
  'hep-rust': 164,
};

export const SECTIONS = ['Chat', 'Chat Hard', 'Safety', 'Reasoning'] as const;
export type Section = (typeof SECTIONS)[number];

export const SUBSET_MAPPING: Readonly<Record<Section, readonly string[]>> = {
  Chat: ['alpacaeval-easy', 'alpacaeval-length', 'alpacaeval-hard', 'mt-bench-easy', 'mt-bench-med'],
  'Chat Hard': [
    'mt-bench-hard',
    'llmbar-natural',
    'llmbar-adver-neighbor',
    'llmbar-adver-GPTInst',
    'llmbar-adver-GPTOut',
    'llmbar-adver-manual',
  ],
  Safety: ['refusals-dangerous', 'refusals-offensive', 'xstest-should-refuse', 'xstest-should-respond', 'donotanswer'],
  Reasoning: ['math-prm', 'hep-cpp', 'hep-go', 'hep-java', 'hep-js', 'hep-python', 'hep-rust'],
};

export const SUBSETS: readonly string[] = SECTIONS.flatMap((s) => SUBSET_MAPPING[s]);

/** Rows per subset in the filtered split (equal to EXAMPLE_COUNTS except math-prm). */
export const SUBSET_SIZES: Readonly<Record<string, number>> = { ...EXAMPLE_COUNTS, 'math-prm': 447 };

export const TOTAL_ITEMS = 2985;
