import { describe, expect, it } from 'vitest';
import type { Task } from '../protocol/tasks.ts';
import {
  optionProbabilities,
  verdictOptions,
  verdictPosition,
  type GeneratedToken,
} from '../judges/adapters/top-logprobs.ts';

const pairwise: Task = { kind: 'pairwise', context: 'q', responseA: 'a', responseB: 'b' };
const classification: Task = { kind: 'classification', document: 'd', claim: 'c' };
const pointwise: Task = {
  kind: 'pointwise',
  context: 'q',
  response: 'r',
  criterion: 'coherence',
  scale: { min: 1, max: 5 },
};

/** A generated token; alternatives are given as probabilities for readability and stored as log-probabilities. */
function t(text: string, top: Record<string, number> = {}, p?: number): GeneratedToken {
  return {
    text,
    ...(p !== undefined ? { logprob: Math.log(p) } : {}),
    top: Object.entries(top).map(([token, prob]) => ({ text: token, logprob: Math.log(prob) })),
  };
}

/** Plain tokens before the verdict. */
function words(...texts: string[]): GeneratedToken[] {
  return texts.map((text) => t(text));
}

interface Case {
  name: string;
  task: Task;
  tokens: GeneratedToken[];
  expected: Record<string, number> | undefined;
}

const CASES: Case[] = [
  {
    name: 'pairwise: the token after "better response:", leading spaces ignored',
    task: pairwise,
    tokens: [
      ...words('explanation', ':', ' A', ' is', ' clearer', '.', '\nbetter', ' response', ':'),
      t(' A', { ' A': 0.9, ' B': 0.1 }, 0.9),
    ],
    expected: { A: 0.9, B: 0.1 },
  },
  {
    name: 'pairwise: a reply that is just the verdict (FLAMe-RM) is read at its first token',
    task: pairwise,
    tokens: [t('A', { A: 0.7, B: 0.2, The: 0.1 }, 0.7)],
    expected: { A: 0.7 / 0.9, B: 0.2 / 0.9 },
  },
  {
    name: 'pairwise: the published example, logprobs -0.105 and -2.303',
    task: pairwise,
    tokens: [
      {
        text: 'B',
        logprob: -2.303,
        top: [
          { text: 'A', logprob: -0.105 },
          { text: 'B', logprob: -2.303 },
        ],
      },
    ],
    expected: {
      A: Math.exp(-0.105) / (Math.exp(-0.105) + Math.exp(-2.303)),
      B: Math.exp(-2.303) / (Math.exp(-0.105) + Math.exp(-2.303)),
    },
  },
  {
    name: 'pairwise: a token that straddles the colon (": A") is compared after the colon',
    task: pairwise,
    tokens: [...words('better', ' response'), t(': A', { ': A': 0.8, ': B': 0.2 }, 0.8)],
    expected: { A: 0.8, B: 0.2 },
  },
  {
    name: 'pairwise: markup between the field and the verdict is skipped',
    task: pairwise,
    tokens: [...words('**better', ' response', ':**', ' **'), t('B', { B: 0.7, A: 0.3 }, 0.7), ...words('**')],
    expected: { A: 0.3, B: 0.7 },
  },
  {
    name: 'pairwise: " A" and "A" are both the option A and add up',
    task: pairwise,
    tokens: [...words('better', ' response', ':'), t(' A', { ' A': 0.5, A: 0.3, ' B': 0.2 }, 0.5)],
    expected: { A: 0.8, B: 0.2 },
  },
  {
    name: 'pairwise: an option outside the top-k counts as 0',
    task: pairwise,
    tokens: [...words('better', ' response', ':'), t(' A', { ' A': 0.6, ' The': 0.4 }, 0.6)],
    expected: { A: 1, B: 0 },
  },
  {
    name: 'pairwise: the produced token counts even when the top-k leaves it out',
    task: pairwise,
    tokens: [...words('better', ' response', ':'), t(' A', { ' B': 0.25, ' It': 0.2 }, 0.5)],
    expected: { A: 0.5 / 0.75, B: 0.25 / 0.75 },
  },
  {
    name: 'pairwise: a lower-case "a" is the article, not the option',
    task: pairwise,
    tokens: [...words('better', ' response', ':'), t(' B', { ' a': 0.5, ' B': 0.5 }, 0.5)],
    expected: { A: 0, B: 1 },
  },
  {
    name: 'pairwise: the last "better response:" is the answer (models restate the format first)',
    task: pairwise,
    tokens: [
      ...words(
        'explanation',
        ':',
        ' the',
        ' better',
        ' response',
        ':',
        ' the',
        ' concise',
        ' one',
        '\nbetter',
        ' response',
        ':',
      ),
      t(' B', { ' B': 0.6, ' A': 0.4 }, 0.6),
    ],
    expected: { A: 0.4, B: 0.6 },
  },
  {
    name: 'pairwise: no option among the alternatives gives no probabilities',
    task: pairwise,
    tokens: [...words('better', ' response', ':'), t(' Both', { ' Both': 0.5, ' Neither': 0.3 }, 0.5)],
    expected: undefined,
  },
  {
    name: 'pairwise: a reply that stops after the field name gives no probabilities',
    task: pairwise,
    tokens: words('better', ' response', ':', ' '),
    expected: undefined,
  },
  {
    name: 'pairwise: no field and a first token that is no option gives no probabilities',
    task: pairwise,
    tokens: words('explanation', ':', ' both', ' are', ' fine'),
    expected: undefined,
  },
  { name: 'pairwise: no tokens', task: pairwise, tokens: [], expected: undefined },
  {
    name: 'classification: Yes/No in any case, read after "supported:"',
    task: classification,
    tokens: [
      ...words('explanation', ':', ' yes', ' it', ' is', '\nsupported', ':'),
      t(' Yes', { ' Yes': 0.6, ' No': 0.3, ' no': 0.1 }, 0.6),
    ],
    expected: { Yes: 0.6, No: 0.4 },
  },
  {
    name: 'pointwise: every rating on the scale, absent ones 0, off-scale ones ignored',
    task: pointwise,
    tokens: [...words('rating', ':'), t(' 4', { ' 4': 0.4, ' 5': 0.3, ' 3': 0.2, ' 10': 0.1 }, 0.4)],
    expected: { '1': 0, '2': 0, '3': 0.2 / 0.9, '4': 0.4 / 0.9, '5': 0.3 / 0.9 },
  },
];

