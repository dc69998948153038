/**
 * Contrastive Search vs Contrastive Decoding (Su & Xu 2022): 150 GPT-2-XL continuation pairs, each judged by 4
 * annotators as "system a/b is more human-like." or "two systems are comparable.". Item rule (SOURCES.md):
 * context = the prompt; each result starts with the prompt, which is stripped to leave the continuation; label =
 * majority of the non-"comparable" votes; pairs with equal A and B counts are dropped (37 of 150 → 113 items).
 * The file has no item key, so an item is its domain and row.
 */
import { z } from 'zod';
import { DataError } from '../../../harness/errors.ts';
import { memoizeByKey } from '../../../harness/memo.ts';
import { assertUniqueIds, type HumanPair, type LoadedSet, TiedPairs, type Votes } from '../human-pair.ts';
import { pullAgain, requireRowCount } from '../../data-text.ts';
import { parseRecord, readJsonArray, requireFiles } from '../source-files.ts';

export const CONTRASTIVE_SEARCH_DIR = 'heldout/contrastive_search';
export const CONTRASTIVE_SEARCH_PATH = 'human_evaluation_annotations/human_evaluation_annotations.json';
/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
export const CONTRASTIVE_SEARCH_ROWS = 150;
export const CONTRASTIVE_SEARCH_DOMAINS = ['book', 'wikinews', 'wikitext'] as const;

const VOTE = {
  'system a is more human-like.': 'first',
  'system b is more human-like.': 'second',
  'two systems are comparable.': 'tie',
} as const;

const row = z.object({
  prompt: z.string(),
  system_a_name: z.string(),
  system_a_result: z.string(),
  system_b_name: z.string(),
  system_b_result: z.string(),
  domain: z.enum(CONTRASTIVE_SEARCH_DOMAINS),
  human_annotation: z.record(z.string(), z.enum(Object.keys(VOTE) as [keyof typeof VOTE, ...(keyof typeof VOTE)[]])),
});

function continuation(result: string, prompt: string, where: string, field: string): string {
  if (!result.startsWith(prompt))
    throw new DataError(`${where}: field "${field}": expected the result to start with the prompt text.`);
  return result.slice(prompt.length);
}

async function readContrastiveSearch(dataDir: string): Promise<LoadedSet> {
  const [file] = await requireFiles(
    dataDir,
    [`${CONTRASTIVE_SEARCH_DIR}/${CONTRASTIVE_SEARCH_PATH}`],
    'Contrastive Search',
    'contrastive-search',
  );
  const records = await readJsonArray(file!);
  const items: HumanPair[] = [];
  const droppedTies = new TiedPairs();
  records.rows.forEach((raw, index) => {
    const where = records.where(index);
    const r = parseRecord(row, raw, where);
    const votes: Votes = { first: 0, second: 0 };
    for (const vote of Object.values(r.human_annotation)) {
      const side = VOTE[vote];
      if (side !== 'tie') votes[side] += 1;
    }
    const better = droppedTies.decide(votes);
    if (better === null) return;
    items.push({
      id: `${r.domain}/${index}`,
      context: r.prompt,
      first: continuation(r.system_a_result, r.prompt, where, 'system_a_result'),
      second: continuation(r.system_b_result, r.prompt, where, 'system_b_result'),
      better,
      group: r.domain,
      votes,
      systems: { first: r.system_a_name, second: r.system_b_name },
    });
  });
  requireRowCount(file!, records.rows.length, CONTRASTIVE_SEARCH_ROWS, 'rows', pullAgain('contrastive-search'));
  assertUniqueIds(items, file!);
  return { items, files: [file!], droppedTies };
}

export const loadContrastiveSearch = memoizeByKey(readContrastiveSearch);
