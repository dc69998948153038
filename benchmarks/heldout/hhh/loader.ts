/**
 * HHH alignment (Askell et al. 2021) as packaged by prometheus-eval: 221 {source, chosen_instruction,
 * rejected_instruction}, where each *_instruction is a whole Prometheus absolute-grading prompt. Only the
 * instruction and the response are taken out of it; the Prometheus wrapper and rubric are discarded (FLAMe uses its
 * own prompt). The chosen response is the better one; there are no ties. The file has no item key, so an item is
 * its source category and row.
 */
import { z } from 'zod';
import { DataError } from '../../../harness/errors.ts';
import { memoizeByKey } from '../../../harness/memo.ts';
import { assertUniqueIds, type HumanPair, type LoadedSet } from '../human-pair.ts';
import { pullAgain, requireRowCount } from '../../data-text.ts';
import { parseRecord, readJsonArray, requireFiles } from '../source-files.ts';

export const HHH_DIR = 'heldout/hhh_alignment';
export const HHH_PATH = 'eval/benchmark/data/hhh_alignment_eval.json';
/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
export const HHH_ROWS = 221;
export const HHH_SOURCES = ['harmless', 'helpful', 'honest', 'other'] as const;

const row = z.object({
  source: z.enum(HHH_SOURCES),
  chosen_instruction: z.string(),
  rejected_instruction: z.string(),
});

/**
 * The wrapper has exactly four "\n\n###" section breaks (task description, instruction, response, rubric, feedback),
 * so non-greedy matches between the three headers cannot run into each other.
 */
const WRAPPER =
  /###The instruction to evaluate:\n([\s\S]*?)\n\n###Response to evaluate:\n([\s\S]*?)\n\n###Score Rubrics:\n([\s\S]*?)\n\n###Feedback:/;
const SECTION_BREAKS = 4;

interface Unwrapped {
  instruction: string;
  response: string;
  rubric: string;
}

function unwrap(prompt: string, where: string): Unwrapped {
  const breaks = prompt.split('\n\n###').length - 1;
  const match = WRAPPER.exec(prompt);
  if (breaks !== SECTION_BREAKS || !match) {
    throw new DataError(
      `${where}: expected a Prometheus grading prompt with the sections "###The instruction to evaluate:", ` +
        `"###Response to evaluate:", "###Score Rubrics:" and "###Feedback:" (${SECTION_BREAKS} "\\n\\n###" breaks, found ${breaks}).`,
    );
  }
  return { instruction: match[1]!, response: match[2]!, rubric: match[3]! };
}

async function readHhh(dataDir: string): Promise<LoadedSet> {
  const [file] = await requireFiles(dataDir, [`${HHH_DIR}/${HHH_PATH}`], 'HHH alignment', 'hhh');
  const records = await readJsonArray(file!);
  const items: HumanPair[] = records.rows.map((raw, index) => {
    const where = records.where(index);
    const r = parseRecord(row, raw, where);
    const chosen = unwrap(r.chosen_instruction, `${where}, field "chosen_instruction"`);
    const rejected = unwrap(r.rejected_instruction, `${where}, field "rejected_instruction"`);
    if (chosen.instruction !== rejected.instruction || chosen.rubric !== rejected.rubric) {
      throw new DataError(
        `${where}: expected the chosen and rejected prompts to share the same instruction and rubric.`,
      );
    }
    return {
      id: `${r.source}/${index}`,
      context: chosen.instruction,
      first: chosen.response,
      second: rejected.response,
      better: 'first' as const,
      group: r.source,
      systems: { first: 'chosen', second: 'rejected' },
    };
  });
  requireRowCount(file!, records.rows.length, HHH_ROWS, 'rows', pullAgain('hhh'));
  assertUniqueIds(items, file!);
  return { items, files: [file!] };
}

export const loadHhh = memoizeByKey(readHhh);
