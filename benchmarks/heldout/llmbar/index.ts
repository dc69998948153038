/**
 * LLMBar: does the judge pick the output that follows the instruction? Not one of FLAMe's Table 1 columns; reported
 * pooled (419), per subset (Natural and the four Adversarial sets, which are built to punish length and style) and,
 * as LLMBar's paper does, the Adversarial average: the plain mean of the four Adversarial subsets' accuracies. (Its
 * code, LLMEvaluator/evaluate.py, writes per-subset statistics only. GPT-4 with Rules+Metrics+Reference scores 85.4,
 * 89.7, 72.3 and 83.7 on the four in its statistics.json: plain mean 82.8, the Adversarial figure quoted for it;
 * pooled over the 319 items it would be 84.5.)
 */
import { githubFile, type GithubSnapshot } from '../github.ts';
import { definePairwiseSet } from '../pairwise-set.ts';
import { LLMBAR_ADVERSARIAL, LLMBAR_SUBSETS, LLMBAR_SUBSET_NAMES, loadLlmbar, type LlmbarSubset } from './loader.ts';

const SNAPSHOT: GithubSnapshot = {
  repo: 'princeton-nlp/LLMBar',
  commit: '900616bff90b6c6c8e1681f7d079250637c55992',
  folder: 'llmbar',
};

/** Size and sha256 of each file at that commit. */
const PINS: Record<LlmbarSubset, [number, string]> = {
  Natural: [91_269, 'f7127b7aa78104cb8e03a2b1b3ac0077e95b125714dd441a8ee63666145a3375'],
  Neighbor: [131_988, '6712c7eda6342602e0bc7c06c282fa95e2110d4e741a284026a62d937f9780a0'],
  GPTInst: [211_768, '1002425f73c2cf54b6e6de99bce3f6c60fa2a17d13194772e37d7481c1351d42'],
  GPTOut: [32_640, '1ff56e520d7607750a9866a3be0f5b850392ca4477a1f69d80f32bd3e310f561'],
  Manual: [79_050, '0d9598769a39cdbbd265778c37e49939d41d5f76dcfb17bd75dcfa07516d3837'],
};

export const llmbar = definePairwiseSet({
  id: 'llmbar',
  title: 'LLMBar',
  description: 'LLMBar (Natural + 4 Adversarial subsets, 419 pairs): which output follows the instruction, gold labels',
  // The evaluation rules are the ones LLMBar gives its own evaluators (Zeng et al. 2024, "Rules"), in our words.
  instructions: {
    taskDefinition:
      'You are given an instruction and two outputs, A and B, produced by AI assistants in response to it. ' +
      'Decide which output is better.',
    evaluationInstructions:
      'First judge whether each output honestly, precisely and closely executes the instruction; only then consider ' +
      'helpfulness, accuracy, level of detail and harmlessness. An output should contain neither more nor less than ' +
      'the instruction asks for. Do not let the order of the outputs, their length or how confident they sound ' +
      'influence your decision; be as objective as possible.',
  },
  labels: { context: 'instruction', response: 'output' },
  groupKind: 'subset',
  groups: LLMBAR_SUBSET_NAMES,
  averages: [
    {
      label: 'Adversarial avg',
      of: LLMBAR_ADVERSARIAL,
      note:
        `the plain mean of the four Adversarial subsets' accuracies (${LLMBAR_ADVERSARIAL.join(', ')}), as LLMBar ` +
        "reports its Adversarial average (Zeng et al. 2024), not the accuracy pooled over their 319 items; '—' " +
        'when a subset has no scored item.',
    },
  ],
  perAnnotation: false,
  labelRule: 'the curated gold label of each pair ("label" 1 or 2); there are no ties',
  downloads: LLMBAR_SUBSET_NAMES.map((subset) => githubFile(SNAPSHOT, LLMBAR_SUBSETS[subset], ...PINS[subset])),
  load: loadLlmbar,
});
