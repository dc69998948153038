/**
 * SIGINT (Ctrl-C) and SIGTERM (schedulers, `timeout`) during `eval`: the first stops dispatching, lets the
 * requests in flight finish and stores them, and exits 130 saying so; a second quits at once (exit 130) keeping
 * what was already answered. A built-in judge, which answers without I/O, must still hear Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { interruptMessage } from '../harness/interrupt.ts';
import { completion, startOpenAIDouble, type ChatCall, type OpenAIDouble } from './doubles/openai-server.ts';
import { countInStore, killStarted, startCli, tempDir, until, type RunningCli, warmCliBundle } from './helpers.ts';

const TIMEOUT_MS = 10_000;
const STOP_LINE = 'Interrupted: run the same command again to continue where it stopped.';

const children: ChildProcess[] = [];
let double: OpenAIDouble | undefined;

afterEach(async () => {
  killStarted(children);
  await double?.close();
  double = undefined;
});

beforeAll(warmCliBundle);

function judgeConfig(dir: string, baseURL: string): string {
  const file = path.join(dir, 'judges.json');
  const entry = {
    extends: 'gpt-4o',
    baseURL,
    limits: { concurrency: 4, timeoutMs: TIMEOUT_MS, baseDelayMs: 1, maxRetryAfterMs: 50 },
  };
  fs.writeFileSync(file, JSON.stringify({ judges: { 'gpt-4o-slow': entry } }));
  return file;
}

const start = (args: string[]): RunningCli => startCli(args, { OPENAI_API_KEY: 'sk-test-interrupts' }, children);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Judgments in the store (0 while the file or its tables do not exist yet). */
function stored(file: string): { n: number; errors: number; leases: number } {
  if (!fs.existsSync(file)) return { n: 0, errors: 0, leases: 0 };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const sql = 'SELECT COUNT(*) AS n, COALESCE(SUM(error IS NOT NULL), 0) AS errors FROM judgments';
    const j = db.prepare(sql).get() as {
      n: number;
      errors: number;
    };
    const leases = (db.prepare('SELECT COUNT(*) AS n FROM leases').get() as { n: number }).n;
    return { ...j, leases };
  } catch {
    return { n: 0, errors: 0, leases: 0 }; // being created
  } finally {
    db?.close();
  }
}

const slowly = (ms: (call: ChatCall) => number) => async (call: ChatCall) => {
  await sleep(ms(call));
  return completion(call, 'explanation: fine\nbetter response: A');
};

describe.each([
  ['SIGTERM', 'SIGTERM'],
  ['SIGINT', 'Ctrl-C'],
] as const)('the first %s to eval against a slow API', (signal, named) => {
  it(`${signal}: stops asking, finishes and stores the requests in flight, and exits 130 saying so`, async () => {
    const d = (double = await startOpenAIDouble({ script: slowly(() => 800) }));
    const dir = tempDir();
    const storeFile = path.join(dir, 'runs.sqlite');
    const run = start([
      'eval',
      '--judge',
      'gpt-4o-slow',
      '--config',
      judgeConfig(dir, d.baseURL),
      '--benchmark',
      'rewardbench',
      '--limit',
      '40',
      '--resamples',
      '0',
      '--no-progress',
      '--store',
      storeFile,
    ]);

    await until(() => d.calls.length >= 6, 30_000, '6 requests');
    const before = stored(storeFile);
    const callsAtSignal = d.calls.length;
    const signalledAt = performance.now();
    run.child.kill(signal);
    const exit = await run.exited;

    expect(exit.code, run.stderr()).toBe(130);
    expect(run.stderr()).toContain(`${named}: ${interruptMessage(true, TIMEOUT_MS)}`);
    expect(run.stderr()).toContain('each within its 10 s timeout');
    expect(run.stderr()).toContain(STOP_LINE);

    // Nothing new was asked after the signal: only requests already on their way arrived (a small grace for those),
    // at most one per worker.
    expect(d.calls.length).toBeLessThanOrEqual(callsAtSignal + 4);
    for (const call of d.calls) expect(call.receivedAt).toBeLessThan(signalledAt + 500);
    expect(d.calls.length).toBeLessThan(40);

    // Every request the double received was finished and stored as a verdict, none dropped, none an error.
    const after = stored(storeFile);
    expect(before.n).toBeLessThan(callsAtSignal); // some were in flight when the signal came...
    expect(after.n).toBe(d.calls.length); // ...and they were stored too
    expect(new Set(d.calls.map((c) => c.prompt)).size).toBe(d.calls.length);
    expect(after.errors).toBe(0);
    expect(after.leases).toBe(0);
    // The signal did not cut the replies short: the process waited for the ones in flight.
    expect(exit.at - signalledAt).toBeGreaterThan(200);
  });
});

