/**
 * The overview laid out like FLAMe's Table 1: one column per benchmark of the paper, this run's headline scores
 * beside the paper's rows. Built from every benchmark in the run that names a `paperColumn`.
 */
import { TABLE_1, TABLE_1_CITATION, TABLE_1_COLUMNS } from '../benchmarks/flame-paper.ts';
import type { BenchmarkRun } from '../harness/run.ts';
import type { ReportTable } from './table.ts';

export function table1(judgeId: string, runs: readonly BenchmarkRun[]): ReportTable | undefined {
  const covered = runs.filter((r) => r.benchmark.paperColumn);
  if (covered.length < 2) return undefined; // a single benchmark's own table already says everything
  const ours = TABLE_1_COLUMNS.map((column) => covered.find((r) => r.benchmark.paperColumn === column)?.summary.score ?? null);
  const incomplete = covered.filter((r) => !r.summary.complete).map((r) => r.benchmark.id);
  const missing = TABLE_1_COLUMNS.filter((_, i) => ours[i] === null && !covered.some((r) => r.benchmark.paperColumn === TABLE_1_COLUMNS[i]));
  const notes = [`Published rows: ${TABLE_1_CITATION}. Each column is that benchmark's headline score; see its own table for the breakdown.`];
  if (missing.length > 0) notes.push(`Not in this run: ${missing.join(', ')}.`);
  if (incomplete.length > 0) notes.push(`Incomplete or partial in this run (not comparable): ${incomplete.join(', ')}.`);
  return {
    id: 'table1',
    title: `FLAMe Table 1 layout: ${judgeId}`,
    columns: [...TABLE_1_COLUMNS],
    rows: [
      { label: judgeId, source: 'this run', values: ours },
      ...TABLE_1.map((row) => ({
        label: row.model,
        source: 'paper' as const,
        citation: TABLE_1_CITATION,
        values: TABLE_1_COLUMNS.map((c) => row.values[c]),
      })),
    ],
    notes,
  };
}
