/**
 * `npm run bench`: what the harness itself costs when the judge is a network endpoint, side by side in one run.
 *
 *  1. Overhead against the floor: all of RewardBench (2,985 prompts) through the real CLI against a loopback
 *     OpenAI-compatible server that answers instantly (or after a fixed delay modelling a real endpoint), next to
 *     the floor (bench/floor.mjs: the same prompts through the same SDK at the same concurrency, nothing else) and
 *     a peer, promptfoo (installed apart in bench/promptfoo/), at each concurrency.
 *  2. Cached rerun: the same command again with everything stored, for RewardBench and for `--benchmark all`.
 *     Scale: 100,000 items (RewardBench repeated under new ids, bench/scale-cli.ts) next to 2,985 by the same path:
 *     time per item, peak RSS, store size, and the cached rerun.
 *  3. The fault drill (bench/fault-drill.ts) over all of RewardBench, with at least 10 SIGKILLs.
 *  4. Rate limits: all of RewardBench against an endpoint enforcing requests- and tokens-per-minute limits and
 *     announcing them (bench/rate-limited-server.ts): the harness, paced, next to a plain fixed-concurrency client.
 *  5. Install: `npm ci` from this lockfile in an empty folder (the npm cache as it is), and how much of it is
 *     better-sqlite3 compiling its native addon.
 *
 * Every client runs as its own process and is timed from spawn to exit; figures are the median of several runs,
 * with min and max. The server also times each client's request phase (first request in to last reply out).
 *
 * usage: npm run bench -- [--json FILE] [--runs 3] [--latency 0,50] [--concurrency 1,16,64] [--max-run-seconds 60]
 *                         [--cached-runs 5] [--drill-kills 10] [--scale-items 100000] [--no-peer] [--no-drill]
 *                         [--no-cached] [--no-scale] [--no-rate-limit] [--no-install]
 * Exits 1 when a target is missed or a check fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { resolveDataDir } from '../core/data-dir.ts';
import { promptKey } from './fault-server.ts';
import { runFaultDrill, type DrillReport } from './fault-drill.ts';
import { startJudgeServer } from './judge-server.ts';
import { startRateLimitedServer } from './rate-limited-server.ts';
import { prepareItems } from '../harness/run.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const PEER_DIR = path.join(REPO, 'bench', 'promptfoo');
const PEER_MAIN = path.join(PEER_DIR, 'node_modules', 'promptfoo', 'dist', 'src', 'main.js');
const PEER_PACKAGE_JSON = path.join(PEER_DIR, 'node_modules', 'promptfoo', 'package.json');

const { values: flags } = parseArgs({
  options: {
    json: { type: 'string' },
    runs: { type: 'string', default: '3' },
    latency: { type: 'string', default: '0,50' },
    concurrency: { type: 'string', default: '1,16,64' },
    'max-run-seconds': { type: 'string', default: '60' },
    'cached-runs': { type: 'string', default: '5' },
    'drill-kills': { type: 'string', default: '10' },
    'no-peer': { type: 'boolean', default: false },
    'no-drill': { type: 'boolean', default: false },
    'no-cached': { type: 'boolean', default: false },
    'no-rate-limit': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'scale-items': { type: 'string', default: '100000' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'usage: npm run bench -- [--json FILE] [--runs 3] [--latency 0,50] [--concurrency 1,16,64] ' +
      '[--max-run-seconds 60]\n' +
      '                        [--cached-runs 5] [--drill-kills 10] [--scale-items 100000] [--no-peer] [--no-drill]\n' +
      '                        [--no-cached] [--no-scale] [--no-rate-limit] [--no-install]\n',
  );
  process.exit(0);
}
const list = (s: string): number[] => s.split(',').map((v) => Number(v.trim()));
const RUNS = Number(flags.runs);
const LATENCIES = list(flags.latency);
const CONCURRENCIES = list(flags.concurrency);
const MAX_RUN_MS = Number(flags['max-run-seconds']) * 1000;
const CACHED_RUNS = Number(flags['cached-runs']);
const SCALE_ITEMS = Number(flags['scale-items']);

// ---------------------------------------------------------------------------------------------------------------
// Processes, timed from outside, with their peak resident memory

/**
 * Preloaded into every measured node process (a data: URL, so it adds no file and no TypeScript loader): writes the
 * process's peak RSS (KB) to $BENCH_RSS_FILE on exit.
 */
const RSS_PROBE =
  "data:text/javascript,import fs from 'node:fs';process.on('exit',()=>{if(process.env.BENCH_RSS_FILE)" +
  'fs.writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS))})';

interface Exit {
  /** performance.now() at spawn, on the same clock as the judge server's. */
  startedAt: number;
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
  rssMb: number | undefined;
}

