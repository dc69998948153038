/**
 * `--out DIR`: summary.json, one CSV per table, report.md with every table, predictions.jsonl; summary.json and
 * report.md say how to reproduce the run when given its provenance (harness/provenance.ts).
 */
import path from 'node:path';
import type { IntervalsByColumn } from '../benchmarks/benchmark.ts';
import type { ReportTable } from '../core/table.ts';
import type { Provenance } from '../harness/provenance.ts';
import type { RunResult } from '../harness/run.ts';
import { renderCsv } from './csv.ts';
import { renderMarkdown } from './markdown.ts';
import { type OutputContent, writeOutputs } from './output.ts';
import { buildSummary, predictionLines } from './summary.ts';

export async function writeReports(
  outDir: string,
  run: RunResult,
  tables: readonly ReportTable[],
  seed: number,
  intervals?: { byBenchmark: ReadonlyMap<string, IntervalsByColumn | undefined>; resamples: number },
  provenance?: Provenance,
): Promise<string[]> {
  const files = new Map<string, OutputContent>();
  const summary = buildSummary(run, seed, intervals?.byBenchmark, intervals?.resamples, provenance);
  files.set(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  for (const table of tables) files.set(path.join(outDir, `${table.id}.csv`), renderCsv(table));
  files.set(
    path.join(outDir, 'report.md'),
    renderMarkdown(`${run.judge.id}: autorater-harness report`, tables, run, provenance),
  );
  files.set(path.join(outDir, 'predictions.jsonl'), predictionLines(run));
  return writeOutputs(files);
}
