/**
 * Literary translation at paragraph level (Karpinska & Iyyer, WMT 2023): 540 pairwise comparisons of GPT-3.5
 * translations of novel paragraphs, one professional translator each (forced choice, no ties). Item rule
 * (SOURCES.md): context = the source paragraph and its languages, A = `text1`, B = `text2`, label = `choice`.
 * Not shown to a judge: `target` (a published human translation, "for reference only"; off by default),
 * `comment`, `added_omitted` and `annotations` (the translator's rationale and error spans).
 * The comparison is the suffix of `eval` (1 = SENT vs PARA, 2 = PARA_SENT vs PARA, 3 = GTr vs PARA).
 * Item id: `eval` plus a hash of the source paragraph (`eval` alone holds 10 paragraphs).
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import type { FieldLabels } from '../../../protocol/tasks.ts';
import { contentKey, jsonPairLoader } from '../human-pair.ts';

const LITMT_DIR = 'heldout/litmt';
export const LITMT_PATH = 'annotations/default_format_v1/all_annotations_v1.json';

/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
const LITMT_ROWS = 540;

const LITMT_COMPARISONS = { '1': 'SENT vs PARA', '2': 'PARA_SENT vs PARA', '3': 'GTr vs PARA' } as const;
export const LITMT_COMPARISON_NAMES = Object.values(LITMT_COMPARISONS);

/** The 8 languages of the 18 language pairs. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  cs: 'Czech',
  de: 'German',
  en: 'English',
  fr: 'French',
  ja: 'Japanese',
  pl: 'Polish',
  ru: 'Russian',
  zh: 'Chinese',
};

const language = z.string().refine((code) => code in LANGUAGE_NAMES, {
  message: `expected a language code (${Object.keys(LANGUAGE_NAMES).join(', ')})`,
});
const row = z.object({
  eval: z.string().regex(/^[a-z]{2}_[a-z]{2}_[123]$/, 'expected "<source>_<target>_<1|2|3>"'),
  book: z.string(),
  source: z.string(),
  source_lang: language,
  target_lang: language,
  text1: z.string(),
  text2: z.string(),
  text1_tag: z.string(),
  text2_tag: z.string(),
  choice: z.enum(['text1', 'text2']),
  difficult_choice: z.string(),
});

/** Field names naming the languages, e.g. "source paragraph (French)" and "Japanese translation A". */
function litmtLabels(sourceLang: string, targetLang: string): FieldLabels {
  return {
    context: `source paragraph (${LANGUAGE_NAMES[sourceLang]})`,
    response: `${LANGUAGE_NAMES[targetLang]} translation`,
  };
}

export const loadLitmt = jsonPairLoader({
  title: 'LitMT',
  benchmarkId: 'litmt',
  dir: LITMT_DIR,
  files: [LITMT_PATH],
  rows: [LITMT_ROWS],
  record: row,
  pair(r, { where }) {
    const [source, target, comparison] = r.eval.split('_') as [string, string, keyof typeof LITMT_COMPARISONS];
    if (source !== r.source_lang || target !== r.target_lang) {
      throw new DataError(
        `${where}: field "eval" ("${r.eval}") names other languages than source_lang/target_lang ` +
          `(${r.source_lang}/${r.target_lang}).`,
      );
    }
    return {
      id: `${r.eval}/${contentKey(r.source)}`,
      context: r.source,
      first: r.text1,
      second: r.text2,
      better: r.choice === 'text1' ? 'first' : 'second',
      group: LITMT_COMPARISONS[comparison],
      systems: { first: r.text1_tag, second: r.text2_tag },
      labels: litmtLabels(r.source_lang, r.target_lang),
      meta: {
        book: r.book,
        languages: `${r.source_lang}-${r.target_lang}`,
        difficult: r.difficult_choice.startsWith('YES'),
      },
    };
  },
});
