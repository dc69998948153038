/**
 * CoBBLEr (Koo et al. 2023, "Benchmarking Cognitive Biases in Large Language Models as Evaluators"), the bias
 * benchmark of FLAMe's Table 3: 50 instructions × 105 pairs of the 15 generators' responses = 5,250 comparisons,
 * asked twice in each of four modules (order, compassion, bandwagon, attention: 42,000 asks); Length and Egocentric
 * are computed from those runs. Items: one per (module, comparison, ask); --sample N draws N comparisons, the same
 * in every module, both asks together.
 */
import { githubFile, type GithubSnapshot } from '../heldout/github.ts';
import type { Benchmark } from '../benchmark.ts';
import {
  ANNOTATORS,
  EVALSET_PATH,
  RESPONSES_PATH,
  annotationPath,
  loadCobblerData,
  type CobblerData,
} from './loader.ts';
import { itemsOf, prepareItem, type CobblerGold, type CobblerItem } from './modules.ts';
import { COUNT_RATES, cobblerCounts, scoreCobbler, type CobblerSummary } from './scoring.ts';
import { cobblerTables, metricValues, metricValuesFromCounts } from './tables.ts';

const SNAPSHOT: GithubSnapshot = {
  repo: 'minnesotanlp/cobbler',
  commit: '5af58e0cfff7676dcb496e30bb5384cb8f214b68',
  folder: 'cobbler',
};

const ANNOTATION_SHA256 = [
  'b1fc355b4f0fd79f23b3cfb834795fccde430dd9e4b710387a84948fbbd17ffe',
  'e01accf4389916eb7edd00e892cc50db578a08b90442adcc66ab5dfe9d21f08c',
  '8e86b29ef6f12d4ad8f2f2ad32fd70488fb563c1d54a558b9832eed0b8a15901',
  '0477a854e831c2c983ea3a63be7b75428fa28bd25a4aeb6799dbec88eed040aa',
  '1297ce7d0b5f4f391d67b1a92e957f9d8c1af66a552fd90156ed9341ae63ef8c',
  'c3d2101fb3cbda2ee3613e195ce8e5e97c6745ea241f04f15106d8ae6e637fa4',
];

// One item array per loaded data set, so the harness's per-array prompt cache (harness/prepare.ts) applies.
const itemCache = new WeakMap<CobblerData, CobblerItem[]>();

export const cobbler: Benchmark<CobblerItem, CobblerGold, CobblerSummary> = {
  id: 'cobbler',
  title: 'CoBBLEr',
  description:
    'CoBBLEr cognitive-bias probes: order, compassion, length, egocentric, bandwagon, attention (FLAMe Table 3); ' +
    '5,250 comparisons × 4 modules × 2 asks',
  taskKind: 'pairwise',
  // Every module already asks each comparison twice, in the orders Koo et al. define.
  ownOrders: true,
  downloads: [
    githubFile(SNAPSHOT, EVALSET_PATH, 29_747, '0f6ad718f966456acf86f2d84aa22c4e5c2e8aa126053220a082f3938a668c76'),
    githubFile(SNAPSHOT, RESPONSES_PATH, 296_449, 'a3f8ac577f78df6e03fb5b458d9ced050faf5b5e7618d36eb51a742f50e68c42'),
    ...ANNOTATORS.map((a, i) => githubFile(SNAPSHOT, annotationPath(a), 16_902, ANNOTATION_SHA256[i]!)),
  ],

  metrics: {
    values: metricValues,
    // A comparison's asks are scored together, across modules (Avg mixes them): resample whole comparisons.
    stratum: () => 'all',
    cluster: (item) => item.comparison.id,
    counts: { size: 2 * COUNT_RATES.length, of: cobblerCounts, values: metricValuesFromCounts },
    lowerIsBetter: true,
  },

  async load(dataDir) {
    const data = await loadCobblerData(dataDir);
    let items = itemCache.get(data);
    if (!items) itemCache.set(data, (items = itemsOf(data)));
    return items;
  },

  prepare: prepareItem,

  score: scoreCobbler,

  describe(result) {
    const { item, prepared, outcome } = result;
    const picked =
      outcome.status === 'verdict' && outcome.verdict.kind === 'pairwise' && outcome.verdict.choice !== 'tie'
        ? prepared.gold.slots[outcome.verdict.choice]
        : null;
    return {
      module: item.module,
      ask: item.ask,
      comparison: item.comparison.id,
      instruction: item.comparison.instruction,
      model_a: prepared.gold.slots.A,
      model_b: prepared.gold.slots.B,
      ...(prepared.gold.cued ? { cued_slot: prepared.gold.cued } : {}),
      picked_model: picked,
    };
  },

  async tables(summary, context) {
    return cobblerTables(summary, context, await loadCobblerData(context.dataDir));
  },
};
