/**
 * HHH alignment (Askell et al. 2021) as packaged by prometheus-eval: 221 {source, chosen_instruction,
 * rejected_instruction}, where each *_instruction is a whole Prometheus absolute-grading prompt. Only the
 * instruction and the response are taken out of it; the Prometheus wrapper and rubric are discarded (FLAMe uses its
 * own prompt). The chosen response is the better one; there are no ties. The file has no item key, so an item is
 * its source category and row.
 */
import { z } from 'zod';
import { DataError } from '../../../core/errors.ts';
import { jsonPairLoader } from '../human-pair.ts';

const HHH_DIR = 'heldout/hhh_alignment';
export const HHH_PATH = 'eval/benchmark/data/hhh_alignment_eval.json';
/** Rows in the pinned file (the data folder's heldout/SOURCES.md). */
const HHH_ROWS = 221;
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
const WRAPPER = new RegExp(
  String.raw`###The instruction to evaluate:\n([\s\S]*?)\n\n###Response to evaluate:\n([\s\S]*?)\n\n` +
    String.raw`###Score Rubrics:\n([\s\S]*?)\n\n###Feedback:`,
);
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
      `${where}: expected a Prometheus grading prompt with the sections "###The instruction to ` +
        'evaluate:", "###Response to evaluate:", "###Score Rubrics:" and "###Feedback:" ' +
        `(${SECTION_BREAKS} "\\n\\n###" breaks, found ${breaks}).`,
    );
  }
  return { instruction: match[1]!, response: match[2]!, rubric: match[3]! };
}

export const loadHhh = jsonPairLoader({
  title: 'HHH alignment',
  benchmarkId: 'hhh',
  dir: HHH_DIR,
  files: [HHH_PATH],
  rows: [HHH_ROWS],
  record: row,
  pair(r, { index, where }) {
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
      better: 'first',
      group: r.source,
      systems: { first: 'chosen', second: 'rejected' },
    };
  },
});
