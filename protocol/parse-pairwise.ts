/**
 * Turns an LLM judge's free-text reply to a pairwise prompt into A, B, tie, or invalid-with-a-reason.
 *
 * Replies are ugly: explanations before and after the verdict, MT-Bench style "[[A]]", "Response B",
 * lowercase letters, echoed templates. The rules go from most to least explicit, and anything ambiguous
 * (both letters asserted, no decision) is invalid rather than guessed: RewardBench scores an invalid reply
 * as 0.5, the same as a tie, so a guess could only add noise in the judge's favour.
 */
import type { PairwiseChoice, Parsed } from './tasks.ts';

/**
 * Case-insensitive words without the `i` flag, which would also make the letter classes match the article "a".
 * Escapes such as \t and \s are left alone.
 */
function ci(words: string): string {
  return words.replace(/(?<!\\)[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

const LABEL = ci(
  String.raw`(?:better[ \t]+response|final[ \t]+verdict|verdict|final[ \t]+answer|answer|` +
    String.raw`winner|preferred[ \t]+response|preference|choice|decision)`,
);
const NOUN = ci(`(?:response|assistant|output|answer|option|candidate)`);
const FILL = String.raw`[ \t*_\x60"'\[]*`;
// An upper-case letter that stands alone ("A", "(B)", "A because ..."), or a lower-case one that ends the
// statement ("b", "(a)."), so the article in "a clear win for B" is not read as a verdict. Never "A or B" from
// an echoed template.
const LETTER =
  String.raw`\(?([AB](?![\w'])|[ab](?=\)?[ \t]*(?:[.,;:!)\]*_"'\n]|$)))` +
  String.raw`\)?(?!\s*(?:or|/|and)\s*\(?[AaBb]\b)`;
const TIE = ci(String.raw`(?:tie|a[ \t]+tie|draw|equal|equally[ \t]+good|both|neither|same)`);

// "better response: B", "**Final verdict:** [[A]]", "The better response is Response (b)."
const LABELLED = new RegExp(
  String.raw`\b${LABEL}[*_]*\s*(?:is\b\s*:?|[:=])${FILL}(?:${NOUN}${FILL})?(?:${LETTER}|(${TIE})\b)`,
  'gm',
);
const BRACKETED = /\[\[\s*([ABC])\s*\]\]/g;
// Whole reply (or a whole line) is just the choice: "B", "(a)", "Response A", "**Assistant B**"
const BARE = new RegExp(String.raw`^(?:${NOUN}\s*)?\(?([ABab])\)?$`);
const BARE_TIE = new RegExp(String.raw`^(?:[Ii]t'?s\s+)?${TIE}$`);
// Decisive phrases in prose: "Response A is better", "I prefer B", "Output (b) wins". A bare letter must be
// upper-case; after a noun ("response a") either case is accepted.
const SUBJECT = String.raw`(?:${NOUN}\s+\(?([ABab])\)?|\(?([AB])\)?)(?:'s\s+(?:answer|response|output))?`;
const ADVERB = String.raw`(?:clearly\s+|slightly\s+|much\s+|significantly\s+|definitely\s+|overall\s+)?`;
const DECISIVE = [
  new RegExp(
    String.raw`\b${SUBJECT}\s+(?:is|was)\s+${ADVERB}(?:the\s+)?` +
      String.raw`(?:better|superior|preferred|preferable|stronger|winner|more\s+helpful|more\s+accurate)\b`,
    'g',
  ),
  new RegExp(String.raw`\b${SUBJECT}\s+wins\b`, 'g'),
  new RegExp(
    String.raw`\b(?:${ci('prefer|choose|pick|select|go')}(?:\s+with)?)\s+` +
      String.raw`(?:${NOUN}\s+\(?([ABab])\)?|\(?([AB])\)?)(?![\w'])`,
    'g',
  ),
];

function choice(letter: string): PairwiseChoice {
  const upper = letter.toUpperCase();
  if (upper === 'A' || upper === 'B') return upper;
  return 'tie';
}

function ok(c: PairwiseChoice): Parsed {
  return { ok: true, verdict: { kind: 'pairwise', choice: c } };
}

function stripMarkup(text: string): string {
  return text
    .replace(/[*_`#>"]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!:;,]+$/, '')
    .trim();
}

export function parsePairwise(reply: string): Parsed {
  const text = reply.trim();
  if (text === '') return { ok: false, reason: 'empty reply' };

  // 1. The output field we asked for (or a common synonym). The last one wins: models restate the format first.
  const labelled = [...text.matchAll(LABELLED)];
  if (labelled.length > 0) {
    const last = labelled[labelled.length - 1]!;
    return ok(last[1] ? choice(last[1]) : 'tie');
  }

  // 2. MT-Bench / RewardBench markers. [[C]] is MT-Bench's tie.
  const markers = new Set([...text.matchAll(BRACKETED)].map((m) => m[1]!));
  if (markers.size === 1) return ok(choice([...markers][0]!));
  if (markers.size > 1) {
    return { ok: false, reason: `conflicting verdict markers: ${[...markers].map((m) => `[[${m}]]`).join(', ')}` };
  }

  // 3. The whole reply, or its last line, is just the choice; or it opens with a lone letter ("B\n\nBecause...").
  //    A first line like "Response A" is more likely a heading than a verdict, so only a lone letter counts there.
  const lines = text
    .split(/\n+/)
    .map(stripMarkup)
    .filter((l) => l !== '');
  for (const candidate of [stripMarkup(text), lines[lines.length - 1] ?? '']) {
    const bare = BARE.exec(candidate);
    if (bare) return ok(choice(bare[1]!));
    if (BARE_TIE.test(candidate)) return ok('tie');
  }
  const opening = /^\(?([AB])\)?$/.exec(lines[0] ?? '');
  if (opening) return ok(choice(opening[1]!));

  // 4. Decisive phrases in prose, if they all point the same way.
  const asserted = new Set<string>();
  for (const pattern of DECISIVE) {
    for (const m of text.matchAll(pattern)) asserted.add((m[1] ?? m[2]!).toUpperCase());
  }
  if (asserted.size === 1) return ok(choice([...asserted][0]!));
  if (asserted.size > 1) return { ok: false, reason: 'the reply asserts both A and B are better' };

  const mentionsA = /\b(?:response|assistant|output)\s+\(?a\)?\b|\[\[A\]\]/i.test(text);
  const mentionsB = /\b(?:response|assistant|output)\s+\(?b\)?\b|\[\[B\]\]/i.test(text);
  if (mentionsA && mentionsB) return { ok: false, reason: 'mentions both A and B but gives no verdict' };
  return { ok: false, reason: 'no verdict found' };
}
