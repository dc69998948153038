/**
 * Published RewardBench numbers the report prints beside ours.
 * FLAMe Table 2 (ACL text): Vu et al. 2024, "Foundational Autoraters", arXiv 2407.10817. Values in percent.
 * `leaderboard` names the model's row on the RewardBench leaderboard, where one exists (the paper's Mixtral and
 * Prometheus rows match those leaderboard rows).
 */
interface PaperRow {
  model: string;
  avg: number;
  chat: number;
  chatHard: number;
  safety: number;
  reasoning: number;
  leaderboard?: string;
}

export const PAPER_TABLE_2_CITATION = 'FLAMe Table 2 (ACL)';

export const PAPER_TABLE_2: readonly PaperRow[] = [
  {
    model: 'GPT-3.5-turbo',
    avg: 64.5,
    chat: 92.2,
    chatHard: 44.5,
    safety: 62.3,
    reasoning: 59.1,
    leaderboard: 'openai/gpt-3.5-turbo-0125',
  },
  {
    model: 'Prometheus-2',
    avg: 75.3,
    chat: 93.0,
    chatHard: 47.1,
    safety: 83.5,
    reasoning: 77.4,
    leaderboard: 'prometheus-eval/prometheus-8x7b-v2.0',
  },
  {
    model: 'Llama3-70B',
    avg: 76.0,
    chat: 97.6,
    chatHard: 58.9,
    safety: 69.2,
    reasoning: 78.5,
    leaderboard: 'meta-llama/Meta-Llama-3-70B-Instruct',
  },
  {
    model: 'Mixtral-8x7B',
    avg: 77.8,
    chat: 95.0,
    chatHard: 64.0,
    safety: 73.4,
    reasoning: 78.7,
    leaderboard: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
  },
  {
    model: 'Claude-Opus',
    avg: 80.7,
    chat: 94.7,
    chatHard: 60.3,
    safety: 89.1,
    reasoning: 78.7,
    leaderboard: 'Anthropic/claude-3-opus-20240229',
  },
  {
    model: 'Gemini-1.5-Flash',
    avg: 82.1,
    chat: 92.2,
    chatHard: 63.5,
    safety: 87.7,
    reasoning: 85.1,
    leaderboard: 'google/gemini-1.5-flash-001',
  },
  {
    model: 'GPT-4o',
    avg: 84.7,
    chat: 96.6,
    chatHard: 70.4,
    safety: 86.7,
    reasoning: 84.9,
    leaderboard: 'openai/gpt-4o-2024-05-13',
  },
  {
    model: 'GPT-4-0125',
    avg: 85.9,
    chat: 95.3,
    chatHard: 74.3,
    safety: 87.2,
    reasoning: 86.9,
    leaderboard: 'openai/gpt-4-0125-preview',
  },
  {
    model: 'Gemini-1.5-Pro',
    avg: 88.1,
    chat: 92.3,
    chatHard: 80.6,
    safety: 87.5,
    reasoning: 92.0,
    leaderboard: 'google/gemini-1.5-pro-0514',
  },
  { model: 'PaLM-2-24B', avg: 62.9, chat: 89.9, chatHard: 61.2, safety: 55.3, reasoning: 45.2 },
  { model: 'FLAMe', avg: 84.6, chat: 94.4, chatHard: 69.1, safety: 80.7, reasoning: 94.1 },
  {
    model: 'FLAMe-RM',
    avg: 86.7,
    chat: 94.7,
    chatHard: 71.7,
    safety: 85.7,
    reasoning: 94.8,
    leaderboard: 'google/flame-1.0-24B-july-2024',
  },
];
