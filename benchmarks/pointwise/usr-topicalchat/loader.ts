/**
 * Reads the USR Topical-Chat ratings as re-packaged by UniEval (maszhongming/UniEval
 * reproduce/data/dialogue/topical_chat.json; see pointwise/SOURCES.md): a list of 360 items (60 contexts × 6
 * systems) with `source` (dialogue history, turns separated by "\n"), `context` (the knowledge fact),
 * `system_id`, `system_output` and `scores`. The scores are the MEAN of USR's 3 annotators (every value a
 * multiple of 1/3); the individual ratings are not in this file.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { pullAgain, requireExactRowCount, whereToGet } from '../../data-text.ts';
import { parseRecord, readJson, singleFileLoader } from '../files.ts';
import { ratingFromMean } from '../labels.ts';
import { type Criterion, type RatedItem, ratedItem } from '../types.ts';
import { usrContext } from '../usr.ts';

export const TOPICALCHAT_FILE = 'pointwise/usr-topicalchat/topical_chat.json';
/** Rated responses in the pinned file (the data folder's pointwise/SOURCES.md): 60 contexts × 6 systems. */
const TOPICALCHAT_ITEMS = 360;

/** UniEval's names for USR's six qualities (coherence is USR's "Maintains Context", groundedness "Uses Knowledge"). */
const TOPICALCHAT_SCORE_KEYS: Readonly<Record<string, string>> = {
  understandable: 'understandability',
  natural: 'naturalness',
  'maintains-context': 'coherence',
  engaging: 'engagingness',
  'uses-knowledge': 'groundedness',
  overall: 'overall',
};

const RATERS = 3;

const itemShape = z.object({
  source: z.string(),
  context: z.string(),
  system_id: z.string(),
  system_output: z.string(),
  scores: z.record(z.string(), z.number()),
});

export async function readTopicalChatFile(file: string, criteria: readonly Criterion[]): Promise<RatedItem[]> {
  const json = await readJson(file);
  const rows = parseRecord(
    z.array(z.unknown()),
    json.value,
    file,
    'top level',
    'a list of rated responses (UniEval topical_chat.json)',
  );
  const items: RatedItem[] = [];
  rows.forEach((raw, index) => {
    const where = json.where(index, 'item');
    const row = parseRecord(itemShape, raw, file, where, 'source, context, system_id, system_output and scores');
    const prompt = usrContext('fact', row.context, row.source);
    for (const criterion of criteria) {
      const key = TOPICALCHAT_SCORE_KEYS[criterion.id];
      const value = key === undefined ? undefined : row.scores[key];
      if (key === undefined || value === undefined) {
        throw new DataError(
          `${file}: ${where}: no "scores.${key ?? criterion.id}" (expected ` +
            `${Object.values(TOPICALCHAT_SCORE_KEYS).join(', ')}).`,
        );
      }
      // SOURCES.md: "this file holds only the mean ... every value is a multiple of 1/3": the label is the mean
      // rounded half up (a majority cannot be recovered from a mean).
      const human = ratingFromMean(value, RATERS);
      const { min, max } = criterion.scale;
      if (!human || human.mean < min || human.mean > max) {
        throw new DataError(
          `${file}: ${where}, "scores.${key}": ${value} is not a mean of ${RATERS} ratings on the ${min}-${max} scale.`,
        );
      }
      items.push(
        ratedItem(index, criterion, {
          context: prompt,
          response: row.system_output.trim(),
          labels: { context: 'fact and conversation history', response: 'response' },
          human,
          meta: { system: row.system_id, row: index },
        }),
      );
    }
  });
  if (items.length === 0) throw new DataError(`${file}: has no items.`);
  requireExactRowCount(file, rows.length, TOPICALCHAT_ITEMS, 'items', pullAgain('usr-topicalchat'));
  return items;
}

export function topicalChatLoader(criteria: readonly Criterion[]): (dataDir: string) => Promise<RatedItem[]> {
  return singleFileLoader(
    'USR Topical-Chat ratings (UniEval topical_chat.json)',
    [TOPICALCHAT_FILE],
    whereToGet('usr-topicalchat'),
    (file) => readTopicalChatFile(file, criteria),
  );
}
