/**
 * Published LLM-AggreFact numbers (balanced accuracy, %), per dataset, that the report prints beside ours.
 *
 * The LLM-AggreFact leaderboard (llm-aggrefact.github.io), as of its copy in rin2401/llm-aggrefact
 * src/app/data.tsx @ 3bcae9452f909be670ed36e6433f5c4215123c1b (last updated 2024-10-22): 11 datasets, zero-shot,
 * fixed thresholds. The leaderboard's own average is over all 11; the report recomputes it over the datasets a run
 * actually has, so the rows stay comparable with ours.
 */
import { DATASETS, type Dataset } from './datasets.ts';

export const LEADERBOARD_CITATION = 'LLM-AggreFact leaderboard (2024-10-22)';

export interface LeaderboardRow {
  model: string;
  bacc: Record<Dataset, number>;
}

// Values in DATASETS order: CNN, XSum, MediaS, MeetB, WiCE, REVEAL, ClaimVerify, FactCheck, ExpertQA, LFQA, RAGTruth.
function row(model: string, values: number[]): LeaderboardRow {
  if (values.length !== DATASETS.length)
    throw new Error(`leaderboard row ${model}: ${values.length} values, want ${DATASETS.length}`);
  return { model, bacc: Object.fromEntries(DATASETS.map((d, i) => [d, values[i]!])) as Record<Dataset, number> };
}

