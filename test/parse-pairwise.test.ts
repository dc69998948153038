import { describe, expect, it } from 'vitest';
import { parsePairwise } from '../protocol/parse-pairwise.ts';

type Expected = 'A' | 'B' | 'tie' | { invalid: RegExp };

const cases: [string, string, Expected][] = [
  // The format we ask for
  ['asked format', 'explanation: A is shorter but wrong.\nbetter response: B', 'B'],
  ['asked format, lowercase letter', 'explanation: fine\nbetter response: a', 'A'],
  ['asked format in markdown', '**Explanation:** B misses the point.\n**Better response:** **A**', 'A'],
  ['field with noun', 'Better response: Response B.', 'B'],
  [
    'field restated after the template',
    'better response: A or B\n\nexplanation: B is correct\nbetter response: B',
    'B',
  ],
  ['only the template echoed', 'better response: A or B', { invalid: /no verdict|mentions both/ }],
  ['explanation after the verdict', 'Better response: A\nExplanation: it answers the question, while B does not.', 'A'],
  ['synonym label', 'Final verdict: B', 'B'],
  ['label with "is"', 'After weighing both, the better response is A because it is correct.', 'A'],
  ['tie in the field', 'better response: tie', 'tie'],
  // MT-Bench / RewardBench style
  ['bracketed verdict after an explanation', 'Assistant A is verbose and Assistant B is concise. Overall [[B]]', 'B'],
  ['bracketed tie', 'Both are fine. [[C]]', 'tie'],
  ['conflicting brackets', 'Not [[A]] but rather [[B]]', { invalid: /conflicting verdict markers/ }],
  // Bare answers
  ['bare letter', 'B', 'B'],
  ['bare lowercase with period', 'a.', 'A'],
  ['parenthesised', '(b)', 'B'],
  ['Response B', 'Response B', 'B'],
  ['bold assistant', '**Assistant A**', 'A'],
  ['explanation then a last line', 'Response A ignores the constraint; response B follows it.\n\nB', 'B'],
  ['letter then explanation', 'A\n\nIt is accurate and complete.', 'A'],
  ['bare tie', 'Tie.', 'tie'],
  // Prose
  ['prose: Response B is better', 'I think Response B is better since it cites sources.', 'B'],
  ['prose: lowercase noun form', 'overall, response a is clearly better.', 'A'],
  ['prose: I prefer', 'Having read both, I prefer Output (b).', 'B'],
  ['prose: wins', 'Assistant A wins on accuracy.', 'A'],
  ['prose: possessive', "Assistant B's answer is better.", 'B'],
  [
    'prose, both letters asserted',
    'Response A is better on style, but Response B is better on accuracy.',
    { invalid: /both A and B/ },
  ],
  ['both mentioned, no decision', 'Response A is long. Response B is short.', { invalid: /mentions both A and B/ }],
  ['article "a" is not a verdict', 'This is a hard call with a lot of nuance.', { invalid: /no verdict/ }],
  ['article after a label is not A', 'Answer: a clear improvement over the other one.', { invalid: /no verdict/ }],
  ['article after a label, then a verdict', 'Answer: a clear improvement. Better response: B', 'B'],
  ['empty', '', { invalid: /empty reply/ }],
  ['whitespace only', '  \n\t ', { invalid: /empty reply/ }],
  ['unrelated text', 'I cannot help with that.', { invalid: /no verdict/ }],
];

describe('parsePairwise', () => {
  it.each(cases)('%s', (_name, reply, expected) => {
    const parsed = parsePairwise(reply);
    if (typeof expected === 'string') {
      expect(parsed).toEqual({ ok: true, verdict: { kind: 'pairwise', choice: expected } });
    } else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(expected.invalid);
    }
  });
});