let probeCount = 0;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'autorater-bench-'));

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; probe?: boolean } = {},
): Promise<Exit> {
  const rssFile = path.join(work, `rss-${probeCount++}.txt`);
  const node = command === process.execPath;
  const fullArgs = node && options.probe !== false ? ['--import', RSS_PROBE, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, fullArgs, {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, BENCH_RSS_FILE: rssFile, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) / 1024 : undefined;
      resolve({ startedAt: started, wallMs, code, stdout, stderr, rssMb: rss });
    });
  });
}

const tsxNode = (script: string, args: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', path.join(REPO, script), ...args],
];
/** The CLI as the npm scripts start it (harness/launch.mjs: the prebuilt CLI, built before anything is timed). */
const harnessCli = (args: string[]): [string, string[]] => [
  process.execPath,
  [path.join(REPO, 'harness', 'launch.mjs'), ...args],
];

// ---------------------------------------------------------------------------------------------------------------
// Figures

interface Figure {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function figure(samples: number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, samples };
}

const secs = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const fmt = (f: Figure | undefined, unit: (v: number) => string = secs): string =>
  f ? `${unit(f.median)} [${unit(f.min)}–${unit(f.max)}]` : '—';
const ratio = (a: Figure | undefined, b: Figure | undefined): string =>
  a && b ? (a.median / b.median).toFixed(2) : '—';

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Setup: the prompts every client sends, the judge config, the peer

const dataDir = resolveDataDir(undefined);
const entries = await prepareItems(rewardbench, dataDir, 0);
const prompts = entries.map((e) => e.prompt);
const expectedHashes = prompts.map(promptKey).sort();
const promptsFile = path.join(work, 'prompts.json');
fs.writeFileSync(promptsFile, JSON.stringify(prompts));
const testsFile = path.join(work, 'promptfoo-tests.jsonl');
fs.writeFileSync(testsFile, prompts.map((prompt) => JSON.stringify({ vars: { prompt } })).join('\n') + '\n');
log(`${prompts.length} RewardBench prompts (data: ${dataDir}); work folder ${work}`);

const server = await startJudgeServer();
const judgeConfig = path.join(work, 'bench-judge.json');
fs.writeFileSync(
  judgeConfig,
  JSON.stringify({
    judges: {
      'bench-judge': {
        adapter: 'openai-compatible',
        model: 'bench',
        description: 'the npm run bench loopback server (bench/judge-server.ts)',
        baseURL: server.baseURL,
        limits: { concurrency: 64 },
      },
    },
  }),
);

