/**
 * RankGen human evaluation (Krishna et al. 2022): two AMT-style CSVs, 100 HITs each, 3–5 professional writers per
 * HIT choosing the better continuation of a prefix (RankGen beam search vs nucleus sampling). Item rule
 * (SOURCES.md, from the source's `score_ab_text.py`):
 *  - context = `Input.Prefix`, A = `Input.First`, B = `Input.Second`; `Input.Order` says which system is which;
 *  - each writer's choice is read from the opening words of `Answer.utterance` (their free-text explanation,
 *    which is never shown to a judge);
 *  - label = majority over all of the HIT's annotations (no ties occur).
 * Item id: the HIT id.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { memoizeByKey } from '../../../core/memo.ts';
import { quote } from '../../data-text.ts';
import { assertUniqueIds, type LoadedSet, majorityItems, type SourceSlot, type Votes } from '../human-pair.ts';
import { forEachCsvRecord, requireFiles } from '../source-files.ts';

export const RANKGEN_DIR = 'heldout/rankgen';
export const RANKGEN_PATHS = ['human-eval-data/gpt2_medium.csv', 'human-eval-data/t5_xxl_c4.csv'] as const;
/** Rows in each pinned file (the data folder's heldout/SOURCES.md): 309 and 300 annotations. */
export const RANKGEN_ROWS = [309, 300] as const;
/** The generator behind each file (`Input.Model`). */
export const RANKGEN_MODELS = ['gpt2_medium', 't5_xxl_descartes'] as const;

const row = z.object({
  HITId: z.string().min(1),
  'Input.Prefix': z.string(),
  'Input.First': z.string(),
  'Input.Second': z.string(),
  'Input.Order': z.enum(['beam,nucleus', 'nucleus,beam']),
  'Input.Dataset': z.string(),
  'Input.Model': z.enum(RANKGEN_MODELS),
  'Answer.utterance': z.string(),
});

/**
 * The writer's choice, as `score_ab_text.py` reads it: "text 1"/"test 1" (a typo in the data) or "text 2" at the
 * start of the trimmed, lower-cased explanation, or one writer's stock opening that chooses Text 1.
 */
export function parseChoice(utterance: string): SourceSlot | null {
  const opening = utterance.trim().toLowerCase();
  if (opening.startsWith('text 1') || opening.startsWith('test 1')) return 'first';
  if (opening.startsWith('text 2')) return 'second';
  if (utterance.startsWith('Neither of them sound like a good continuation to me, but I choose Text 1')) return 'first';
  return null;
}

interface Hit {
  id: string;
  prefix: string;
  first: string;
  second: string;
  order: string;
  dataset: string;
  model: string;
  firstLine: number;
  votes: Votes;
}

async function readRankgen(dataDir: string): Promise<LoadedSet> {
  const files = await requireFiles(dataDir, RANKGEN_DIR, RANKGEN_PATHS, 'RankGen', 'rankgen');
  const hits = new Map<string, Hit>();
  const pinned = { rows: RANKGEN_ROWS, benchmarkId: 'rankgen' };
  await forEachCsvRecord(files, Object.keys(row.shape), row, pinned, (r, { where, line }) => {
    const choice = parseChoice(r['Answer.utterance']);
    if (choice === null) {
      throw new DataError(
        `${where}: column "Answer.utterance": expected the explanation to start with "Text 1" or "Text 2".`,
      );
    }
    let hit = hits.get(r.HITId);
    if (!hit) {
      hit = {
        id: r.HITId,
        prefix: r['Input.Prefix'],
        first: r['Input.First'],
        second: r['Input.Second'],
        order: r['Input.Order'],
        dataset: r['Input.Dataset'],
        model: r['Input.Model'],
        firstLine: line!,
        votes: { first: 0, second: 0 },
      };
      hits.set(r.HITId, hit);
    } else if (
      hit.prefix !== r['Input.Prefix'] ||
      hit.first !== r['Input.First'] ||
      hit.second !== r['Input.Second'] ||
      hit.order !== r['Input.Order']
    ) {
      throw new DataError(
        `${where}: HIT ${quote(r.HITId)} shows a different prefix, continuation or order than at line ` +
          `${hit.firstLine}.`,
      );
    }
    hit.votes[choice] += 1;
  });

  const { items, droppedTies } = majorityItems(hits.values(), (hit, better) => {
    const [firstSystem, secondSystem] = hit.order.split(',') as [string, string];
    return {
      id: hit.id,
      context: hit.prefix,
      first: hit.first,
      second: hit.second,
      better,
      group: hit.model,
      votes: hit.votes,
      systems: { first: firstSystem, second: secondSystem },
      meta: { dataset: hit.dataset },
    };
  });
  assertUniqueIds(items, `${dataDir}/${RANKGEN_DIR}`);
  return { items, files, droppedTies };
}

export const loadRankgen = memoizeByKey(readRankgen);
