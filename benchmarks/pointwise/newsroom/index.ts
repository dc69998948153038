/**
 * Newsroom summary human evaluation (Grusky et al., NAACL 2018), JUDGE-BENCH's conversion: 420 summaries of 60
 * articles by 7 systems, each rated 1-5 by three MTurk workers on four dimensions: 1,680 items. Not one of
 * FLAMe's sets; a held-out Likert task with real individual ratings.
 */
import { likertBenchmark } from '../likert-set.ts';
import type { Criterion } from '../types.ts';
import { NEWSROOM_FILE, newsroomLoader } from './loader.ts';

// The questions are the `prompt` fields of the file's metric declarations: the original MTurk questions.
export const NEWSROOM_CRITERIA: readonly Criterion[] = [
  {
    id: 'informativeness',
    title: 'Informativeness',
    name: 'informativeness',
    scale: { min: 1, max: 5 },
    guideline: 'On a scale of 1 (low) to 5 (high), how well does the summary capture the key points of the article?',
  },
  {
    id: 'relevance',
    title: 'Relevance',
    name: 'relevance',
    scale: { min: 1, max: 5 },
    guideline:
      'On a scale of 1 (low) to 5 (high), are the details provided by the summary ' +
      'consistent with details in the article?',
  },
  {
    id: 'fluency',
    title: 'Fluency',
    name: 'fluency',
    scale: { min: 1, max: 5 },
    guideline:
      'On a scale of 1 (low) to 5 (high), are the individual sentences of the summary well-written and grammatical?',
  },
  {
    id: 'coherence',
    title: 'Coherence',
    name: 'coherence',
    scale: { min: 1, max: 5 },
    guideline:
      'On a scale of 1 (low) to 5 (high), do phrases and sentences of the summary fit ' +
      'together and make sense collectively?',
  },
];

export const newsroom = likertBenchmark({
  id: 'newsroom',
  title: 'Newsroom summary evaluation',
  description: 'Newsroom human evaluation (JUDGE-BENCH): 420 summaries × 4 dimensions, 1-5, 3 MTurk raters each',
  downloads: [
    {
      description: 'Newsroom human evaluation, JUDGE-BENCH conversion (dmg-illc/JUDGE-BENCH)',
      source: {
        kind: 'github',
        repo: 'dmg-illc/JUDGE-BENCH',
        commit: '5a0bf500325029efb5dc8adff2c1e991996f0e78',
        path: 'data/newsroom/newsroom.json',
      },
      dest: NEWSROOM_FILE,
      size: 2_415_164,
      sha256: '353a7e4646bdbc2f3429e71461d11fe6ce351ee8c2d3e8b4a7ca4aace015a6b0',
    },
  ],
  criteria: NEWSROOM_CRITERIA,
  taskDefinition:
    'You are given a news article and a summary of it written by an automatic summarization system. Rate the summary ' +
    'on one dimension, as the crowd workers of the Newsroom human evaluation did.',
  labelNote:
    "Label: the rating at least 2 of the 3 raters gave (the file's majority_human), else the mean of the 3 rounded " +
    'half up (602 of the 1,680 items have three different ratings). Correlations use the mean of the 3.',
  selectionNotes: [
    'All 420 summaries (7 systems, 2018-era extractive and abstractive) and all 4 dimensions are rated; the ' +
      'file does not name the system.',
  ],
  load: newsroomLoader(NEWSROOM_CRITERIA),
});
