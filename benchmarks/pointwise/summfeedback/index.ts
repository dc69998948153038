/**
 * Summary Feedback axis ratings (Stiennon et al. 2020): TL;DR and CNN/DM summaries rated 1-7 on overall quality,
 * accuracy, coverage and coherence. FLAMe's SumFB column: FLAMe trained on this set's pairwise comparisons only
 * and kept the pointwise axis ratings for evaluation (pointwise/SOURCES.md, footnote 12).
 */
import type { DownloadSpec } from '../../../core/download.ts';
import { likertBenchmark } from '../likert-set.ts';
import type { Criterion } from '../types.ts';
import { AXIS_EVAL_FILES, AXIS_EVAL_NAMES, axisEvalPath, summFeedbackLoader } from './loader.ts';

// The four 1-7 axes of the paper's Likert evaluations, worded after its labeler instructions (Appendix C);
// paraphrased, with the anchors at 1, 4 and 7. The files' boolean `compatible` field is not a Likert rating and
// is not rated.
export const SUMMFEEDBACK_CRITERIA: readonly Criterion[] = [
  {
    id: 'overall',
    title: 'Overall',
    name: 'overall quality',
    scale: { min: 1, max: 7 },
    guideline:
      'How good is the summary overall at representing the text? 1: the summary is terrible. 4: an okay ' +
      'representation of the text that could be significantly improved. 7: an excellent representation of the text.',
  },
  {
    id: 'accuracy',
    title: 'Accuracy',
    name: 'accuracy',
    scale: { min: 1, max: 7 },
    guideline:
      'Does the summary only state things that are in the text, without mixing up people or facts or ' +
      'misleading the reader? 1: the summary is completely wrong, made up, or contradicts the text. 4: it ' +
      'says at least one substantial thing that is not in the text or that contradicts it. 7: it has no ' +
      'incorrect statements or misleading implications.',
  },
  {
    id: 'coverage',
    title: 'Coverage',
    name: 'coverage',
    scale: { min: 1, max: 7 },
    guideline:
      'How well does the summary cover the important information in the text? 1: it contains no relevant ' +
      'information. 4: it misses at least one important piece of information needed to understand the situation. 7: ' +
      'it covers all the important information needed to understand the situation.',
  },
  {
    id: 'coherence',
    title: 'Coherence',
    name: 'coherence',
    scale: { min: 1, max: 7 },
    guideline:
      'How coherent is the summary on its own: easy to understand when read by itself and free of English errors? ' +
      'Being understandable matters more than perfect grammar. 1: impossible to understand. 4: mistakes or ' +
      'confusing phrasing make it a bit hard to understand. 7: perfectly clear.',
  },
];

const BLOB_BASE = 'https://openaipublic.blob.core.windows.net/summarize-from-feedback';

const downloads: DownloadSpec[] = AXIS_EVAL_NAMES.map((name, i) => ({
  // Not versioned by the host and no published checksums: the pull prints each file's sha256 to pin it.
  description: `Summarize-from-feedback axis evaluations ${name}.json (openaipublic blob storage)`,
  source: { kind: 'url', base: BLOB_BASE, path: axisEvalPath(name), baseEnv: 'SUMMARIZE_FROM_FEEDBACK_ENDPOINT' },
  dest: AXIS_EVAL_FILES[i]!,
}));

export const summfeedback = likertBenchmark({
  id: 'summfeedback',
  title: 'Summary Feedback (axis ratings)',
  description:
    'Stiennon et al. 2020 axis evaluations: TL;DR and CNN/DM summaries × 4 axes, ' + '1-7 (FLAMe Table 1, SumFB)',
  paperColumn: 'SumFB',
  downloads,
  criteria: SUMMFEEDBACK_CRITERIA,
  taskDefinition:
    'You are given a text (a Reddit post or a news article) and a summary of it. Rate the summary on one axis, on a ' +
    '1-7 scale, as the labelers of "Learning to summarize from human feedback" did.',
  labelNote:
    'Label: the mean of the workers who rated the summary on that axis (one or more), rounded half ' +
    'up. Correlations use the mean.',
  selectionNotes: [
    'Every rated (post, summary) pair of the five axis_evals files, all splits; a summary rated ' +
      'by several workers is one item.',
  ],
  load: summFeedbackLoader(SUMMFEEDBACK_CRITERIA),
});
