/**
 * `eval --batch` end to end, through the CLI, the real `openai` SDK and a loopback double of OpenAI's Batch API
 * (test/doubles/openai-batch-server.ts): submission recorded before the process can exit, collection by a later
 * process (also after a SIGKILL between submission and collection, or in the middle of a submission), the same
 * scores as the synchronous path, failures submitted once more then stored with their cause, --max-cost before
 * submitting, the pending report and costs at the batch price.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { startOpenAIBatchDouble } from './doubles/openai-batch-server.ts';
import {
  apiError,
  completion,
  serverError,
  startOpenAIDouble,
  type ChatCall,
  type OpenAIDouble,
} from './doubles/openai-server.ts';
import { countInStore, runCli, startCli, tempDir, until, killStarted, warmCliBundle } from './helpers.ts';

const KEY = `sk-test-${'b4tch'.repeat(8)}`;
const ENV = { OPENAI_API_KEY: KEY, AUTORATER_BATCH_POLL_MS: '20' };

const children: ChildProcess[] = [];
let double: OpenAIDouble | undefined;
afterEach(async () => {
  killStarted(children);
  await double?.close();
  double = undefined;
});

beforeAll(warmCliBundle);

/**
 * A deterministic judge: the verdict depends on the prompt only (its length's parity), so a batch run and a
 * synchronous run of the same items get the same answers, and the scores are not trivially 100 or 0.
 */
function verdictFor(call: ChatCall) {
  const kind = call.prompt.includes('rating:') ? 'rating' : 'better response';
  if (kind === 'rating') return completion(call, `explanation: fine\nrating: ${(call.prompt.length % 5) + 1}`);
  return completion(call, `explanation: fine\nbetter response: ${call.prompt.length % 2 === 0 ? 'A' : 'B'}`);
}

interface Setup {
  dir: string;
  store: string;
  config: string;
}

function setup(baseURL: string, entry: Record<string, unknown> = {}): Setup {
  const dir = tempDir('autorater-batch-');
  const config = path.join(dir, 'judges.json');
  const judge = {
    extends: 'gpt-4o',
    baseURL,
    limits: { concurrency: 4, timeoutMs: 5000, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 },
    ...entry,
  };
  fs.writeFileSync(config, JSON.stringify({ judges: { 'gpt-4o-batch': judge } }));
  return { dir, store: path.join(dir, 'runs.sqlite'), config };
}

function evalArgs(s: Setup, ...extra: string[]): string[] {
  return ['eval', '--judge', 'gpt-4o-batch', '--config', s.config, '--store', s.store, '--resamples', '0', ...extra];
}

function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function summary(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
}

