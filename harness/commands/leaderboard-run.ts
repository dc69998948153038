/**
 * `npm run leaderboard`: for the judges and benchmarks in the leaderboard config, run whatever the store does not
 * have yet (stored judgments are reused; nothing is asked twice), then build one LeaderboardData: a row per judge
 * with FLAMe's Table 1 and Table 2 columns and their 95% bootstrap intervals, the paper's published rows marked as
 * such, the data and prompt versions, and the night's cost. Everything in it is a function of the stored judgments
 * and the date, so a rerun with nothing new writes the same bytes.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { AnyBenchmark } from '../../benchmarks/benchmark.ts';
import { TABLE_1, TABLE_1_CITATION } from '../../benchmarks/flame-paper.ts';
import { REGISTERED, benchmarksNamed } from '../../benchmarks/index.ts';
import { PAPER_TABLE_2, PAPER_TABLE_2_CITATION } from '../../benchmarks/rewardbench/published.ts';
import type { Judge } from '../../judges/judge.ts';
import { hasPrice } from '../../judges/jury.ts';
import { juryRunLines } from '../../reports/jury.ts';
import { breakerLine, endpointLine, failureLines, runFailures } from '../../reports/failures.ts';
import type { Cell, LeaderboardColumn, LeaderboardData, LeaderboardRow } from '../../reports/leaderboard-data.ts';
import { skippedByReason } from '../../reports/skipped.ts';
import { DataError, EndpointError, UserError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { metricIntervals, metricValues } from '../intervals.ts';
import { prepareItems } from '../prepare.ts';
import { judgmentsBehind, runJudge } from '../jury.ts';
import type { BenchmarkRun, RunResult } from '../run.ts';
import type { Store } from '../store.ts';

const judgeEntry = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1), benchmarks: z.array(z.string().min(1)).min(1).optional() }).strict(),
]);

const configSchema = z
  .object({
    $comment: z.string().optional(),
    judges: z.array(judgeEntry).min(1),
    /** Benchmark ids or groups ("judgebench"), or "all": FLAMe Table 1's and JudgeBench's, where data is present. */
    benchmarks: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
    seed: z.number().int().min(0).default(0),
    sample: z.number().int().min(1).nullable().default(null),
    resamples: z.number().int().min(0).default(1000),
  })
  .strict();

export type LeaderboardConfig = z.infer<typeof configSchema>;

export function readLeaderboardConfig(file: string): LeaderboardConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      `leaderboard config ${file} not found: pass --leaderboard-config FILE (see leaderboard.config.json).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataError(`${file}: not valid JSON (${(error as Error).message}).`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DataError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}.`);
  }
  return parsed.data;
}

export interface JudgeTarget {
  id: string;
  /** Benchmarks this judge is run on (a replay judge only has results for some). */
  benchmarks: AnyBenchmark[];
}

export function judgeTargets(config: LeaderboardConfig): JudgeTarget[] {
  // An id, a group ("judgebench": its splits) or "all" (FLAMe Table 1's benchmarks and JudgeBench's splits).
  const named = (ids: 'all' | readonly string[]): AnyBenchmark[] => [
    ...new Set((ids === 'all' ? ['all'] : ids).flatMap(benchmarksNamed)),
  ];
  const all = named(config.benchmarks);
  return config.judges.map((entry) => {
    if (typeof entry === 'string') return { id: entry, benchmarks: all };
    return { id: entry.id, benchmarks: entry.benchmarks ? named(entry.benchmarks) : all };
  });
}

/** RewardBench's sections fill Table 2; every other benchmark's headline value fills its Table 1 column. */
function columnsOf(benchmark: AnyBenchmark, values: Readonly<Record<string, number | null>>): LeaderboardColumn[] {
  const names = Object.keys(values);
  if (benchmark.id === 'rewardbench')
    return names.map((label) => ({ id: `rewardbench:${label}`, benchmark: 'rewardbench', label, table: 'Table 2' }));
  const headline = names[0];
  if (headline === undefined) return [];
  return [
    {
      id: `${benchmark.id}:${headline}`,
      benchmark: benchmark.id,
      label: benchmark.paperColumn ?? benchmark.id,
      table: 'Table 1',
    },
  ];
}

/** The night (UTC) a judgment was made in. */
function night(createdAt: string): string {
  return createdAt.slice(0, 10);
}

