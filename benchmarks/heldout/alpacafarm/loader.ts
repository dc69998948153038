/**
 * AlpacaFarm human pairwise preferences (Dubois et al. 2023). Not in the shared data folder (no GitHub copy exists);
 * both files are published only on the Hugging Face Hub, each a JSON array read by a `datasets` loading script:
 *
 *  1. `alpaca_farm_human_crossannotations.json`, config `alpaca_farm_human_crossannotations` (split `validation`)
 *     of the `tatsu-lab/alpaca_eval` dataset repository (`alpaca_eval.py`): about 650 pairs of outputs on the
 *     AlpacaFarm evaluation instructions, each annotated by 4 crowd workers. One record per annotation:
 *     {instruction, output_1, output_2, preference (1 = output_1 better, 2 = output_2), annotator_index, dataset,
 *     datasplit}; older revisions also carry `input` (and the human-annotation config `generator`, `sample_mode`).
 *  2. `alpaca_human_preference.json`, config `alpaca_human_preference` (split `preference`) of the
 *     `tatsu-lab/alpaca_farm` repository (`alpaca_farm.py`): about 10k pairs on Alpaca training instructions,
 *     one crowd annotation each: {instruction, input, output_1, output_2, preference, raw_preference}.
 *
 * Which one FLAMe used is not stated. The cross-annotations are most likely: they are the set AlpacaFarm and
 * AlpacaEval use to measure how well an automatic annotator agrees with humans (the very question of FLAMe's
 * held-out evaluation), and they are on the evaluation instructions, while the single-annotator file holds the
 * preference split of the training instructions, meant for reward-model training.
 * The loader reads the cross-annotations when present, else the single-annotator file.
 *
 * Majority with multi-way cross-annotations: records are grouped by pair, keyed as AlpacaEval's Analyzer keys them
 * (instruction, input, output_1, output_2); each record's preference is one vote (a value other than 1 or 2, e.g.
 * AlpacaEval's 1.5 for a draw, is a tie vote and is ignored); the label is the majority, and pairs whose votes are
 * tied (2–2) are dropped, as for the other held-out sets. (AlpacaEval's own analysis instead breaks such ties at
 * random and uses a leave-one-annotator-out majority.) Per-annotation agreement counts every vote.
 * Item id: which file, plus a hash of the pair's key fields (the files have no id column).
 */
import { z } from 'zod';
import { memoizeByKey } from '../../../core/memo.ts';
import { assertUniqueIds, contentKey, type LoadedSet, majorityItems, type Votes } from '../human-pair.ts';
import { firstExisting, forEachJsonRecord } from '../source-files.ts';

export const ALPACAFARM_DIR = 'heldout/alpacafarm';

export const ALPACAFARM_FILES = [
  { kind: 'cross', path: 'alpaca_farm_human_crossannotations.json' },
  { kind: 'pref', path: 'alpaca_human_preference.json' },
] as const;

const record = z.object({
  instruction: z.string(),
  input: z.string().optional(),
  output_1: z.string(),
  output_2: z.string(),
  preference: z.number(),
  annotator_index: z.number().int().optional(),
  dataset: z.string().optional(),
});

interface Pair {
  instruction: string;
  input: string;
  output1: string;
  output2: string;
  dataset: string;
  votes: Votes;
}

async function readAlpacaFarm(dataDir: string): Promise<LoadedSet> {
  const { file, index: which } = await firstExisting(
    dataDir,
    ALPACAFARM_DIR,
    ALPACAFARM_FILES.map((f) => f.path),
    'AlpacaFarm human preference',
    'alpacafarm',
  );
  const kind = ALPACAFARM_FILES[which]!.kind;
  const pairs = new Map<string, Pair>();
  // No pinned row count: the published size is only approximate ("2.5K") and no copy was available to count.
  await forEachJsonRecord([file], record, undefined, (r) => {
    const input = r.input ?? '';
    const key = JSON.stringify([r.instruction, input, r.output_1, r.output_2]);
    let pair = pairs.get(key);
    if (!pair) {
      pair = {
        instruction: r.instruction,
        input,
        output1: r.output_1,
        output2: r.output_2,
        dataset: r.dataset ?? 'all',
        votes: { first: 0, second: 0 },
      };
      pairs.set(key, pair);
    }
    if (r.preference === 1) pair.votes.first += 1;
    else if (r.preference === 2) pair.votes.second += 1;
  });

  const { items, droppedTies } = majorityItems(pairs.values(), (pair, better) => ({
    id: `${kind}/${contentKey(pair.instruction, pair.input, pair.output1, pair.output2)}`,
    context: pair.input ? `${pair.instruction}\n\n${pair.input}` : pair.instruction,
    first: pair.output1,
    second: pair.output2,
    better,
    group: pair.dataset,
    votes: pair.votes,
  }));
  assertUniqueIds(items, file);
  const note =
    kind === 'cross'
      ? `Read from ${file} (human cross-annotations, several workers per pair).`
      : `Read from ${file} (one worker per pair): the cross-annotations, the likelier FLAMe set, were not found.`;
  return { items, files: [file], droppedTies, note };
}

export const loadAlpacaFarm = memoizeByKey(readAlpacaFarm);
