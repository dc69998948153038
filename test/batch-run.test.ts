/**
 * The batch path (harness/batch.ts) and its ledger (harness/batch-ledger.ts) against a scripted BatchClient: a
 * server that cannot be reached after it has answered is waited out rather than taken for a configuration fault,
 * one note per batch however often --wait fails to check it, --max-cost reservations of requests never submitted
 * given back, a batch answer for an item another run answered meanwhile stored (its cost added) but none stored
 * twice when results are read again, and an intent given up by another process not flipped back to pending.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { EndpointError } from '../core/errors.ts';
import { BatchRun } from '../harness/batch.ts';
import type { BatchSelection } from '../harness/batch-ledger.ts';
import { prepareItems } from '../harness/prepare.ts';
import { Budget } from '../harness/spend.ts';
import { Store, judgmentKey } from '../harness/store.ts';
import type { BatchClient, BatchResult, BatchStatus } from '../judges/adapters/adapter.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import type { Judge } from '../judges/judge.ts';
import { DEFAULT_RETRY_POLICY } from '../protocol/limits.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const FINGERPRINT = 'fp-batch-run';
const SELECTION: BatchSelection = { seed: 0, sample: null, limit: 4, swap: false };
const PRICE = { inputPerMillion: 1, outputPerMillion: 1 };
const MAX_OUTPUT_TOKENS = 100;

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function openStore(): Store {
  const store = Store.open(path.join(tempDir('autorater-batch-run-'), 'runs.sqlite'));
  stores.push(store);
  return store;
}

const refused = () => new JudgeCallError('connect ECONNREFUSED 127.0.0.1:9', { retryable: true });

/** A BatchClient whose every call is the test's script (by default: batches accepted, never ending). */
class ScriptedClient implements BatchClient {
  readonly limits = { maxRequests: 1000, maxBytes: 1e9 };
  submitted: string[][] = [];
  submitCalls = 0;
  statusCalls = 0;
  submit_: (n: number) => Promise<void> = async () => undefined;
  status_: (n: number) => Promise<BatchStatus> = async () => ({ state: 'pending' });
  results_: () => Iterable<BatchResult> = () => [];

  requestBytes(): number {
    return 100;
  }

  async submit(requests: readonly { customId: string }[]): Promise<string> {
    await this.submit_(this.submitCalls++);
    this.submitted.push(requests.map((r) => r.customId));
    return `batch-${this.submitted.length - 1}`;
  }

  async status(): Promise<BatchStatus> {
    return this.status_(this.statusCalls++);
  }

  async *results(): AsyncIterable<BatchResult> {
    yield* this.results_();
  }

  async cancel(): Promise<void> {}
}

function setup(store: Store, client: ScriptedClient, { maxCostUsd = undefined as number | undefined, wait = false }) {
  const judge: Judge = {
    id: 'scripted',
    config: {},
    tasks: ['pairwise'],
    concurrency: 1,
    price: PRICE,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    batch: client,
    judge: async () => {
      throw new Error('not asked one by one');
    },
  };
  const stopping = new AbortController();
  let maxCost = 0;
  const run = new BatchRun(
    { judge, store, dataDir: DATA_DIR, selection: SELECTION, maxCostUsd, wait, pollMs: 1, progress: false },
    {
      runId: 1,
      fingerprint: FINGERPRINT,
      policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      stopping: stopping.signal,
      signal: new AbortController().signal,
      onMaxCost: () => {
        maxCost += 1;
      },
      largeRunPrompts: 1e6,
    },
  );
  return { run, stopping, maxCosts: () => maxCost };
}