describe('a second signal while requests are in flight', () => {
  it('quits at once with 130, keeping what was answered before', async () => {
    // The first 8 prompts are answered at once; the rest take 3 s each (in flight when the signals come).
    const d = (double = await startOpenAIDouble({ script: slowly((call) => (call.index < 8 ? 20 : 3_000)) }));
    const dir = tempDir();
    const storeFile = path.join(dir, 'runs.sqlite');
    const run = start([
      'eval',
      '--judge',
      'gpt-4o-slow',
      '--config',
      judgeConfig(dir, d.baseURL),
      '--benchmark',
      'rewardbench',
      '--limit',
      '40',
      '--resamples',
      '0',
      '--no-progress',
      '--store',
      storeFile,
    ]);

    await until(() => d.calls.length >= 12 && stored(storeFile).n >= 8, 30_000, '8 answers and 4 slow requests');
    run.child.kill('SIGINT');
    await sleep(100);
    const secondAt = performance.now();
    run.child.kill('SIGINT');
    const exit = await run.exited;

    expect(exit.code, run.stderr()).toBe(130);
    // At once: not after the 3 s replies in flight (they arrived before the first signal, so end ≥ ~2.9 s later).
    expect(exit.at - secondAt).toBeLessThan(1_500);
    expect(run.stderr()).toContain(`Ctrl-C: ${interruptMessage(true, TIMEOUT_MS)}`);
    const after = stored(storeFile);
    expect(after.n).toBe(8); // what was answered is kept; the dropped requests are asked next run
    expect(after.errors).toBe(0);
    expect(d.calls.length).toBe(12);
  });
});

describe('Ctrl-C with a built-in judge (answers in-process, no I/O)', () => {
  it('is heard mid-run, stores what was judged, exits 130, and the same command then finishes the rest', async () => {
    // CoBBLEr: 42,000 asks, ~15 s with `random` on an idle machine, long enough to interrupt reliably.
    const dir = tempDir();
    const storeFile = path.join(dir, 'runs.sqlite');
    const args = [
      'eval',
      '--judge',
      'random',
      '--benchmark',
      'cobbler',
      '--resamples',
      '0',
      '--no-progress',
      '--store',
      storeFile,
    ];
    const run = start(args);
    // Well into judging: the worker loop is busy (committing a batch every 256 answers) when the signal comes.
    await until(() => stored(storeFile).n >= 2_000, 40_000, '2,000 stored judgments');
    const signalledAt = performance.now();
    run.child.kill('SIGINT');
    const exit = await run.exited;

    expect(exit.code, run.stderr()).toBe(130);
    expect(exit.at - signalledAt).toBeLessThan(8_000);
    expect(run.stderr()).toContain(`Ctrl-C: ${interruptMessage(false, 0)}`);
    expect(run.stderr()).toContain(STOP_LINE);
    const kept = stored(storeFile);
    expect(kept.n).toBeGreaterThan(0);
    expect(kept.n).toBeLessThan(42_000);
    expect(kept.errors).toBe(0);
    expect(kept.leases).toBe(0);

    const rerun = start(args);
    const done = await rerun.exited;
    expect(done.code, rerun.stderr()).toBe(0);
    expect(rerun.stderr()).toContain(`cobbler: 42000 items: ${42_000 - kept.n} asked, ${kept.n} from the store`);
    expect(stored(storeFile)).toEqual({ n: 42_000, errors: 0, leases: 0 });
  });
});

describe('Ctrl-C after every item is judged, while the report is still being computed', () => {
  it('exits 130 as the message it prints announces', async () => {
    const dir = tempDir();
    const storeFile = path.join(dir, 'runs.sqlite');
    const base = ['eval', '--judge', 'random', '--benchmark', 'rewardbench', '--no-progress', '--store', storeFile];
    const first = start([...base, '--resamples', '0']);
    expect((await first.exited).code, first.stderr()).toBe(0);

    // Everything is in the store: the run itself ends at once, then the bootstrap (40,000 resamples) takes seconds.
    const run = start([...base, '--resamples', '40000']);
    await until(() => finishedRuns(storeFile) >= 2, 30_000, 'the second run to be finished in the store');
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(run.stderr()).toContain(`Ctrl-C: ${interruptMessage(false, 0)}`);
    // It said "then exit 130": a script that sent the signal must not be told the command completed.
    expect(exit.code, run.stderr()).toBe(130);
  });
});

/** Runs the store has marked finished (any status). */
function finishedRuns(file: string): number {
  return countInStore(file, 'SELECT COUNT(*) AS n FROM runs WHERE finished_at IS NOT NULL');
}
