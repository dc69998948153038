/**
 * Real per-item judgments of GPT-4, ChatGPT, PaLM2, LLaMA2 and Falcon on LLMBar's 419 items (princeton-nlp/LLMBar
 * `Dataset/LLMBar/<subset>/evaluators/<judge>/<strategy>/result.json`), each made in both presentation orders.
 * These 419 items are RewardBench's llmbar-* subsets and the held-out `llmbar` benchmark, with identical texts.
 *
 * result.json: a list of { input, output_1, output_2, label, results }. `results` is a list; its last element that
 * has "swap = False" and "swap = True" keys holds the final decision (Swap strategies add a second, debate round).
 * `winner` ("1", "2", or null when LLMBar's parser found no answer) is in the ORIGINAL output numbering for both
 * orders: "swap = False" is the order output_1, output_2; "swap = True" the reverse.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { memoizeByKey } from '../../core/memo.ts';

export const LLMBAR_DIR = 'rewardbench/princeton-nlp__LLMBar/Dataset/LLMBar';
const LLMBAR_SUBSETS = [
  'Natural',
  'Adversarial/Neighbor',
  'Adversarial/GPTInst',
  'Adversarial/GPTOut',
  'Adversarial/Manual',
] as const;

export type Winner = '1' | '2' | null;

export interface LLMBarRecord {
  subset: string;
  input: string;
  output1: string;
  output2: string;
  /** 1 or 2: the better output. */
  label: 1 | 2;
  /** The decision with output_1 shown first ("swap = False") and with output_2 shown first ("swap = True"). */
  original: { winner: Winner; completion: string };
  swapped: { winner: Winner; completion: string };
}

const decision = z
  .object({ winner: z.union([z.enum(['1', '2']), z.null()]), completion: z.array(z.unknown()).optional() })
  .passthrough();
const round = z.object({ 'swap = False': decision, 'swap = True': decision }).passthrough();
const row = z.object({
  input: z.string(),
  output_1: z.string(),
  output_2: z.string(),
  label: z.union([z.literal(1), z.literal(2)]),
  results: z.array(z.unknown()),
});

function completionText(d: z.infer<typeof decision>): string {
  const first = d.completion?.[0];
  return typeof first === 'string' ? first : '';
}

function resultFile(dataDir: string, subset: string, evaluator: string, strategy: string): string {
  return path.join(dataDir, LLMBAR_DIR, subset, 'evaluators', evaluator, strategy, 'result.json');
}

async function readResultFile(file: string, subset: string): Promise<LLMBarRecord[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new DataError(`${file}: cannot read LLMBar results (${(error as Error).message}).`);
  }
  if (!Array.isArray(json))
    throw new DataError(`${file}: expected a JSON array of {input, output_1, output_2, label, results}.`);
  return json.map((raw, index) => {
    const parsed = row.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DataError(`${file}: element ${index}, field "${issue.path.join('.')}": ${issue.message}.`);
    }
    const rounds = parsed.data.results.flatMap((r) => {
      const ok = round.safeParse(r);
      return ok.success ? [ok.data] : [];
    });
    const final = rounds.at(-1);
    if (!final)
      throw new DataError(`${file}: element ${index}: no result with "swap = False" and "swap = True" decisions.`);
    return {
      subset,
      input: parsed.data.input,
      output1: parsed.data.output_1,
      output2: parsed.data.output_2,
      label: parsed.data.label,
      original: { winner: final['swap = False'].winner, completion: completionText(final['swap = False']) },
      swapped: { winner: final['swap = True'].winner, completion: completionText(final['swap = True']) },
    };
  });
}

interface LLMBarReplaySource {
  evaluator: string;
  strategy: string;
  records: LLMBarRecord[];
  /** Over the five result files, so a changed file is a different judge config. */
  sha256: string;
}

async function readSource(key: string): Promise<LLMBarReplaySource> {
  const [dataDir, evaluator, strategy] = key.split('\u0000') as [string, string, string];
  const records: LLMBarRecord[] = [];
  const hashes: string[] = [];
  for (const subset of LLMBAR_SUBSETS) {
    const file = resultFile(dataDir, subset, evaluator, strategy);
    records.push(...(await readResultFile(file, subset)));
    hashes.push(sha256(await fs.readFile(file, 'utf8')));
  }
  return { evaluator, strategy, records, sha256: sha256(hashes.join('')) };
}

const cached = memoizeByKey(readSource);

export function loadLLMBarReplay(dataDir: string, evaluator: string, strategy: string): Promise<LLMBarReplaySource> {
  return cached([dataDir, evaluator, strategy].join('\u0000'));
}

/** "<judge>/<strategy>" pairs with per-item results for all five subsets. */
export async function listLLMBarReplays(dataDir: string): Promise<string[]> {
  const base = path.join(dataDir, LLMBAR_DIR, LLMBAR_SUBSETS[0], 'evaluators');
  let evaluators: string[];
  try {
    evaluators = await fs.readdir(base);
  } catch {
    throw new DataError(
      `LLMBar judge results not found at ${base} (see rewardbench/SOURCES.md in the shared data folder, section 4).`,
    );
  }
  const found: string[] = [];
  for (const evaluator of evaluators.sort()) {
    for (const strategy of (await fs.readdir(path.join(base, evaluator))).sort()) {
      const complete = await Promise.all(
        LLMBAR_SUBSETS.map((s) =>
          fs.stat(resultFile(dataDir, s, evaluator, strategy)).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (complete.every(Boolean)) found.push(`${evaluator}/${strategy}`);
    }
  }
  return found;
}
