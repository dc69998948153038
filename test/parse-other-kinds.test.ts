import { describe, expect, it } from 'vitest';
import { parseClassification } from '../protocol/parse-classification.ts';
import { parsePointwise } from '../protocol/parse-pointwise.ts';

const FIVE = { min: 1, max: 5 };
const pointwise: [string, string, { min: number; max: number }, number | RegExp][] = [
  ['asked format', 'explanation: clear and on topic.\nrating: 4', FIVE, 4],
  ['bold label and fraction on the same scale', '**Rating:** 4/5', FIVE, 4],
  ['out of', 'Overall score: 3 out of 5.', FIVE, 3],
  ['format restated first', 'rating: an integer from 1 to 5\n...\nrating: 2', FIVE, 2],
  ['Prometheus result marker', 'Feedback: too short. [RESULT] 2', FIVE, 2],
  ['bare number', '5', FIVE, 5],
  ['last line is the number', 'The summary misses key facts.\n\n2', FIVE, 2],
  ['whole number written as a decimal', 'rating: 3.0', FIVE, 3],
  ['zero-based scale', 'rating: 0', { min: 0, max: 4 }, 0],
  ['another scale', 'rating: 7/10', FIVE, /on another scale/],
  ['fraction', 'rating: 3.5', FIVE, /not a whole number/],
  ['off the scale', 'rating: 6', FIVE, /outside the 1-5 scale/],
  ['conflicting markers', '[[2]] or maybe [[4]]', FIVE, /several different ratings/],
  ['no rating', 'It is a fine summary.', FIVE, /no rating found/],
  ['empty', '', FIVE, /empty reply/],
];

describe('parsePointwise', () => {
  it.each(pointwise)('%s', (_name, reply, scale, expected) => {
    const parsed = parsePointwise(reply, scale);
    if (typeof expected === 'number')
      expect(parsed).toEqual({ ok: true, verdict: { kind: 'pointwise', score: expected } });
    else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(expected);
    }
  });
});

const classification: [string, string, boolean | RegExp][] = [
  ['asked format', 'explanation: the document says so.\nsupported: Yes', true],
  ['asked format, no', 'explanation: the date differs.\nsupported: No', false],
  ['bold field', '**Supported:** **No**', false],
  ['answer line', 'Answer: yes', true],
  ['opens with yes', 'Yes, every part of the claim is in the document.', true],
  ['opens with no', 'No. The document never mentions the award.', false],
  ['not supported', 'Not supported', false],
  ['partially supported is not supported', 'partially supported', false],
  ['unsupported last line', 'The second half is missing.\nUnsupported.', false],
  ['bracketed', 'Verdict follows. [[Yes]]', true],
  ['conflicting brackets', '[[Yes]] ... [[No]]', /conflicting answers/],
  ['no answer', 'The document is about Paris.', /no Yes\/No answer/],
  ['unreadable field value', 'explanation: the year is not given.\nsupported: Unclear', /holds no Yes\/No/],
  ['field N/A', 'explanation: x\nsupported: N/A', /holds no Yes\/No/],
  ['partially alone', 'explanation: the name matches, the year does not.\nsupported: Partially', false],
  ['not fully', 'explanation: x\nsupported: Not fully', false],
  ['empty', ' ', /empty reply/],
];

describe('parseClassification', () => {
  it.each(classification)('%s', (_name, reply, expected) => {
    const parsed = parseClassification(reply);
    if (typeof expected === 'boolean')
      expect(parsed).toEqual({ ok: true, verdict: { kind: 'classification', supported: expected } });
    else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(expected);
    }
  });
});
