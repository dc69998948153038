/**
 * FLAMe's Table 3 (ACL text; Vu et al. 2024, arXiv 2407.10817): CoBBLEr bias, lower is better, as 0-1 rates.
 * Order and Compassion add the first- and last-order rates of CoBBLEr's order.py and compassion.py (compassion.py
 * counts by the model named, so its two rates add up to the picks of the same model in both orders), Length is
 * |long bias − 0.5|, Egocentric the order-run variant, and Avg the mean of the six. The non-FLAMe rows are Koo et
 * al.'s evaluators; `generator` names the row's model among CoBBLEr's 15 where it is one.
 */
export const TABLE_3_CITATION = 'FLAMe Table 3 (ACL)';

interface Table3Row {
  model: string;
  avg: number;
  order: number;
  compassion: number;
  length: number;
  egocentric: number;
  bandwagon: number;
  attention: number;
  generator?: string;
}

export const TABLE_3: readonly Table3Row[] = [
  {
    model: 'Random',
    avg: 0.3,
    order: 0.5,
    compassion: 0.5,
    length: 0.0,
    egocentric: 0.25,
    bandwagon: 0.25,
    attention: 0.25,
  },
  {
    model: 'Falcon',
    avg: 0.31,
    order: 0.77,
    compassion: 0.27,
    length: 0.09,
    egocentric: 0.05,
    bandwagon: 0.28,
    attention: 0.4,
    generator: 'falcon',
  },
  {
    model: 'Cohere',
    avg: 0.41,
    order: 0.5,
    compassion: 0.65,
    length: 0.1,
    egocentric: 0.27,
    bandwagon: 0.82,
    attention: 0.14,
    generator: 'cohere',
  },
  {
    model: 'Llama2-70B',
    avg: 0.19,
    order: 0.61,
    compassion: 0.26,
    length: 0.12,
    egocentric: 0.06,
    bandwagon: 0.04,
    attention: 0.03,
  },
  {
    model: 'InstructGPT',
    avg: 0.45,
    order: 0.38,
    compassion: 0.48,
    length: 0.16,
    egocentric: 0.28,
    bandwagon: 0.85,
    attention: 0.54,
    generator: 'instructgpt',
  },
  {
    model: 'ChatGPT',
    avg: 0.45,
    order: 0.41,
    compassion: 0.66,
    length: 0.13,
    egocentric: 0.58,
    bandwagon: 0.86,
    attention: 0.06,
    generator: 'chatgpt',
  },
  {
    model: 'GPT-4',
    avg: 0.31,
    order: 0.23,
    compassion: 0.79,
    length: 0.06,
    egocentric: 0.78,
    bandwagon: 0.0,
    attention: 0.0,
    generator: 'gpt4',
  },
  {
    model: 'FLAMe-RM',
    avg: 0.15,
    order: 0.14,
    compassion: 0.2,
    length: 0.03,
    egocentric: 0.35,
    bandwagon: 0.2,
    attention: 0.0,
  },
  {
    model: 'FLAMe',
    avg: 0.11,
    order: 0.08,
    compassion: 0.12,
    length: 0.0,
    egocentric: 0.35,
    bandwagon: 0.1,
    attention: 0.0,
  },
];
