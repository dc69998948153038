/**
 * `eval`: runs a judge over benchmarks, stores every judgment as it arrives, and prints the paper-style tables with
 * the baseline and published rows beside this run's (--out also writes them as files).
 */
import { selectBenchmarks } from '../../benchmarks/index.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { createJudge, unusedConfigNote } from '../../judges/index.ts';
import { DEFAULT_RETRY_POLICY } from '../../protocol/limits.ts';
import { calibrationTables } from '../../reports/calibration.ts';
import { breakerLine, endpointLine, failureLines, runFailures } from '../../reports/failures.ts';
import { reportTables } from '../../reports/report-tables.ts';
import { renderTerminal } from '../../reports/terminal.ts';
import { measureRows } from '../baselines.ts';
import { interruptMessage, interruptOnSignals } from '../interrupt.ts';
import { formatSpend } from '../progress.ts';
import { recordProvenance } from '../provenance.ts';
import { prepareItems, runEval } from '../run.ts';
import { openStore } from '../store-guard.ts';

export interface EvalFlags {
  judge?: string;
  benchmark: string;
  data?: string;
  store: string;
  out?: string;
  seed: number;
  concurrency?: number;
  sample?: number;
  limit?: number;
  swap: boolean;
  maxCost?: number;
  resamples: number;
  config?: string;
  printPrompt?: number;
  progress: boolean;
}

async function printPrompt(flags: EvalFlags, index: number): Promise<void> {
  const benchmarks = selectBenchmarks(flags.benchmark);
  if (benchmarks.length !== 1) throw new UserError('--print-prompt needs exactly one --benchmark.');
  const benchmark = benchmarks[0]!;
  const dataDir = resolveDataDir(flags.data);
  const entries = await prepareItems(benchmark, dataDir, flags.seed);
  const entry = entries[index];
  if (!entry) throw new UserError(`--print-prompt ${index}: ${benchmark.id} has items 0..${entries.length - 1}.`);
  process.stderr.write(
    `# ${benchmark.id} item ${index} (${entry.item.id}), seed ${flags.seed}, prompt sha256 ${entry.promptHash}\n`,
  );
  process.stdout.write(entry.prompt);
}

export async function evalCommand(flags: EvalFlags): Promise<number> {
  if (flags.printPrompt !== undefined) {
    await printPrompt(flags, flags.printPrompt);
    return EXIT_CODES.done.code;
  }
  if (!flags.judge) throw new UserError('missing --judge <id>. See npm run eval -- --help for the registered judges.');
  const benchmarks = selectBenchmarks(flags.benchmark);
  const dataDir = resolveDataDir(flags.data);
  const judgeId = flags.judge;
  const provenance = recordProvenance('eval', flags, dataDir); // with --out: what summary.json needs to reproduce it
  const judge = await provenance.judge(() =>
    createJudge(judgeId, { dataDir, seed: flags.seed, configFile: flags.config }),
  );
  const unused = unusedConfigNote(flags.config, [flags.judge]);
  if (unused) process.stderr.write(`${unused}\n`);
  process.stderr.write(`${endpointLine(judge)}\n`);

  const store = openStore(flags.store);
  const timeoutMs = judge.limits?.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs;
  const interrupt = interruptOnSignals(interruptMessage(judge.endpoint !== undefined, timeoutMs), () => store.flush());
  try {
    await provenance.load(benchmarks, judge);
    const run = await runEval({
      judge,
      benchmarks,
      dataDir,
      seed: flags.seed,
      store,
      concurrency: flags.concurrency,
      sample: flags.sample,
      limit: flags.limit,
      swap: flags.swap,
      maxCostUsd: flags.maxCost,
      progress: flags.progress,
      signal: interrupt.signal,
      args: { judge: flags.judge, benchmark: flags.benchmark },
      // "all" is what a nightly job runs: a benchmark without data, or of a task kind the judge does not answer, is
      // reported, not fatal. A benchmark named explicitly must run.
      skipUnavailable: flags.benchmark.trim() === 'all',
    });
    const { seed, sample, limit, swap, resamples } = flags;
    const measured = await measureRows(run, { dataDir, seed, sample, limit, swap, resamples, cache: store });
    const tables = await reportTables(run, measured, dataDir);
    const intervals = new Map([...measured].map(([id, rows]) => [id, rows.run.intervals]));
    // Ctrl-C/SIGTERM after every item was judged (intervals and published rows can take a while): the judgments are
    // stored, and the command ends as announced rather than printing a report nobody is waiting for.
    if (interrupt.signal.aborted && run.status !== 'interrupted') {
      process.stderr.write(
        'Interrupted before the report: every judgment is stored; run the same command again to print it.\n',
      );
      return EXIT_CODES.interrupted.code;
    }
    // only when the judge gave verdict probabilities
    for (const b of run.benchmarks) tables.push(...calibrationTables(b));
    const columns = process.stdout.isTTY ? process.stdout.columns : undefined; // no limit when piped
    for (const table of tables) process.stdout.write(renderTerminal(table, { columns }) + '\n');
    for (const b of run.benchmarks) {
      const orders = flags.swap && b.benchmark.taskKind === 'pairwise' && !b.benchmark.ownOrders ? ' (×2 orders)' : '';
      const usage =
        b.usage.inputTokens + b.usage.outputTokens > 0
          ? `; all its judgments: ${formatSpend(b.usage, judge.price !== undefined)}`
          : '';
      process.stderr.write(
        `${b.benchmark.id}: ${b.results.length} items${orders}: ${b.asked} asked, ${b.cached} from the store, ` +
          `${b.summary.errors} errors, ${b.summary.invalid} invalid${usage}.\n`,
      );
    }
    for (const s of run.skipped) {
      process.stderr.write(`${s.benchmark.id}: skipped: ${s.reason.replace(/\n/g, '\n  ')}\n`);
    }
    for (const line of failureLines(runFailures(run))) process.stderr.write(`${line}\n`);
    const broke = breakerLine(run);
    if (broke) process.stderr.write(`${broke}\n`);
    const spent =
      run.spend.inputTokens + run.spend.outputTokens > 0
        ? `; this run: ${formatSpend(run.spend, judge.price !== undefined)}`
        : '';
    process.stderr.write(
      `Run #${run.runId} (${run.status}) stored in ${flags.store}, ${(run.durationMs / 1000).toFixed(1)}s${spent}.\n`,
    );
    if (flags.out) {
      const { writeReports } = await import('../../reports/write.ts');
      const { wroteLine } = await import('../../reports/output.ts');
      const files = await writeReports(
        flags.out,
        run,
        tables,
        flags.seed,
        { byBenchmark: intervals, resamples: flags.resamples },
        await provenance.finish(run, store),
      );
      process.stderr.write(`${wroteLine(files)}\n`);
    }
    if (run.status === 'interrupted') {
      process.stderr.write('Interrupted: run the same command again to continue where it stopped.\n');
      return EXIT_CODES.interrupted.code;
    }
    if (run.status === 'stopped') {
      process.stderr.write(
        `Stopped before spending more than $${flags.maxCost}: raise --max-cost and rerun to continue.\n`,
      );
      return EXIT_CODES.maxCost.code;
    }
    return run.status === 'incomplete' ? EXIT_CODES.itemsFailed.code : EXIT_CODES.done.code;
  } finally {
    interrupt.dispose();
    store.close();
    await judge.close?.();
  }
}
