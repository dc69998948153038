/**
 * `npm run compare -- --judge <candidate> --baseline <id> ...`: reads both judges' stored judgments (asking only the
 * free built-in baselines, or anyone with --run-missing), compares them on the items both judged, prints the
 * tables, and with --fail-on-regression exits 6 when the candidate is significantly worse somewhere: a CI gate.
 */
import path from 'node:path';
import type { SelectionFlags } from './flags.ts';
import type { AnyBenchmark } from '../../benchmarks/benchmark.ts';
import { namesGroup, selectBenchmarks } from '../../benchmarks/index.ts';
import { createJudge, unusedConfigNote } from '../../judges/index.ts';
import { inapplicable, type Judge } from '../../judges/judge.ts';
import { askingJudges } from '../../judges/jury.ts';
import type { JuryAggregate } from '../../judges/config.ts';
import {
  COMPARE_NOTES,
  compareVerdict,
  renderComparisonCsv,
  renderComparisonMarkdown,
  renderComparisonTerminal,
} from '../../reports/compare.ts';
import { BASELINES } from '../baselines.ts';
import { compareJudges, regressions } from '../compare.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { MissingDataError, REGRESSION_EXIT_CODE, UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { runJudge } from '../jury.ts';
import { endpointLine } from '../../reports/failures.ts';
import { writeOutputs, wroteLine } from '../../reports/output.ts';
import type { Store } from '../store.ts';
import { openStore } from '../store-guard.ts';

export { REGRESSION_EXIT_CODE };

export interface CompareFlags extends SelectionFlags {
  baseline: string[];
  resamples: number;
  permutations: number;
  alpha: number;
  failOnRegression: boolean;
  regressionThreshold: number;
  runMissing: boolean;
  juryAggregate?: JuryAggregate;
  progress: boolean;
}

/** Built-in baselines answer instantly and for free: compare runs them itself rather than asking the user to. */
const FREE_JUDGES = new Set(Object.values(BASELINES).flat());

/** Benchmarks whose data is present (for "all"); a benchmark named explicitly must have its data. */
async function available(benchmarks: AnyBenchmark[], dataDir: string, explicit: boolean): Promise<AnyBenchmark[]> {
  const out: AnyBenchmark[] = [];
  for (const b of benchmarks) {
    if (!b.metrics) continue;
    try {
      await b.load(dataDir);
      out.push(b);
    } catch (error) {
      if (explicit || !(error instanceof MissingDataError)) throw error;
      process.stderr.write(`${b.id}: skipped, data not found.\n`);
    }
  }
  return out;
}

/** What the compared runs used: the same items, positions and orders for every judge. */
interface Selection {
  dataDir: string;
  seed: number;
  store: Store;
  sample?: number;
  limit?: number;
  swap: boolean;
}

async function ensureJudged(
  judge: Judge,
  benchmarks: AnyBenchmark[],
  flags: CompareFlags,
  selection: Selection,
): Promise<void> {
  const free = askingJudges(judge).every((j) => FREE_JUDGES.has(j.id)); // a jury of baselines is free too
  if (!flags.runMissing && !free) return;
  const applicable = benchmarks.filter((b) => !inapplicable(judge, b));
  if (applicable.length === 0) return;
  if (askingJudges(judge).some((j) => j.endpoint)) process.stderr.write(`${endpointLine(judge)}\n`); // say where
  await runJudge({
    judge,
    benchmarks: applicable,
    ...selection,
    progress: flags.progress && !free,
    args: { command: 'compare', judge: judge.id },
  });
}

