/**
 * The datasets of LLM-AggreFact, spelled as in the `dataset` column of the Hub release (lytang/LLM-AggreFact) and
 * in the order of the leaderboard and MiniCheck's evaluation notebook. Version 1 (the one FLAMe used) had the first
 * ten; RAGTruth was added on 2024-09-08.
 */
export const DATASETS = [
  'AggreFact-CNN',
  'AggreFact-XSum',
  'TofuEval-MediaS',
  'TofuEval-MeetB',
  'Wice',
  'Reveal',
  'ClaimVerify',
  'FactCheck-GPT',
  'ExpertQA',
  'Lfqa',
  'RAGTruth',
] as const;

export type Dataset = (typeof DATASETS)[number];

export function isDataset(name: string): name is Dataset {
  return (DATASETS as readonly string[]).includes(name);
}

/** Datasets in canonical order, whatever order they were collected in. */
export function inCanonicalOrder(names: Iterable<string>): Dataset[] {
  const wanted = new Set(names);
  return DATASETS.filter((d) => wanted.has(d));
}
