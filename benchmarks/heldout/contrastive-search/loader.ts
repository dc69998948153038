/**
 * Contrastive Search vs Contrastive Decoding (Su & Xu 2022): 150 GPT-2-XL continuation pairs, each judged by 4
 * annotators as "system a/b is more human-like." or "two systems are comparable.". Item rule (SOURCES.md):
 * context = the prompt; each result starts with the prompt, which is stripped to leave the continuation; label =
 * majority of the non-"comparable" votes; pairs with equal A and B counts are dropped (37 of 150 → 113 items).
 * The file has no item key, so an item is its domain and row.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { jsonPairLoader, type Votes } from '../human-pair.ts';

const CONTRASTIVE_SEARCH_DIR = 'heldout/contrastive_search';
export const CONTRASTIVE_SEARCH_PATH = 'human_evaluation_annotations/human_evaluation_annotations.json';
/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
const CONTRASTIVE_SEARCH_ROWS = 150;
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

export const loadContrastiveSearch = jsonPairLoader({
  title: 'Contrastive Search',
  benchmarkId: 'contrastive-search',
  dir: CONTRASTIVE_SEARCH_DIR,
  files: [CONTRASTIVE_SEARCH_PATH],
  rows: [CONTRASTIVE_SEARCH_ROWS],
  record: row,
  pair(r, { index, where, majority }) {
    const votes: Votes = { first: 0, second: 0 };
    for (const vote of Object.values(r.human_annotation)) {
      const side = VOTE[vote];
      if (side !== 'tie') votes[side] += 1;
    }
    const better = majority(votes);
    if (better === null) return null;
    return {
      id: `${r.domain}/${index}`,
      context: r.prompt,
      first: continuation(r.system_a_result, r.prompt, where, 'system_a_result'),
      second: continuation(r.system_b_result, r.prompt, where, 'system_b_result'),
      better,
      group: r.domain,
      votes,
      systems: { first: r.system_a_name, second: r.system_b_name },
    };
  },
});