async function peerAvailable(): Promise<string | undefined> {
  if (flags['no-peer']) return 'skipped (--no-peer)';
  if (!fs.existsSync(PEER_MAIN)) {
    log('installing the peer: npm ci --prefix bench/promptfoo (once; about 1 GB, install scripts off)');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const installed = await run(npm, ['ci', '--prefix', PEER_DIR, '--ignore-scripts', '--no-audit', '--no-fund'], {
      probe: false,
    }).catch((error: Error) => ({ code: -1, stderr: error.message }) as Pick<Exit, 'code' | 'stderr'>);
    if (installed.code !== 0 || !fs.existsSync(PEER_MAIN)) {
      const lastLine = installed.stderr.trim().split('\n').at(-1) ?? 'npm ci failed';
      return `skipped: could not install promptfoo into bench/promptfoo (${lastLine})`;
    }
  }
  // promptfoo keeps its results in SQLite (better-sqlite3), whose addon the scripts-off install did not build: build
  // that one package (it compiles from source where no prebuilt binary can be downloaded, about 90 s).
  const binding = path.join(PEER_DIR, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(binding)) {
    log("building the peer's better-sqlite3 addon: npm rebuild better-sqlite3 --prefix bench/promptfoo (once)");
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const built = await run(npm, ['rebuild', 'better-sqlite3', '--prefix', PEER_DIR], { probe: false });
    if (built.code !== 0 || !fs.existsSync(binding))
      return 'skipped: could not build the better-sqlite3 addon promptfoo needs';
  }
  return undefined;
}
const peerSkipped = await peerAvailable();
if (peerSkipped) log(`promptfoo: ${peerSkipped}`);
const promptfooConfig = path.join(work, 'promptfooconfig.yaml');
// JSON is YAML: the config promptfoo reads, pointing its OpenAI provider at the same server with the same request.
fs.writeFileSync(
  promptfooConfig,
  JSON.stringify({
    description: 'autorater-harness npm run bench peer row',
    prompts: [`file://${path.join(PEER_DIR, 'prompt.cjs')}`],
    providers: [
      {
        id: 'openai:chat:bench',
        config: { apiBaseUrl: server.baseURL, apiKey: 'no-key', temperature: 0, max_tokens: 1024 },
      },
    ],
    tests: `file://${testsFile}`,
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// One measured run of each client

type Client = 'floor' | 'harness' | 'harness-no-intervals' | 'promptfoo';

interface Sample {
  wallMs: number;
  /** From spawn to the server's first request. */
  startMs: number;
  requestMs: number;
  rssMb: number | undefined;
}

function checkServer(what: string, exit: Exit): void {
  const same =
    server.promptHashes.length === expectedHashes.length &&
    [...server.promptHashes].sort().every((h, i) => h === expectedHashes[i]);
  if (exit.code !== 0 || !same) {
    throw new Error(
      `${what}: exit ${exit.code}, ${server.requests} requests, ` +
        `${same ? 'same' : 'NOT the same'} prompts as the harness\n${exit.stderr.slice(-2000)}`,
    );
  }
}

let storeCount = 0;
/** The last fresh harness store per concurrency, for the cached reruns. */
const lastStore = new Map<number, string>();

async function measure(client: Client, concurrency: number): Promise<Sample> {
  server.reset();
  let exit: Exit;
  if (client === 'floor') {
    exit = await run(process.execPath, [
      path.join(REPO, 'bench', 'floor.mjs'),
      promptsFile,
      server.baseURL,
      String(concurrency),
    ]);
  } else if (client === 'harness' || client === 'harness-no-intervals') {
    const store = path.join(work, `fresh-${storeCount++}.sqlite`);
    const extra = client === 'harness' ? [] : ['--resamples', '0'];
    exit = await run(...harnessCli([...harnessArgs(store, concurrency, 'rewardbench'), ...extra]));
    if (!exit.stderr.includes(`${prompts.length} asked, 0 from the store`))
      throw new Error(`${client}: not a fresh run:\n${exit.stderr}`);
    if (client === 'harness') lastStore.set(concurrency, store);
  } else {
    exit = await run(
      process.execPath,
      [
        PEER_MAIN,
        'eval',
        '-c',
        promptfooConfig,
        '--no-cache',
        '--no-write',
        '--no-table',
        '--no-progress-bar',
        '-j',
        String(concurrency),
      ],
      {
        cwd: work,
        env: {
          PROMPTFOO_CONFIG_DIR: path.join(work, 'promptfoo-home'),
          PROMPTFOO_DISABLE_TELEMETRY: '1',
          PROMPTFOO_DISABLE_UPDATE: '1',
          PROMPTFOO_DISABLE_TEMPLATING: 'true',
          // No debug or error log files: the harness writes none either, and promptfoo's file logger can crash
          // on exit ("write after end") after a complete eval.
          PROMPTFOO_DISABLE_DEBUG_LOG: 'true',
          PROMPTFOO_DISABLE_ERROR_LOG: 'true',
        },
      },
    );
  }
  checkServer(client, exit);
  return {
    wallMs: exit.wallMs,
    startMs: (server.firstRequestAt ?? exit.startedAt) - exit.startedAt,
    requestMs: server.activeMs,
    rssMb: exit.rssMb,
  };
}

function harnessArgs(store: string, concurrency: number, benchmark: string): string[] {
  return [
    'eval',
    '--judge',
    'bench-judge',
    '--config',
    judgeConfig,
    '--benchmark',
    benchmark,
    '--store',
    store,
    '--concurrency',
    String(concurrency),
    '--no-progress',
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// 0. Startup: what every process pays before it does anything

interface Results {
  machine: Record<string, unknown>;
  startup: Record<string, Figure>;
  overhead: {
    latencyMs: number;
    concurrency: number;
    clients: Partial<Record<Client, { wall: Figure; start: Figure; request: Figure; end: Figure; rssMb: Figure }>>;
  }[];
  skippedCombos: string[];
  cached: Record<string, { wall: Figure; rssMb: Figure; note: string }>;
  drill?: Omit<DrillReport, 'summary' | 'uninterrupted' | 'finalStderr'> & {
    uninterrupted: Omit<DrillReport['uninterrupted'], 'summary'>;
  };
  peer: string;
  peerFailures: string[];
  rateLimits?: RateLimitRow[];
  scale?: ScaleRow[];
  install?: InstallFigures;
  targets: { name: string; value: string; target: string; ok: boolean }[];
}

const results: Results = {
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    loadavg: os.loadavg(),
    platform: `${os.platform()} ${os.release()}`,
  },
  startup: {},
  overhead: [],
  skippedCombos: [],
  cached: {},
  peer: peerSkipped ?? `promptfoo ${JSON.parse(fs.readFileSync(PEER_PACKAGE_JSON, 'utf8')).version}`,
  peerFailures: [],
  targets: [],
};

async function repeat(n: number, fn: () => Promise<Exit>): Promise<Figure> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const exit = await fn();
    if (exit.code !== 0) throw new Error(`startup probe failed: ${exit.stderr}`);
    samples.push(exit.wallMs);
  }
  return figure(samples);
}

/**
 * Fresh runs also compute bootstrap intervals for the report (--resamples, when the CLI has it): CPU work after the
 * last request that a floor does not do. A second harness column without them says how much of the gap they are.
 */
// Also builds the CLI (harness/launch.mjs) if the sources changed, so no timed run pays for that.
const INTERVALS = (await run(...harnessCli(['eval', '--help']))).stdout.includes('--resamples');

log('startup costs');
results.startup['node -e 0'] = await repeat(RUNS + 2, () => run(process.execPath, ['-e', '0']));
results.startup['node --import tsx -e 0'] = await repeat(RUNS + 2, () =>
  run(process.execPath, ['--import', 'tsx', '-e', '0']),
);
results.startup['node harness/launch.mjs eval --help'] = await repeat(RUNS + 2, () =>
  run(...harnessCli(['eval', '--help'])),
);
results.startup['node --import tsx harness/cli.ts eval --help (the sources)'] = await repeat(RUNS + 2, () =>
  run(...tsxNode('harness/cli.ts', ['eval', '--help'])),
);
results.startup['npm run -s eval -- --help'] = await repeat(RUNS, () =>
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'eval', '--', '--help'], { probe: false }),
);

