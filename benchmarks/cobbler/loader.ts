/**
 * CoBBLEr's original files (Koo et al. 2023, minnesotanlp/cobbler; SOURCES.md section "cobbler"):
 *  - the evalset: 50 instructions, each with a reference answer;
 *  - the 15 models' responses, index-aligned with the evalset;
 *  - six annotators' full rankings of the 15 responses per instruction, stored as each model's number of pairwise
 *    wins (a permutation of 0..14), from which every annotator's preference between two models follows.
 * One comparison per instruction and unordered model pair: 50 × C(15, 2) = 5,250.
 */
import { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';
import { pullAgain, quote, readJsonFile, requireRowCount } from '../data-text.ts';
import { parseRecord, readJsonArray, requireFiles, type JsonRecords } from '../heldout/source-files.ts';

export const COBBLER_DIR = 'heldout/cobbler';
export const EVALSET_PATH = 'competitive-llms/datasets/llm_preference_evalset.json';
export const RESPONSES_PATH = 'competitive-llms/n15_responses/full_n15_model_generations.json';
/** The pinned release (the data folder's heldout/SOURCES.md): 50 instructions, 15 models' responses to each. */
export const COBBLER_INSTRUCTIONS = 50;
export const COBBLER_MODELS = 15;
export const ANNOTATORS = [1, 2, 3, 4, 5, 6] as const;
export const annotationPath = (annotator: number): string =>
  `competitive-llms/human/batches/human_annotations/annot_${annotator}.json`;

export interface Instruction {
  instruction: string;
  reference: string;
}

/** One instruction and one unordered pair of generators: what every module asks about twice. */
export interface Comparison {
  /** `<instruction index>/<model>-<model>`, the two names sorted, so it does not depend on the files' key order. */
  id: string;
  instruction: number;
  /** The two generators, sorted by name. */
  models: readonly [string, string];
  /** The six annotators' votes between the two (never shown to a judge). */
  human: HumanVotes;
}

export interface HumanVotes {
  /** Annotators preferring models[0] / models[1] (each annotator ranks every response, so they always choose). */
  first: number;
  second: number;
}

export interface CobblerData {
  instructions: Instruction[];
  /** The generators, in the responses file's order. */
  models: string[];
  /** model → its 50 responses. */
  responses: ReadonlyMap<string, readonly string[]>;
  comparisons: Comparison[];
  files: string[];
}

const instructionRecord = z.object({ instruction: z.string().min(1), reference: z.string() });

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  const json = (await readJsonFile(file)).value;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DataError(
      `${file}: expected a JSON object of model name → list of responses, found ` +
        `${Array.isArray(json) ? 'an array' : String(json)}.`,
    );
  }
  return json as Record<string, unknown>;
}

function readResponses(file: string, raw: Record<string, unknown>, count: number): Map<string, string[]> {
  const responses = new Map<string, string[]>();
  for (const [model, list] of Object.entries(raw)) {
    if (!Array.isArray(list) || list.length !== count || !list.every((r) => typeof r === 'string')) {
      throw new DataError(
        `${file}: model ${quote(model)}: expected a list of ${count} response strings (one per evalset instruction).`,
      );
    }
    responses.set(model, list as string[]);
  }
  if (responses.size < 2)
    throw new DataError(`${file}: expected the responses of several models, found ${responses.size}.`);
  return responses;
}

/** An annotator's file: per instruction, model → wins, a permutation of 0..(models − 1) over exactly our models. */
function readRanking(
  file: string,
  records: JsonRecords,
  models: readonly string[],
  count: number,
): Map<string, number>[] {
  const rows = records.rows;
  if (rows.length !== count)
    throw new DataError(`${file}: expected ${count} rankings (one per evalset instruction), found ${rows.length}.`);
  const schema = z.record(
    z.string(),
    z
      .number()
      .int()
      .min(0)
      .max(models.length - 1),
  );
  return rows.map((raw, index) => {
    const where = records.where(index);
    const wins = parseRecord(schema, raw, where);
    const names = Object.keys(wins).sort();
    if (names.join() !== [...models].sort().join()) {
      const found = names.map((n) => quote(n, 40)).join(', ');
      throw new DataError(
        `${where}: expected the win counts of exactly the ${models.length} models of the responses file ` +
          `(${[...models].sort().join(', ')}), found ${found}.`,
      );
    }
    if (new Set(Object.values(wins)).size !== models.length) {
      throw new DataError(
        `${where}: expected each win count 0–${models.length - 1} once (a full ranking), found repeats.`,
      );
    }
    return new Map(Object.entries(wins));
  });
}

async function readCobbler(dataDir: string): Promise<CobblerData> {
  const paths = [EVALSET_PATH, RESPONSES_PATH, ...ANNOTATORS.map(annotationPath)];
  const files = await requireFiles(dataDir, COBBLER_DIR, paths, 'CoBBLEr', 'cobbler');
  const [evalsetFile, responsesFile, ...annotationFiles] = files as [string, string, ...string[]];

  const evalset = await readJsonArray(evalsetFile);
  const instructions = evalset.rows.map((raw, index) => parseRecord(instructionRecord, raw, evalset.where(index)));
  if (instructions.length === 0)
    throw new DataError(`${evalsetFile}: expected the evalset's instructions, found none.`);
  // The other files must match the evalset's count, so a short evalset is reported as such before they are read.
  requireRowCount(evalsetFile, instructions.length, COBBLER_INSTRUCTIONS, 'instructions', pullAgain('cobbler'));
  const responses = readResponses(responsesFile, await readJsonObject(responsesFile), instructions.length);
  const models = [...responses.keys()];
  requireRowCount(responsesFile, models.length, COBBLER_MODELS, 'models', pullAgain('cobbler'));
  const rankings = await Promise.all(
    annotationFiles.map(async (file) => readRanking(file, await readJsonArray(file), models, instructions.length)),
  );

  const sorted = [...models].sort();
  const comparisons: Comparison[] = [];
  instructions.forEach((_, instruction) => {
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const pair = [sorted[i]!, sorted[j]!] as const;
        let first = 0;
        for (const ranking of rankings) {
          const wins = ranking[instruction]!;
          if (wins.get(pair[0])! > wins.get(pair[1])!) first += 1;
        }
        comparisons.push({
          id: `${instruction}/${pair[0]}-${pair[1]}`,
          instruction,
          models: pair,
          human: { first, second: rankings.length - first },
        });
      }
    }
  });
  return { instructions, models, responses, comparisons, files };
}

export const loadCobblerData: (dataDir: string) => Promise<CobblerData> = memoizeByKey(readCobbler);

/** The human majority's model for a comparison, or null when the six annotators split 3–3. */
export function humanMajority(comparison: Comparison): string | null {
  const votes = comparison.human;
  if (votes.first === votes.second) return null;
  return votes.first > votes.second ? comparison.models[0] : comparison.models[1];
}
