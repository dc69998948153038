/**
 * The overview laid out like FLAMe's Table 1: one column per benchmark of the paper, this run's headline scores
 * beside the paper's rows. Built from every benchmark in the run that names a `paperColumn`.
 */
import { TABLE_1, TABLE_1_CITATION, TABLE_1_COLUMNS } from '../benchmarks/flame-paper.ts';
import type { BenchmarkRun, RunResult } from '../harness/run.ts';
import type { ReportTable } from '../core/table.ts';
import { skippedByReason } from './skipped.ts';

/** `headline`: each benchmark's 95% interval for its headline score (the first metric column), by benchmark id. */
export function table1(
  judgeId: string,
  runs: readonly BenchmarkRun[],
  skipped: RunResult['skipped'] = [],
  headline: ReadonlyMap<string, [number, number] | null> = new Map(),
): ReportTable | undefined {
  const covered = runs.filter((r) => r.benchmark.paperColumn);
  if (covered.length + skipped.length < 2) return undefined; // a single benchmark's own table already says everything
  if (covered.length === 0) return undefined; // nothing of the paper's ran: a row of dashes says nothing
  // A column means the whole benchmark: a partial score (missing datasets, errors) is not put beside the paper's.
  const complete = TABLE_1_COLUMNS.map((column) =>
    covered.find((r) => r.benchmark.paperColumn === column && r.summary.complete),
  );
  const ours = complete.map((run) => (run ? run.summary.score : null));
  const intervals = complete.map((run) => (run ? (headline.get(run.benchmark.id) ?? null) : null));
  const incomplete = covered
    .filter((r) => !r.summary.complete)
    .map(
      (r) =>
        `${r.benchmark.id} (${r.summary.score === null ? 'no score' : `partial score ${r.summary.score.toFixed(1)}`})`,
    );
  const notRun = TABLE_1_COLUMNS.filter(
    (c) => !covered.some((r) => r.benchmark.paperColumn === c) && !skipped.some((s) => s.benchmark.paperColumn === c),
  );
  const notes = [
    `Published rows: ${TABLE_1_CITATION}. ` +
      "Each column is that benchmark's headline score; see its own table for the breakdown.",
  ];
  if (notRun.length > 0) notes.push(`Not in this run: ${notRun.join(', ')}.`);
  if (incomplete.length > 0) {
    notes.push(
      "Left blank, incomplete in this run and not comparable with the paper (see each benchmark's own table): " +
        `${incomplete.join('; ')}.`,
    );
  }
  const noData = skipped.filter((s) => s.why === 'no data').map((s) => s.benchmark.id);
  const notApplicable = skippedByReason(skipped.filter((s) => s.why === 'not applicable'));
  if (noData.length > 0)
    notes.push(`Skipped, data not found: ${noData.join(', ')} (each one's message says how to get it).`);
  for (const s of notApplicable) notes.push(`Skipped ${s.ids.join(', ')}: ${s.reason}.`);
  return {
    id: 'table1',
    title: `FLAMe Table 1 layout: ${judgeId}`,
    columns: [...TABLE_1_COLUMNS],
    rows: [
      { label: judgeId, source: 'this run', values: ours, intervals },
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
