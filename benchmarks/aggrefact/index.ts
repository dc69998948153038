/**
 * LLM-AggreFact (Tang et al. 2024, MiniCheck): is the claim fully supported by the document? Balanced accuracy per
 * dataset, averaged over datasets (FLAMe Table 1's AggreFact column). Two benchmark objects share this module:
 *  - `aggrefact`: MiniCheck's protocol, a fixed threshold of 0.5 on P(supported);
 *  - `aggrefact-tuned`: FactCG's per-dataset threshold tuning; it also loads and asks the dev split.
 */
import type { DownloadSpec } from '../../core/download.ts';
import type { Instructions } from '../../protocol/tasks.ts';
import type { Benchmark, ItemResult } from '../benchmark.ts';
import { OFFICIAL_FILES, loadAggreFactDev, loadAggreFactTest, type AggreFactItem, type Split } from './loader.ts';
import { DEFAULT_THRESHOLD, predict, scoreAggreFact, supportScore, type ThresholdSetting } from './scoring.ts';
import { aggrefactMetricValues, aggrefactTables, type AggreFactSummary } from './tables.ts';

export type { AggreFactSummary } from './tables.ts';

interface AggreFactGold {
  supported: boolean;
}

type Result = ItemResult<AggreFactItem, AggreFactGold>;

const INSTRUCTIONS: Instructions = {
  taskDefinition:
    'You are given a document and a claim. Decide whether the claim is fully supported by the document. A claim is ' +
    'fully supported only when every part of it (each fact, entity, number, date, relation and qualifier it states) ' +
    'is stated in the document or follows directly from it. If any part of the claim is contradicted by the ' +
    'document, or cannot be checked against it, the claim is not supported.',
  evaluationInstructions:
    'Judge the claim against the document alone: do not use outside knowledge, and do not accept a claim because it ' +
    'is true in the world or reject it because it seems unlikely. Check each piece of information in the claim in ' +
    'turn. A claim that is only partly supported, that adds details the document does not give, or that is merely ' +
    'plausible given the document is not supported. Paraphrases, summaries and conclusions that follow directly from ' +
    'the document are supported. Do not let the length, fluency or style of the claim influence your decision. ' +
    'Answer Yes if the claim is fully supported and No otherwise.',
};

// Pinned revision of lytang/LLM-AggreFact (the 11-dataset release): the commit that several public evaluation
// repositories pin. No size or sha256 is published for its files, so the download is unverified and prints the
// sha256 it got (pin it here once confirmed).
const REVISION = '981dfd0bd8e58e7238a9ab92b2e6ea44bce918e4';

function hubFile(split: Split): DownloadSpec {
  return {
    description: `LLM-AggreFact ${split} split (lytang/LLM-AggreFact)`,
    source: {
      kind: 'hf-dataset',
      repo: 'lytang/LLM-AggreFact',
      revision: REVISION,
      path: `data/${split}-00000-of-00001.parquet`,
    },
    dest: OFFICIAL_FILES[split],
    gated: true,
  };
}

export const AGGREFACT_DOWNLOADS: readonly DownloadSpec[] = [hubFile('test'), hubFile('dev')];

function makeBenchmark(setting: ThresholdSetting): Benchmark<AggreFactItem, AggreFactGold, AggreFactSummary> {
  const tuned = setting === 'tune';
  const id = tuned ? 'aggrefact-tuned' : 'aggrefact';
  return {
    id,
    title: tuned ? 'LLM-AggreFact (thresholds tuned on dev)' : 'LLM-AggreFact',
    description: tuned
      ? 'LLM-AggreFact with per-dataset thresholds on P(supported) tuned on the dev split ' +
        '(FactCG); asks dev and test claims'
      : 'LLM-AggreFact: is the claim fully supported by the document? BAcc per dataset, ' +
        'mean over datasets (FLAMe Table 1)',
    taskKind: 'classification',
    // Only the fixed-threshold protocol is the paper's number; the tuned one would claim a column it was not
    // measured by.
    ...(tuned ? {} : { paperColumn: 'AggreFact' as const }),
    downloads: [...AGGREFACT_DOWNLOADS],

    async load(dataDir) {
      const test = await loadAggreFactTest(dataDir);
      return tuned ? [...test, ...(await loadAggreFactDev(dataDir))] : test;
    },

    prepare(item) {
      return {
        task: { kind: 'classification', document: item.doc, claim: item.claim },
        instructions: INSTRUCTIONS,
        gold: { supported: item.label },
      };
    },

    metrics: {
      values: aggrefactMetricValues,
      // Balanced accuracy is per dataset (and the tuned variant tunes on dev): resample within each dataset and split.
      stratum: (item) => `${item.dataset}/${item.split}`,
    },

    score(results: Result[]) {
      const scored = results.map((r) => ({
        dataset: r.item.dataset,
        split: r.item.split,
        label: r.prepared.gold.supported,
        outcome: r.outcome,
      }));
      const scores = scoreAggreFact(scored, setting);
      const errors = results.filter((r) => r.outcome.status === 'error').length;
      const testItems = results.filter((r) => r.item.split === 'test').length;
      return {
        ...scores,
        thresholdSetting: setting,
        n: results.length,
        testItems,
        devItems: results.length - testItems,
        invalid: results.filter((r) => r.outcome.status === 'invalid').length,
        errors,
        files: [...new Set(results.map((r) => r.item.file))].sort(),
        complete: errors === 0 && scores.missing.length === 0 && scores.untuned.length === 0,
      };
    },

    describe(result) {
      const item = { dataset: result.item.dataset, split: result.item.split, label: result.item.label ? 1 : 0 };
      const p = predict({ ...item, label: result.item.label, outcome: result.outcome }, DEFAULT_THRESHOLD);
      return {
        ...item,
        p_supported: supportScore(result.outcome),
        // At 0.5; aggrefact-tuned's per-dataset thresholds are in summary.json.
        predicted_at_0_5: p === null ? null : p ? 1 : 0,
      };
    },

    tables(summary, context) {
      return Promise.resolve(aggrefactTables(id, summary, context));
    },
  };
}

export const aggrefact = makeBenchmark('fixed');
export const aggrefactTuned = makeBenchmark('tune');
