/**
 * FLAMe's Table 1 (ACL text; Vu et al. 2024, arXiv 2407.10817), the overview every benchmark's headline score
 * is placed in. Values in percent. Benchmarks name their column with `paperColumn`.
 */
export const TABLE_1_COLUMNS = [
  'AggreFact',
  'RewardBench',
  'H-Steer',
  'Dipper',
  'SumFB',
  'Alpaca',
  'RankG',
  'ContS',
  'LitMT',
  'HHH',
  'CoPoem',
  'EQA',
] as const;
export type Table1Column = (typeof TABLE_1_COLUMNS)[number];

export const TABLE_1_CITATION = 'FLAMe Table 1 (ACL)';

interface Table1Row {
  model: string;
  values: Record<Table1Column, number>;
}

function row(model: string, v: number[]): Table1Row {
  return {
    model,
    values: Object.fromEntries(TABLE_1_COLUMNS.map((c, i) => [c, v[i]!])) as Record<Table1Column, number>,
  };
}

export const TABLE_1: readonly Table1Row[] = [
  row('Llama-3-70B-Inst', [76.1, 76.0, 39.7, 42.8, 50.8, 53.9, 65.6, 53.1, 60.5, 91.9, 53.6, 71.1]),
  row('Mixtral-8x7B', [73.8, 77.8, 34.0, 42.2, 43.8, 55.1, 63.3, 56.6, 61.7, 90.0, 52.9, 71.5]),
  row('GPT-3.5-turbo', [70.0, 64.5, 32.0, 45.0, 15.6, 55.5, 58.2, 57.5, 54.3, 85.5, 49.0, 69.9]),
  row('Claude-3-Opus', [79.2, 80.7, 41.3, 50.6, 31.6, 49.6, 55.1, 45.1, 71.1, 94.6, 49.0, 71.1]),
  row('GPT-4-0125', [80.6, 85.9, 40.8, 45.0, 46.5, 49.6, 62.5, 55.8, 67.6, 94.6, 56.9, 77.0]),
  row('GPT-4o', [80.2, 84.7, 40.1, 45.6, 30.9, 50.4, 66.3, 57.5, 72.7, 92.3, 55.6, 75.0]),
  row('PaLM-2-24B', [54.8, 62.9, 20.0, 48.3, 13.3, 52.3, 58.2, 46.0, 62.5, 85.5, 54.2, 70.3]),
  row('FLAMe-24B', [80.4, 84.6, 52.2, 42.8, 42.2, 56.3, 65.6, 58.4, 64.1, 88.2, 54.2, 68.4]),
  row('FLAMe-RM-24B', [81.2, 86.7, 24.2, 50.6, 50.4, 54.7, 61.7, 48.7, 69.9, 90.0, 53.6, 73.4]),
];
