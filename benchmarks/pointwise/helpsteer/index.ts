/**
 * HelpSteer validation split (Wang et al. 2023, nvidia/HelpSteer): one item per response × attribute
 * (helpfulness, correctness, coherence, complexity, verbosity; 0-4). FLAMe's H-Steer column; held-in for FLAMe
 * (pointwise/SOURCES.md), rated on the validation split.
 */
import { likertBenchmark } from '../likert-set.ts';
import type { Criterion } from '../types.ts';
import { HELPSTEER_FILE, helpSteerLoader } from './loader.ts';

// Definitions from the dataset card ("each ranging between 0 and 4 where higher means better for each
// attribute"); the ends of the complexity and verbosity scales spelled out from the card's own definitions.
export const HELPSTEER_CRITERIA: readonly Criterion[] = [
  {
    id: 'helpfulness',
    title: 'Helpfulness',
    name: 'helpfulness',
    scale: { min: 0, max: 4 },
    guideline:
      'Helpfulness: the overall helpfulness of the response to the prompt. 0 is the lowest rating and 4 the highest.',
  },
  {
    id: 'correctness',
    title: 'Correctness',
    name: 'correctness',
    scale: { min: 0, max: 4 },
    guideline:
      'Correctness: the inclusion of all pertinent facts without errors. 0 is the lowest rating and 4 the highest.',
  },
  {
    id: 'coherence',
    title: 'Coherence',
    name: 'coherence',
    scale: { min: 0, max: 4 },
    guideline: 'Coherence: the consistency and clarity of expression. 0 is the lowest rating and 4 the highest.',
  },
  {
    id: 'complexity',
    title: 'Complexity',
    name: 'complexity',
    scale: { min: 0, max: 4 },
    guideline:
      'Complexity: the intellectual depth required to write the response, i.e. whether it could be written by ' +
      'anyone with basic language competency (0) or requires deep domain expertise (4).',
  },
  {
    id: 'verbosity',
    title: 'Verbosity',
    name: 'verbosity',
    scale: { min: 0, max: 4 },
    guideline:
      'Verbosity: the amount of detail included in the response, relative to what is asked for in the prompt, from ' +
      'very little detail (0) to a great deal of detail (4).',
  },
];

export const helpsteer = likertBenchmark({
  id: 'helpsteer',
  title: 'HelpSteer',
  description: 'HelpSteer validation split: 1,789 responses × 5 attributes, 0-4 (FLAMe Table 1, H-Steer)',
  paperColumn: 'H-Steer',
  downloads: [
    {
      // Pinned to the commit that uploaded validation.jsonl.gz; the Hub page gives no checksum we could verify here,
      // so the pull prints the file's sha256 to pin it.
      description: 'HelpSteer validation split (nvidia/HelpSteer validation.jsonl.gz)',
      source: {
        kind: 'hf-dataset',
        repo: 'nvidia/HelpSteer',
        revision: '526c4da745cbf55b7a99f4d40d44bef2c44f1e4a',
        path: 'validation.jsonl.gz',
      },
      dest: HELPSTEER_FILE,
    },
  ],
  criteria: HELPSTEER_CRITERIA,
  taskDefinition:
    'You are given a prompt and a response to it written by an AI assistant. Rate the response on one attribute, on ' +
    'a 0-4 scale, as the annotators of the HelpSteer dataset did.',
  labelNote:
    'Label: the published rating of the response on the attribute (one integer 0-4 per response); ' +
    'correlations use the same value.',
  selectionNotes: [
    'All five attributes of every validation response are rated, as FLAMe does; HelpSteer is held-in for ' +
      'FLAMe (§5.1.1), not held-out.',
  ],
  load: helpSteerLoader(HELPSTEER_CRITERIA),
});
