/**
 * Verdict-option probabilities from the top-k log-probabilities a server returns with its reply (vLLM's and
 * TGI's for the flame adapter, a chat completions API's top_logprobs): P(A)/P(B) for pairwise, P(Yes)/P(No) for
 * classification, P(r) for each rating on a pointwise scale. (An in-process model scores options exactly:
 * token-scoring.ts.)
 *
 * They are read at the verdict token: the first token after the last "<output field>:" (OUTPUT_FIELD in
 * protocol/prompt.ts), or the first generated token when the reply is just the verdict (FLAMe-RM answers "A").
 * At that position the server lists its top-k alternatives; the ones that spell an option (ignoring the
 * leading space most tokenizers carry, " A", and markup such as "**") are summed per option and normalised
 * over the options found. An option outside the top-k counts as 0; when no option is in the top-k at all, the
 * reply gets no probabilities rather than made-up ones.
 *
 * Limits: the top-k is small (5 for TGI by default), and a multi-digit rating ("10") spread over several
 * tokens is only counted when the server has it as one token.
 */
import type { Task, TaskKind } from '../../protocol/tasks.ts';
import { OUTPUT_FIELD } from '../../protocol/prompt.ts';

/**
 * Alternatives asked for per generated token. 5 is the ceiling of OpenAI's legacy completions API and TGI's
 * default --max-top-n-tokens (a larger request is rejected with 422); vLLM allows 20 by default.
 */
export const TOP_K = 5;

export interface TokenChoice {
  /** The token as text, e.g. " A". */
  text: string;
  logprob: number;
}

export interface GeneratedToken {
  /** The token the model produced, as text. */
  text: string;
  /** Its log-probability, when the server reports it. */
  logprob?: number;
  /** The top-k alternatives at this position; may or may not include the produced token itself. */
  top: TokenChoice[];
}

/** The answers a task allows, as the model is asked to write them. */
export function verdictOptions(task: Task): string[] {
  switch (task.kind) {
    case 'pairwise':
      return ['A', 'B'];
    case 'classification':
      return ['Yes', 'No'];
    case 'pointwise': {
      const ratings: string[] = [];
      for (let r = task.scale.min; r <= task.scale.max; r++) ratings.push(String(r));
      return ratings;
    }
  }
}

/** Whitespace and the markup models put around a verdict ("**A**", "[[A]]", "(A)", '"Yes"'). */
const BLANK = /^[\s*_"'`[(]*$/;
const LEADING = /^[\s*_"'`[(]+/;
const TRAILING = /[\s*_"'`\])}.,;:!]+$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Which option a token spells, if any. "A"/"B" are case-sensitive (a lower-case "a" is the article);
 * "yes"/"no" are not (the classification parser accepts any case).
 */
function optionOf(text: string, options: readonly string[], kind: TaskKind): string | undefined {
  const core = text.replace(LEADING, '').replace(TRAILING, '');
  if (core === '') return undefined;
  if (kind === 'classification') return options.find((o) => o.toLowerCase() === core.toLowerCase());
  return options.find((o) => o === core);
}

interface VerdictPosition {
  /** Index of the verdict token. */
  index: number;
  /**
   * The part of that token that belongs before the verdict, when the token straddles the field name
   * (a tokenizer that makes ": A" one token): alternatives are compared after removing it.
   */
  prefix: string;
}

/** Where the verdict token is: after the last "<field>:" in the reply, else the reply's first token. */
export function verdictPosition(tokens: readonly GeneratedToken[], field: string): VerdictPosition | undefined {
  const text = tokens.map((t) => t.text).join('');
  // The last label wins, as in the parsers: a model may restate the format before answering.
  const label = new RegExp(`${escapeRegExp(field).replace(/ /g, '\\s+')}[*_]*\\s*:`, 'gi');
  let after = -1;
  for (const match of text.matchAll(label)) after = match.index + match[0].length;
  const from = Math.max(after, 0);
  let start = 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const end = start + token.text.length;
    if (end > from) {
      const prefix = start < from ? token.text.slice(0, from - start) : '';
      if (!BLANK.test(token.text.slice(prefix.length))) return { index, prefix };
    }
    start = end;
  }
  return undefined;
}

/** P(option) for each of the task's options, or undefined when none of them is among the alternatives. */
export function optionProbabilities(task: Task, tokens: readonly GeneratedToken[]): Record<string, number> | undefined {
  const at = verdictPosition(tokens, OUTPUT_FIELD[task.kind]);
  if (!at) return undefined;
  const token = tokens[at.index]!;
  const alternatives = [...token.top];
  // vLLM lists the sampled token among the alternatives; TGI's top-n may not (with sampling). Either way the
  // produced token is a candidate with a known log-probability.
  if (token.logprob !== undefined && !alternatives.some((a) => a.text === token.text)) {
    alternatives.push({ text: token.text, logprob: token.logprob });
  }
  const options = verdictOptions(task);
  const mass = new Map<string, number>();
  for (const alternative of alternatives) {
    if (!alternative.text.startsWith(at.prefix) || Number.isNaN(alternative.logprob)) continue;
    const option = optionOf(alternative.text.slice(at.prefix.length), options, task.kind);
    // Several tokens can spell one option ("A" and " A"): their probabilities add up.
    if (option !== undefined) mass.set(option, (mass.get(option) ?? 0) + Math.exp(alternative.logprob));
  }
  let total = 0;
  for (const p of mass.values()) total += p;
  if (!(total > 0)) return undefined;
  return Object.fromEntries(options.map((o) => [o, (mass.get(o) ?? 0) / total]));
}
