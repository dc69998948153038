/**
 * Reads the Likert ("axis") evaluations of Stiennon et al. 2020, "Learning to summarize from human feedback", as
 * published in OpenAI's blob storage (openai/summarize-from-feedback README, "Axis evals"; the file list is the one
 * the Hub's openai/summarize_from_feedback loading script reads for its `axis` config):
 * dataset/axis_evals/{cnndm1,cnndm3,cnndm4,tldraxis1,tldraxis2}.json, each JSON Lines, one rating per line:
 *   { info: { id, post?, title?, subreddit?, site?, article? }, split, summary: { text, policy, note?,
 *     axes: { overall?, accuracy?, coverage?, coherence?, compatible? } }, worker, batch }
 * TL;DR lines carry a Reddit post (post, title, subreddit), CNN/DM lines a news article (article, site).
 * One summary can be rated by several workers: their lines are grouped by (info.id, summary text).
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { readUtf8 } from '../../data-text.ts';
import { sha256 } from '../../../core/hash.ts';
import { memoizeByKey } from '../../../core/memo.ts';
import type { FieldLabels } from '../../../protocol/tasks.ts';
import { findAllDataFiles, jsonLinesRecords, requireOnScale } from '../files.ts';
import { humanRating } from '../labels.ts';
import { type Criterion, type RatedItem, ratedItem } from '../types.ts';

export const AXIS_EVAL_NAMES = ['cnndm1', 'cnndm3', 'cnndm4', 'tldraxis1', 'tldraxis2'] as const;
/** Blob path below https://openaipublic.blob.core.windows.net/summarize-from-feedback/ */
export const axisEvalPath = (name: string): string => `dataset/axis_evals/${name}.json`;
export const AXIS_EVAL_FILES = AXIS_EVAL_NAMES.map(
  (name) => `pointwise/openai__summarize-from-feedback/${axisEvalPath(name)}`,
);

const axisScore = z.number().int().nullish();
const rowShape = z.object({
  info: z.object({
    id: z.string(),
    post: z.string().nullish(),
    title: z.string().nullish(),
    subreddit: z.string().nullish(),
    site: z.string().nullish(),
    article: z.string().nullish(),
  }),
  split: z.string(),
  summary: z.object({
    text: z.string(),
    policy: z.string(),
    axes: z.object({ overall: axisScore, accuracy: axisScore, coverage: axisScore, coherence: axisScore }),
  }),
  worker: z.string(),
  batch: z.string(),
});
type Row = z.infer<typeof rowShape>;
type Axis = keyof Row['summary']['axes'];
const AXES: readonly Axis[] = ['overall', 'accuracy', 'coverage', 'coherence'];

interface RatedSummary {
  id: string;
  context: string;
  response: string;
  labels: FieldLabels;
  meta: { post: string; policy: string; source: string; batches: Set<string>; splits: Set<string> };
  ratings: Map<string, number[]>;
}

/** What the labelers were shown: a Reddit post with its subreddit and title, or a news article. */
function presented(row: Row, file: string, line: number): { context: string; labels: FieldLabels; source: string } {
  const { post, article, title, subreddit } = row.info;
  if (typeof post === 'string') {
    const header = [subreddit ? `SUBREDDIT: r/${subreddit}` : undefined, title ? `TITLE: ${title}` : undefined]
      .filter(Boolean)
      .join('\n');
    return {
      context: header ? `${header}\nPOST: ${post}` : post,
      labels: { context: 'Reddit post', response: 'summary' },
      source: 'tldr',
    };
  }
  if (typeof article === 'string') {
    return {
      context: title ? `${title}\n\n${article}` : article,
      labels: { context: 'news article', response: 'summary' },
      source: 'cnndm',
    };
  }
  throw new DataError(`${file}: line ${line}, "info": expected a Reddit "post" or a news "article".`);
}

function isAxis(id: string): id is Axis {
  return (AXES as readonly string[]).includes(id);
}

async function readAxisFiles(files: readonly string[], criteria: readonly Criterion[]): Promise<RatedItem[]> {
  const summaries = new Map<string, RatedSummary>();
  for (const file of files) {
    const text = await readUtf8(file);
    const expected = 'an axis evaluation: info, split, summary (text, policy, axes), worker, batch';
    for (const { line, record: row } of jsonLinesRecords(file, text, rowShape, expected)) {
      const key = `${row.info.id}\u0000${row.summary.text}`;
      let entry = summaries.get(key);
      if (!entry) {
        const shown = presented(row, file, line);
        entry = {
          id: `${row.info.id}/${sha256(row.summary.text).slice(0, 12)}`,
          context: shown.context,
          response: row.summary.text.trim(),
          labels: shown.labels,
          meta: {
            post: row.info.id,
            policy: row.summary.policy,
            source: shown.source,
            batches: new Set(),
            splits: new Set(),
          },
          ratings: new Map(),
        };
        summaries.set(key, entry);
      }
      entry.meta.batches.add(row.batch);
      entry.meta.splits.add(row.split);
      for (const criterion of criteria) {
        if (!isAxis(criterion.id)) throw new Error(`SummFeedback has no axis "${criterion.id}"`);
        const rating = row.summary.axes[criterion.id];
        if (rating === null || rating === undefined) continue; // this worker did not rate this axis
        requireOnScale(rating, criterion, file, `line ${line}`, `summary.axes.${criterion.id}`);
        entry.ratings.set(criterion.id, [...(entry.ratings.get(criterion.id) ?? []), rating]);
      }
    }
  }

  const items: RatedItem[] = [];
  for (const s of summaries.values()) {
    for (const criterion of criteria) {
      const ratings = s.ratings.get(criterion.id);
      if (!ratings) continue;
      items.push(
        ratedItem(s.id, criterion, {
          context: s.context,
          response: s.response,
          labels: s.labels,
          // Raters per summary vary (often one): the mean rounded half up is the label; a majority is rarely defined.
          human: humanRating(ratings, 'mean'),
          meta: {
            post: s.meta.post,
            policy: s.meta.policy,
            source: s.meta.source,
            batch: [...s.meta.batches].join(','),
            split: [...s.meta.splits].join(','),
          },
        }),
      );
    }
  }
  if (items.length === 0) throw new DataError(`${files.join(', ')}: no axis ratings found.`);
  return items;
}

export function summFeedbackLoader(criteria: readonly Criterion[]): (dataDir: string) => Promise<RatedItem[]> {
  const read = memoizeByKey((joined: string) => readAxisFiles(joined.split('\n'), criteria));
  return async (dataDir) => {
    const files = await findAllDataFiles(dataDir, 'Summarize-from-feedback axis evaluations', AXIS_EVAL_FILES, [
      "Download them from OpenAI's blob storage with: npm run data -- pull summfeedback",
    ]);
    return read(files.join('\n'));
  };
}