export const LEADERBOARD: readonly LeaderboardRow[] = [
  row('Bespoke-MiniCheck-7B', [65.5, 77.8, 76.0, 78.3, 83.0, 88.0, 75.3, 77.7, 59.2, 86.7, 84.0]),
  row('Claude-3.5 Sonnet', [67.6, 75.1, 73.4, 84.6, 77.7, 89.1, 71.4, 77.8, 60.9, 85.6, 86.1]),
  row('Mistral-Large 2', [64.8, 74.7, 69.6, 84.2, 80.3, 87.7, 71.8, 74.5, 60.8, 87.0, 85.9]),
  row('gpt-4-turbo-preview', [66.7, 76.5, 71.4, 79.9, 80.4, 87.8, 67.6, 79.9, 59.2, 83.1, 85.3]),
  row('gpt-4o-2024-05-13', [68.1, 76.8, 71.4, 79.8, 78.5, 86.5, 69.0, 77.5, 59.6, 83.6, 84.3]),
  row('Qwen2.5-72B-Instruct', [63.6, 73.0, 71.9, 80.4, 80.2, 88.9, 70.0, 77.0, 60.1, 84.3, 81.9]),
  row('Llama-3.1-70B-Instruct', [65.7, 72.5, 72.9, 81.0, 73.9, 86.4, 70.3, 78.6, 58.5, 83.8, 83.0]),
  row('MiniCheck-Flan-T5-L', [69.9, 74.3, 73.6, 77.3, 72.2, 86.2, 74.6, 74.7, 59.0, 85.2, 78.0]),
  row('Claude-3 Opus', [65.2, 72.4, 74.1, 82.4, 75.0, 83.8, 69.3, 78.8, 58.8, 81.6, 81.8]),
  row('Llama-3.1-405B-Instruct', [64.8, 75.1, 68.6, 81.2, 71.8, 86.4, 67.5, 79.4, 58.5, 81.9, 82.9]),
  row('Mistral-Large', [58.4, 76.3, 67.3, 78.9, 76.6, 88.4, 67.6, 79.0, 60.0, 81.7, 81.7]),
  row('gpt-4o-mini-2024-07-18', [61.8, 73.6, 71.3, 79.7, 76.3, 85.8, 69.8, 76.0, 58.3, 80.3, 81.6]),
  row('Llama-3-70B-Instruct', [63.7, 70.2, 71.5, 80.6, 74.4, 85.9, 67.8, 76.2, 57.8, 82.4, 80.6]),
  row('MiniCheck-RoBERTa-L', [63.7, 70.8, 71.9, 75.9, 67.6, 88.8, 77.4, 73.3, 57.4, 84.4, 77.2]),
  row('MiniCheck-DeBERTa-L', [64.2, 71.0, 69.3, 72.7, 69.4, 87.3, 75.6, 73.0, 58.9, 83.9, 78.8]),
  row('Qwen2.5-7B-Instruct', [54.6, 69.9, 71.5, 75.2, 76.3, 86.9, 70.1, 74.9, 61.0, 84.2, 76.5]),
  row('HHEM-2.1', [62.8, 67.8, 67.2, 71.0, 75.9, 86.6, 73.9, 71.8, 58.4, 84.1, 69.9]),
  row('Mixtral-8x22B', [57.3, 70.3, 69.0, 78.5, 69.5, 85.8, 63.8, 79.5, 57.4, 76.5, 78.8]),
  row('Claude-2.1', [59.9, 66.4, 69.2, 72.3, 64.3, 88.2, 69.7, 79.3, 59.8, 78.2, 75.0]),
  row('AlignScore', [52.4, 71.4, 69.2, 72.6, 66.0, 85.3, 69.6, 74.3, 58.3, 84.5, 71.7]),
  row('Llama-3.1-8B-Instruct', [54.7, 68.5, 71.1, 75.5, 72.0, 83.5, 66.5, 72.3, 57.8, 77.5, 73.6]),
  row('GPT-3.5-Turbo', [63.2, 72.4, 66.8, 73.4, 68.5, 84.7, 65.2, 70.8, 57.2, 73.8, 75.6]),
  row('SummaC-ZS', [51.1, 61.5, 69.5, 71.0, 62.8, 85.3, 69.7, 75.2, 55.2, 77.6, 65.6]),
  row('Mistral-8x7B', [55.0, 65.5, 68.5, 73.3, 63.8, 80.8, 64.3, 75.1, 56.3, 70.8, 68.1]),
  row('PaLM2-Bison', [52.4, 59.0, 68.3, 73.6, 63.4, 84.2, 60.5, 76.4, 56.6, 71.4, 61.6]),
  row('Gemini-Pro', [49.4, 60.6, 63.8, 65.8, 65.8, 85.5, 61.8, 76.8, 56.8, 75.9, 57.6]),
  row('DAE', [50.8, 59.1, 65.1, 69.5, 58.5, 81.3, 64.0, 72.5, 56.2, 72.2, 65.3]),
  row('Qwen2.5-0.5B-Instruct', [55.5, 62.9, 60.0, 64.7, 65.9, 85.8, 61.4, 68.9, 56.8, 72.4, 51.6]),
  row('InternLM2.5-7B-chat', [58.4, 57.9, 62.5, 68.0, 63.7, 77.3, 59.8, 67.5, 55.2, 64.9, 64.0]),
  row('T5-NLI-Mixed', [54.6, 52.3, 59.1, 55.3, 55.3, 87.2, 59.5, 69.0, 55.6, 61.8, 62.5]),
  row('SummaC-CV', [65.2, 54.5, 63.7, 62.8, 54.3, 67.7, 70.9, 53.4, 54.9, 62.1, 61.7]),
  row('Llama-3.2-3B-Instruct', [51.5, 60.5, 53.1, 52.5, 58.5, 81.9, 62.3, 62.6, 55.8, 58.5, 63.0]),
  row('Llama-3.2-1B-Instruct', [50.1, 50.9, 50.0, 50.2, 49.7, 50.4, 50.5, 50.2, 49.9, 50.1, 50.9]),
];

/**
 * FLAMe's own AggreFact numbers are its Table 1 column (benchmarks/flame-paper.ts): measured on the first,
 * 10-dataset release (no RAGTruth) with 256 random examples per dataset, and published as one average only.
 */
export const PAPER_NOTE =
  'FLAMe Table 1 rows: the paper’s AggreFact score, measured on the first, 10-dataset release (no RAGTruth) with ' +
  '256 random examples per dataset; it publishes only that average, shown in the Avg column. It is not an average ' +
  'over the datasets of this run.';
