/**
 * Runs that share one store: leases keep two (or more) processes running the same judge on the same benchmark
 * from asking (and paying for) the same item twice, a dead holder's leases are taken over at once, and the
 * store's upsert never lets an error erase a verdict nor a second answer replace the first (its cost is added).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Store, judgmentKey, type Judgment } from '../harness/store.ts';
import { completion, roughTokens, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { countInStore, runCli, startCli, tempDir, until, type RunningCli, killStarted } from './helpers.ts';

const FP = 'fingerprint-test';
const BENCH = 'rewardbench';
const PRICE = { inputPerMillion: 3, outputPerMillion: 12 };

const stores: Store[] = [];
const children: ChildProcess[] = [];
let double: OpenAIDouble | undefined;

afterEach(async () => {
  for (const s of stores.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
  killStarted(children);
  await double?.close();
  double = undefined;
});

function openStore(file: string): Store {
  const store = Store.open(file);
  stores.push(store);
  return store;
}

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ itemId: `item-${i}`, promptHash: `hash-${i}` }));
const ids = (list: { itemId: string }[]) => list.map((k) => k.itemId).sort();

function judgment(itemId: string, fields: Partial<Omit<Judgment, 'createdAt'>> = {}): Omit<Judgment, 'createdAt'> {
  return {
    benchmark: BENCH,
    itemId,
    promptHash: `hash-${itemId.replace('item-', '')}`,
    judgeId: 'test-judge',
    runId: 1,
    replyType: 'text',
    raw: 'better response: A',
    verdict: { kind: 'pairwise', choice: 'A' },
    error: null,
    latencyMs: 10,
    inputTokens: 100,
    outputTokens: 10,
    costUsd: 0.001,
    optionProbabilities: null,
    invalidReason: null,
    attempts: 1,
    ...fields,
  };
}

const failure = (itemId: string, error = 'HTTP 500: server error', attempts = 3) =>
  judgment(itemId, {
    replyType: null,
    raw: null,
    verdict: null,
    error,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attempts,
  });

/** The pid of a process that has exited (and so no longer exists). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

function insertLease(file: string, itemId: string, lease: { host?: string; pid: number; expiresAt: number }): void {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.prepare(
    'INSERT OR REPLACE INTO leases (judge_fingerprint, benchmark, item_id, prompt_hash, holder, host, pid, ' +
      'expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    FP,
    BENCH,
    itemId,
    `hash-${itemId.replace('item-', '')}`,
    `someone:${lease.pid}:x`,
    lease.host ?? os.hostname(),
    lease.pid,
    lease.expiresAt,
  );
  db.close();
}

function leaseRows(file: string): { item_id: string; holder: string; expires_at: number }[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT item_id, holder, expires_at FROM leases ORDER BY item_id').all();
  db.close();
  return rows as { item_id: string; holder: string; expires_at: number }[];
}

describe('leases in one store shared by two Store instances', () => {
  it('gives each key to exactly one store; released keys go to the other, recorded ones read as answered', () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    const b = openStore(file);
    const all = keys(10);

    const first = a.claim(FP, BENCH, all);
    expect(ids(first.claimed)).toEqual(ids(all));
    expect(first.answered).toEqual([]);
    expect(first.busy).toEqual([]);

    const second = b.claim(FP, BENCH, all);
    expect(second.claimed).toEqual([]);
    expect(second.answered).toEqual([]);
    expect(ids(second.busy.map((x) => x.key))).toEqual(ids(all));
    for (const busy of second.busy) {
      expect(busy.pid).toBe(process.pid);
      expect(busy.host).toBe(os.hostname());
    }
    // Claiming the same keys again does not steal them either.
    expect(b.claim(FP, BENCH, all).claimed).toEqual([]);

    // A answers item-3: B now reads it as answered, though A still holds its lease (all of A's leases end together).
    a.record(FP, judgment('item-3'));
    a.flush();
    const meanwhile = b.claim(FP, BENCH, all);
    expect(ids(meanwhile.answered)).toEqual(['item-3']);
    expect(meanwhile.busy).toHaveLength(9);
    a.releaseLeases();
    expect(leaseRows(file)).toEqual([]);

    const third = b.claim(FP, BENCH, all);
    expect(ids(third.answered)).toEqual(['item-3']);
    expect(ids(third.claimed)).toEqual(ids(all.filter((k) => k.itemId !== 'item-3')));
    expect(third.busy).toEqual([]);
    expect(leaseRows(file).every((r) => r.holder === b.holder)).toBe(true);

    // Now A sees B's leases as busy, and the answered key as answered.
    const fourth = a.claim(FP, BENCH, all);
    expect(fourth.claimed).toEqual([]);
    expect(ids(fourth.answered)).toEqual(['item-3']);
    expect(fourth.busy).toHaveLength(9);
  });

  it('an item stored as an error is claimable (asked again), one stored as a verdict is answered', () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    a.record(FP, failure('item-0'));
    a.record(FP, judgment('item-1'));
    a.flush(); // recorded judgments are committed at the end of the event-loop turn; this test stays in one turn
    const b = openStore(file);
    const claim = b.claim(FP, BENCH, keys(2));
    expect(ids(claim.claimed)).toEqual(['item-0']);
    expect(ids(claim.answered)).toEqual(['item-1']);
  });

  it('closing a store ends its leases; renewLeases extends them', async () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    a.claim(FP, BENCH, keys(3), 1_000);
    const before = leaseRows(file);
    expect(before.every((r) => r.expires_at <= Date.now() + 1_000)).toBe(true);
    a.renewLeases(120_000);
    expect(leaseRows(file).every((r) => r.expires_at > Date.now() + 100_000)).toBe(true);
    a.close();
    expect(leaseRows(file)).toEqual([]);
  });

  it('a lease whose holder process is gone is claimable at once, whatever its expiry', async () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const b = openStore(file);
    const pid = await deadPid();
    insertLease(file, 'item-0', { pid, expiresAt: Date.now() + 3_600_000 });
    const claim = b.claim(FP, BENCH, keys(1));
    expect(ids(claim.claimed)).toEqual(['item-0']);
    expect(claim.busy).toEqual([]);
    expect(leaseRows(file)).toEqual([expect.objectContaining({ item_id: 'item-0', holder: b.holder })]);
  });

  it('a live holder keeps its lease until it expires; an expired lease is claimable', async () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const b = openStore(file);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(sleeper);
    await new Promise((resolve) => sleeper.on('spawn', resolve));
    const pid = sleeper.pid!;
    insertLease(file, 'item-0', { pid, expiresAt: Date.now() + 3_600_000 }); // live, not expired
    insertLease(file, 'item-1', { pid, expiresAt: Date.now() - 1 }); // live, expired
    insertLease(file, 'item-2', { pid: process.pid, expiresAt: Date.now() - 1 }); // this very process, expired
    // Another host: only the expiry tells (its pid means nothing here, even a dead one).
    const dead = await deadPid();
    insertLease(file, 'item-3', { host: 'some-other-host', pid: dead, expiresAt: Date.now() + 3_600_000 });
    insertLease(file, 'item-4', { host: 'some-other-host', pid: dead, expiresAt: Date.now() - 1 });

    const claim = b.claim(FP, BENCH, keys(5));
    expect(ids(claim.claimed)).toEqual(['item-1', 'item-2', 'item-4']);
    expect(claim.busy.map((x) => [x.key.itemId, x.pid, x.host]).sort()).toEqual([
      ['item-0', pid, os.hostname()],
      ['item-3', dead, 'some-other-host'],
    ]);

    // Once the live holder dies, its unexpired lease is claimable at once.
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.on('exit', resolve));
    expect(ids(b.claim(FP, BENCH, keys(1)).claimed)).toEqual(['item-0']);
  });
});

describe('what the store keeps when an item is answered twice or fails after an answer', () => {
  it('an error recorded after a verdict does not replace it', () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    const b = openStore(file);
    a.record(FP, judgment('item-0', { raw: 'better response: B', verdict: { kind: 'pairwise', choice: 'B' } }));
    a.flush();
    b.record(FP, failure('item-0', 'HTTP 503: overloaded', 2));
    b.flush();
    const stored = a.judgments(FP, BENCH).get(judgmentKey('item-0', 'hash-0'))!;
    expect(stored.error).toBeNull();
    expect(stored.verdict).toEqual({ kind: 'pairwise', choice: 'B' });
    expect(stored.raw).toBe('better response: B');
    expect(stored.replyType).toBe('text');
    expect(stored.costUsd).toBeCloseTo(0.001, 12); // the failure cost nothing
    expect(stored.inputTokens).toBe(100);
    expect(stored.outputTokens).toBe(10);
    expect(stored.attempts).toBe(3); // the failed run's 2 requests are counted
  });

  it('a verdict recorded after an error replaces it', () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    a.record(FP, failure('item-0', 'HTTP 500: server error', 3));
    a.flush();
    expect(a.judgments(FP, BENCH).get(judgmentKey('item-0', 'hash-0'))!.error).toBe('HTTP 500: server error');
    const b = openStore(file);
    b.record(FP, judgment('item-0', { runId: 2, costUsd: 0.002, inputTokens: 200, outputTokens: 20 }));
    const stored = b.judgments(FP, BENCH).get(judgmentKey('item-0', 'hash-0'))!;
    expect(stored.error).toBeNull();
    expect(stored.verdict).toEqual({ kind: 'pairwise', choice: 'A' });
    expect(stored.runId).toBe(2);
    expect(stored.costUsd).toBeCloseTo(0.002, 12);
    expect(stored.inputTokens).toBe(200);
    expect(stored.outputTokens).toBe(20);
    expect(stored.attempts).toBe(4);
  });

  it('a second verdict for an answered item keeps the first reply and adds its cost, tokens and attempts', () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const a = openStore(file);
    const b = openStore(file);
    a.record(FP, judgment('item-0', { raw: 'better response: A', costUsd: 0.001, inputTokens: 100, outputTokens: 10 }));
    a.flush();
    b.record(
      FP,
      judgment('item-0', {
        runId: 2,
        raw: 'better response: B',
        verdict: { kind: 'pairwise', choice: 'B' },
        costUsd: 0.0025,
        inputTokens: 250,
        outputTokens: 25,
        attempts: 2,
      }),
    );
    b.flush();
    const stored = a.judgments(FP, BENCH).get(judgmentKey('item-0', 'hash-0'))!;
    expect(stored.raw).toBe('better response: A');
    expect(stored.verdict).toEqual({ kind: 'pairwise', choice: 'A' });
    expect(stored.runId).toBe(1);
    expect(stored.costUsd).toBeCloseTo(0.0035, 12);
    expect(stored.inputTokens).toBe(350);
    expect(stored.outputTokens).toBe(35);
    expect(stored.attempts).toBe(3);
    expect(a.judgments(FP, BENCH).size).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real processes, the way users share a store: several `eval` commands at once.

function judgeConfig(dir: string, baseURL: string, concurrency = 4): string {
  const file = path.join(dir, 'judges.json');
  const entry = {
    extends: 'gpt-4o',
    baseURL,
    price: PRICE,
    limits: { concurrency, timeoutMs: 10_000, baseDelayMs: 1, maxRetryAfterMs: 50 },
  };
  fs.writeFileSync(file, JSON.stringify({ judges: { 'gpt-4o-shared': entry } }));
  return file;
}

const startEval = (args: string[]): RunningCli => startCli(args, { OPENAI_API_KEY: 'sk-test-shared' }, children);

const delayed = (ms: number, content: (index: number) => string) => async (call: Parameters<typeof completion>[0]) => {
  await new Promise((r) => setTimeout(r, ms));
  return completion(call, content(call.index));
};

/** `rewardbench: 80 items: X asked, Y from the store` from one run's stderr. */
function counts(stderr: string): { items: number; asked: number; fromStore: number } {
  const match = /rewardbench: (\d+) items: (\d+) asked, (\d+) from the store/.exec(stderr);
  if (!match) throw new Error(`no summary line in:\n${stderr}`);
  return { items: Number(match[1]), asked: Number(match[2]), fromStore: Number(match[3]) };
}

