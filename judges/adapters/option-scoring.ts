/**
 * The "score-options" mode shared by every judge that exposes log-probabilities (local, openai,
 * openai-compatible, flame): instead of letting the model write an explanation and parsing it, the prompt is
 * followed by the verdict's own label ("better response:", "rating:", "supported:"), and the probability of each
 * verdict option at that position is read. The verdict is the most probable option; the reply is written as
 * "<label>: <option>" so the task's ordinary parser reads it (stored replies are re-parsed on reading), and the
 * probabilities go with it to the store for calibration.
 *
 * How each adapter gets the probabilities differs (a local model scores each option's tokens exactly; a server
 * returns its top-k alternatives at the verdict token, read by top-logprobs.ts), so this module only holds
 * what they share: the prompt suffix, the normalisation and the verdict text.
 */
import type { Task } from '../../protocol/tasks.ts';
import type { JudgeSpec } from '../config.ts';
import { OUTPUT_FIELD } from '../../protocol/prompt.ts';
import type { Completion } from './adapter.ts';
import { optionProbabilities, verdictOptions, type GeneratedToken } from './top-logprobs.ts';

export { verdictOptions };

export function scoresOptions(spec: Pick<JudgeSpec, 'mode'>): boolean {
  return spec.mode === 'score-options';
}

/**
 * Tokens a server may generate after the label in score-options mode: a completion endpoint continues right
 * after "label:" (one token is the verdict), but a chat model may first repeat "better response:" itself, so a
 * few more are allowed; top-logprobs.ts finds the verdict token after the last label either way.
 */
export const SCORE_MAX_TOKENS = 8;

/**
 * The unified prompt followed by the verdict's label on a line of its own: the answer format the prompt asks for
 * ("<label>: ..."), with the explanation skipped. The same text for every scoring judge.
 */
export function scoringPrompt(prompt: string, task: Task): string {
  return `${prompt}\n${OUTPUT_FIELD[task.kind]}:`;
}

/**
 * The verdict a probability table stands for, as the reply text the parser reads: the most probable option
 * (the first in the task's order on an exact tie, except pairwise, where A and B exactly equal is a tie).
 */
export function verdictText(task: Task, probabilities: Record<string, number>): string {
  const options = verdictOptions(task);
  let best = options[0]!;
  for (const option of options) if ((probabilities[option] ?? 0) > (probabilities[best] ?? 0)) best = option;
  const tie = task.kind === 'pairwise' && probabilities.A === probabilities.B;
  return `${OUTPUT_FIELD[task.kind]}: ${tie ? 'tie' : best}`;
}

/**
 * A server's score-options reply: the verdict from the probabilities read at the verdict token. When no option
 * is among the server's alternatives, the generated text is the reply (prefixed with the label the prompt ended
 * with, when the server continued it), so the parser decides and nothing is made up.
 */
export function scoredCompletion(
  task: Task,
  tokens: readonly GeneratedToken[] | undefined,
  generated: string,
  usage: Completion['usage'],
  continued: boolean,
): Completion {
  const probabilities = tokens ? optionProbabilities(task, tokens) : undefined;
  const text = probabilities
    ? verdictText(task, probabilities)
    : continued
      ? `${OUTPUT_FIELD[task.kind]}:${generated}`
      : generated;
  return { text, ...(usage ? { usage } : {}), ...(probabilities ? { optionProbabilities: probabilities } : {}) };
}
