#!/usr/bin/env node
/**
 * autorater: `eval` runs a judge over benchmarks and prints the paper-style tables; `data pull` fetches
 * benchmark files. npm scripts: `npm run eval -- <flags>`, `npm run data -- pull <benchmark>`.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BENCHMARKS, OTHER_BENCHMARKS, getBenchmark, selectBenchmarks } from '../benchmarks/index.ts';
import { JUDGE_FACTORIES, configuredJudges, createJudge } from '../judges/index.ts';
import { calibrationTables } from '../reports/calibration.ts';
import { breakerLine, endpointLine, failureLines, runFailures } from '../reports/failures.ts';
import { renderTerminal } from '../reports/terminal.ts';
import { DEFAULT_RESAMPLES } from './bootstrap.ts';
// compare, leaderboard, report files and downloads are imported when used: every command pays for what it loads.
import type { CompareFlags } from './compare-command.ts';
import type { LeaderboardFlags } from './leaderboard-command.ts';
import { resolveDataDir } from './data-dir.ts';
import { UserError } from './errors.ts';
import { EXIT_CODES, exitCodesHelp } from './exit-codes.ts';
import { interruptMessage, interruptOnSignals } from './interrupt.ts';
import { formatSpend } from './progress.ts';
import { reportTables } from './report-tables.ts';
import { DEFAULT_RETRY_POLICY } from './retry.ts';
import { prepareItems, runEval } from './run.ts';
import { openStore, storeFailure } from './store-guard.ts';

export const DEFAULT_STORE = '.autorater/runs.sqlite';

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function probability(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n >= 1)
      throw new InvalidArgumentError(`${name} must be a number between 0 and 1.`);
    return n;
  };
}

function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0.`);
    return n;
  };
}

function registeredList(): string {
  let configured: { id: string; description: string }[];
  let configNote = '';
  try {
    configured = configuredJudges({ userFile: process.env.AUTORATER_CONFIG });
  } catch (error) {
    configured = [];
    configNote = `  (judge config unreadable: ${(error as Error).message})`;
  }
  const names = [
    ...JUDGE_FACTORIES.map((f) => f.usage),
    ...configured.map((c) => c.id),
    ...BENCHMARKS.map((b) => b.id),
    ...OTHER_BENCHMARKS.map((b) => b.id),
  ];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    '',
    'Judges:',
    ...JUDGE_FACTORIES.map((f) => `  ${f.usage.padEnd(width)}${f.description}`),
    '',
    'Judges backed by models (autorater.config.json; add your own with --config FILE or ./autorater.config.local.json):',
    ...configured.map((c) => `  ${c.id.padEnd(width)}${c.description}`),
    ...(configNote ? [configNote] : []),
    '',
    'Benchmarks of FLAMe Table 1 ("all" runs those whose data is present):',
    ...BENCHMARKS.map((b) => `  ${b.id.padEnd(width)}${b.description}`),
    '',
    'More benchmarks (run when named):',
    ...OTHER_BENCHMARKS.map((b) => `  ${b.id.padEnd(width)}${b.description}`),
    '',
    'Data is read from --data, else $AUTORATER_DATA, else ./data (in this workplace: AUTORATER_DATA=../shared/data).',
    'Every judgment is stored as it completes; rerunning the same command asks the judge only for what is missing.',
    '',
    'Examples:',
    '  npm run eval -- --judge longer-wins',
    '  npm run eval -- --judge replay:Skywork/Skywork-Reward-Gemma-2-27B --out out/skywork',
    '  npm run eval -- --print-prompt 0',
    '',
    exitCodesHelp(['done', 'internal', 'usage', 'data', 'itemsFailed', 'maxCost', 'endpoint', 'store', 'interrupted']),
  ].join('\n');
}

interface EvalFlags {
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

async function evalCommand(flags: EvalFlags): Promise<number> {
  if (flags.printPrompt !== undefined) {
    await printPrompt(flags, flags.printPrompt);
    return EXIT_CODES.done.code;
  }
  if (!flags.judge) throw new UserError('missing --judge <id>. See npm run eval -- --help for the registered judges.');
  const benchmarks = selectBenchmarks(flags.benchmark);
  const dataDir = resolveDataDir(flags.data);
  const judge = await createJudge(flags.judge, { dataDir, seed: flags.seed, configFile: flags.config });
  process.stderr.write(`${endpointLine(judge)}\n`);

  const store = openStore(flags.store);
  const timeoutMs = judge.limits?.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs;
  const interrupt = interruptOnSignals(interruptMessage(judge.endpoint !== undefined, timeoutMs), () => store.flush());
  try {
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
    const { tables, intervals } = await reportTables(run, {
      dataDir,
      seed: flags.seed,
      sample: flags.sample,
      limit: flags.limit,
      swap: flags.swap,
      resamples: flags.resamples,
      cache: store,
    });
    // Ctrl-C/SIGTERM after every item was judged (intervals and published rows can take a while): the judgments are
    // stored, and the command ends as announced rather than printing a report nobody is waiting for.
    if (interrupt.signal.aborted && run.status !== 'interrupted') {
      process.stderr.write(
        'Interrupted before the report: every judgment is stored; run the same command again to print it.\n',
      );
      return EXIT_CODES.interrupted.code;
    }
    for (const b of run.benchmarks) tables.push(...calibrationTables(b)); // only when the judge gave verdict probabilities
    for (const table of tables) process.stdout.write(renderTerminal(table) + '\n');
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
      const { writeReports } = await import('../reports/write.ts');
      const files = await writeReports(flags.out, run, tables, flags.seed, {
        byBenchmark: intervals,
        resamples: flags.resamples,
      });
      process.stderr.write(`Wrote ${files.join(', ')}\n`);
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

async function pullCommand(name: string, flags: { data?: string; progress: boolean }): Promise<number> {
  const benchmark = getBenchmark(name);
  if (benchmark.downloads.length === 0) throw new UserError(`${name} has nothing to download.`);
  const dataDir = resolveDataDir(flags.data);
  for (const spec of benchmark.downloads) {
    const { download, downloadUrl } = await import('./download.ts');
    process.stderr.write(`${spec.description}\n  from ${downloadUrl(spec)}\n`);
    const result = await download(spec, dataDir, { progress: flags.progress });
    const resumed = result.resumedFrom > 0 ? ` (resumed at byte ${result.resumedFrom})` : '';
    const check = result.verified
      ? 'size and sha256 verified'
      : `not verified: no published checksum; sha256 ${result.sha256}`;
    process.stderr.write(`  ${result.status}${resumed}: ${result.path} (${check})\n`);
  }
  return EXIT_CODES.done.code;
}

export function buildProgram(): Command {
  const program = new Command('autorater')
    .description("Measure how good LLM judges (autoraters) are, on the FLAMe paper's benchmarks.")
    .showHelpAfterError('(add --help for usage)')
    // Set before any .command(): subcommands inherit both. Commander then throws its usage errors (and --help) to
    // main() instead of exiting with its own code 1, so they end with the table's 2 (help: 0).
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'autorater: ')) });

  program
    .command('eval')
    .description('Run a judge over benchmarks and print its scores beside the published ones.')
    .option('-j, --judge <id>', 'judge to evaluate (see Judges below)')
    .option('-b, --benchmark <ids>', 'benchmark id, several comma-separated, or "all"', 'rewardbench')
    .option('--data <dir>', 'data folder (default: $AUTORATER_DATA, else ./data)')
    .option('--store <file>', 'SQLite file holding every judgment, for caching and resuming', DEFAULT_STORE)
    .option('--out <dir>', 'also write summary.json, <benchmark>.csv, report.md and predictions.jsonl here')
    .addOption(
      new Option('--seed <n>', 'seed for A/B positions and the random judge')
        .argParser(integer('--seed', 0))
        .default(0),
    )
    .addOption(
      new Option('--concurrency <n>', "requests in flight (default: the judge's own)").argParser(
        integer('--concurrency', 1),
      ),
    )
    .addOption(
      new Option(
        '--sample <n>',
        'N random items per task, the same for every judge (the paper: --sample 256)',
      ).argParser(integer('--sample', 1)),
    )
    .addOption(
      new Option('--limit <n>', 'only the first N items of each benchmark: a smoke test, not comparable').argParser(
        integer('--limit', 1),
      ),
    )
    .option(
      '--swap',
      'ask pairwise items in both orders; an item counts only if both agree (position-bias check)',
      false,
    )
    .addOption(
      new Option('--max-cost <usd>', 'stop before this run could spend more than this many US dollars').argParser(
        positiveNumber('--max-cost'),
      ),
    )
    .addOption(
      new Option('--resamples <n>', 'bootstrap resamples for the 95% intervals (0: none)')
        .argParser(integer('--resamples', 0))
        .default(DEFAULT_RESAMPLES),
    )
    .option(
      '--config <file>',
      'your judge config (ids, models, URLs, limits, prices), over autorater.config.json',
      process.env.AUTORATER_CONFIG,
    )
    .addOption(
      new Option('--print-prompt <n>', 'print the exact prompt item N (0-based) is asked with, then exit').argParser(
        integer('--print-prompt', 0),
      ),
    )
    .option('--no-progress', 'no progress bar (it is only drawn on a terminal anyway)')
    .addHelpText('after', registeredList())
    .action(async (flags: EvalFlags) => {
      process.exitCode = await evalCommand(flags);
    });

  program
    .command('compare')
    .description(
      'Compare a judge with baselines on the items both judged: differences, paired intervals and tests, per category.',
    )
    .option('-j, --judge <id>', 'the candidate judge (e.g. a new checkpoint)')
    .addOption(
      new Option('--baseline <id>', 'a judge to compare against (repeat for several)').argParser(collect).default([]),
    )
    .option('-b, --benchmark <ids>', 'benchmark id, several comma-separated, or "all"', 'rewardbench')
    .option('--data <dir>', 'data folder (default: $AUTORATER_DATA, else ./data)')
    .option('--store <file>', 'SQLite run store the judgments are read from', DEFAULT_STORE)
    .option('--out <dir>', 'also write compare.json, compare.md and compare.csv here')
    .addOption(
      new Option('--seed <n>', 'the seed the runs used (A/B positions, sampling); also seeds the resampling')
        .argParser(integer('--seed', 0))
        .default(0),
    )
    .addOption(new Option('--sample <n>', 'the --sample the runs used').argParser(integer('--sample', 1)))
    .addOption(new Option('--limit <n>', 'the --limit the runs used').argParser(integer('--limit', 1)))
    .option('--swap', 'the runs asked pairwise items in both orders', false)
    .addOption(
      new Option('--resamples <n>', 'paired bootstrap resamples for the intervals')
        .argParser(integer('--resamples', 0))
        .default(DEFAULT_RESAMPLES),
    )
    .addOption(
      new Option('--permutations <n>', 'permutations for the paired permutation test')
        .argParser(integer('--permutations', 1))
        .default(DEFAULT_RESAMPLES),
    )
    .addOption(
      new Option('--alpha <p>', 'significance level after Holm correction')
        .argParser(probability('--alpha'))
        .default(0.05),
    )
    .option(
      '--fail-on-regression',
      `exit ${EXIT_CODES.regression.code} if the candidate is significantly worse than a baseline on any category`,
      false,
    )
    .addOption(
      new Option('--regression-threshold <points>', 'only count regressions larger than this many points')
        .argParser(nonNegativeNumber('--regression-threshold'))
        .default(0),
    )
    .option(
      '--run-missing',
      'ask the judges for items they have not judged yet (built-in baselines are always run: they are free)',
      false,
    )
    .option('--config <file>', 'your judge config, over autorater.config.json', process.env.AUTORATER_CONFIG)
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      [
        '',
        'Judgments are read from the store, so run `npm run eval` for each judge first (same --seed/--sample/--swap), or pass',
        '--run-missing. Only items both judges answered are compared. Each category gets the difference, its paired 95%',
        "bootstrap interval, McNemar's exact test (right/wrong outcomes) or a paired permutation test, and Holm's correction",
        "across the benchmark's categories.",
        '',
        'Examples:',
        '  npm run compare -- --judge replay:Skywork/Skywork-Reward-Gemma-2-27B --baseline longer-wins --baseline random',
        `  npm run compare -- --judge my-ckpt --baseline gpt-4 --benchmark all --fail-on-regression --regression-threshold 1`,
        '',
        exitCodesHelp([
          'done',
          'internal',
          'usage',
          'data',
          ['itemsFailed', 'a judge has nothing stored to compare'],
          'regression',
          'endpoint',
          'store',
        ]),
      ].join('\n'),
    )
    .action(async (flags: CompareFlags) => {
      const { compareCommand } = await import('./compare-command.ts');
      process.exitCode = await compareCommand(flags);
    });

  program
    .command('leaderboard')
    .description(
      'Run what is missing for the judges in the leaderboard config, then write leaderboard/ (HTML, Markdown, CSV, JSON, history).',
    )
    .option(
      '--config <file>',
      'leaderboard config: judges, benchmarks, seed, sample, resamples',
      'leaderboard.config.json',
    )
    .option(
      '--judge-config <file>',
      'your judge config (ids, models, URLs), over autorater.config.json',
      process.env.AUTORATER_CONFIG,
    )
    .option('--data <dir>', 'data folder (default: $AUTORATER_DATA, else ./data)')
    .option('--store <file>', 'SQLite run store: stored judgments are reused, nothing is asked twice', DEFAULT_STORE)
    .option('--out <dir>', 'where index.html, leaderboard.{md,csv,json} and history/ go', 'leaderboard')
    .option('--date <yyyy-mm-dd>', 'the night to file this run under (default: today, UTC)')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      [
        '',
        'Each night keeps history/<date>.json; index.html charts every judge over the kept nights. A rerun with nothing new',
        'asks nothing and rewrites the same bytes (the date aside).',
        '',
        exitCodesHelp([
          'done',
          'internal',
          'usage',
          ['data', 'bad config or data'],
          'itemsFailed',
          'endpoint',
          'store',
          'interrupted',
        ]),
        '',
        'Nightly, e.g. cron: 0 2 * * *  cd /srv/autorater && AUTORATER_DATA=/srv/data npm run leaderboard -- --no-progress',
      ].join('\n'),
    )
    .action(async (flags: LeaderboardFlags) => {
      const { leaderboardCommand } = await import('./leaderboard-command.ts');
      process.exitCode = await leaderboardCommand(flags);
    });

  const data = program.command('data').description('Fetch benchmark data into the data folder.');
  data
    .command('pull')
    .description(
      "Download a benchmark's official files at a pinned revision, verify size and sha256, resume partial downloads.",
    )
    .argument(
      '<benchmark>',
      `one of: ${BENCHMARKS.filter((b) => b.downloads.length > 0)
        .map((b) => b.id)
        .join(', ')}`,
    )
    .option('--data <dir>', 'data folder to write into (default: $AUTORATER_DATA, else ./data)')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      [
        '',
        'Hugging Face URLs honour $HF_ENDPOINT, GitHub ones $GITHUB_RAW_ENDPOINT; gated datasets read a token from',
        '$HF_TOKEN.',
        '',
        exitCodesHelp(['done', 'internal', 'usage', ['data', 'download failed or not the expected file']]),
      ].join('\n'),
    )
    .action(async (name: string, flags: { data?: string; progress: boolean }) => {
      process.exitCode = await pullCommand(name, flags);
    });

  return program;
}

/** Says what ended a command (one line, unless it is a bug) and gives its exit code. */
function failed(error: unknown): number {
  // Commander has printed its message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.done.code : EXIT_CODES.usage.code;
  const failure = storeFailure(error) ?? error; // a SQLite error is the store's: named, with what to do
  if (failure instanceof UserError) {
    process.stderr.write(`autorater: ${failure.message}\n`);
    return failure.exitCode;
  }
  const trace = failure instanceof Error ? (failure.stack ?? failure.message) : String(failure);
  process.stderr.write(`autorater: unexpected error: ${trace}\n`);
  return EXIT_CODES.internal.code;
}

export async function main(argv: string[]): Promise<void> {
  // An error thrown outside the command's promise chain (a timer, an unawaited promise) ends the process the same way,
  // not with Node's own trace and code 1; the store's committed transactions are safe without closing it.
  process.on('uncaughtException', (error) => process.exit(failed(error)));
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = failed(error);
  }
}

await main(process.argv);