function storeState(file: string) {
  const db = new Database(file, { readonly: true });
  const j = db
    .prepare(
      'SELECT COUNT(*) AS n, SUM(error IS NOT NULL) AS errors, SUM(cost_usd) AS cost, ' +
        'SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(attempts) AS attempts FROM judgments',
    )
    .get() as {
    n: number;
    errors: number;
    cost: number;
    input: number;
    output: number;
    attempts: number;
  };
  const leases = (db.prepare('SELECT COUNT(*) AS n FROM leases').get() as { n: number }).n;
  const rows = db.prepare('SELECT raw FROM judgments WHERE error IS NULL').all() as { raw: string }[];
  const raws = rows.map((r) => r.raw);
  db.close();
  return { ...j, leases, raws };
}

/** What the double's answered calls cost at the configured price (usage: completionBody's default). */
function paidFor(d: OpenAIDouble, reply: (index: number) => string): number {
  return d.calls.reduce(
    (sum, call) =>
      sum +
      (roughTokens(call.prompt) * PRICE.inputPerMillion + roughTokens(reply(call.index)) * PRICE.outputPerMillion) /
        1e6,
    0,
  );
}

describe('several eval processes on the same store at once', () => {
  beforeAll(async () => {
    // Builds the CLI bundle once (launch.mjs builds when sources changed), so the runs below start together.
    const warm = await runCli(['eval', '--print-prompt', '0', '--benchmark', BENCH]);
    expect(warm.code, warm.stderr).toBe(0);
  });

  const reply = (i: number) => `explanation: call ${i}\nbetter response: A`;

  async function shareOneStore(processes: number, replyMs: number): Promise<void> {
    // One run alone needs 80 / 4 × replyMs for 80 items at concurrency 4 (2 s at 100 ms), so the runs overlap.
    double = await startOpenAIDouble({ script: delayed(replyMs, reply) });
    const dir = tempDir();
    const storeFile = path.join(dir, 'runs.sqlite');
    const args = [
      'eval',
      '--judge',
      'gpt-4o-shared',
      '--config',
      judgeConfig(dir, double.baseURL),
      '--benchmark',
      BENCH,
      '--limit',
      '80',
      '--resamples',
      '0',
      '--no-progress',
      '--store',
      storeFile,
    ];
    const runs = [startEval(args), startEval(args)];
    if (processes > 2) {
      // Latecomers: start once the first two are asking, and (their own start-up taking ~1 s) join part-way.
      const d = double;
      await until(() => d.calls.length >= 1, 30_000, 'the first call before starting the third run');
      for (let i = 2; i < processes; i++) runs.push(startEval(args));
    }
    const results = await Promise.all(runs.map((r) => r.exited));
    results.forEach((result, i) => {
      expect(result.code, runs[i]!.stderr()).toBe(0);
    });

    // The double saw each prompt once: 80 distinct chat calls, none repeated.
    expect(double.calls).toHaveLength(80);
    expect(double.calls.every((c) => c.attempt === 1)).toBe(true);
    expect(new Set(double.calls.map((c) => c.prompt)).size).toBe(80);

    // Each run reports all 80 items; between them they asked each item exactly once.
    const perRun = runs.map((r) => counts(r.stderr()));
    for (const c of perRun) {
      expect(c.items).toBe(80);
      expect(c.asked + c.fromStore).toBe(80);
    }
    expect(perRun.reduce((sum, c) => sum + c.asked, 0)).toBe(80);

    const stored = storeState(storeFile);
    expect(stored.n).toBe(80);
    expect(stored.errors).toBe(0);
    expect(stored.attempts).toBe(80);
    expect(stored.cost).toBeCloseTo(paidFor(double, reply), 12);
    expect(stored.input).toBe(double.calls.reduce((s, c) => s + roughTokens(c.prompt), 0));
    // Every stored reply is a distinct call the double answered.
    expect(new Set(stored.raws).size).toBe(80);
    expect(stored.leases).toBe(0);
  }

  it('two runs started together: each item asked and paid for once, both report all 80', async () => {
    await shareOneStore(2, 100);
  });

  it('any number: a third run joining part-way asks only what nobody has asked', async () => {
    await shareOneStore(3, 300);
  });

  it(
    'a run SIGKILLed while holding leases: ' + 'the next run takes them over at once and asks nothing stored twice',
    async () => {
      const reply200 = (i: number) => `explanation: call ${i}\nbetter response: B`;
      const d = (double = await startOpenAIDouble({ script: delayed(200, reply200) }));
      const dir = tempDir();
      const storeFile = path.join(dir, 'runs.sqlite');
      const args = [
        'eval',
        '--judge',
        'gpt-4o-shared',
        '--config',
        judgeConfig(dir, d.baseURL),
        '--benchmark',
        BENCH,
        '--limit',
        '40',
        '--resamples',
        '0',
        '--no-progress',
        '--store',
        storeFile,
      ];

      const first = startEval(args);
      await until(() => d.calls.length >= 10, 30_000, '10 calls from the first run');
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const killed = storeState(storeFile);
      expect(killed.leases).toBeGreaterThan(0); // it died holding leases
      expect(killed.n).toBeGreaterThan(0);
      expect(killed.n).toBeLessThan(40);
      // The prompts whose answers were stored before the kill (each stored reply names the call it came from).
      const storedPrompts = new Set(killed.raws.map((raw) => d.calls[Number(/call (\d+)/.exec(raw)![1])]!.prompt));
      const callsBefore = d.calls.length;

      const started = performance.now();
      const second = startEval(args);
      const done = await second.exited;
      const elapsed = done.at - started;
      expect(done.code, second.stderr()).toBe(0);
      expect(elapsed).toBeLessThan(20_000); // no waiting for the dead run's lease TTL (60 s)

      const again = d.calls.slice(callsBefore);
      expect(again).toHaveLength(40 - killed.n);
      expect(again.filter((c) => storedPrompts.has(c.prompt))).toEqual([]);
      expect(new Set(again.map((c) => c.prompt)).size).toBe(again.length);
      expect(counts(second.stderr())).toEqual({ items: 40, asked: 40 - killed.n, fromStore: killed.n });

      const end = storeState(storeFile);
      expect(end.n).toBe(40);
      expect(end.errors).toBe(0);
      expect(end.leases).toBe(0);
    },
  );

  it(
    'a run stopped by Ctrl-C while another waits on its leases: ' + 'the items it never asked go to the other run',
    async () => {
      const { d, storeFile, first, second } = await secondWaitingOnFirst(1_500);
      first.child.kill('SIGINT');
      const [a, b] = await Promise.all([first.exited, second.exited]);
      expect(a.code, first.stderr()).toBe(130);
      expect(b.code, second.stderr()).toBe(0);

      const firstCounts = counts(first.stderr());
      const secondCounts = counts(second.stderr());
      expect(firstCounts.asked).toBeLessThan(16);
      expect(secondCounts).toEqual({ items: 16, asked: 16 - firstCounts.asked, fromStore: firstCounts.asked });
      expect(d.calls).toHaveLength(16);
      expect(new Set(d.calls.map((c) => c.prompt)).size).toBe(16);
      const end = storeState(storeFile);
      expect(end).toMatchObject({ n: 16, errors: 0, leases: 0, attempts: 16 });
    },
  );

  it(
    "Ctrl-C to a run that is only waiting for another run's items exits 130 at once, " + 'having asked nothing',
    async () => {
      const { d, storeFile, first, second } = await secondWaitingOnFirst(2_000);
      const callsBefore = d.calls.length;
      const signalledAt = performance.now();
      second.child.kill('SIGINT');
      const b = await second.exited;
      expect(b.code, second.stderr()).toBe(130);
      // At once: not once the first run's items are answered (its 2 s replies, 4 at a time, 8 s for all 16).
      expect(b.at - signalledAt).toBeLessThan(1_500);
      expect(counts(second.stderr())).toMatchObject({ items: 16, asked: 0 });
      expect(d.calls.length).toBe(callsBefore);
      // The first run is not disturbed: it finishes everything.
      const a = await first.exited;
      expect(a.code, first.stderr()).toBe(0);
      expect(counts(first.stderr())).toEqual({ items: 16, asked: 16, fromStore: 0 });
      expect(storeState(storeFile)).toMatchObject({ n: 16, errors: 0, leases: 0 });
    },
  );
});

