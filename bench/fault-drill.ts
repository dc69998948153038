/**
 * The fault drill: the real CLI (`node harness/launch.mjs eval`, what `npm run eval` runs) runs RewardBench against the
 * faulty judge of bench/fault-server.ts, is killed with SIGKILL at seeded random moments and resumed each time, and the
 * result is compared with an uninterrupted run against a fresh server with the same seed. What must hold:
 *
 *  - the final summary equals the uninterrupted run's (same answers, same scores, nothing missing, no errors);
 *  - no item that was stored before a kill is asked again after it (items in flight at a kill are excepted: they
 *    were never stored, so asking again is right), and every item the server answered more than once was in
 *    flight at a kill;
 *  - retried errors are counted: in the uninterrupted run the stored attempts add up to exactly the requests the
 *    server saw, one per fault plus one per item; after kills, only the attempts of requests cut off by a kill are
 *    missing from the count.
 *
 * Used by test/fault-drill.test.ts (small: a few hundred items, a few kills) and by `npm run bench` (all 2,985
 * items, at least 10 kills).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { FAULT_KINDS, startFaultServer, type FaultKind, type FaultServer } from './fault-server.ts';

export const REPO = path.resolve(import.meta.dirname, '..');

export interface DrillOptions {
  dataDir: string;
  /** A fresh folder for stores, configs and reports. */
  workDir: string;
  /** First N RewardBench items (--limit); undefined runs all 2,985. */
  limit?: number;
  /** SIGKILLs to deliver (fewer happen only if the run finishes first). */
  kills: number;
  seed: number;
  concurrency: number;
  faultRate: number;
  /** The judge's per-attempt timeout: what a hanging request costs. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface DrillReport {
  items: number;
  kills: number;
  /** Requests the server had seen in each killed process's lifetime when it was killed. */
  killedAfterRequests: number[];
  requests: number;
  faults: Record<FaultKind, number>;
  /** Stored attempts beyond the first, summed over items (what the store counts as retried). */
  storedRetries: number;
  /** Requests the store does not account for: those cut off by a kill. */
  lostToKills: number;
  /** Prompt hashes stored before a kill and asked again after it: must be empty. */
  reasked: string[];
  /** Items the server answered successfully more than once, and how many of them were in flight at a kill. */
  answeredTwice: number;
  answeredTwiceInFlight: number;
  /** Items without a successful stored judgment at the end. */
  missing: number;
  finalExitCode: number | null;
  finalStderr: string;
  summary: unknown;
  uninterrupted: {
    requests: number;
    faults: number;
    storedAttempts: number;
    exitCode: number | null;
    summary: unknown;
  };
  summariesEqual: boolean;
  wallMs: number;
}

function uniform(seed: number, ...parts: (string | number)[]): number {
  // Seeded and platform-independent, like the server's; a tiny LCG would do, but one hash everywhere is simpler.
  let h = 2166136261 ^ seed;
  for (const ch of parts.join('\u0000')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return ((h >>> 0) % 1_000_003) / 1_000_003;
}

interface StoreState {
  /** Prompt hashes with a successful (non-error) judgment. */
  done: Set<string>;
  rows: number;
  attempts: number;
}

function readStore(file: string): StoreState {
  if (!fs.existsSync(file)) return { done: new Set(), rows: 0, attempts: 0 };
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT prompt_hash, error, attempts FROM judgments').all() as {
      prompt_hash: string;
      error: string | null;
      attempts: number;
    }[];
    return {
      done: new Set(rows.filter((r) => r.error === null).map((r) => r.prompt_hash)),
      rows: rows.length,
      attempts: rows.reduce((n, r) => n + r.attempts, 0),
    };
  } finally {
    db.close();
  }
}

function writeConfig(file: string, baseURL: string, options: DrillOptions): void {
  const config = {
    judges: {
      'fault-drill': {
        adapter: 'openai-compatible',
        model: 'drill',
        description: 'the fault drill server (bench/fault-server.ts)',
        baseURL,
        limits: {
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          // Enough attempts for the server's faulty ones plus room: an item must never end as an error.
          maxAttempts: 6,
          baseDelayMs: 5,
          maxDelayMs: 40,
          // The server asks for seconds; the cap is what a drill waits.
          maxRetryAfterMs: 25,
        },
      },
    },
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

interface Child {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
  running(): boolean;
}

function startCli(args: string[], dataDir: string): Child {
  const child = spawn(process.execPath, [path.join(REPO, 'harness', 'launch.mjs'), ...args], {
    cwd: REPO,
    env: { ...process.env, AUTORATER_DATA: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        done = true;
        resolve({ code, signal, stderr });
      });
    },
  );
  return { exited, kill: () => child.kill('SIGKILL'), running: () => !done && child.exitCode === null };
}

function evalArgs(store: string, config: string, options: DrillOptions, out?: string): string[] {
  return [
    'eval',
    '--judge',
    'fault-drill',
    '--config',
    config,
    '--benchmark',
    'rewardbench',
    '--store',
    store,
    '--concurrency',
    String(options.concurrency),
    '--no-progress',
    ...(options.limit !== undefined ? ['--limit', String(options.limit)] : []),
    ...(out ? ['--out', out] : []),
  ];
}

function countFaults(server: FaultServer): Record<FaultKind, number> {
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const r of server.log) if (r.fault) faults[r.fault] += 1;
  return faults;
}