describe('verdict-option probabilities from log-probabilities', () => {
  it.each(CASES)('$name', ({ task, tokens, expected }) => {
    const got = optionProbabilities(task, tokens);
    if (expected === undefined) {
      expect(got).toBeUndefined();
      return;
    }
    expect(got).toBeDefined();
    expect(Object.keys(got!)).toEqual(Object.keys(expected));
    for (const [option, p] of Object.entries(expected)) expect(got![option], option).toBeCloseTo(p, 10);
  });

  it('lists the options each task kind allows', () => {
    expect(verdictOptions(pairwise)).toEqual(['A', 'B']);
    expect(verdictOptions(classification)).toEqual(['Yes', 'No']);
    expect(verdictOptions({ ...pointwise, scale: { min: 0, max: 3 } } as Task)).toEqual(['0', '1', '2', '3']);
  });

  it('finds the verdict token and the part of a straddling token that precedes it', () => {
    expect(verdictPosition(words('better', ' response', ':', ' A'), 'better response')).toEqual({
      index: 3,
      prefix: '',
    });
    expect(verdictPosition(words('better', ' response', ': A'), 'better response')).toEqual({ index: 2, prefix: ':' });
    expect(verdictPosition(words(' ', 'A'), 'better response')).toEqual({ index: 1, prefix: '' });
    expect(verdictPosition(words('rating', ':', '\n', ' 3'), 'rating')).toEqual({ index: 3, prefix: '' });
  });
});
