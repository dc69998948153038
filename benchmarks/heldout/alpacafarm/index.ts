/**
 * AlpacaFarm (Alpaca in FLAMe's Table 1): which of two outputs to an instruction crowd workers preferred.
 * The files come from the Hugging Face Hub (`npm run data -- pull alpacafarm`); see loader.ts for which file and
 * how the majority is formed. No size or sha256 is pinned: they could not be looked up here, so the download
 * reports the sha256 it got.
 */
import type { DownloadSpec } from '../../../core/download.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { ALPACAFARM_DIR, ALPACAFARM_FILES, loadAlpacaFarm } from './loader.ts';

/** Last commit that uploaded the cross-annotations file to tatsu-lab/alpaca_eval. */
export const ALPACA_EVAL_REVISION = '7253f4f440699890dfa4059b7aeed3f1463c0147';
/** Head of tatsu-lab/alpaca_farm (after alpaca_human_preference.json was last uploaded, in f8ca79b). */
export const ALPACA_FARM_REVISION = 'e576524ca841af3c36fd6912e68e5920430928c1';

/** A file of a Hub dataset repository at a pinned revision, placed under ALPACAFARM_DIR by its path there. */
function hubFile(description: string, repo: string, revision: string, file: string): DownloadSpec {
  return { description, source: { kind: 'hf-dataset', repo, revision, path: file }, dest: `${ALPACAFARM_DIR}/${file}` };
}

export const alpacafarm = definePairwiseSet({
  id: 'alpacafarm',
  title: 'AlpacaFarm',
  description:
    'AlpacaFarm human preferences (Dubois et al. 2023): instruction-following output pairs, majority of crowd workers',
  paperColumn: 'Alpaca',
  // AlpacaFarm's workers chose which of two outputs to an instruction is better, i.e. more helpful, accurate and
  // following the instruction.
  instructions: {
    taskDefinition:
      'You are given an instruction (possibly with an input) and two outputs, A and B, written by AI assistants in ' +
      'response to it. Decide which output is better.',
    evaluationInstructions:
      'Prefer the output that follows the instruction and answers it more helpfully and accurately; when both are ' +
      'good or both are poor, choose the one a typical user would find more useful. Do not let the order of the ' +
      'outputs or their length influence your decision.',
  },
  labels: { context: 'instruction', response: 'output' },
  groupKind: 'source dataset of the instruction',
  perAnnotation: true,
  labelRule:
    "majority of the crowd workers' preferences on each pair (4 per pair in the " +
    'cross-annotations), tied pairs left out',
  downloads: [
    hubFile(
      'AlpacaFarm human cross-annotations (tatsu-lab/alpaca_eval, config alpaca_farm_human_crossannotations)',
      'tatsu-lab/alpaca_eval',
      ALPACA_EVAL_REVISION,
      ALPACAFARM_FILES[0].path,
    ),
    hubFile(
      'AlpacaFarm human preferences (tatsu-lab/alpaca_farm, config alpaca_human_preference)',
      'tatsu-lab/alpaca_farm',
      ALPACA_FARM_REVISION,
      ALPACAFARM_FILES[1].path,
    ),
  ],
  load: loadAlpacaFarm,
});
