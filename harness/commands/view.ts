/**
 * `npm run view -- --judge <id> [eval's selection flags]`: the per-item HTML page of a judge's stored run, read from
 * the store without asking the judge anything, written to --out (default .autorater/view/<judge>/items.html); prints
 * the page's file:// URL. `eval --out` and `compare --out` write their pages themselves (writeRunView here, and
 * compare.html).
 */
import path from 'node:path';
import type { SelectionFlags } from './flags.ts';
import { pathToFileURL } from 'node:url';
import type { AnyBenchmark } from '../../benchmarks/benchmark.ts';
import { namesGroup, selectBenchmarks } from '../../benchmarks/index.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { MissingDataError, UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { createJudge, unusedConfigNote } from '../../judges/index.ts';
import { inapplicable, type Judge } from '../../judges/judge.ts';
import type { BenchmarkComparison } from '../compare.ts';
import { buildCompareView, buildRunView } from '../../reports/item-view-data.ts';
import { renderItemViewHtml } from '../../reports/item-view-html.ts';
import { writeOutputs, wroteLine } from '../../reports/output.ts';
import type { RunResult } from '../run.ts';
import { type StoredRun, type StoredRunOptions, storedRun } from '../stored-run.ts';
import { openStore } from '../store-guard.ts';

export type ViewFlags = SelectionFlags;

/** The page's file name in an output folder. */
export const ITEM_VIEW_FILE = 'items.html';

/** What shaped the items, for the line under the page's title. */
export function selectionNote(
  flags: { seed: number; sample?: number; limit?: number; swap?: boolean },
  run: Pick<RunResult, 'benchmarks'>,
): string {
  const items = run.benchmarks.reduce((n, b) => n + b.results.length, 0);
  const shaped = [
    `seed ${flags.seed}`,
    ...(flags.sample !== undefined ? [`--sample ${flags.sample}`] : []),
    ...(flags.limit !== undefined ? [`--limit ${flags.limit}`] : []),
    ...(flags.swap ? ['--swap (pairwise items asked in both orders)'] : []),
  ];
  const benchmarks = run.benchmarks.map((b) => b.benchmark.id).join(', ');
  return `${items.toLocaleString('en-US')} items of ${benchmarks}; ${shaped.join(', ')}.`;
}

/** Writes a run's page into `outDir`; returns the files written (eval --out and view). */
export async function writeRunView(
  outDir: string,
  run: Pick<RunResult, 'judge' | 'benchmarks' | 'replyText'>,
  flags: Pick<ViewFlags, 'seed' | 'sample' | 'limit' | 'swap'>,
): Promise<string[]> {
  const data = buildRunView(run, [selectionNote(flags, run)]);
  return writeOutputs(new Map([[path.join(outDir, ITEM_VIEW_FILE), renderItemViewHtml(data)]]));
}

/**
 * compare.html: the items the candidate and each baseline answered differently, under compare's tests (`notes`: the
 * lines the terminal prints under them).
 */
export async function comparePage(
  candidate: Judge,
  baselines: readonly Judge[],
  benchmarks: readonly AnyBenchmark[],
  selection: StoredRunOptions,
  comparisons: readonly BenchmarkComparison[],
  notes: readonly string[],
): Promise<string> {
  const runOf = (judge: Judge) =>
    storedRun(
      judge,
      benchmarks.filter((b) => !inapplicable(judge, b)),
      selection,
    );
  const ours = await runOf(candidate);
  const theirs: StoredRun[] = [];
  for (const baseline of baselines) theirs.push(await runOf(baseline));
  const shaped = selectionNote(selection, ours).replace(/^[\d,]+ items of /, 'Items of ');
  const data = buildCompareView(ours, theirs, comparisons, [shaped]);
  return renderItemViewHtml(data, { comparisons, testNotes: notes });
}

/** A file-safe folder name for a judge id ("replay:Org/Model" → "replay_Org_Model"). */
function folderName(judgeId: string): string {
  return judgeId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_') || 'judge';
}

/** The benchmarks to show: an explicitly named one must be there; "all" skips what is missing or not applicable. */
async function viewable(judge: Judge, spec: string, dataDir: string): Promise<AnyBenchmark[]> {
  const explicit = !namesGroup(spec);
  const out: AnyBenchmark[] = [];
  for (const b of selectBenchmarks(spec)) {
    const cannot = inapplicable(judge, b);
    if (cannot) {
      if (explicit) throw new UserError(cannot.error);
      continue;
    }
    try {
      await b.load(dataDir);
      out.push(b);
    } catch (error) {
      if (explicit || !(error instanceof MissingDataError)) throw error;
    }
  }
  return out;
}

/** Whether anything is stored for a benchmark (a jury's verdicts come from its members' rows, not its own). */
function hasAnswers(b: StoredRun['benchmarks'][number]): boolean {
  return b.judgments.some(Boolean) || b.results.some((r) => r.outcome.status !== 'error');
}

export async function viewCommand(flags: ViewFlags): Promise<number> {
  if (!flags.judge) throw new UserError('missing --judge <id>: the judge whose stored run to show.');
  const dataDir = resolveDataDir(flags.data);
  // Only stored answers are read: no API key is needed (the judge is never asked).
  const judge = await createJudge(flags.judge, { dataDir, seed: flags.seed, configFile: flags.config, readOnly: true });
  const unused = unusedConfigNote(flags.config, [flags.judge]);
  if (unused) process.stderr.write(`${unused}\n`);
  const store = openStore(flags.store);
  try {
    const benchmarks = await viewable(judge, flags.benchmark, dataDir);
    const selection = { dataDir, seed: flags.seed, store, sample: flags.sample, limit: flags.limit, swap: flags.swap };
    const all = await storedRun(judge, benchmarks, selection);
    const run = { ...all, benchmarks: all.benchmarks.filter(hasAnswers) };
    if (run.benchmarks.length === 0) {
      process.stderr.write(
        `Nothing stored for ${judge.id} on ${flags.benchmark} with these flags in ${flags.store}: run ` +
          `\`npm run eval -- --judge ${judge.id} --benchmark ${flags.benchmark}\` with the same ` +
          '--seed/--sample/--limit/--swap first.\n',
      );
      return EXIT_CODES.itemsFailed.code;
    }
    for (const b of all.benchmarks) {
      if (!run.benchmarks.includes(b)) process.stderr.write(`${b.benchmark.id}: nothing stored, left out.\n`);
    }
    const outDir = flags.out ?? path.join('.autorater', 'view', folderName(judge.id));
    const files = await writeRunView(outDir, run, flags);
    const missing = run.benchmarks.reduce(
      (n, b) => n + b.results.filter((r) => r.outcome.status === 'error').length,
      0,
    );
    if (missing > 0)
      process.stderr.write(`${missing} items have no answer (not judged, or failed): shown as errors.\n`);
    process.stderr.write(`${wroteLine(files)}\n`);
    process.stdout.write(`${pathToFileURL(path.resolve(files[0]!)).href}\n`);
    return EXIT_CODES.done.code;
  } finally {
    store.close();
    await judge.close?.();
  }
}
