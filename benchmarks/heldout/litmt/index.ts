/**
 * LitMT (LitMT in FLAMe's Table 1): which of two machine translations of a literary paragraph is better, as judged
 * by a professional translator fluent in both languages. The judge sees the source paragraph, never the published
 * human translation.
 */
import { githubFile } from '../github.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { LITMT_COMPARISON_NAMES, LITMT_PATH, loadLitmt } from './loader.ts';

export const litmt = definePairwiseSet({
  id: 'litmt',
  title: 'LitMT',
  description:
    'Literary translation, paragraph level (Karpinska & Iyyer 2023): 540 translation pairs, 18 ' +
    'language pairs, one translator each',
  paperColumn: 'LitMT',
  // The translators chose which of the two translations is better, after marking errors in each (mistranslation,
  // grammar, untranslated text, inconsistency, format, register) and noting added or omitted content.
  instructions: {
    taskDefinition:
      'You are given a paragraph from a novel and two translations of it, A and B, into another language. ' +
      'Decide which translation is better.',
    evaluationInstructions:
      'Judge as a professional literary translator fluent in both languages. Prefer the translation with fewer and ' +
      'less serious errors: mistranslations or overly literal renderings, grammar errors, text left untranslated, ' +
      'inconsistent terms for the same entity, wrong punctuation or format for the target language, and a register ' +
      'that does not match the source. Content added or omitted in a way that changes the meaning is a serious ' +
      "error. Beyond errors, prefer the translation that better keeps the author's voice and reads naturally. Do " +
      'not let the order of the translations or their length influence your decision.',
  },
  labels: { context: 'source paragraph', response: 'translation' },
  groupKind: 'comparison',
  groups: LITMT_COMPARISON_NAMES,
  perAnnotation: false,
  labelRule: "the translator's choice (one professional translator per pair, forced choice)",
  downloads: [
    githubFile(
      { repo: 'marzenakrp/LiteraryTranslation', commit: '7875c8ae052c6a26aca2c80e0602f8bae894a25c', folder: 'litmt' },
      LITMT_PATH,
      3_377_702,
      'bb847457473d0b57b0fba5a8ea31dfe5e31618e9bdab74c53652377b91a29743',
    ),
  ],
  load: loadLitmt,
});
