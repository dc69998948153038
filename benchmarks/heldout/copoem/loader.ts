/**
 * CoPoem (Chakrabarty, Padmakumar & He 2022): 51 AMT HITs "Pick the better poem" × 3 workers, collaborative
 * (CoPoet) vs solo poems on the same title. Item rule (SOURCES.md):
 *  - labels from the batch CSV: each worker ticks `Answer.creative1.creative1` or `Answer.creative2.creative2`
 *    ("TRUE"/"FALSE", exactly one); the majority of the 3 decides (≥ 2 for poem 1 → poem 1 wins);
 *  - `Input.poem_1` is always the collaborative poem and `Input.poem_2` the solo one (checked against the JSON);
 *  - clean text (`\n` line breaks instead of `<br />`) from `amt_solo_vs_collab.json`, joined by title.
 * Item id: the HIT id. Other CSV columns (`Answer.submitcode`, the on-topic answers, worker data) are never shown.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { memoizeByKey } from '../../../core/memo.ts';
import { pullAgain, quote, requireExactRowCount } from '../../data-text.ts';
import { assertUniqueIds, type LoadedSet, majorityItems, type Votes } from '../human-pair.ts';
import { forEachCsvRecord, forEachJsonRecord, requireFiles } from '../source-files.ts';

const COPOEM_DIR = 'heldout/copoem';
export const COPOEM_BATCH_PATH = 'Batch_4739845_batch_results - Batch_4739845_batch_results.csv';
export const COPOEM_POEMS_PATH = 'human_eval/poems_submission/amt_solo_vs_collab.json';

/** Rows in the pinned files (the data folder's heldout/SOURCES.md): 51 HITs × 3 workers, and the 51 poem pairs. */
const COPOEM_BATCH_ROWS = 153;
const COPOEM_POEMS_ROWS = 51;

const bool = z.enum(['TRUE', 'FALSE']);
const vote = z
  .object({
    HITId: z.string().min(1),
    'Input.title': z.string().min(1),
    'Input.poem_1': z.string(),
    'Input.poem_2': z.string(),
    'Answer.creative1.creative1': bool,
    'Answer.creative2.creative2': bool,
  })
  .refine((r) => (r['Answer.creative1.creative1'] === 'TRUE') !== (r['Answer.creative2.creative2'] === 'TRUE'), {
    message: 'expected exactly one of Answer.creative1.creative1 and Answer.creative2.creative2 to be TRUE',
    path: ['Answer.creative1.creative1'],
  });

const poem = z.object({ title: z.string(), 'solo poem': z.string(), 'collab poem': z.string() });

/** The CSV's HTML line breaks as the JSON's newlines; ends trimmed (a few JSON poems end with a space). */
function sameText(csvText: string, jsonText: string): boolean {
  return csvText.replaceAll('<br />', '\n').trim() === jsonText.trim();
}

async function readCopoem(dataDir: string): Promise<LoadedSet> {
  const paths = [COPOEM_BATCH_PATH, COPOEM_POEMS_PATH];
  const [batchFile, poemsFile] = await requireFiles(dataDir, COPOEM_DIR, paths, 'CoPoem', 'copoem');

  const poems = new Map<string, z.output<typeof poem>>();
  // Checked after the votes, with the poems' own noun: a title appears once, so the poems read are the rows.
  await forEachJsonRecord([poemsFile!], poem, undefined, (p, { where }) => {
    if (poems.has(p.title))
      throw new DataError(`${where}: title ${quote(p.title)} appears twice; expected one pair per title.`);
    poems.set(p.title, p);
  });

  const columns = [
    'HITId',
    'Input.title',
    'Input.poem_1',
    'Input.poem_2',
    'Answer.creative1.creative1',
    'Answer.creative2.creative2',
  ];
  const hits = new Map<string, { id: string; firstLine: number; title: string; votes: Votes }>();
  const pinned = { rows: [COPOEM_BATCH_ROWS], benchmarkId: 'copoem' };
  await forEachCsvRecord([batchFile!], columns, vote, pinned, (r, { where, line }) => {
    const title = r['Input.title'];
    const pair = poems.get(title);
    if (!pair) {
      // A poems file that lost pairs is the likelier cause: say so with both counts.
      requireExactRowCount(poemsFile!, poems.size, COPOEM_POEMS_ROWS, 'poem pairs', pullAgain('copoem'));
      throw new DataError(`${where}: title ${quote(title)} is not in ${poemsFile}; expected every HIT's title there.`);
    }
    if (!sameText(r['Input.poem_1'], pair['collab poem']) || !sameText(r['Input.poem_2'], pair['solo poem'])) {
      throw new DataError(
        `${where}: expected Input.poem_1 to be the collaborative poem and Input.poem_2 the solo poem of ` +
          `${quote(title)} in ${poemsFile}.`,
      );
    }
    let hit = hits.get(r.HITId);
    if (!hit) {
      hit = { id: r.HITId, firstLine: line!, title, votes: { first: 0, second: 0 } };
      hits.set(r.HITId, hit);
    } else if (hit.title !== title) {
      throw new DataError(
        `${where}: HIT ${quote(r.HITId)} has title ${quote(title)} here but ${quote(hit.title)} at line ` +
          `${hit.firstLine}.`,
      );
    }
    hit.votes[r['Answer.creative1.creative1'] === 'TRUE' ? 'first' : 'second'] += 1;
  });

  requireExactRowCount(poemsFile!, poems.size, COPOEM_POEMS_ROWS, 'poem pairs', pullAgain('copoem'));
  const { items, droppedTies } = majorityItems(hits.values(), (hit, better) => {
    const pair = poems.get(hit.title)!;
    return {
      id: hit.id,
      context: hit.title,
      first: pair['collab poem'],
      second: pair['solo poem'],
      better,
      group: 'all',
      votes: hit.votes,
      systems: { first: 'collab', second: 'solo' },
    };
  });
  assertUniqueIds(items, batchFile!);
  return { items, files: [batchFile!, poemsFile!], droppedTies };
}

export const loadCopoem = memoizeByKey(readCopoem);