function readSummary(out: string): { benchmarks?: unknown } | undefined {
  const file = path.join(out, 'summary.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { benchmarks?: unknown }) : undefined;
}

export async function runFaultDrill(options: DrillOptions): Promise<DrillReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const items = options.limit ?? 2985;
  const store = path.join(options.workDir, 'drill.sqlite');
  const config = path.join(options.workDir, 'drill.config.json');
  const out = path.join(options.workDir, 'out-resumed');

  const server = await startFaultServer({ seed: options.seed, faultRate: options.faultRate });
  const killedAfterRequests: number[] = [];
  /** storedBefore[p]: prompt hashes stored when process p started. */
  const storedBefore: Set<string>[] = [];
  let final: { code: number | null; signal: NodeJS.Signals | null; stderr: string } | undefined;
  try {
    writeConfig(config, server.baseURL, options);
    for (let phase = 0; ; phase++) {
      const before = readStore(store);
      storedBefore.push(before.done);
      server.phase = phase;
      const phaseStart = server.log.length;
      const last = phase >= options.kills;
      const child = startCli(evalArgs(store, config, options, last ? out : undefined), options.dataDir);
      if (last) {
        final = await child.exited;
        break;
      }
      // A seeded random moment, measured in requests this process has made so it always lands mid-run: anywhere
      // from the first request to well into the remaining items, retries and hangs included.
      const remaining = items - before.done.size;
      const target = 1 + Math.floor(uniform(options.seed, 'kill', phase) * Math.max(1, remaining * 0.6));
      const inPhase = (): number => server.log.length - phaseStart;
      while (child.running() && inPhase() < target) {
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!child.running()) {
        // It finished before the moment came: nothing left to kill; the next (last) run finds everything stored.
        await child.exited;
        log(`run ${phase + 1} finished before its kill`);
        options = { ...options, kills: phase + 1 };
        continue;
      }
      child.kill();
      const exit = await child.exited;
      if (exit.signal !== 'SIGKILL')
        throw new Error(
          `drill: run ${phase + 1} ended with ${exit.code ?? exit.signal} before the kill: ${exit.stderr}`,
        );
      killedAfterRequests.push(inPhase());
      log(
        `kill ${killedAfterRequests.length}: after ${inPhase()} requests; ` +
          `${readStore(store).done.size}/${items} stored`,
      );
    }
  } finally {
    await server.close();
  }

  const end = readStore(store);
  // A request in process p for a prompt that was already stored when p started re-asks finished (paid) work.
  const reasked = server.log.filter((r) => storedBefore[r.phase]!.has(r.key)).map((r) => r.key);
  // In flight at a kill: asked by the killed process, but not stored when the next one started.
  const inFlight = new Set(
    server.log
      .filter((r) => r.phase < killedAfterRequests.length && !storedBefore[r.phase + 1]!.has(r.key))
      .map((r) => r.key),
  );
  const twice = [...server.answered].filter(([, n]) => n > 1).map(([key]) => key);

  // The same items, same seed, one uninterrupted run against a fresh server.
  const fresh = await startFaultServer({ seed: options.seed, faultRate: options.faultRate });
  const freshStore = path.join(options.workDir, 'uninterrupted.sqlite');
  const freshOut = path.join(options.workDir, 'out-uninterrupted');
  let uninterruptedExit: { code: number | null; stderr: string };
  try {
    writeConfig(config, fresh.baseURL, options);
    uninterruptedExit = await startCli(evalArgs(freshStore, config, options, freshOut), options.dataDir).exited;
  } finally {
    await fresh.close();
  }
  const freshState = readStore(freshStore);
  const summary = readSummary(out)?.benchmarks;
  const uninterruptedSummary = readSummary(freshOut)?.benchmarks;

  return {
    items,
    kills: killedAfterRequests.length,
    killedAfterRequests,
    requests: server.log.length,
    faults: countFaults(server),
    storedRetries: end.attempts - end.rows,
    lostToKills: server.log.length - end.attempts,
    reasked,
    answeredTwice: twice.length,
    answeredTwiceInFlight: twice.filter((k) => inFlight.has(k)).length,
    missing: items - end.done.size,
    finalExitCode: final?.code ?? null,
    finalStderr: final?.stderr ?? '',
    summary,
    uninterrupted: {
      requests: fresh.log.length,
      faults: Object.values(countFaults(fresh)).reduce((a, b) => a + b, 0),
      storedAttempts: freshState.attempts,
      exitCode: uninterruptedExit.code,
      summary: uninterruptedSummary,
    },
    summariesEqual: summary !== undefined && isDeepStrictEqual(summary, uninterruptedSummary),
    wallMs: performance.now() - started,
  };
}
