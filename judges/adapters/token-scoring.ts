/**
 * The arithmetic of scoring verdict options with a model whose full next-token distribution is at hand (the
 * in-process `local` adapter), kept apart from the model so it can be checked by hand.
 *
 * Each option is scored as the text "<prompt><label>: <option>": the tokens every option shares are evaluated
 * once, and an option's probability is the product of the conditional probabilities of its own remaining tokens
 * (one token for "A", "Yes" or "3"; several for "10" with a tokenizer that splits digits). When one option's
 * tokens begin another's ("1" and "10"), the shorter one only counts the answers that do not go on into the
 * longer one: P("1") − P("10"). The results are normalised over the options.
 */

/** Each option's full token sequence (prompt included). */
interface OptionTokens<T> {
  option: string;
  tokens: readonly T[];
}

interface ScoringPlan<T> {
  /** Tokens every option starts with: evaluated once. */
  shared: T[];
  /** Each option's own tokens after the shared ones (at least one). */
  rest: { option: string; tokens: T[] }[];
}

/**
 * The longest common start of all options' sequences, leaving every option at least one token of its own (the
 * token whose probability is read).
 */
export function scoringPlan<T>(options: readonly OptionTokens<T>[]): ScoringPlan<T> {
  if (options.length === 0) throw new Error('no options to score');
  let shared = Math.min(...options.map((o) => o.tokens.length)) - 1;
  const first = options[0]!.tokens;
  for (let i = 0; i < shared; i++) {
    if (options.some((o) => o.tokens[i] !== first[i])) {
      shared = i;
      break;
    }
  }
  if (shared < 0) throw new Error('an option has no tokens');
  return {
    shared: first.slice(0, shared),
    rest: options.map((o) => ({ option: o.option, tokens: o.tokens.slice(shared) })),
  };
}

function startsWith<T>(long: readonly T[], short: readonly T[]): boolean {
  return long.length > short.length && short.every((t, i) => long[i] === t);
}

/**
 * Probability of each option, normalised over the options, from the log-probability of each option's own tokens.
 * Undefined when there is no mass at all.
 */
export function optionDistribution<T>(
  scored: readonly { option: string; tokens: readonly T[]; logProb: number }[],
): Record<string, number> | undefined {
  const top = Math.max(...scored.map((s) => s.logProb));
  if (!Number.isFinite(top)) return undefined;
  // Relative to the largest, so tiny probabilities neither underflow nor lose precision in the subtraction.
  const mass = scored.map((s) => Math.exp(s.logProb - top));
  const exclusive = scored.map((s, i) => {
    // Options that go on from this one, without another option in between ("1" → "10", not "1" → "100" via "10").
    const longer = scored.filter((o) => startsWith(o.tokens, s.tokens));
    const direct = longer.filter((o) => !longer.some((mid) => startsWith(o.tokens, mid.tokens)));
    const taken = direct.reduce((sum, o) => sum + mass[scored.indexOf(o)]!, 0);
    return Math.max(0, mass[i]! - taken);
  });
  const total = exclusive.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return undefined;
  return Object.fromEntries(scored.map((s, i) => [s.option, exclusive[i]! / total]));
}
