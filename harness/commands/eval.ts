/**
 * `eval`: runs a judge over benchmarks, stores every judgment as it arrives, and prints the paper-style tables with
 * the baseline and published rows beside this run's (--out also writes them as files).
 */
import { namesGroup, selectBenchmarks } from '../../benchmarks/index.ts';
import type { SelectionFlags } from './flags.ts';
import { resolveDataDir } from '../../core/data-dir.ts';
import { UserError } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import type { JuryAggregate } from '../../judges/config.ts';
import { createJudge, unusedConfigNote } from '../../judges/index.ts';
import { noBatchApi } from '../../judges/config.ts';
import type { Judge } from '../../judges/judge.ts';
import { askingJudges, hasPrice } from '../../judges/jury.ts';
import { DEFAULT_RETRY_POLICY } from '../../protocol/limits.ts';
import { calibrationTables } from '../../reports/calibration.ts';
import { batchLines, countsText } from '../../reports/batch-lines.ts';
import { breakerLine, endpointLine, failureLines, runFailures } from '../../reports/failures.ts';
import { skippedByReason } from '../../reports/skipped.ts';
import { juryRunLines } from '../../reports/jury.ts';
import { reportTables } from '../../reports/report-tables.ts';
import { renderTerminal } from '../../reports/terminal.ts';
import { measureRows } from '../baselines.ts';
import { interruptMessage, interruptOnSignals } from '../interrupt.ts';
import { formatSpend } from '../progress.ts';
import { recordProvenance } from '../provenance.ts';
import { runJudge } from '../jury.ts';
import { prepareItems } from '../run.ts';
import { openStore } from '../store-guard.ts';

export interface EvalFlags extends SelectionFlags {
  concurrency?: number;
  maxCost?: number;
  resamples: number;
  juryAggregate?: JuryAggregate;
  printPrompt?: number;
  progress: boolean;
  /** Through the judge's batch API (also when its config says "batch": true). */
  batch: boolean;
  wait: boolean;
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

/** What the first Ctrl-C does to a batch run. */
const BATCH_INTERRUPT =
  'stopping: nothing more is submitted and the wait ends; the batches submitted stay with the provider, recorded in ' +
  'the store, and the next `eval --batch` collects them. Exit 130.';

/** --batch, or the judge config's "batch": true; --wait only with one of them; only for a judge with a batch API. */
function batchMode(flags: EvalFlags, judge: Judge): boolean {
  const batch = flags.batch || judge.batchByDefault === true;
  // A jury's members set to "batch": true go through their batch APIs (harness/jury.ts); --wait waits for them.
  const membersBatch = askingJudges(judge).some((m) => m !== judge && m.batchByDefault === true);
  if (flags.wait && !batch && !membersBatch) {
    throw new UserError(`--wait waits for provider batches: add --batch (or "batch": true to ${judge.id}'s config).`);
  }
  if (batch && !judge.batch) {
    const adapter = typeof judge.config.adapter === 'string' ? judge.config.adapter : undefined;
    const why = adapter ? noBatchApi({ name: adapter }) : 'only judges backed by a provider with a batch API can.';
    throw new UserError(
      `--batch: judge ${judge.id} cannot run in batches: ${why.replace(/^"batch" needs/, 'it needs')}`,
    );
  }
  return batch;
}

/** How often --wait checks on batches: $AUTORATER_BATCH_POLL_MS (milliseconds), else every minute. */
function batchPollMs(): number | undefined {
  const set = process.env.AUTORATER_BATCH_POLL_MS;
  if (set === undefined || set.trim() === '') return undefined;
  const ms = Number(set);
  if (!Number.isFinite(ms) || ms < 0) throw new UserError(`AUTORATER_BATCH_POLL_MS=${set}: give milliseconds (≥ 0).`);
  return ms;
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
    createJudge(judgeId, {
      dataDir,
      seed: flags.seed,
      configFile: flags.config,
      juryAggregate: flags.juryAggregate, // how a jury combines ratings
    }),
  );
  const unused = unusedConfigNote(flags.config, [flags.judge]);
  if (unused) process.stderr.write(`${unused}\n`);
  process.stderr.write(`${endpointLine(judge)}\n`);

  const batch = batchMode(flags, judge);
  const store = openStore(flags.store);
  const timeoutMs = judge.limits?.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs;
  const remote = askingJudges(judge).some((j) => j.endpoint !== undefined); // a jury's members ask
  const interrupt = interruptOnSignals(batch ? BATCH_INTERRUPT : interruptMessage(remote, timeoutMs), () =>
    store.flush(),
  );
  try {
    await provenance.load(benchmarks, judge);
    const run = await runJudge({
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
      // A group ("all", what a nightly job runs; "judgebench"): a member without data, or one the judge cannot
      // answer, is reported, not fatal. A benchmark named by its own id must run.
      skipUnavailable: namesGroup(flags.benchmark),
      batch,
      wait: flags.wait,
      batchPollMs: batchPollMs(),
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
      const orders = b.results.some((r) => r.swapped) ? ' (×2 orders)' : '';
      const usage =
        b.usage.inputTokens + b.usage.outputTokens > 0
          ? `; all its judgments: ${formatSpend(b.usage, hasPrice(judge))}`
          : '';
      process.stderr.write(`${b.benchmark.id}: ${b.results.length} items${orders}: ${countsText(b)}${usage}.\n`);
    }
    for (const line of juryRunLines(run)) process.stderr.write(`${line}\n`); // each member's own run
    for (const s of skippedByReason(run.skipped)) {
      process.stderr.write(`${s.ids.join(', ')}: skipped: ${s.reason.replace(/\n/g, '\n  ')}\n`);
    }
    for (const line of batchLines(run)) process.stderr.write(`${line}\n`);
    for (const line of failureLines(runFailures(run))) process.stderr.write(`${line}\n`);
    const broke = breakerLine(run);
    if (broke) process.stderr.write(`${broke}\n`);
    const spent =
      run.spend.inputTokens + run.spend.outputTokens > 0
        ? `; this run: ${formatSpend(run.spend, hasPrice(judge))}`
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
      // The per-item page (items.html) beside them, from the same records as predictions.jsonl.
      files.push(...(await (await import('./view.ts')).writeRunView(flags.out, run, flags)));
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
    if (run.status === 'pending') return EXIT_CODES.batchPending.code;
    // A group whose every member was skipped ran nothing: that is not a success a script should read as one.
    if (run.benchmarks.length === 0 && run.skipped.some((s) => s.why === 'no data')) return EXIT_CODES.data.code;
    if (run.benchmarks.length === 0) {
      process.stderr.write(`Nothing to run: ${judge.id} answers none of ${flags.benchmark}.\n`);
      return EXIT_CODES.usage.code;
    }
    return run.status === 'incomplete' ? EXIT_CODES.itemsFailed.code : EXIT_CODES.done.code;
  } finally {
    interrupt.dispose();
    store.close();
    await judge.close?.();
  }
}
