/**
 * A run's report tables: each benchmark's own tables (this run, the baseline judges on the same items, published
 * rows), every measured row with its 95% bootstrap intervals, and the FLAMe Table 1 overview. Shared by `eval` and
 * `leaderboard`, so both print the same numbers.
 */
import type { BenchmarkSummary, IntervalsByColumn } from '../benchmarks/benchmark.ts';
import { table1 } from '../reports/table1.ts';
import type { ReportTable } from '../reports/table.ts';
import { runBaselines } from './baselines.ts';
import { IntervalLookup, type IntervalOptions } from './intervals.ts';
import type { RunResult, SelectOptions } from './run.ts';

export interface ReportOptions extends SelectOptions, IntervalOptions {
  dataDir: string;
}

export interface RunTables {
  tables: ReportTable[];
  /** This run's intervals per benchmark id (by metric column). */
  intervals: Map<string, IntervalsByColumn | undefined>;
}

export async function reportTables(run: RunResult, options: ReportOptions): Promise<RunTables> {
  const tables: ReportTable[] = [];
  const intervals = new Map<string, IntervalsByColumn | undefined>();
  const { dataDir, seed } = options;
  for (const b of run.benchmarks) {
    const select = { sample: options.sample, limit: options.limit, swap: options.swap };
    const lookup = new IntervalLookup(b.benchmark, options);
    lookup.add(b.summary, b.results);
    const baselines: { judgeId: string; summary: BenchmarkSummary }[] = [];
    const rows = runBaselines(b.benchmark, { dataDir, seed, ...select, exclude: run.judge.id });
    for await (const { judgeId, summary, results } of rows) {
      lookup.add(summary, results);
      baselines.push({ judgeId, summary });
    }
    intervals.set(b.benchmark.id, lookup.get(b.summary));
    const { id: judgeId, publishedAs } = run.judge;
    const context = { dataDir, judgeId, publishedAs, baselines, intervals: lookup.get };
    tables.push(...(await b.benchmark.tables(b.summary, context)));
  }
  const headline = new Map(
    [...intervals].map(([id, byColumn]) => [id, byColumn ? (Object.values(byColumn)[0] ?? null) : null]),
  );
  const overview = table1(run.judge.id, run.benchmarks, run.skipped, headline);
  if (overview) tables.push(overview);
  return { tables, intervals };
}