describe('the batch path against a scripted provider', () => {
  it('a refused connection is a configuration fault until a batch call has succeeded, then a note', async () => {
    const cold = new ScriptedClient();
    cold.submit_ = async () => {
      throw refused();
    };
    const first = setup(openStore(), cold, {});
    await expect(first.run.add(rewardbench)).rejects.toBeInstanceOf(EndpointError);

    // Submitted (the endpoint answered), then unreachable for a while during --wait: noted, polled again.
    const warm = new ScriptedClient();
    const { run, stopping } = setup(openStore(), warm, { wait: true });
    await run.add(rewardbench);
    warm.status_ = async (n) => {
      if (n >= 5) stopping.abort();
      throw refused();
    };
    await run.wait();
    expect(warm.statusCalls).toBeGreaterThanOrEqual(5);
    // One note for the batch, not one per poll.
    expect(run.activity.notes).toEqual([
      'could not check batch batch-0: connect ECONNREFUSED 127.0.0.1:9 (after 2 attempts)',
    ]);
  });

  it('gives the --max-cost reservation of a submission that failed back', async () => {
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 4 });
    const budget = new Budget(1, PRICE, MAX_OUTPUT_TOKENS);
    const four = entries.reduce((sum, e) => sum + budget.worstCase(e.prompt), 0);
    const client = new ScriptedClient();
    client.submit_ = async (n) => {
      if (n === 0) throw new JudgeCallError('HTTP 400: not this time', { status: 400, retryable: false });
    };
    // Room for the four requests once, not twice.
    const { run, maxCosts } = setup(openStore(), client, { maxCostUsd: four * 1.5 });
    await run.add(rewardbench);
    expect(run.activity.notes).toEqual(['4 rewardbench requests not submitted (HTTP 400: not this time)']);
    await run.add(rewardbench); // the same items again: they fit, since the failed submission reserves nothing
    expect(client.submitted).toHaveLength(1);
    expect(client.submitted[0]).toHaveLength(4);
    expect(maxCosts()).toBe(0);
  });

  it('a batch answer for an item another run answered is stored: the first stays, its cost added', async () => {
    const store = openStore();
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 4 });
    const [intent] = store.batches.intend([
      {
        label: 'l0',
        fingerprint: FINGERPRINT,
        judgeId: 'scripted',
        benchmark: rewardbench.id,
        selection: SELECTION,
        items: entries.map((e, i) => ({ customId: `r${i}`, itemId: e.item.id, promptHash: e.promptHash, attempt: 1 })),
      },
    ]);
    expect(intent!.items).toHaveLength(4);
    expect(store.batches.submitted('l0', 'batch-old')).toBe(true);
    const first = entries[0]!;
    const base = { benchmark: rewardbench.id, itemId: first.item.id, promptHash: first.promptHash, judgeId: 's' };
    store.record(FINGERPRINT, {
      ...base,
      runId: 2,
      replyType: 'text',
      raw: 'better response: A',
      verdict: null,
      error: null,
      latencyMs: 5,
      inputTokens: 10,
      outputTokens: 10,
      costUsd: 0.5,
      optionProbabilities: null,
      invalidReason: null,
      attempts: 1,
    });
    const client = new ScriptedClient();
    client.status_ = async () => ({ state: 'ended' });
    client.results_ = () =>
      entries.map((_, i) => ({
        customId: `r${i}`,
        completion: { text: 'better response: B', usage: { inputTokens: 1000, outputTokens: 1000 } },
      }));
    const { run } = setup(store, client, {});
    await run.add(rewardbench);
    expect(run.activity.collected).toMatchObject([{ batchId: 'batch-old', answered: 4, resubmitted: 0, failed: 0 }]);
    expect(client.submitted).toEqual([]);
    const stored = store.judgments(FINGERPRINT, rewardbench.id);
    const kept = stored.get(judgmentKey(first.item.id, first.promptHash))!;
    expect(kept).toMatchObject({ raw: 'better response: A', runId: 2, inputTokens: 1010, outputTokens: 1010 });
    expect(kept.costUsd).toBeCloseTo(0.5 + 2000 / 1e6, 12);
    expect(stored.size).toBe(4);
  });

  it('results read again after a read that broke off: what the first read stored is not stored twice', async () => {
    const store = openStore();
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 4 });
    const results = entries.map((_, i) => ({
      customId: `r${i}`,
      completion: { text: 'better response: B', usage: { inputTokens: 1000, outputTokens: 1000 } },
    }));
    const client = new ScriptedClient();
    const first = setup(store, client, {});
    await first.run.add(rewardbench); // submitted as batch-0
    client.status_ = async () => ({ state: 'ended' });
    client.results_ = function* () {
      // Two results, then the download breaks off (not worth retrying now).
      yield* results.slice(0, 2);
      throw new JudgeCallError('connection cut', { retryable: false });
    };
    const reading = setup(store, client, {});
    await reading.run.add(rewardbench);
    expect(reading.run.activity.notes).toEqual([
      'could not read the results of batch batch-0 (connection cut): the next run tries again',
    ]);
    client.results_ = () => results;
    const next = setup(store, client, {});
    await next.run.add(rewardbench);
    expect(next.run.activity.collected).toMatchObject([{ batchId: 'batch-0', answered: 2 }]);
    const stored = store.judgments(FINGERPRINT, rewardbench.id);
    expect(stored.size).toBe(4);
    for (const j of stored.values()) expect(j).toMatchObject({ inputTokens: 1000, outputTokens: 1000, attempts: 1 });
  });
});

describe('the batch ledger', () => {
  it('an id arriving for an intent another process gave up meanwhile does not bring it back', () => {
    const store = openStore();
    const intent = (label: string, itemId: string) => ({
      label,
      fingerprint: FINGERPRINT,
      judgeId: 'scripted',
      benchmark: 'b',
      selection: SELECTION,
      items: [{ customId: 'r0', itemId, promptHash: 'h', attempt: 1 }],
    });
    store.batches.intend([intent('given-up', 'i0'), intent('found', 'i1'), intent('collected', 'i2')]);
    store.batches.lost('given-up', 'its process ended before the batch was created');
    expect(store.batches.submitted('given-up', 'batch-late')).toBe(false);
    expect(store.batches.held(FINGERPRINT, 'b').has(judgmentKey('i0', 'h'))).toBe(false);
    // Found through BatchClient.find by another process first: the same id, no harm.
    expect(store.batches.submitted('found', 'batch-found')).toBe(true);
    expect(store.batches.submitted('found', 'batch-found')).toBe(true);
    expect(store.batches.pending(FINGERPRINT, 'b').map((b) => [b.label, b.batchId])).toEqual([
      ['found', 'batch-found'],
    ]);
    // A collected batch is not lost afterwards.
    expect(store.batches.submitted('collected', 'batch-c')).toBe(true);
    store.batches.collected('collected', 'ended', null, []);
    store.batches.lost('collected', 'late');
    expect(store.batches.pending(FINGERPRINT, 'b')).toHaveLength(1);
    expect(store.batches.held(FINGERPRINT, 'b').has(judgmentKey('i2', 'h'))).toBe(false);
  });
});
