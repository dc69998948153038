/**
 * Expert long-form QA preferences (Xu, Song, Iyyer & Choi 2023): 13 JSON files, one per expert, 20 records each,
 * on ELI5 questions. Item rule (SOURCES.md):
 *  - a pair is (q_id, answer1, answer2): q_id alone is not unique (some questions carry several pairs);
 *  - context = the question, A = answer1, B = answer2, with the Label Studio `<br />` line breaks turned into
 *    newlines (the experts saw rendered HTML);
 *  - label = majority of the experts' `BetterAnswer` votes; pairs with a tied vote (possible with 2 experts) are
 *    dropped: 140 unique pairs → 129 items.
 * The expert's `comments` (their justification) is never shown to a judge.
 */
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { memoizeByKey } from '../../../core/memo.ts';
import { quote } from '../../data-text.ts';
import { assertUniqueIds, contentKey, type LoadedSet, majorityItems, type Votes } from '../human-pair.ts';
import { forEachJsonRecord, requireFiles } from '../source-files.ts';

const EXPERT_LFQA_DIR = 'heldout/expert_lfqa';

/** `<Domain>_<expert id>_Common20.json`: one file per expert. */
export const EXPERT_LFQA_FILES = [
  'Biology_12_Common20.json',
  'Biology_8_Common20.json',
  'Biology_9_Common20.json',
  'Chemistry_8_Common20.json',
  'Economics_18_Common20.json',
  'Economics_20_Common20.json',
  'History_19_Common20.json',
  'History_21_Common20.json',
  'History_22_Common20.json',
  'Law_16_Common20.json',
  'Physics_11_Common20.json',
  'Physics_14_Common20.json',
  'TechCS_15_Common20.json',
].map((name) => `raw_annotation_data/Annotated_Dataset/${name}`);

/** Records per expert's file in the pinned release ("Common20"; 13 × 20 = 260 judgments, heldout/SOURCES.md). */
const EXPERT_LFQA_ROWS_PER_FILE = 20;

export const EXPERT_LFQA_DOMAINS = [
  'Biology',
  'Chemistry',
  'Economics',
  'History',
  'Law',
  'Physics',
  'TechCS',
] as const;

const row = z.object({
  q_id: z.string().min(1),
  question_text: z.string(),
  answer1: z.string(),
  answer2: z.string(),
  answer1_label: z.string(),
  BetterAnswer: z.enum(['Answer A', 'Answer B']),
  DifficultToChoose: z.enum(['Yes.', 'No.']),
});

const htmlBreaks = (text: string): string => text.replaceAll('<br />', '\n');

function domainOf(file: string): string {
  const domain = path.basename(file).split('_')[0]!;
  if (!(EXPERT_LFQA_DOMAINS as readonly string[]).includes(domain))
    throw new DataError(`${file}: expected a file named <Domain>_<expert>_Common20.json with a known domain.`);
  return domain;
}

interface Pair {
  qId: string;
  question: string;
  answer1: string;
  answer2: string;
  answer1Label: string;
  domain: string;
  firstSeen: string;
  votes: Votes;
  difficult: number;
}

async function readExpertLfqa(dataDir: string): Promise<LoadedSet> {
  const files = await requireFiles(dataDir, EXPERT_LFQA_DIR, EXPERT_LFQA_FILES, 'Expert-LFQA', 'expert-lfqa');
  const domains = files.map(domainOf);
  const pairs = new Map<string, Pair>();
  const pinned = { rows: files.map(() => EXPERT_LFQA_ROWS_PER_FILE), benchmarkId: 'expert-lfqa' };
  await forEachJsonRecord(files, row, pinned, (r, { fileIndex, where }) => {
    const domain = domains[fileIndex]!;
    const key = JSON.stringify([r.q_id, r.answer1, r.answer2]);
    let pair = pairs.get(key);
    if (!pair) {
      pair = {
        qId: r.q_id,
        question: r.question_text,
        answer1: r.answer1,
        answer2: r.answer2,
        answer1Label: r.answer1_label,
        domain,
        firstSeen: where,
        votes: { first: 0, second: 0 },
        difficult: 0,
      };
      pairs.set(key, pair);
    } else if (pair.question !== r.question_text || pair.domain !== domain) {
      throw new DataError(
        `${where}: the pair of question ${quote(r.q_id)} has a different question text or domain than at ` +
          `${pair.firstSeen}.`,
      );
    }
    pair.votes[r.BetterAnswer === 'Answer A' ? 'first' : 'second'] += 1;
    if (r.DifficultToChoose === 'Yes.') pair.difficult += 1;
  });

  const { items, droppedTies } = majorityItems(pairs.values(), (pair, better) => ({
    id: `${pair.qId}/${contentKey(pair.answer1, pair.answer2)}`,
    context: htmlBreaks(pair.question),
    first: htmlBreaks(pair.answer1),
    second: htmlBreaks(pair.answer2),
    better,
    group: pair.domain,
    votes: pair.votes,
    meta: {
      answer1_label: pair.answer1Label,
      experts: pair.votes.first + pair.votes.second,
      found_difficult: pair.difficult,
    },
  }));
  assertUniqueIds(items, `${dataDir}/${EXPERT_LFQA_DIR}`);
  return { items, files, droppedTies };
}

export const loadExpertLfqa = memoizeByKey(readExpertLfqa);
