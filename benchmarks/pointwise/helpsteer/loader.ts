/**
 * Reads HelpSteer's validation split as published on the Hugging Face Hub (nvidia/HelpSteer, validation.jsonl.gz;
 * 1,789 rows per the dataset card): gzip-compressed JSON Lines, one object per response with `prompt`,
 * `response` and the integer attributes `helpfulness`, `correctness`, `coherence`, `complexity`, `verbosity`,
 * each 0-4 (format as in the card's example record and its dataset_info features).
 */
import fs from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { decodeUtf8 } from '../../data-text.ts';
import { jsonLinesRecords, requireOnScale, singleFileLoader } from '../files.ts';
import { humanRating } from '../labels.ts';
import { type Criterion, type RatedItem, ratedItem } from '../types.ts';

export const HELPSTEER_FILE = 'pointwise/nvidia__HelpSteer/validation.jsonl.gz';

const rowShape = z.object({
  prompt: z.string(),
  response: z.string(),
  helpfulness: z.number().int(),
  correctness: z.number().int(),
  coherence: z.number().int(),
  complexity: z.number().int(),
  verbosity: z.number().int(),
});
type Attribute = Exclude<keyof z.infer<typeof rowShape>, 'prompt' | 'response'>;
const ATTRIBUTES: readonly Attribute[] = ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'];

function isAttribute(id: string): id is Attribute {
  return (ATTRIBUTES as readonly string[]).includes(id);
}

export async function readHelpSteerFile(file: string, criteria: readonly Criterion[]): Promise<RatedItem[]> {
  let bytes: Buffer;
  try {
    bytes = gunzipSync(await fs.readFile(file));
  } catch (error) {
    throw new DataError(
      `${file}: not a readable gzip file (${(error as Error).message}). Expected HelpSteer's validation.jsonl.gz.`,
    );
  }
  // No pinned row count: the card's 1,789 rows could not be checked against a copy of the file.
  const text = decodeUtf8(file, bytes);
  const items: RatedItem[] = [];
  const expected = 'prompt, response and the five attributes as integers 0-4';
  for (const { line, record: row } of jsonLinesRecords(file, text, rowShape, expected)) {
    for (const criterion of criteria) {
      if (!isAttribute(criterion.id)) throw new Error(`HelpSteer has no attribute "${criterion.id}"`);
      const rating = row[criterion.id];
      requireOnScale(rating, criterion, file, `line ${line}`, criterion.id);
      items.push(
        // Lines of a file pinned to one Hub revision are stable.
        ratedItem(line, criterion, {
          context: row.prompt,
          response: row.response,
          labels: { context: 'prompt', response: 'response' },
          // One published rating per response and attribute: it is the label and the "mean".
          human: humanRating([rating], 'mean'),
          meta: { line },
        }),
      );
    }
  }
  if (items.length === 0) throw new DataError(`${file}: has no rows.`);
  return items;
}

export function helpSteerLoader(criteria: readonly Criterion[]): (dataDir: string) => Promise<RatedItem[]> {
  return singleFileLoader(
    'HelpSteer validation split (nvidia/HelpSteer validation.jsonl.gz)',
    [HELPSTEER_FILE],
    ['Download it from the Hugging Face Hub with: npm run data -- pull helpsteer'],
    (file) => readHelpSteerFile(file, criteria),
  );
}
