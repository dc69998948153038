/**
 * The command table: every command's flags, help and exit codes, built the same way (./define.ts) from the shared
 * flags (./flags.ts). What a command does lives in its own module, loaded when it runs.
 */
import { Option } from 'commander';
import { ALSO_IN_ALL, BENCHMARKS, OTHER_BENCHMARKS, REGISTERED } from '../../benchmarks/index.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { JUDGE_FACTORIES, configuredJudges } from '../../judges/index.ts';
import { JURY_PREFIX } from '../../judges/jury.ts';
import type { CompareFlags } from './compare.ts';
import type { PullFlags } from './data.ts';
import type { CommandSpec } from './define.ts';
import type { EvalFlags } from './eval.ts';
import { DEFAULT_RESAMPLES } from '../../core/bootstrap.ts';
import { FLAGS, collect, integer, nonNegativeNumber, positiveNumber, probability } from './flags.ts';
import type { LeaderboardFlags } from './leaderboard.ts';
import type { ViewFlags } from './view.ts';

const JURY_USAGE = `${JURY_PREFIX}<id>,<id>,...`;

/** The judges and benchmarks there are, where data is read from, and examples: eval's --help after its flags. */
function registeredList(): string[] {
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
    JURY_USAGE,
    ...configured.map((c) => c.id),
    ...REGISTERED.map((b) => b.id),
  ];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    'Judges:',
    ...JUDGE_FACTORIES.map((f) => `  ${f.usage.padEnd(width)}${f.description}`),
    `  ${JURY_USAGE.padEnd(width)}a jury: each member runs and is stored as itself; majority vote (README, "Juries")`,
    '',
    'Judges backed by models (autorater.config.json; ' +
      'add your own with --config FILE or ./autorater.config.local.json):',
    ...configured.map((c) => `  ${c.id.padEnd(width)}${c.description}`),
    ...(configNote ? [configNote] : []),
    '',
    'Benchmarks of FLAMe Table 1 ("all" runs those whose data is present):',
    ...BENCHMARKS.map((b) => `  ${b.id.padEnd(width)}${b.description}`),
    '',
    'Also in "all" (--benchmark judgebench names both splits):',
    ...ALSO_IN_ALL.map((b) => `  ${b.id.padEnd(width)}${b.description}`),
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
    '  npm run eval -- --judge jury:longer-wins,shorter-wins,random --limit 50',
  ];
}

export const evalSpec: CommandSpec = {
  name: 'eval',
  description: 'Run a judge over benchmarks and print its scores beside the published ones.',
  options: [
    FLAGS.judge('judge to evaluate (see Judges below)'),
    FLAGS.benchmark(),
    FLAGS.data(),
    FLAGS.store('SQLite file holding every judgment, for caching and resuming'),
    FLAGS.out('also write summary.json, <benchmark>.csv, report.md, predictions.jsonl and items.html here'),
    FLAGS.seed('seed for A/B positions and the random judge'),
    new Option('--concurrency <n>', "requests in flight (default: the judge's own)").argParser(
      integer('--concurrency', 1),
    ),
    FLAGS.sample('N random items per task, the same for every judge (the paper: --sample 256)'),
    FLAGS.limit('only the first N items of each benchmark: a smoke test, not comparable'),
    FLAGS.swap('ask pairwise items in both orders; an item counts only if both agree (position-bias check)'),
    new Option('--max-cost <usd>', 'stop before this run could spend more than this many US dollars').argParser(
      positiveNumber('--max-cost'),
    ),
    new Option(
      '--batch',
      "through the provider's batch API (about half price, results within 24 h): submit what the store lacks, " +
        'collect batches that have ended; run it again later to collect the rest',
    ).default(false),
    new Option('--wait', 'with --batch: poll until every batch has ended, then report').default(false),
    FLAGS.resamples('bootstrap resamples for the 95% intervals (0: none)'),
    FLAGS.judgeConfig('your judge config (ids, models, URLs, limits, prices), over autorater.config.json'),
    FLAGS.juryAggregate(),
    new Option('--print-prompt <n>', 'print the exact prompt item N (0-based) is asked with, then exit').argParser(
      integer('--print-prompt', 0),
    ),
    FLAGS.progress('no progress bar (it is only drawn on a terminal anyway)'),
  ],
  help: registeredList,
  exitCodes: [
    'done',
    'internal',
    'usage',
    'data',
    'itemsFailed',
    'maxCost',
    'endpoint',
    'store',
    'batchPending',
    'interrupted',
  ],
  run: async (flags: EvalFlags) => (await import('./eval.ts')).evalCommand(flags),
};

