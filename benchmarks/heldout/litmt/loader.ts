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
import { DataError } from '../../../harness/errors.ts';
import { memoizeByKey } from '../../../harness/memo.ts';
import type { FieldLabels } from '../../../harness/tasks.ts';
import { assertUniqueIds, contentKey, type HumanPair, type LoadedSet } from '../human-pair.ts';
import { pullAgain, requireRowCount } from '../../data-text.ts';
import { parseRecord, readJsonArray, requireFiles } from '../source-files.ts';

export const LITMT_DIR = 'heldout/litmt';
export const LITMT_PATH = 'annotations/default_format_v1/all_annotations_v1.json';

/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
export const LITMT_ROWS = 540;

export const LITMT_COMPARISONS = { '1': 'SENT vs PARA', '2': 'PARA_SENT vs PARA', '3': 'GTr vs PARA' } as const;
export const LITMT_COMPARISON_NAMES = Object.values(LITMT_COMPARISONS);

/** The 8 languages of the 18 language pairs. */
export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  cs: 'Czech',
  de: 'German',
  en: 'English',
  fr: 'French',
  ja: 'Japanese',
  pl: 'Polish',
  ru: 'Russian',
  zh: 'Chinese',
};

const language = z
  .string()
  .refine((code) => code in LANGUAGE_NAMES, {
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
export function litmtLabels(sourceLang: string, targetLang: string): FieldLabels {
  return {
    context: `source paragraph (${LANGUAGE_NAMES[sourceLang]})`,
    response: `${LANGUAGE_NAMES[targetLang]} translation`,
  };
}

async function readLitmt(dataDir: string): Promise<LoadedSet> {
  const [file] = await requireFiles(dataDir, [`${LITMT_DIR}/${LITMT_PATH}`], 'LitMT', 'litmt');
  const records = await readJsonArray(file!);
  const items: HumanPair[] = records.rows.map((raw, index) => {
    const where = records.where(index);
    const r = parseRecord(row, raw, where);
    const [source, target, comparison] = r.eval.split('_') as [string, string, keyof typeof LITMT_COMPARISONS];
    if (source !== r.source_lang || target !== r.target_lang) {
      throw new DataError(
        `${where}: field "eval" ("${r.eval}") names other languages than source_lang/target_lang (${r.source_lang}/${r.target_lang}).`,
      );
    }
    return {
      id: `${r.eval}/${contentKey(r.source)}`,
      context: r.source,
      first: r.text1,
      second: r.text2,
      better: r.choice === 'text1' ? ('first' as const) : ('second' as const),
      group: LITMT_COMPARISONS[comparison],
      systems: { first: r.text1_tag, second: r.text2_tag },
      labels: litmtLabels(r.source_lang, r.target_lang),
      meta: {
        book: r.book,
        languages: `${r.source_lang}-${r.target_lang}`,
        difficult: r.difficult_choice.startsWith('YES'),
      },
    };
  });
  requireRowCount(file!, records.rows.length, LITMT_ROWS, 'rows', pullAgain('litmt'));
  assertUniqueIds(items, file!);
  return { items, files: [file!] };
}

export const loadLitmt = memoizeByKey(readLitmt);