// ---------------------------------------------------------------------------------------------------------------
// 1. Overhead against the floor, and the peer

for (const latencyMs of LATENCIES) {
  for (const concurrency of CONCURRENCIES) {
    const lowerBoundMs = (prompts.length / concurrency) * latencyMs;
    if (lowerBoundMs > MAX_RUN_MS) {
      const why =
        `latency ${latencyMs} ms, concurrency ${concurrency}: skipped, ` +
        `every client needs ≥ ${secs(lowerBoundMs)} s per run (raise --max-run-seconds to include it)`;
      results.skippedCombos.push(why);
      log(why);
      continue;
    }
    server.delayMs = latencyMs;
    const samples: Record<Client, Sample[]> = { floor: [], harness: [], 'harness-no-intervals': [], promptfoo: [] };
    const clients: Client[] = [
      'floor',
      'harness',
      ...(INTERVALS ? (['harness-no-intervals'] as const) : []),
      ...(peerSkipped ? [] : (['promptfoo'] as const)),
    ];
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so a noisy neighbour slows every client alike.
      for (const client of clients) {
        let sample: Sample;
        try {
          sample = await measure(client, concurrency);
        } catch (error) {
          // The peer is someone else's program: one failed run is reported and left out, not the end of the bench.
          if (client !== 'promptfoo') throw error;
          const why =
            `promptfoo run failed at latency ${latencyMs} ms, concurrency ${concurrency}: ` +
            `${(error as Error).message.split('\n')[0]}`;
          results.peerFailures.push(why);
          log(why);
          continue;
        }
        samples[client].push(sample);
        log(
          `latency ${latencyMs} ms, concurrency ${concurrency}, run ${i + 1}/${RUNS}: ` +
            `${client} ${secs(sample.wallMs)} s (requests ${secs(sample.requestMs)} s)`,
        );
      }
    }
    const row: Results['overhead'][number] = { latencyMs, concurrency, clients: {} };
    for (const client of clients) {
      const s = samples[client];
      if (s.length === 0) continue;
      row.clients[client] = {
        wall: figure(s.map((x) => x.wallMs)),
        start: figure(s.map((x) => x.startMs)),
        request: figure(s.map((x) => x.requestMs)),
        end: figure(s.map((x) => x.wallMs - x.startMs - x.requestMs)),
        rssMb: figure(s.map((x) => x.rssMb ?? NaN)),
      };
    }
    results.overhead.push(row);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Cached reruns: the same command again, everything stored

if (!flags['no-cached']) {
  server.delayMs = 0;
  const concurrency = Math.max(...CONCURRENCIES);
  let store = lastStore.get(concurrency);
  if (!store) {
    store = path.join(work, 'cached-rewardbench.sqlite');
    await run(...harnessCli(harnessArgs(store, concurrency, 'rewardbench')));
  }
  const allStore = path.join(work, 'cached-all.sqlite');
  log('filling a store with every benchmark (--benchmark all) for the cached rerun');
  server.reset();
  const fill = await run(...harnessCli(harnessArgs(allStore, concurrency, 'all')));
  if (fill.code !== 0) throw new Error(`--benchmark all fill run failed:\n${fill.stderr}`);
  const allItems = server.requests;
  for (const [name, file, benchmark] of [
    ['rewardbench', store, 'rewardbench'],
    ['all', allStore, 'all'],
  ] as const) {
    const walls: number[] = [];
    const rss: number[] = [];
    let note = '';
    for (let i = 0; i < CACHED_RUNS; i++) {
      server.reset();
      const exit = await run(...harnessCli(harnessArgs(file, concurrency, benchmark)));
      if (exit.code !== 0 || server.requests !== 0)
        throw new Error(`cached rerun (${name}) asked ${server.requests} requests or failed:\n${exit.stderr}`);
      walls.push(exit.wallMs);
      rss.push(exit.rssMb ?? NaN);
      note = exit.stderr.match(/Run #\d+ \(\w+\)[^\n]*?, ([\d.]+s)/)?.[1] ?? '';
    }
    const stored =
      name === 'all'
        ? `${allItems} stored judgments over every benchmark with data`
        : `${prompts.length} stored judgments`;
    results.cached[name] = {
      wall: figure(walls),
      rssMb: figure(rss),
      note: `${stored}; the run itself (as the CLI reports it) ${note}`,
    };
    log(`cached rerun ${name}: ${fmt(results.cached[name]!.wall)} s`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2b. Scale: a 100,000-item run next to a 2,985-item one, the same path (bench/scale-cli.ts, bundled as the CLI is)

interface ScaleRow {
  items: number;
  wallMs: number;
  /** From the first request to exit: the part of the run that grows with the item count. */
  perItemMs: number;
  requestMs: number;
  rssMb: number;
  storeMb: number;
  cachedMs: number;
  cachedRssMb: number;
}
const scaleRows: ScaleRow[] = [];
if (!flags['no-scale']) {
  server.delayMs = 0;
  const buildDir = path.join(REPO, '.build', `bench-scale-${process.pid}`);
  const esbuild = await import('esbuild');
  const { bundleOptions } = await import('../harness/bundle.mjs');
  await esbuild.build(bundleOptions({ 'scale-cli': path.join(REPO, 'bench', 'scale-cli.ts') }, buildDir));
  const scaleCli = path.join(buildDir, 'scale-cli.mjs');
  try {
    for (const items of [prompts.length, SCALE_ITEMS]) {
      const store = path.join(work, `scale-${items}.sqlite`);
      const args = [scaleCli, ...harnessArgs(store, 16, 'rewardbench-scale')];
      const env = { BENCH_SCALE_ITEMS: String(items) };
      log(`scale: ${items} items, fresh`);
      server.reset();
      const fresh = await run(process.execPath, args, { env });
      if (fresh.code !== 0 || server.requests !== items) {
        const why = `exit ${fresh.code}, ${server.requests} requests\n${fresh.stderr.slice(-2000)}`;
        throw new Error(`scale run of ${items} items: ${why}`);
      }
      const firstRequest = (server.firstRequestAt ?? fresh.startedAt) - fresh.startedAt;
      const size = (file: string): number => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      const storeBytes = size(store) + size(`${store}-wal`);
      const requestMs = server.activeMs;
      log(`scale: ${items} items, cached rerun`);
      server.reset();
      const cached = await run(process.execPath, args, { env });
      if (cached.code !== 0 || server.requests !== 0) {
        throw new Error(`scale cached rerun asked ${server.requests} or failed:\n${cached.stderr}`);
      }
      scaleRows.push({
        items,
        wallMs: fresh.wallMs,
        perItemMs: (fresh.wallMs - firstRequest) / items,
        requestMs,
        rssMb: fresh.rssMb ?? NaN,
        storeMb: storeBytes / 1e6,
        cachedMs: cached.wallMs,
        cachedRssMb: cached.rssMb ?? NaN,
      });
    }
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. The fault drill, full size

if (!flags['no-drill']) {
  log('fault drill: all of RewardBench, SIGKILLed at random moments and resumed');
  const drillDir = fs.mkdtempSync(path.join(work, 'drill-'));
  const report = await runFaultDrill({
    dataDir,
    workDir: drillDir,
    kills: Number(flags['drill-kills']),
    seed: 2024,
    concurrency: 16,
    faultRate: 0.25,
    timeoutMs: 1000,
    log: (line) => log(`drill: ${line}`),
  });
  const { summary: _summary, uninterrupted, finalStderr: _stderr, ...rest } = report;
  const { summary: _unused, ...uninterruptedRest } = uninterrupted;
  results.drill = { ...rest, uninterrupted: uninterruptedRest };
}

await server.close();

// ---------------------------------------------------------------------------------------------------------------
// 4. Rate limits: pace to what the endpoint announces, or lose items to 429s

interface RateLimitRow {
  client: string;
  answered: number;
  failed: number;
  rejected: number;
  seconds: number;
  /** Accepted requests per minute / what the limits allowed over the same window. */
  utilisation: number;
}
const RATE = { requestsPerMinute: 6000, tokensPerMinute: 12_000_000, delayMs: 50, concurrency: 16 };
const rateLimitRows: RateLimitRow[] = [];
if (!flags['no-rate-limit']) {
  // Tokens as the server counts them (prompt at 4 characters a token, plus max_tokens): what the limits allow.
  const meanCost = prompts.reduce((t, p) => t + Math.ceil(p.length / 4) + 1024, 0) / prompts.length;
  const allowedPerMinute = Math.min(RATE.requestsPerMinute, RATE.tokensPerMinute / meanCost);
  const burst = Math.min(RATE.requestsPerMinute, RATE.tokensPerMinute / meanCost) / 60; // the buckets start full
  const limitedConfig = path.join(work, 'rate-limited-judge.json');
  const clients = [
    'harness (paced)',
    'harness, no x-ratelimit headers (429s only)',
    'fixed concurrency (SDK retries)',
  ] as const;
  for (const client of clients) {
    const limited = await startRateLimitedServer({ ...RATE, announce: !client.includes('no x-ratelimit') });
    fs.writeFileSync(
      limitedConfig,
      JSON.stringify({
        judges: { limited: { adapter: 'openai-compatible', model: 'bench', baseURL: limited.baseURL } },
      }),
    );
    log(`rate limits: ${client}`);
    const store = path.join(work, `rate-limited-${rateLimitRows.length}.sqlite`);
    const harness = client.startsWith('harness');
    const exit = harness
      ? await run(
          ...harnessCli([
            'eval',
            '--judge',
            'limited',
            '--config',
            limitedConfig,
            '--benchmark',
            'rewardbench',
            '--store',
            store,
            '--concurrency',
            String(RATE.concurrency),
            '--resamples',
            '0',
            '--no-progress',
          ]),
        )
      : await run(process.execPath, [
          path.join(REPO, 'bench', 'floor.mjs'),
          promptsFile,
          limited.baseURL,
          String(RATE.concurrency),
          '2',
        ]);
    const minutes = ((limited.lastAt ?? 0) - (limited.firstAt ?? 0)) / 60_000;
    const failed = harness
      ? Number(/(\d+) errors/.exec(exit.stderr)?.[1] ?? NaN)
      : Number(JSON.parse(exit.stdout || '{}').failed ?? NaN);
    rateLimitRows.push({
      client,
      answered: limited.accepted,
      failed,
      rejected: limited.rejected,
      seconds: exit.wallMs / 1000,
      utilisation: limited.accepted / (allowedPerMinute * minutes + burst),
    });
    await limited.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Install: what a newcomer's `npm ci` costs, and the native build inside it

interface InstallFigures {
  npmCiS: number;
  rebuildSqliteS: number;
  note: string;
}
let install: InstallFigures | undefined;
if (!flags['no-install']) {
  const dir = fs.mkdtempSync(path.join(work, 'install-'));
  for (const file of ['package.json', 'package-lock.json', '.npmrc'])
    fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  log('install: npm ci in an empty folder');
  const ci = await run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, probe: false });
  if (ci.code !== 0) throw new Error(`npm ci failed:\n${ci.stderr.slice(-2000)}`);
  const rebuild = await run(npm, ['rebuild', 'better-sqlite3'], { cwd: dir, probe: false });
  if (rebuild.code !== 0) throw new Error(`npm rebuild better-sqlite3 failed:\n${rebuild.stderr.slice(-2000)}`);
  const prebuilt = fs.existsSync(path.join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'obj.target'));
  install = {
    npmCiS: ci.wallMs / 1000,
    rebuildSqliteS: rebuild.wallMs / 1000,
    note: prebuilt
      ? 'better-sqlite3 compiled from source (no prebuilt binary reachable)'
      : 'better-sqlite3 used a prebuilt binary',
  };
  results.install = install;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const out: string[] = [];
out.push(`autorater-harness bench — ${new Date().toISOString()}`);
out.push(
  `machine: ${results.machine.cpus} × ${results.machine.cpu}, node ${process.version}, ` +
    `load average at start ${(results.machine.loadavg as number[]).map((l) => l.toFixed(2)).join(' ')}`,
);
out.push(
  `peer: ${results.peer}; each figure: median [min–max] of ${RUNS} runs, ` +
    'seconds from process spawn to exit unless noted',
);
out.push('');
out.push('Startup (every process pays it):');
out.push(
  table(
    ['command', '', 'wall s'],
    Object.entries(results.startup).map(([k, f]) => [k, '', fmt(f)]),
  ),
);
out.push('');
out.push(
  `Overhead: ${prompts.length} RewardBench prompts against the loopback server; ` +
    'floor = same prompts, same SDK, same concurrency, nothing else',
);
out.push(
  table(
    [
      'latency',
      'conc.',
      'floor',
      'harness',
      'harness/floor',
      'requests only: harness/floor',
      'start · requests · end s: floor | harness',
      'harness --resamples 0',
      'its ratio',
      'promptfoo',
      'promptfoo/floor',
      'promptfoo/harness',
      'peak RSS MB floor / harness / promptfoo',
    ],
    results.overhead.map((r) => {
      const f = r.clients.floor;
      const h = r.clients.harness;
      const h0 = r.clients['harness-no-intervals'];
      const p = r.clients.promptfoo;
      const rss = [f, h, p].map((c) => (c ? c.rssMb.median.toFixed(0) : '—')).join(' / ');
      const phases = [f, h]
        .map((c) => (c ? [c.start, c.request, c.end].map((x) => secs(x.median)).join(' · ') : '—'))
        .join(' | ');
      return [
        `${r.latencyMs} ms`,
        String(r.concurrency),
        fmt(f?.wall),
        fmt(h?.wall),
        ratio(h?.wall, f?.wall),
        ratio(h?.request, f?.request),
        phases,
        fmt(h0?.wall),
        ratio(h0?.wall, f?.wall),
        fmt(p?.wall),
        ratio(p?.wall, f?.wall),
        ratio(p?.wall, h?.wall),
        rss,
      ];
    }),
  ),
);
for (const s of [...results.skippedCombos, ...results.peerFailures]) out.push(`  (${s})`);
if (Object.keys(results.cached).length > 0) {
  out.push('');
  out.push(`Cached rerun (the same command again; median [min–max] of ${CACHED_RUNS}):`);
  out.push(
    table(
      ['benchmarks', 'what', 'wall s', 'peak RSS MB'],
      Object.entries(results.cached).map(([k, c]) => [k, c.note, fmt(c.wall), fmt(c.rssMb, (v) => v.toFixed(0))]),
    ),
  );
}
if (results.drill) {
  const d = results.drill;
  out.push('');
  out.push(`Fault drill (${d.items} items, ${d.kills} SIGKILLs, ${secs(d.wallMs)} s):`);
  out.push(
    `  requests ${d.requests}; faults served ${Object.entries(d.faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}; ` + `retries stored ${d.storedRetries}; requests cut off by kills ${d.lostToKills}`,
  );
  out.push(
    `  stored items asked again after a kill: ${d.reasked.length}; answered twice: ${d.answeredTwice} ` +
      `(all in flight at a kill: ${d.answeredTwiceInFlight === d.answeredTwice}); ` +
      `missing: ${d.missing}; summary equals the uninterrupted run's: ${d.summariesEqual}; ` +
      `uninterrupted: ${d.uninterrupted.requests} requests = ${d.uninterrupted.storedAttempts} stored attempts`,
  );
}

if (scaleRows.length > 0) {
  results.scale = scaleRows;
  out.push('');
  out.push(
    'Scale: RewardBench repeated under new ids (bench/scale-cli.ts), 0 ms loopback judge, concurrency 16; ' +
      'per item = from the first request to exit, divided by the items:',
  );
  out.push(
    table(
      ['items', '', 'wall s', 'per item ms', 'requests s', 'peak RSS MB', 'store MB', 'cached rerun s', 'its RSS MB'],
      scaleRows.map((r) => [
        r.items.toLocaleString('en-US'),
        '',
        secs(r.wallMs),
        r.perItemMs.toFixed(3),
        secs(r.requestMs),
        r.rssMb.toFixed(0),
        r.storeMb.toFixed(1),
        secs(r.cachedMs),
        r.cachedRssMb.toFixed(0),
      ]),
    ),
  );
}

if (rateLimitRows.length > 0) {
  results.rateLimits = rateLimitRows;
  out.push('');
  out.push(
    `Rate limits: ${prompts.length} RewardBench prompts against an endpoint allowing ` +
      `${RATE.requestsPerMinute} requests and ` +
      `${RATE.tokensPerMinute / 1e6}M tokens a minute (buckets holding one second's worth; 429 with retry-after-ms; ` +
      `x-ratelimit-* headers), ${RATE.delayMs} ms replies, concurrency ${RATE.concurrency}:`,
  );
  out.push(
    table(
      [
        'client',
        'items answered',
        'items failed',
        '429 replies',
        'share of requests 429',
        'wall s',
        'of the allowed throughput',
      ],
      rateLimitRows.map((r) => [
        r.client,
        String(r.answered),
        String(r.failed),
        String(r.rejected),
        `${((100 * r.rejected) / (r.answered + r.rejected)).toFixed(1)}%`,
        r.seconds.toFixed(1),
        `${(100 * r.utilisation).toFixed(0)}%`,
      ]),
    ),
  );
}

if (install) {
  out.push('');
  out.push(
    `Install: npm ci from the lockfile in an empty folder ${install.npmCiS.toFixed(0)} s, of which better-sqlite3's ` +
      `native build (npm rebuild better-sqlite3) ${install.rebuildSqliteS.toFixed(0)} s: ${install.note}.`,
  );
}

// Targets (the issue's): measured here, on this machine, never inside the timed tests.
const at = results.overhead.find((r) => r.latencyMs === 50 && r.concurrency === 64);
if (at?.clients.harness && at.clients.floor) {
  const value = at.clients.harness.wall.median / at.clients.floor.wall.median;
  results.targets.push({
    name: 'harness/floor at 50 ms, concurrency 64',
    value: value.toFixed(2),
    target: '≤ 1.10',
    ok: value <= 1.1,
  });
}
for (const [key, name, limitS] of [
  ['rewardbench', 'cached rerun, RewardBench', 1],
  ['all', 'cached rerun, --benchmark all', 3],
] as const) {
  const cached = results.cached[key];
  if (!cached) continue;
  const value = `${secs(cached.wall.median)} s`;
  results.targets.push({ name, value, target: `≤ ${limitS} s`, ok: cached.wall.median <= limitS * 1000 });
}
const peakRss = Math.max(
  ...Object.values(results.cached).map((c) => c.rssMb.max),
  ...results.overhead.map((r) => r.clients.harness?.rssMb.max ?? 0),
);
if (Number.isFinite(peakRss) && peakRss > 0)
  results.targets.push({
    name: 'harness peak RSS (every run above)',
    value: `${peakRss.toFixed(0)} MB`,
    target: '≤ 400 MB',
    ok: peakRss <= 400,
  });
if (results.drill) {
  const d = results.drill;
  const ok =
    d.summariesEqual &&
    d.reasked.length === 0 &&
    d.missing === 0 &&
    d.answeredTwiceInFlight === d.answeredTwice &&
    d.finalExitCode === 0 &&
    d.kills >= Math.min(10, Number(flags['drill-kills']));
  results.targets.push({
    name: 'fault drill: same summary, nothing re-asked or missing',
    value: ok ? 'yes' : 'NO',
    target: 'yes',
    ok,
  });
}
const [small, large] = scaleRows;
if (small && large) {
  const slower = large.perItemMs / small.perItemMs;
  results.targets.push({
    name: `scale: per-item time, ${large.items} items / ${small.items}`,
    value: slower.toFixed(2),
    target: '≤ 1.10',
    ok: slower <= 1.1,
  });
  const rss = Math.max(large.rssMb, large.cachedRssMb);
  const name = `scale: peak RSS at ${large.items} items`;
  results.targets.push({ name, value: `${rss.toFixed(0)} MB`, target: '≤ 400 MB', ok: rss <= 400 });
}
const paced = rateLimitRows.find((r) => r.client === 'harness (paced)');
if (paced) {
  const share = paced.rejected / (paced.answered + paced.rejected);
  results.targets.push({
    name: 'rate limits: share of the allowed throughput',
    value: `${(100 * paced.utilisation).toFixed(0)}%`,
    target: '≥ 90%',
    ok: paced.utilisation >= 0.9 && paced.failed === 0,
  });
  results.targets.push({
    name: 'rate limits: requests answered 429',
    value: `${(100 * share).toFixed(1)}%`,
    target: '< 1%',
    ok: share < 0.01,
  });
}
out.push('');
out.push('Targets:');
for (const t of results.targets)
  out.push(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.name.padEnd(56)} ${t.value.padStart(8)}  (target ${t.target})`);

process.stdout.write(out.join('\n') + '\n');
if (flags.json) {
  fs.mkdirSync(path.dirname(path.resolve(flags.json)), { recursive: true });
  fs.writeFileSync(flags.json, JSON.stringify(results, null, 2) + '\n');
  log(`figures written to ${flags.json}`);
}
fs.rmSync(work, { recursive: true, force: true });
process.exitCode = results.targets.every((t) => t.ok) ? 0 : 1;