/** A judge's row: each column's value and interval; cost counts only judgments made on `date`, so reruns agree. */
function judgeRow(
  run: RunResult,
  date: string,
  resamples: number,
  seed: number,
  store: Store,
  columns: Map<string, LeaderboardColumn>,
): LeaderboardRow {
  const cells: Record<string, Cell> = {};
  const notes: string[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let usd: number | null = 0;
  let asked = 0;
  let cached = 0;
  for (const b of run.benchmarks) {
    const values = metricValues(b.benchmark, b.summary);
    const intervals = metricIntervals(b.benchmark, b.results, { resamples, seed, cache: store });
    for (const column of columnsOf(b.benchmark, values)) {
      columns.set(column.id, column);
      const label = column.id.slice(b.benchmark.id.length + 1);
      // An incomplete benchmark (errors, missing parts) is not put beside complete ones.
      cells[column.id] = b.summary.complete
        ? { value: values[label] ?? null, ci: intervals?.[label] ?? null, n: b.summary.n }
        : { value: null, ci: null, n: b.summary.n };
    }
    if (!b.summary.complete) {
      const why =
        b.summary.errors > 0
          ? `${b.summary.errors} of ${b.summary.n} items unanswered`
          : 'parts of the benchmark are missing from the data';
      notes.push(`${b.benchmark.id}: incomplete (${why}); left blank, see its own report.`);
    }
    for (const j of judgmentsBehind(run, b)) {
      if (!j) continue;
      if (night(j.createdAt) !== date) {
        cached += 1;
        continue;
      }
      asked += 1;
      inputTokens += j.inputTokens ?? 0;
      outputTokens += j.outputTokens ?? 0;
      if (j.costUsd !== null && usd !== null) usd += j.costUsd;
      else if (j.costUsd === null && hasPrice(run.judge)) usd = null;
    }
  }
  for (const s of skippedByReason(run.skipped))
    notes.push(`${s.ids.join(', ')}: skipped, ${s.why === 'no data' ? 'data not found' : s.reason}.`);
  return {
    judge: run.judge.id,
    source: 'this run',
    cells,
    cost: { inputTokens, outputTokens, usd: hasPrice(run.judge) ? usd : null, asked, cached },
    ...(notes.length ? { notes } : {}),
  };
}

/** Table 2 calls some models differently from Table 1; the leaderboard shows one row per model. */
const TABLE_2_NAMES: Readonly<Record<string, string>> = {
  'Claude-Opus': 'Claude-3-Opus',
  'Llama3-70B': 'Llama-3-70B-Inst',
  FLAMe: 'FLAMe-24B',
  'FLAMe-RM': 'FLAMe-RM-24B',
};

function published(columns: readonly LeaderboardColumn[]): LeaderboardRow[] {
  const rows = new Map<string, LeaderboardRow>();
  const row = (model: string, citation: string): LeaderboardRow => {
    let r = rows.get(model);
    if (!r) rows.set(model, (r = { judge: model, source: 'paper', citation, cells: {} }));
    else if (!r.citation?.includes(citation)) r.citation = `${r.citation}; ${citation}`;
    return r;
  };
  const paperCell = (value: number): Cell => ({ value, ci: null, n: null });
  const byBenchmark = new Map(REGISTERED.map((b) => [b.id, b]));
  for (const paper of TABLE_1) {
    for (const column of columns) {
      const table1Column = byBenchmark.get(column.benchmark)?.paperColumn;
      if (column.table !== 'Table 1' || !table1Column) continue;
      row(paper.model, TABLE_1_CITATION).cells[column.id] = paperCell(paper.values[table1Column]);
    }
  }
  const table2: Record<string, (p: (typeof PAPER_TABLE_2)[number]) => number> = {
    Avg: (p) => p.avg,
    Chat: (p) => p.chat,
    'Chat Hard': (p) => p.chatHard,
    Safety: (p) => p.safety,
    Reasoning: (p) => p.reasoning,
  };
  for (const paper of PAPER_TABLE_2) {
    for (const column of columns) {
      const get = column.table === 'Table 2' ? table2[column.label] : undefined;
      if (get)
        row(TABLE_2_NAMES[paper.model] ?? paper.model, PAPER_TABLE_2_CITATION).cells[column.id] = paperCell(get(paper));
    }
  }
  return [...rows.values()].filter((r) => Object.keys(r.cells).length > 0);
}

/** Per benchmark, a fingerprint of what the judges saw and were scored against: item ids, prompts and gold answers. */
async function versions(
  benchmarks: readonly AnyBenchmark[],
  dataDir: string,
  seed: number,
  sample: number | null,
): Promise<{ data: Record<string, string>; prompt: string }> {
  const data: Record<string, string> = {};
  const prompts: string[] = [];
  for (const b of benchmarks) {
    const entries = await prepareItems(b, dataDir, seed, sample === null ? {} : { sample });
    data[b.id] = sha256(JSON.stringify(entries.map((e) => [e.item.id, e.prepared.gold]))).slice(0, 16);
    prompts.push(`${b.id}:${sha256(entries.map((e) => e.promptHash).join('\n'))}`);
  }
  return { data, prompt: sha256(prompts.join('\n')).slice(0, 16) };
}

export interface LeaderboardOptions {
  dataDir: string;
  store: Store;
  date: string;
  harnessVersion: string;
  progress: boolean;
  createJudge(id: string): Promise<Judge>;
  signal?: AbortSignal;
  log?(line: string): void;
}

export interface LeaderboardBuild {
  data: LeaderboardData;
  /** Runs that stopped early or left items unanswered. */
  incomplete: string[];
}

/** Runs what is missing for every configured judge and builds the night's leaderboard data. */
export async function buildLeaderboard(
  config: LeaderboardConfig,
  options: LeaderboardOptions,
): Promise<LeaderboardBuild> {
  const columns = new Map<string, LeaderboardColumn>();
  const rows: LeaderboardRow[] = [];
  const incomplete: string[] = [];
  const ran = new Map<string, AnyBenchmark>();
  for (const target of judgeTargets(config)) {
    // One judge whose endpoint cannot work (a revoked key, a server that is gone) must not cost the other judges
    // their night: it is said, left out of tonight's rows, and the command ends incomplete (exit 4).
    let judge: Judge;
    try {
      judge = await options.createJudge(target.id);
    } catch (error) {
      if (!(error instanceof EndpointError)) throw error;
      options.log?.(`autorater: ${error.message} (${target.id} is left out tonight)`);
      incomplete.push(`${target.id}: endpoint unusable`);
      continue;
    }
    options.log?.(endpointLine(judge));
    try {
      const run = await runJudge({
        judge,
        benchmarks: target.benchmarks,
        dataDir: options.dataDir,
        seed: config.seed,
        store: options.store,
        ...(config.sample === null ? {} : { sample: config.sample }),
        progress: options.progress,
        skipUnavailable: true,
        ...(options.signal ? { signal: options.signal } : {}),
        args: { command: 'leaderboard', judge: target.id },
      });
      if (run.status !== 'complete') incomplete.push(`${target.id}: ${run.status}`);
      for (const line of failureLines(runFailures(run))) options.log?.(`${target.id}: ${line}`);
      const broke = breakerLine(run);
      if (broke) options.log?.(`${target.id}: ${broke}`);
      for (const line of juryRunLines(run)) options.log?.(`${target.id}: ${line}`); // a jury: each member's run
      for (const b of run.benchmarks as BenchmarkRun[]) ran.set(b.benchmark.id, b.benchmark);
      rows.push(judgeRow(run, options.date, config.resamples, config.seed, options.store, columns));
      const counts = run.benchmarks.map((b) => `${b.benchmark.id} ${b.asked} asked, ${b.cached} stored`).join('; ');
      options.log?.(`${target.id}: ${counts}`);
    } catch (error) {
      if (!(error instanceof EndpointError)) throw error;
      options.log?.(`autorater: ${error.message} (${target.id} is left out tonight)`);
      incomplete.push(`${target.id}: endpoint unusable`);
    } finally {
      await judge.close?.();
    }
  }
  // Column order: FLAMe's Table 1 order of benchmarks, RewardBench's Table 2 columns in place of its one.
  const order = REGISTERED.map((b) => b.id);
  const sorted = [...columns.values()].sort((a, b) => order.indexOf(a.benchmark) - order.indexOf(b.benchmark));
  const benchmarks = [...ran.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const v = await versions(benchmarks, options.dataDir, config.seed, config.sample);
  // Dollars are known only for judges with a price; the total adds those (null when no judge has one).
  const priced = rows.map((r) => r.cost?.usd).filter((u): u is number => typeof u === 'number');
  const total = {
    inputTokens: rows.reduce((t, r) => t + (r.cost?.inputTokens ?? 0), 0),
    outputTokens: rows.reduce((t, r) => t + (r.cost?.outputTokens ?? 0), 0),
    usd: priced.length > 0 ? priced.reduce((a, b) => a + b, 0) : null,
  };
  const data: LeaderboardData = {
    date: options.date,
    harnessVersion: options.harnessVersion,
    promptVersion: v.prompt,
    dataVersions: v.data,
    seed: config.seed,
    resamples: config.resamples,
    sample: config.sample,
    columns: sorted,
    rows: [...rows, ...published(sorted)],
    cost: total,
  };
  return { data, incomplete };
}