describe('eval --batch against a loopback OpenAI Batch API', () => {
  it('submits and records the batch before exiting (exit 9, pending report); the next run collects it', async () => {
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: verdictFor,
      plan: () => ({ pollsToEnd: 2 }),
    }));
    const s = setup(d.baseURL);
    const first = await runCli(evalArgs(s, '--batch', '--limit', '12', '--out', path.join(s.dir, 'out1')), {
      env: ENV,
    });
    expect(first.code, first.stderr).toBe(EXIT_CODES.batchPending.code);
    expect(d.batches).toHaveLength(1);
    expect(d.calls).toHaveLength(0); // nothing asked one by one
    const id = d.batches[0]!.object.id;
    expect(first.stderr).toContain(`rewardbench: submitted batch ${id}: 12 requests, at the batch price.`);
    expect(first.stderr).toContain(`rewardbench: 12 requests in 1 pending batch (${id})`);
    expect(first.stderr).toMatch(/Run #1 \(pending\)/);
    const recorded = query<{ batch_id: string; state: string; requests: number }>(
      s.store,
      'SELECT batch_id, state, requests FROM batches',
    );
    expect(recorded).toEqual([{ batch_id: id, state: 'pending', requests: 12 }]);
    const pendingSummary = summary(path.join(s.dir, 'out1')) as { run: { status: string; pending: unknown } };
    expect(pendingSummary.run.status).toBe('pending');
    expect(pendingSummary.run.pending).toEqual({ rewardbench: { items: 12, requests: 12, batchIds: [id] } });
    const report = fs.readFileSync(path.join(s.dir, 'out1', 'report.md'), 'utf8');
    expect(report).toContain(`12 requests in 1 pending batch (${id})`);

    // The next morning: another process finds the batch, polls it (still running, then ended) and collects it.
    const second = await runCli(evalArgs(s, '--batch', '--limit', '12', '--wait'), { env: ENV });
    expect(second.code, second.stderr).toBe(0);
    expect(d.batches).toHaveLength(1); // not submitted again
    expect(d.calls).toHaveLength(12); // each request run once, inside the batch
    expect(second.stderr).toContain(`rewardbench: collected batch ${id} (completed): 12 answers.`);
    const stored = query<{ n: number; batched: number }>(
      s.store,
      'SELECT COUNT(*) AS n, SUM(batch_id IS NOT NULL) AS batched FROM judgments WHERE error IS NULL',
    );
    expect(stored).toEqual([{ n: 12, batched: 12 }]);
  });

  it('a SIGKILL between submission and collection: the next run collects without submitting again', async () => {
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: verdictFor,
      plan: () => ({ pollsToEnd: 1e9 }),
    }));
    const s = setup(d.baseURL);
    const run = startCli(evalArgs(s, '--batch', '--wait', '--limit', '8', '--swap'), ENV, children);
    await until(
      () => countInStore(s.store, "SELECT COUNT(*) AS n FROM batches WHERE state = 'pending'") === 1,
      30_000,
      'the batch id recorded',
    );
    await until(() => d.batches[0]!.retrievals >= 2, 30_000, 'the run to poll');
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    expect(run.stderr()).toContain('waiting for 1 batch: 0/16 requests done');

    d.batches[0]!.plan.pollsToEnd = 0; // it ends overnight
    const next = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '8', '--swap'), { env: ENV });
    expect(next.code, next.stderr).toBe(0);
    expect(d.batches).toHaveLength(1);
    expect(d.calls).toHaveLength(16);
    expect(new Set(d.calls.map((c) => c.prompt)).size).toBe(16);
    expect(next.stderr).toContain('collected batch batch_double0 (completed): 16 answers.');
    expect(next.stderr).toContain('rewardbench: 8 items (×2 orders): 0 asked, 0 from the store, 0 errors, 0 invalid');
  });

  it('Ctrl-C while waiting: stops waiting at once (exit 130); the batch stays recorded for the next run', async () => {
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: verdictFor,
      plan: () => ({ pollsToEnd: 1e9 }),
    }));
    const s = setup(d.baseURL);
    const run = startCli(evalArgs(s, '--batch', '--wait', '--limit', '4'), ENV, children);
    await until(() => run.stderr().includes('waiting for 1 batch'), 30_000, 'the wait to start');
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(EXIT_CODES.interrupted.code);
    expect(run.stderr()).toContain('Ctrl-C: stopping: nothing more is submitted and the wait ends');
    expect(run.stderr()).toContain('rewardbench: 4 requests in 1 pending batch (batch_double0)');
    expect(query(s.store, 'SELECT batch_id, state FROM batches')).toEqual([
      { batch_id: 'batch_double0', state: 'pending' },
    ]);
  });

  it('a kill in the middle of a submission (created, id not recorded): the next run finds it by label', async () => {
    let hang = true;
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: verdictFor,
      onCreate: () => (hang ? 'hang' : 'answer'),
    }));
    const s = setup(d.baseURL);
    const run = startCli(evalArgs(s, '--batch', '--limit', '6'), ENV, children);
    await until(() => d.batches.length === 1, 30_000, 'the batch created at the provider');
    // The intent is committed, without an id: the reply to the create never came.
    const intent = query<{ batch_id: string | null; state: string; label: string }>(
      s.store,
      'SELECT batch_id, state, label FROM batches',
    );
    expect(intent).toEqual([{ batch_id: null, state: 'submitting', label: expect.stringMatching(/^autorater-/) }]);
    expect(d.batches[0]!.object.metadata).toEqual({ autorater_label: intent[0]!.label });
    run.child.kill('SIGKILL');
    await run.exited;

    hang = false;
    const next = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '6'), { env: ENV });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('Recovered batch batch_double0: submitted by a run that ended before it could');
    expect(d.batches).toHaveLength(1); // found, not created again
    expect(d.calls).toHaveLength(6);
    expect(query(s.store, 'SELECT batch_id, state FROM batches')).toEqual([
      { batch_id: 'batch_double0', state: 'collected' },
    ]);
  });

  it('a recorded batch the provider no longer knows (404): marked lost with a note, asked again', async () => {
    const d = (double = await startOpenAIBatchDouble({ apiKey: KEY, script: verdictFor }));
    const s = setup(d.baseURL);
    const first = await runCli(evalArgs(s, '--batch', '--limit', '6'), { env: ENV });
    expect(first.code, first.stderr).toBe(EXIT_CODES.batchPending.code);
    d.batches[0]!.plan.gone = true; // deleted upstream, or the key now belongs to another project

    const next = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '6'), { env: ENV });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      'Batches: the provider no longer knows rewardbench batch batch_double0 (GET /v1/batches/batch_double0: ' +
        "HTTP 404: No batch found with id 'batch_double0'.): deleted, or the key is now of another project",
    );
    expect(next.stderr).toContain('marked lost, its 6 requests are free to be asked again.');
    expect(d.batches).toHaveLength(2);
    expect(d.batches[1]!.lines).toHaveLength(6);
    expect(next.stderr).toContain('collected batch batch_double1 (completed): 6 answers.');
    const rows = query<{ batch_id: string; state: string; note: string | null }>(
      s.store,
      'SELECT batch_id, state, note FROM batches ORDER BY created_at',
    );
    expect(rows).toEqual([
      {
        batch_id: 'batch_double0',
        state: 'lost',
        note: expect.stringMatching(/^the provider no longer knows the batch/),
      },
      { batch_id: 'batch_double1', state: 'collected', note: null },
    ]);
    expect(query(s.store, 'SELECT COUNT(*) AS n FROM judgments WHERE error IS NULL')).toEqual([{ n: 6 }]);

    // Later runs are not held up by it: nothing pending, nothing asked.
    const third = await runCli(evalArgs(s, '--batch', '--limit', '6'), { env: ENV });
    expect(third.code, third.stderr).toBe(0);
    expect(d.batches).toHaveLength(2);
  });

  it('batch and synchronous runs of the same items give identical summaries, also when the run is mixed', async () => {
    const d = (double = await startOpenAIBatchDouble({ apiKey: KEY, script: verdictFor }));
    for (const [benchmark, limit] of [
      ['rewardbench', '16'],
      ['usr-topicalchat', '10'],
    ] as const) {
      const flags = ['--benchmark', benchmark, '--limit', limit, ...(benchmark === 'rewardbench' ? ['--swap'] : [])];
      const sync = setup(d.baseURL);
      const viaSync = await runCli(evalArgs(sync, ...flags, '--out', path.join(sync.dir, 'out')), { env: ENV });
      expect(viaSync.code, viaSync.stderr).toBe(0);
      const batch = setup(d.baseURL);
      const viaBatch = await runCli(
        evalArgs(batch, ...flags, '--batch', '--wait', '--out', path.join(batch.dir, 'out')),
        {
          env: ENV,
        },
      );
      expect(viaBatch.code, viaBatch.stderr).toBe(0);
      // Mixed: half the items answered synchronously first, the rest in a batch, on one store.
      const mixed = setup(d.baseURL);
      const half = String(Number(limit) / 2);
      const head = flags.map((f) => (f === limit ? half : f));
      expect((await runCli(evalArgs(mixed, ...head), { env: ENV })).code).toBe(0);
      const viaMixed = await runCli(
        evalArgs(mixed, ...flags, '--batch', '--wait', '--out', path.join(mixed.dir, 'out')),
        {
          env: ENV,
        },
      );
      expect(viaMixed.code, viaMixed.stderr).toBe(0);
      const cachedPrompts = Number(half) * (benchmark === 'rewardbench' ? 2 : 1); // both orders with --swap
      expect(viaMixed.stderr).toContain(`${cachedPrompts} from the store`);
      expect(viaMixed.stderr).toMatch(/at batch prices\)/);

      const scores = (dir: string) => (summary(path.join(dir, 'out')) as { benchmarks: unknown }).benchmarks;
      expect(scores(batch.dir)).toEqual(scores(sync.dir));
      expect(scores(mixed.dir)).toEqual(scores(sync.dir));
      const headline = (scores(sync.dir) as Record<string, { score: number; errors: number }>)[benchmark]!;
      expect(headline.errors).toBe(0);
      expect(headline.score).toBeGreaterThan(0);
      expect(headline.score).toBeLessThan(100);
      // The same judge fingerprint (batch or not), so each path's answers are the other's cache.
      const fingerprints = (dir: string) =>
        (summary(path.join(dir, 'out')) as { judgeFingerprint: string }).judgeFingerprint;
      expect(fingerprints(batch.dir)).toBe(fingerprints(sync.dir));
    }
  });

  it('failures inside a batch are submitted once more, then stored with their cause (exit 4)', async () => {
    // Batch 0 expires after answering 3 requests; its other requests go into batch 1, which fails as a whole.
    // Request-level failures: one prompt always gets a 400 (not worth another batch), one a 500 the first time.
    const bad = { status: 400, message: "Invalid 'messages': too long." };
    let badPrompt: string | undefined;
    let flakyPrompt: string | undefined;
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: (call) => {
        badPrompt ??= call.prompt;
        if (call.prompt === badPrompt) return apiError(bad.status, bad.message, 'invalid_request_error');
        flakyPrompt ??= call.prompt;
        if (call.prompt === flakyPrompt && call.attempt === 1) return serverError();
        return verdictFor(call);
      },
      plan: (i) =>
        i === 0
          ? { end: 'expired', answered: 4 }
          : i === 1
            ? { end: 'failed', error: { code: 'token_limit_exceeded', message: 'Enqueued token limit reached.' } }
            : {},
    }));
    const s = setup(d.baseURL);
    const result = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '10'), { env: ENV });
    expect(result.code, result.stderr).toBe(EXIT_CODES.itemsFailed.code);
    expect(d.batches).toHaveLength(2); // resubmitted once, never a third time
    expect(d.batches[1]!.lines).toHaveLength(7); // the 500 and the 6 the expiry left; not the 400
    expect(result.stderr).toContain(
      'collected batch batch_double0 (expired): 2 answers, 7 submitted once more, 1 stored as errors.',
    );
    expect(result.stderr).toContain(
      'collected batch batch_double1 (failed as a whole): 0 answers, 7 stored as errors.',
    );
    const errors = query<{ error: string; attempts: number; batch_id: string }>(
      s.store,
      'SELECT error, attempts, batch_id FROM judgments WHERE error IS NOT NULL ORDER BY attempts, error',
    );
    expect(errors).toHaveLength(8);
    expect(errors[0]).toEqual({ error: `HTTP 400: ${bad.message}`, attempts: 1, batch_id: 'batch_double0' });
    for (const e of errors.slice(1)) {
      expect(e).toEqual({
        error: 'the batch failed: token_limit_exceeded: Enqueued token limit reached. (in 2 batches)',
        attempts: 2,
        batch_id: 'batch_double1',
      });
    }
    expect(result.stderr).toMatch(/Items without an answer, by cause \(8; the next run asks them again\)/);

    // The next run asks them again, as after any failure: a new batch, answered this time.
    const rerun = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '10'), { env: ENV });
    expect(d.batches).toHaveLength(3);
    expect(d.batches[2]!.lines).toHaveLength(8);
    expect(rerun.code, rerun.stderr).toBe(EXIT_CODES.itemsFailed.code); // the 400 stays a 400
    expect(query(s.store, 'SELECT COUNT(*) AS n FROM judgments WHERE error IS NOT NULL')).toEqual([{ n: 1 }]);
  });

  it('--max-cost applies before submitting, at the batch price', async () => {
    const d = (double = await startOpenAIBatchDouble({ apiKey: KEY, script: verdictFor }));
    const s = setup(d.baseURL);
    const none = await runCli(evalArgs(s, '--batch', '--limit', '10', '--max-cost', '0.001'), { env: ENV });
    expect(none.code, none.stderr).toBe(EXIT_CODES.maxCost.code);
    expect(none.stderr).toContain('Stopped before spending more than $0.001');
    expect(d.batches).toHaveLength(0);
    expect(d.requests).toHaveLength(0);

    // The worst case of one request at gpt-4o's batch price ($2.50 / $7.50 per million, half of $5 / $15): its
    // prompt's bytes plus 64 template tokens in, 1,024 tokens out. --max-cost between 3 and 4 of them submits 3.
    const { prepareItems } = await import('../harness/prepare.ts');
    const { rewardbench } = await import('../benchmarks/rewardbench/index.ts');
    const { DATA_DIR } = await import('./helpers.ts');
    const worst = (await prepareItems(rewardbench, DATA_DIR, 0, { limit: 10 })).map(
      (e) => ((Buffer.byteLength(e.prompt) + 64) * 2.5 + 1024 * 7.5) / 1e6,
    );
    const budget = worst[0]! + worst[1]! + worst[2]! + worst[3]! / 2;
    const some = await runCli(evalArgs(s, '--batch', '--limit', '10', '--max-cost', budget.toFixed(6)), { env: ENV });
    expect(some.code, some.stderr).toBe(EXIT_CODES.maxCost.code);
    expect(d.batches).toHaveLength(1);
    expect(d.batches[0]!.lines).toHaveLength(3);
  });

  it('costs are recorded at the batch price and reported as such', async () => {
    const d = (double = await startOpenAIBatchDouble({ apiKey: KEY, script: verdictFor }));
    for (const [price, input, output] of [
      [{ inputPerMillion: 5, outputPerMillion: 15 }, 2.5, 7.5], // the default: half
      [{ inputPerMillion: 5, outputPerMillion: 15, batchDiscount: 0.2 }, 4, 12],
      [{ inputPerMillion: 5, outputPerMillion: 15, batchInputPerMillion: 1, batchOutputPerMillion: 3 }, 1, 3],
    ] as const) {
      const s = setup(d.baseURL, { price });
      const result = await runCli(evalArgs(s, '--batch', '--wait', '--limit', '5', '--out', path.join(s.dir, 'out')), {
        env: ENV,
      });
      expect(result.code, result.stderr).toBe(0);
      const rows = query<{ input_tokens: number; output_tokens: number; cost_usd: number }>(
        s.store,
        'SELECT input_tokens, output_tokens, cost_usd FROM judgments',
      );
      expect(rows).toHaveLength(5);
      for (const r of rows)
        expect(r.cost_usd).toBeCloseTo((r.input_tokens * input + r.output_tokens * output) / 1e6, 15);
      const spend = (summary(path.join(s.dir, 'out')) as { run: { spend: Record<string, number> } }).run.spend;
      expect(spend.batchCostUsd).toBeCloseTo(spend.costUsd!, 15);
      expect(spend.costUsd).toBeCloseTo(
        rows.reduce((n, r) => n + r.cost_usd, 0),
        15,
      );
      expect(result.stderr).toMatch(/this run: [\d.k]+ in \/ [\d.k]+ out \| \$\d+\.\d\d \(all at batch prices\)/);
      const report = fs.readFileSync(path.join(s.dir, 'out', 'report.md'), 'utf8');
      expect(report).toContain('(all at batch prices)');
    }
  });

  it('a synchronous run leaves what batches hold alone; "batch": true in the config is --batch', async () => {
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: verdictFor,
      plan: () => ({ pollsToEnd: 3 }),
    }));
    const s = setup(d.baseURL);
    expect((await runCli(evalArgs(s, '--batch', '--limit', '4'), { env: ENV })).code).toBe(
      EXIT_CODES.batchPending.code,
    );
    const sync = await runCli(evalArgs(s, '--limit', '6'), { env: ENV });
    expect(sync.code, sync.stderr).toBe(EXIT_CODES.batchPending.code);
    expect(d.calls).toHaveLength(2); // only the 2 items no batch holds
    expect(sync.stderr).toContain('rewardbench: 6 items: 2 asked, 0 from the store, 0 errors, 4 pending in batches');
    expect(sync.stderr).toContain('4 requests in 1 pending batch (batch_double0)');

    const byConfig = setup(d.baseURL, { batch: true });
    fs.copyFileSync(s.store, byConfig.store);
    const collected = await runCli(evalArgs(byConfig, '--wait', '--limit', '6'), { env: ENV });
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stderr).toContain('collected batch batch_double0 (completed): 4 answers.');
    expect(d.batches).toHaveLength(1);
  });

  it('says clearly when --batch cannot work', async () => {
    const plain = (double = await startOpenAIDouble({ apiKey: KEY }));
    const s = setup(plain.baseURL, { adapter: 'openai-compatible', apiKeyEnv: 'OPENAI_API_KEY' });
    const noApi = await runCli(evalArgs(s, '--batch', '--limit', '3'), { env: ENV });
    expect(noApi.code, noApi.stderr).toBe(EXIT_CODES.endpoint.code);
    const line = noApi.stderr.split('\n').find((l) => l.includes('no batch API'))!;
    expect(line).toContain(`gpt-4o-batch at ${plain.baseURL} (URL from "baseURL" of "gpt-4o-batch" in ${s.config}): `);
    expect(line).toContain('this server has no batch API: POST /v1/files answered HTTP 404');
    expect(plain.calls).toHaveLength(0);
    expect(query(s.store, 'SELECT state FROM batches')).toEqual([{ state: 'lost' }]);

    const builtIn = await runCli(['eval', '--judge', 'longer-wins', '--batch', '--limit', '2', '--store', s.store]);
    expect(builtIn.code).toBe(EXIT_CODES.usage.code);
    expect(builtIn.stderr).toContain('--batch: judge longer-wins cannot run in batches');
    const waitAlone = await runCli(evalArgs(s, '--wait', '--limit', '2'), { env: ENV });
    expect(waitAlone.code).toBe(EXIT_CODES.usage.code);
    expect(waitAlone.stderr).toContain('--wait waits for provider batches: add --batch');
  });
});
