/**
 * RankGen (RankG in FLAMe's Table 1): which of two continuations (RankGen-reranked beam search vs nucleus sampling,
 * from GPT-2 medium or T5-XXL) better continues a PG19 or Wikipedia prefix, against the majority of 3–5 writers.
 */
import { githubFile, type GithubSnapshot } from '../github.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { RANKGEN_MODELS, RANKGEN_PATHS, loadRankgen } from './loader.ts';

const SNAPSHOT: GithubSnapshot = {
  repo: 'martiansideofthemoon/rankgen',
  commit: '23a8e7ce2dd6a660e3b7851e97a5ee7a84a5fea6',
  folder: 'rankgen',
};

export const rankgen = definePairwiseSet({
  id: 'rankgen',
  title: 'RankGen',
  description:
    'RankGen human evaluation (Krishna et al. 2022): 200 continuation pairs, majority of 3-5 English writers',
  paperColumn: 'RankG',
  // The writers' task: "Which of the two sequences of text is a better continuation of the context? In this task
  // you will be shown a context followed by two continuations. The goal of this task is to identify which of the
  // two continuations complete the context better."
  instructions: {
    taskDefinition:
      'You are shown a context (a passage from a book or a Wikipedia article) followed by two continuations of it, ' +
      'A and B. Decide which of the two sequences of text is the better continuation of the context.',
    evaluationInstructions:
      'Identify which of the two continuations completes the context better: it follows on from the ' +
      'context naturally, stays relevant to it and consistent with it, and is coherent and fluent on ' +
      'its own. Both may be imperfect; choose the better one. Do not let the order of the continuations ' +
      'or their length influence your decision.',
  },
  labels: { context: 'context', response: 'continuation' },
  groupKind: 'generator model',
  groups: RANKGEN_MODELS,
  perAnnotation: true,
  labelRule:
    "majority of all the writers' choices for the HIT (3-5 per HIT, no ties occur), each read from the " +
    'opening words of their explanation',
  downloads: [
    githubFile(SNAPSHOT, RANKGEN_PATHS[0], 875_743, '587a44c06de2aa0219f9ecd6830fe4dba752c92e1b2262672a9b6964014d6658'),
    githubFile(SNAPSHOT, RANKGEN_PATHS[1], 849_263, 'f0cdc189a07a1120cc30ef71a77dc76468fccc4b845dfbfbcf501702bf01aff4'),
  ],
  load: loadRankgen,
});