export const compareSpec: CommandSpec = {
  name: 'compare',
  description:
    'Compare a judge with baselines on the items both judged: differences, paired intervals and tests, per category.',
  options: [
    FLAGS.judge('the candidate judge (e.g. a new checkpoint)'),
    new Option('--baseline <id>', 'a judge to compare against (repeat for several)').argParser(collect).default([]),
    FLAGS.benchmark(),
    FLAGS.data(),
    FLAGS.store('SQLite run store the judgments are read from'),
    FLAGS.out('also write compare.json, compare.md, compare.csv and compare.html (the items that differ) here'),
    FLAGS.seed('the seed the runs used (A/B positions, sampling); also seeds the resampling'),
    FLAGS.sample('the --sample the runs used'),
    FLAGS.limit('the --limit the runs used'),
    FLAGS.swap('the runs asked pairwise items in both orders'),
    FLAGS.resamples('paired bootstrap resamples for the intervals'),
    new Option('--permutations <n>', 'permutations for the paired permutation test')
      .argParser(integer('--permutations', 1))
      .default(DEFAULT_RESAMPLES),
    new Option('--alpha <p>', 'significance level after Holm correction')
      .argParser(probability('--alpha'))
      .default(0.05),
    new Option(
      '--fail-on-regression',
      `exit ${EXIT_CODES.regression.code} if the candidate is significantly worse than a baseline on any category`,
    ).default(false),
    new Option('--regression-threshold <points>', 'only count regressions larger than this many points')
      .argParser(nonNegativeNumber('--regression-threshold'))
      .default(0),
    new Option(
      '--run-missing',
      'ask the judges for items they have not judged yet (built-in baselines are always run: they are free); ' +
        "without it, a model judge's API key need not be set",
    ).default(false),
    FLAGS.judgeConfig('your judge config, over autorater.config.json'),
    FLAGS.juryAggregate(),
    FLAGS.progress(),
  ],
  help: () => [
    'Judgments are read from the store, so run `npm run eval` for each judge first (same --seed/--sample/--swap), ' +
      'or pass',
    '--run-missing. Only items both judges answered are compared. Each category gets the difference, its paired 95%',
    "bootstrap interval, McNemar's exact test (right/wrong outcomes) or a paired permutation test, and Holm's " +
      'correction',
    "across the benchmark's categories.",
    '',
    'Examples:',
    '  npm run compare -- --judge replay:Skywork/Skywork-Reward-Gemma-2-27B --baseline longer-wins --baseline random',
    '  npm run compare -- --judge flame-rm --baseline gpt-4-0125 --benchmark all --fail-on-regression ' +
      '--regression-threshold 1',
  ],
  exitCodes: [
    'done',
    'internal',
    'usage',
    'data',
    ['itemsFailed', 'a judge has nothing stored to compare'],
    'regression',
    'endpoint',
    'store',
  ],
  run: async (flags: CompareFlags) => (await import('./compare.ts')).compareCommand(flags),
};