export async function compareCommand(flags: CompareFlags): Promise<number> {
  if (!flags.judge) throw new UserError('missing --judge <candidate>. See npm run compare -- --help.');
  if (flags.baseline.length === 0)
    throw new UserError('missing --baseline <id>: name at least one judge to compare against.');
  const dataDir = resolveDataDir(flags.data);
  const explicit = !namesGroup(flags.benchmark);
  const benchmarks = await available(selectBenchmarks(flags.benchmark), dataDir, explicit);
  const context = {
    dataDir,
    seed: flags.seed,
    configFile: flags.config,
    juryAggregate: flags.juryAggregate,
    // Model judges are asked only with --run-missing; otherwise their stored answers are read, with no key needed.
    readOnly: !flags.runMissing,
  };
  const candidate = await createJudge(flags.judge, context);
  const unused = unusedConfigNote(flags.config, [flags.judge, ...flags.baseline]);
  if (unused) process.stderr.write(`${unused}\n`);
  const baselines = await Promise.all(flags.baseline.map((id) => createJudge(id, context)));
  const store = openStore(flags.store);
  try {
    const selection = { dataDir, seed: flags.seed, store, sample: flags.sample, limit: flags.limit, swap: flags.swap };
    for (const judge of [candidate, ...baselines]) await ensureJudged(judge, benchmarks, flags, selection);
    const comparable = benchmarks.filter((b) => !inapplicable(candidate, b));
    const comparisons = await compareJudges(
      candidate,
      baselines.filter((b) => comparable.some((bm) => !inapplicable(b, bm))),
      comparable,
      {
        ...selection,
        resamples: flags.resamples,
        permutations: flags.permutations,
        alpha: flags.alpha,
      },
    );
    const columns = process.stdout.isTTY ? process.stdout.columns : undefined; // no limit when piped
    for (const c of comparisons) process.stdout.write(renderComparisonTerminal(c, undefined, columns) + '\n');
    const notes = [
      ...COMPARE_NOTES,
      `alpha = ${flags.alpha}; ${flags.resamples} bootstrap resamples, ` +
        `${flags.permutations} permutations, seed ${flags.seed}.`,
    ];
    process.stdout.write(notes.map((n) => `  ${n}`).join('\n') + '\n');

    const missing = comparisons.filter((c) => c.compared === 0);
    for (const c of missing) {
      const who = c.candidateAnswered === 0 ? c.candidate : c.baseline;
      process.stderr.write(
        `${c.benchmark}: ${who} has no stored judgments on these items: ` +
          `run \`npm run eval -- --judge ${who} --benchmark ${c.benchmark}\` ` +
          'with the same --seed/--sample/--swap first, or pass --run-missing.\n',
      );
    }
    const worse = regressions(comparisons, flags.regressionThreshold);
    const exitCode =
      flags.failOnRegression && worse.length > 0
        ? REGRESSION_EXIT_CODE
        : missing.length > 0
          ? EXIT_CODES.itemsFailed.code
          : EXIT_CODES.done.code;
    if (flags.out) {
      const { alpha, regressionThreshold: threshold, failOnRegression } = flags;
      const verdict = compareVerdict(worse, { threshold, alpha, failOnRegression, exitCode });
      const files = {
        'compare.json':
          JSON.stringify(
            {
              alpha: flags.alpha,
              seed: flags.seed,
              resamples: flags.resamples,
              permutations: flags.permutations,
              comparisons,
              verdict,
            },
            null,
            2,
          ) + '\n',
        'compare.md': renderComparisonMarkdown(comparisons, flags.alpha, verdict),
        'compare.csv': renderComparisonCsv(comparisons),
        // The items the judges answered differently, as wins and losses, under the same tests.
        'compare.html': await (await import('./view.ts')).comparePage(
          candidate,
          baselines,
          comparable,
          selection,
          comparisons,
          notes,
        ),
      };
      const out = flags.out;
      const written = await writeOutputs(
        new Map(Object.entries(files).map(([name, text]) => [path.join(out, name), text])),
      );
      process.stderr.write(`${wroteLine(written)}\n`);
    }

    for (const { comparison, category } of worse) {
      process.stderr.write(
        `Regression: ${comparison.candidate} is worse than ${comparison.baseline} ` +
          `on ${comparison.benchmark} ${category.category} ` +
          `by ${(-category.difference!).toFixed(1)} points (p Holm ${category.pHolm!.toPrecision(2)}).\n`,
      );
    }
    return exitCode;
  } finally {
    store.close();
    await candidate.close?.();
    for (const b of baselines) await b.close?.();
  }
}
