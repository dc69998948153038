/**
 * `replay:judgebench/<judge_name>/<judge_model>`: the judge output files JudgeBench publishes
 * (`heldout/judgebench/outputs/dataset=judgebench,response_model=<m>,judge_name=<n>,judge_model=<j>.jsonl`), one
 * per split a judge was run on. A record is the pair plus `judgments`: the first game's decision (response_A shown
 * as A) and, when run in both orders, the second's (response_B shown as A). A decision is "A>B", "B>A", "A=B" or
 * null (no verdict found), in the order the responses were shown; a judgment is null when the call failed.
 *
 * The judge answers each presentation with the decision recorded for it, so a replay goes through the same
 * orders, store and scorer as a live judge. Reward models (judge_name "reward_model") declare themselves
 * order-independent and are asked once, as JudgeBench runs them (--single_game).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { JUDGEBENCH_DIR, type JudgeBenchSplit, SPLITS } from '../../benchmarks/judgebench/loader.ts';
import { PUBLISHED } from '../../benchmarks/judgebench/published.ts';
import { jsonLinesRecords } from '../../benchmarks/pointwise/files.ts';
import { quote, readUtf8 } from '../../benchmarks/data-text.ts';
import { DataError, MissingDataError, UserError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { memoizeByKey } from '../../core/memo.ts';
import type { PairwiseChoice } from '../../protocol/tasks.ts';
import type { Judge, JudgeContext, JudgeReply } from '../judge.ts';

const OUTPUTS = `${JUDGEBENCH_DIR}/outputs`;
const FILE_NAME = /^dataset=judgebench,response_model=([^,]+),judge_name=([^,]+),judge_model=([^,]+)\.jsonl$/;

/** A published output file: which split, which judge. */
interface OutputFile {
  file: string;
  split: JudgeBenchSplit;
  judgeName: string;
  judgeModel: string;
}

const judgment = z.union([z.null(), z.object({ decision: z.string().nullable(), judgment: z.unknown() })]);
const record = z.object({
  pair_id: z.string().min(1),
  response_model: z.string(),
  response_A: z.string(),
  response_B: z.string(),
  label: z.enum(['A>B', 'B>A']),
  judgments: z.array(judgment).min(1).max(2),
});
type OutputRecord = z.infer<typeof record>;

const EXPECTED =
  'a JudgeBench output record {pair_id, response_model, response_A, response_B, label, judgments: one ' +
  'or two {decision, judgment} or null}';

/** The output files in the data folder, by replay name ("<judge_name>/<judge_model>"). */
export async function listJudgeBenchOutputs(dataDir: string): Promise<Map<string, OutputFile[]>> {
  const dir = path.join(dataDir, OUTPUTS);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    throw new MissingDataError(
      `JudgeBench judge outputs not found at ${dir}. Download them with: npm run data -- pull judgebench`,
    );
  }
  const splits: readonly JudgeBenchSplit[] = Object.values(SPLITS);
  const found = new Map<string, OutputFile[]>();
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    const split = m && splits.find((s) => s.responseModel === m[1]);
    if (!m || !split) continue;
    const key = `${m[2]}/${m[3]}`;
    found.set(key, [
      ...(found.get(key) ?? []),
      { file: path.join(dir, name), split, judgeName: m[2]!, judgeModel: m[3]! },
    ]);
  }
  return found;
}

interface OutputSource {
  records: Map<string, OutputRecord>;
  sha256: string;
}

async function readOutputFile(file: string): Promise<OutputSource> {
  const text = await readUtf8(file);
  const records = new Map<string, OutputRecord>();
  for (const { line, record: r } of jsonLinesRecords(file, text, record, EXPECTED)) {
    if (records.has(r.pair_id)) throw new DataError(`${file}: line ${line}: pair_id ${quote(r.pair_id)} occurs twice.`);
    records.set(r.pair_id, r);
  }
  return { records, sha256: sha256(text) };
}

const readCached = memoizeByKey(readOutputFile);

/** A recorded decision, in the order the responses were shown, as a reply. */
function reply(decision: string | null, note: string): JudgeReply {
  const choices: Record<string, PairwiseChoice> = { 'A>B': 'A', 'B>A': 'B', 'A=B': 'tie' };
  const choice = decision === null ? undefined : choices[decision];
  if (choice) return { type: 'verdict', verdict: { kind: 'pairwise', choice }, note };
  // metrics.py counts any other decision as neither right nor wrong: a vote of 0, as an unreadable reply is here.
  const reason = decision === null ? 'JudgeBench found no verdict in the reply' : `JudgeBench recorded "${decision}"`;
  return { type: 'invalid', reason, raw: note };
}

/** What the judge said, for predictions.jsonl: the reply text, or a reward model's two scores. */
function noteOf(judgment: unknown): string {
  const j = judgment as { response?: unknown; scores?: unknown } | null | undefined;
  if (typeof j?.response === 'string' && j.response.trim() !== '') return j.response;
  return j?.scores === undefined ? '' : `scores ${JSON.stringify(j.scores)}`;
}

export async function judgebenchJudge(spec: string, context: JudgeContext): Promise<Judge> {
  const available = await listJudgeBenchOutputs(context.dataDir);
  const files = available.get(spec);
  if (!files) {
    const listed = [...available].map(([name, f]) => `  judgebench/${name}  (${f.map((o) => o.split.id).join(', ')})`);
    throw new UserError(
      `${spec ? `no JudgeBench output for "${spec}". ` : ''}` +
        `Use --judge replay:judgebench/<judge_name>/<judge_model>, one of:\n${listed.join('\n')}`,
    );
  }
  const sources = new Map<string, OutputSource>();
  for (const output of files) sources.set(output.split.id, await readCached(output.file));
  const [judgeName, judgeModel] = [files[0]!.judgeName, files[0]!.judgeModel];
  const id = `replay:judgebench/${spec}`;
  const publishedAs = PUBLISHED.find((p) => p.replay === id)?.label;
  const has = [...sources.keys()].join(', ');
  return {
    id,
    config: {
      adapter: 'replay',
      source: 'judgebench',
      judgeName,
      judgeModel,
      sourceSha256: sha256([...sources.values()].map((s) => s.sha256).join('')),
    },
    tasks: ['pairwise'],
    benchmarks: [...sources.keys()],
    concurrency: 1,
    ...(publishedAs ? { publishedAs } : {}),
    ...(judgeName === 'reward_model' ? { orderIndependent: true } : {}),
    async judge(request): Promise<JudgeReply> {
      const task = request.task;
      const source = sources.get(request.benchmark);
      if (!source || task.kind !== 'pairwise') throw new Error(`${id} has published outputs for ${has} only`);
      const r = source.records.get(request.itemId);
      if (!r) throw new Error(`${id}: no recorded judgment for pair ${quote(request.itemId)}`);
      // The first game shows the source's order; the second, response_B as A.
      const game =
        task.responseA === r.response_A && task.responseB === r.response_B
          ? 0
          : task.responseA === r.response_B && task.responseB === r.response_A
            ? 1
            : undefined;
      if (game === undefined)
        throw new Error(`${id}: pair ${quote(request.itemId)} does not match the recorded responses`);
      if (game >= r.judgments.length) {
        throw new Error(
          `${id}: JudgeBench ran this judge in one order only; pair ${quote(request.itemId)} has no second game`,
        );
      }
      const recorded = r.judgments[game];
      if (recorded === null || recorded === undefined) {
        return { type: 'invalid', reason: 'JudgeBench recorded no judgment (the call failed)' };
      }
      return reply(recorded.decision, noteOf(recorded.judgment));
    },
  };
}
