/** `--out DIR`: summary.json, one CSV per table, report.md with every table, predictions.jsonl. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IntervalsByColumn } from '../benchmarks/benchmark.ts';
import type { RunResult } from '../harness/run.ts';
import { renderCsv } from './csv.ts';
import { renderMarkdown } from './markdown.ts';
import { buildSummary, predictionLines } from './summary.ts';
import type { ReportTable } from './table.ts';

export async function writeReports(
  outDir: string,
  run: RunResult,
  tables: readonly ReportTable[],
  seed: number,
  intervals?: { byBenchmark: ReadonlyMap<string, IntervalsByColumn | undefined>; resamples: number },
): Promise<string[]> {
  await fs.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, content: string): Promise<void> => {
    const file = path.join(outDir, name);
    await fs.writeFile(file, content);
    written.push(file);
  };
  await write(
    'summary.json',
    JSON.stringify(buildSummary(run, seed, intervals?.byBenchmark, intervals?.resamples), null, 2) + '\n',
  );
  for (const table of tables) await write(`${table.id}.csv`, renderCsv(table));
  await write('report.md', renderMarkdown(`${run.judge.id}: autorater-harness report`, tables, run));

  const predictionsFile = path.join(outDir, 'predictions.jsonl');
  const stream = createWriteStream(predictionsFile);
  for (const line of predictionLines(run)) {
    if (!stream.write(line + '\n')) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  written.push(predictionsFile);
  return written;
}