export const viewSpec: CommandSpec = {
  name: 'view',
  description:
    "Write a judge's stored run as one HTML page of every item (filters, search, replies, prompts) and print its " +
    'file:// URL.',
  options: [
    FLAGS.judge('the judge whose stored judgments to show'),
    FLAGS.benchmark(),
    FLAGS.data(),
    FLAGS.store('SQLite run store the judgments are read from (nothing is asked)'),
    FLAGS.out('where items.html goes (default: .autorater/view/<judge>)'),
    FLAGS.seed('the --seed the run used (A/B positions, sampling)'),
    FLAGS.sample('the --sample the run used'),
    FLAGS.limit('the --limit the run used'),
    FLAGS.swap('the run asked pairwise items in both orders'),
    FLAGS.judgeConfig('your judge config, over autorater.config.json'),
  ],
  help: () => [
    'Takes the flags the eval took and reads what it stored: nothing is asked, items not judged show as errors (a',
    "model judge's API key need not be set: nothing is sent).",
    '`eval --out DIR` writes the same page as DIR/items.html, and `compare --out DIR` writes DIR/compare.html (the',
    "items two judges answered differently, as wins and losses, under compare's tests). The page is one file with",
    'no network needs: open it from disk in any browser. Texts over 20,000 characters are cut and marked.',
    '',
    'Examples:',
    '  npm run view -- --judge longer-wins',
    '  npm run view -- --judge gpt-4o --benchmark all --sample 256 --swap --out out/gpt-4o',
  ],
  exitCodes: [
    'done',
    'internal',
    'usage',
    'data',
    ['itemsFailed', 'nothing is stored for this judge and selection'],
    'store',
  ],
  run: async (flags: ViewFlags) => (await import('./view.ts')).viewCommand(flags),
};

export const leaderboardSpec: CommandSpec = {
  name: 'leaderboard',
  description:
    'Run what is missing for the judges in the leaderboard config, then write leaderboard/ ' +
    '(HTML, Markdown, CSV, JSON, history).',
  options: [
    new Option(
      '--leaderboard-config <file>',
      'the leaderboard config: judges, benchmarks, seed, sample, resamples',
    ).default('leaderboard.config.json'),
    FLAGS.judgeConfig('your judge config (ids, models, URLs), over autorater.config.json, as in eval'),
    // The old name of --config, refused with the new one (it is not listed in --help).
    new Option('--judge-config <file>').hideHelp(),
    FLAGS.data(),
    FLAGS.store('SQLite run store: stored judgments are reused, nothing is asked twice'),
    FLAGS.out('where index.html, leaderboard.{md,csv,json} and history/ go').default('leaderboard'),
    new Option('--date <yyyy-mm-dd>', 'the night to file this run under (default: today, UTC)'),
    FLAGS.progress(),
  ],
  help: () => [
    'Each night keeps history/<date>.json; index.html charts every judge over the kept nights. A rerun with nothing ' +
      'new',
    'asks nothing and rewrites the same bytes (the date aside).',
  ],
  exitCodes: [
    'done',
    'internal',
    'usage',
    ['data', 'bad config or data'],
    'itemsFailed',
    'endpoint',
    'store',
    'interrupted',
  ],
  footer: [
    '',
    'Nightly, e.g. cron: 0 2 * * *  cd /srv/autorater && AUTORATER_DATA=/srv/data npm run leaderboard -- ' +
      '--no-progress',
  ],
  run: async (flags: LeaderboardFlags) => (await import('./leaderboard.ts')).leaderboardCommand(flags),
};

export const pullSpec: CommandSpec = {
  name: 'pull',
  argument: [
    '<benchmark>',
    `one of: ${REGISTERED.filter((b) => b.downloads.length > 0)
      .map((b) => b.id)
      .join(', ')}, judgebench (both splits), or all`,
  ],
  description:
    "Download a benchmark's official files at a pinned revision, verify size and sha256, resume partial downloads.",
  options: [FLAGS.data('data folder to write into (default: $AUTORATER_DATA, else ./data)'), FLAGS.progress()],
  help: () => [
    '`all` fetches every benchmark listed above (a file two benchmarks share is fetched once).',
    'Hugging Face URLs honour $HF_ENDPOINT, GitHub ones $GITHUB_RAW_ENDPOINT; gated datasets read a token from',
    '$HF_TOKEN.',
  ],
  exitCodes: ['done', 'internal', 'usage', ['data', 'download failed or not the expected file']],
  run: async (name: string, flags: PullFlags) => (await import('./data.ts')).pullCommand(name, flags),
};
