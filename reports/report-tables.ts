/**
 * A run's report tables: each benchmark's own tables (this run, the baseline judges on the same items, published
 * rows), every measured row with its 95% bootstrap intervals, and the FLAMe Table 1 overview. Shared by `eval` and
 * `leaderboard`, so both print the same numbers.
 */
import type { BenchmarkSummary, IntervalsByColumn } from '../benchmarks/benchmark.ts';
import type { ReportTable } from '../core/table.ts';
import type { MeasuredRows } from '../harness/baselines.ts';
import type { RunResult } from '../harness/run.ts';
import { juryTables } from './jury.ts';
import { table1 } from './table1.ts';

/** Every benchmark's tables and the Table 1 overview, from the run and its measured rows (harness/baselines.ts). */
export async function reportTables(
  run: RunResult,
  measured: ReadonlyMap<string, MeasuredRows>,
  dataDir: string,
): Promise<ReportTable[]> {
  const tables: ReportTable[] = [];
  for (const b of run.benchmarks) {
    const rows = measured.get(b.benchmark.id);
    const bySummary = new Map<BenchmarkSummary, IntervalsByColumn | undefined>(
      rows ? [rows.run, ...rows.baselines].map((r) => [r.summary, r.intervals]) : [],
    );
    const baselines = (rows?.baselines ?? []).map(({ judgeId, summary }) => ({ judgeId, summary }));
    const { id: judgeId, publishedAs } = run.judge;
    const context = { dataDir, judgeId, publishedAs, baselines, intervals: (s: BenchmarkSummary) => bySummary.get(s) };
    tables.push(...(await b.benchmark.tables(b.summary, context)));
    tables.push(...juryTables(run, b, rows)); // a jury's run: its members beside it, and their agreement
  }
  const headline = new Map(
    [...measured].map(([id, rows]) => {
      const byColumn = rows.run.intervals;
      return [id, byColumn ? (Object.values(byColumn)[0] ?? null) : null];
    }),
  );
  const overview = table1(run.judge.id, run.benchmarks, run.skipped, headline);
  if (overview) tables.push(overview);
  return tables;
}
