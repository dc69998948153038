/**
 * Contrastive Search (ContS in FLAMe's Table 1): which of two GPT-2-XL continuations of a prefix is more
 * human-like, against the majority of 4 annotators.
 */
import { githubFile } from '../github.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { CONTRASTIVE_SEARCH_DOMAINS, CONTRASTIVE_SEARCH_PATH, loadContrastiveSearch } from './loader.ts';

export const contrastiveSearch = definePairwiseSet({
  id: 'contrastive-search',
  title: 'Contrastive Search',
  description:
    'Contrastive search vs contrastive decoding (Su & Xu 2022): 113 continuation pairs, majority of 4 annotators',
  paperColumn: 'ContS',
  // The annotators chose which system's continuation "is more human-like" (or "comparable").
  instructions: {
    taskDefinition:
      'You are given the beginning of a text (a prefix from a story, a news article or a Wikipedia page) and two ' +
      'continuations of it, A and B, written by text-generation systems. Decide which continuation is more human-like.',
    evaluationInstructions:
      'Prefer the continuation a skilled human writer would more plausibly have written: it stays coherent with the ' +
      'prefix and with itself, reads fluently, is informative and does not repeat itself or drift off topic. ' +
      'Do not let the order of the continuations or their length influence your decision.',
  },
  labels: { context: 'prefix', response: 'continuation' },
  groupKind: 'domain',
  groups: CONTRASTIVE_SEARCH_DOMAINS,
  perAnnotation: true,
  labelRule: 'majority of the 4 annotators\' votes, "comparable" votes ignored',
  downloads: [
    githubFile(
      {
        repo: 'yxuansu/Contrastive_Search_versus_Contrastive_Decoding',
        commit: 'bdca42ddae6e3109b4b4eca1d6dd6b2dc5b05c2d',
        folder: 'contrastive_search',
      },
      CONTRASTIVE_SEARCH_PATH,
      496_232,
      'ff547c4bd4367bb7a587d358f89055ee3de0be8a019ff4ba51b4cd1de17a24ce',
    ),
  ],
  load: loadContrastiveSearch,
});
