/**
 * Reads "is the claim supported?" from a judge's reply: the asked-for field ("supported: Yes"), an answer line
 * ("Answer: No"), a reply that opens with Yes/No, or plain "Supported" / "Not supported". Conflicting answers
 * are invalid.
 */
import type { Parsed } from './tasks.ts';

const YES = 'yes|true|supported|fully supported|entailed|consistent';
const NO =
  'no|false|not supported|unsupported|partially supported|not fully supported|partially|partly|not fully|' +
  'not entirely|refuted|contradicted|not entailed|inconsistent';
const ANSWER = `(${NO}|${YES})`;
const LABELLED = new RegExp(
  String.raw`\b(?:supported|answer|final\s+answer|verdict|label|judgement|judgment)` +
    String.raw`[*_]*\s*[:=][ \t*_"'\[(]*${ANSWER}\b`,
  'gi',
);
const BRACKETED = new RegExp(String.raw`\[\[\s*${ANSWER}\s*\]\]`, 'gi');
const OPENING = new RegExp(String.raw`^[*_"'\[(]*(${NO}|${YES})\b`, 'i');
/** The asked-for output field ("supported: ..."), whatever its value. */
const FIELD = /^[*_]*supported[*_]*\s*[:=]/i;

function verdict(word: string): Parsed {
  const supported = new RegExp(`^(?:${YES})$`, 'i').test(word.trim());
  return { ok: true, verdict: { kind: 'classification', supported } };
}

export function parseClassification(reply: string): Parsed {
  const text = reply.trim();
  if (text === '') return { ok: false, reason: 'empty reply' };
  const labelled = [...text.matchAll(LABELLED)];
  if (labelled.length > 0) return verdict(labelled[labelled.length - 1]![1]!);

  const bracketed = [...text.matchAll(BRACKETED)].map((m) => verdict(m[1]!));
  const kinds = new Set(
    bracketed.map((p) => (p.ok && p.verdict.kind === 'classification' ? p.verdict.supported : undefined)),
  );
  if (kinds.size === 1) return bracketed[0]!;
  if (kinds.size > 1) return { ok: false, reason: 'conflicting answers: both supported and not supported' };

  const lines = text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  // The field is there but holds no Yes/No ("supported: Unclear"): unreadable. Without this, the field's own name
  // would be read below as the answer "supported".
  if (lines.some((l) => FIELD.test(l))) return { ok: false, reason: 'the "supported" field holds no Yes/No answer' };
  for (const candidate of [lines[0]!, lines[lines.length - 1]!]) {
    const opening = OPENING.exec(candidate);
    if (opening) return verdict(opening[1]!);
  }
  return { ok: false, reason: 'no Yes/No answer found' };
}
