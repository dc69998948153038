/**
 * The RewardBench (v1) leaderboard rows, read from Every Eval Ever's JSON files
 * (data dir: rewardbench/evaleval__every_eval_ever/data/reward-bench/<org>/<model>/<uuid>.json, schema 0.2.0).
 * Values there are 0-1; here they are percentages.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../../core/errors.ts';
import { memoizeByKey } from '../../core/memo.ts';

export const LEADERBOARD_DIR = 'rewardbench/evaleval__every_eval_ever/data/reward-bench';

export interface LeaderboardRow {
  model: string;
  modelType?: string;
  /** The leaderboard's own Score: includes Prior Sets (weight 1/9) when the model has them. */
  score: number | null;
  chat: number | null;
  chatHard: number | null;
  safety: number | null;
  reasoning: number | null;
  priorSets: number | null;
  file: string;
}

const eeeFile = z.object({
  source_metadata: z.object({ source_name: z.string() }),
  model_info: z.object({
    id: z.string(),
    additional_details: z.object({ model_type: z.string().optional() }).optional(),
  }),
  evaluation_results: z.array(
    z.object({ evaluation_name: z.string(), score_details: z.object({ score: z.number() }) }),
  ),
});

async function listJson(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Rows keyed by model id. Ids that occur in more than one v1 file (the leaderboard truncates long names to
 * "...", making several checkpoints share one id) are left out: they cannot be matched reliably.
 * Returns an empty map when the folder is absent (the table then shows the paper's rows only).
 */
export function loadLeaderboard(dataDir: string): Promise<Map<string, LeaderboardRow>> {
  return readCached(path.join(dataDir, LEADERBOARD_DIR));
}

async function readLeaderboard(dir: string): Promise<Map<string, LeaderboardRow>> {
  let files: string[];
  try {
    files = await listJson(dir);
  } catch {
    return new Map();
  }
  const rows = new Map<string, LeaderboardRow>();
  const ambiguous = new Set<string>();
  files.sort();
  // Read all files at once (a few hundred small ones: one await each would cost more than parsing them), parse in
  // order.
  const texts = await Promise.all(files.map((file) => fs.readFile(file, 'utf8')));
  for (const [i, file] of files.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(texts[i]!);
    } catch (error) {
      throw new DataError(`${file}: not valid JSON (${(error as Error).message}).`);
    }
    const parsed = eeeFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DataError(`${file}: not an Every Eval Ever 0.2 record (${issue.path.join('.')}: ${issue.message}).`);
    }
    const record = parsed.data;
    if (record.source_metadata.source_name !== 'RewardBench') continue; // RewardBench 2 rows have other sections
    const value = (name: string): number | null => {
      const r = record.evaluation_results.find((e) => e.evaluation_name === name);
      return r ? 100 * r.score_details.score : null;
    };
    const id = record.model_info.id;
    if (rows.has(id)) ambiguous.add(id);
    rows.set(id, {
      model: id,
      modelType: record.model_info.additional_details?.model_type,
      score: value('Score'),
      chat: value('Chat'),
      chatHard: value('Chat Hard'),
      safety: value('Safety'),
      reasoning: value('Reasoning'),
      priorSets: value('Prior Sets (0.5 weight)'),
      file,
    });
  }
  for (const id of ambiguous) rows.delete(id);
  return rows;
}

const readCached = memoizeByKey(readLeaderboard);
