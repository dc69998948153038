/**
 * CoPoem (CoPoem in FLAMe's Table 1): which of two short poems on a title is more creative and interesting,
 * against the majority of 3 AMT workers. The source always lists the collaborative poem first, and it wins 29 of
 * 51, so a fixed order would give an always-A judge 57%: positions are shuffled per item.
 */
import { githubFile, type GithubSnapshot } from '../github.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { COPOEM_BATCH_PATH, COPOEM_POEMS_PATH, loadCopoem } from './loader.ts';

const SNAPSHOT: GithubSnapshot = {
  repo: 'vishakhpk/creative-instructions',
  commit: '65d6266f7ea3d80f111742904f7c97dba733e3be',
  folder: 'copoem',
};

export const copoem = definePairwiseSet({
  id: 'copoem',
  title: 'CoPoem',
  description: 'CoPoet collaborative vs solo poems (Chakrabarty et al. 2022): 51 pairs, majority of 3 AMT workers',
  paperColumn: 'CoPoem',
  // The workers' HIT: "Pick the better poem. Given 2 poems on the same topic, decide which one is more creative and
  // interesting." (they were also asked whether each poem is on topic).
  instructions: {
    taskDefinition: 'You are given a topic and two short poems written on it, A and B. Decide which poem is better.',
    evaluationInstructions:
      'Given the two poems on the same topic, decide which one is more creative and interesting. A poem should also ' +
      'be about the given topic. Do not let the order of the poems or their length influence your decision.',
  },
  labels: { context: 'topic', response: 'poem' },
  groupKind: 'group',
  groups: [],
  perAnnotation: true,
  labelRule: 'majority of the 3 workers\' "more creative" votes (an odd count, so no ties)',
  downloads: [
    githubFile(
      SNAPSHOT,
      COPOEM_BATCH_PATH,
      154_973,
      'da72e8c1d4416f0790955d381f653f317f9f86cd684825651e388db9e1d6dc01',
    ),
    githubFile(SNAPSHOT, COPOEM_POEMS_PATH, 20_029, 'e257548c4ff4a1916bd9a5407429ebce4c45a0d60bd8cc03e3bebe05137bc5c7'),
  ],
  load: loadCopoem,
});
