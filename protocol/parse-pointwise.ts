/**
 * Reads a Likert rating from a judge's reply and accepts it only if it is an integer on the task's scale:
 * "rating: 4", "**Rating:** 4/5", "Score: 3 out of 5", "[RESULT] 2", or a reply that is just the number.
 * A rating on another scale ("7/10" when asked for 1-5), a fraction ("3.5") or several different ratings are
 * invalid, never rescaled or rounded: that would credit the judge with an answer it did not give.
 */
import type { Parsed } from './tasks.ts';

const NUMBER = String.raw`(-?\d+(?:\.\d+)?)`;
const OUT_OF = String.raw`(?:\s*(?:\/|out\s+of)\s*(\d+))?`;
const LABELLED = new RegExp(
  String.raw`\b(?:final\s+rating|overall\s+rating|rating|final\s+score|overall\s+score|score)` +
    String.raw`[*_]*\s*(?:is\b\s*:?|[:=])?[ \t*_\[(]*${NUMBER}${OUT_OF}`,
  'gi',
);
const RESULT = new RegExp(String.raw`\[RESULT\]\s*${NUMBER}|\[\[\s*${NUMBER}\s*\]\]`, 'g');
const BARE = new RegExp(String.raw`^[*_(\[]*${NUMBER}${OUT_OF}[*_)\].]*$`, 'i');

interface Candidate {
  value: string;
  denominator?: string;
}

function accept(candidate: Candidate, scale: { min: number; max: number }): Parsed {
  const { value, denominator } = candidate;
  if (denominator !== undefined && Number(denominator) !== scale.max) {
    return {
      ok: false,
      reason: `rating ${value}/${denominator} is on another scale (asked for ${scale.min}-${scale.max})`,
    };
  }
  const number = Number(value);
  if (!Number.isInteger(number))
    return { ok: false, reason: `rating ${value} is not a whole number on the ${scale.min}-${scale.max} scale` };
  if (number < scale.min || number > scale.max)
    return { ok: false, reason: `rating ${value} is outside the ${scale.min}-${scale.max} scale` };
  return { ok: true, verdict: { kind: 'pointwise', score: number } };
}

export function parsePointwise(reply: string, scale: { min: number; max: number }): Parsed {
  const text = reply.trim();
  if (text === '') return { ok: false, reason: 'empty reply' };

  const labelled = [...text.matchAll(LABELLED)];
  if (labelled.length > 0) {
    // Models restate the format ("rating: 1 to 5") before answering: the last labelled rating is the answer.
    const last = labelled[labelled.length - 1]!;
    return accept({ value: last[1]!, denominator: last[2] }, scale);
  }
  const marked = [...text.matchAll(RESULT)].map((m) => m[1] ?? m[2]!);
  if (new Set(marked).size === 1) return accept({ value: marked[0]! }, scale);
  if (marked.length > 1) return { ok: false, reason: `several different ratings: ${[...new Set(marked)].join(', ')}` };

  const lines = text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const candidate of [text, lines[lines.length - 1]!]) {
    const bare = BARE.exec(candidate);
    if (bare) return accept({ value: bare[1]!, denominator: bare[2] }, scale);
  }
  return { ok: false, reason: 'no rating found' };
}