/**
 * Two runs of the same 16 items on one store, the first answering slowly: --limit 16 is one claim (16 items), so the
 * first takes them all and the second, once it has started, can only wait for the first.
 */
async function secondWaitingOnFirst(replyMs: number) {
  const d = (double = await startOpenAIDouble({ script: delayed(replyMs, (i) => `call ${i}: better response: A`) }));
  const dir = tempDir();
  const storeFile = path.join(dir, 'runs.sqlite');
  const args = [
    'eval',
    '--judge',
    'gpt-4o-shared',
    '--config',
    judgeConfig(dir, d.baseURL),
    '--benchmark',
    BENCH,
    '--limit',
    '16',
    '--resamples',
    '0',
    '--no-progress',
    '--store',
    storeFile,
  ];
  const first = startEval(args);
  await until(() => d.calls.length >= 4, 30_000, "the first run's requests");
  const second = startEval(args);
  // The second run registers its run, prepares the items and finds them all leased; give it time to get there.
  await until(() => runsStarted(storeFile) >= 2, 30_000, 'the second run to start');
  await new Promise((r) => setTimeout(r, 1_000));
  return { d, storeFile, first, second };
}

/** Runs registered in the store (a run registers itself before preparing its items and claiming them). */
function runsStarted(file: string): number {
  return countInStore(file, 'SELECT COUNT(*) AS n FROM runs');
}
