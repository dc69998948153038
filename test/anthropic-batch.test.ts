/**
 * The `anthropic` adapter's batch client (judges/adapters/anthropic-batch.ts) through the real @anthropic-ai/sdk
 * against the Message Batches double (test/doubles/anthropic-batch-server.ts), on real RewardBench prompts: what
 * each call sends, how a batch's life maps to the harness's states, how every kind of result comes back (text,
 * tokens, an empty reply, errors worth resubmitting or not, expired and canceled requests), cancellation with
 * partial results, the size limits, and keys kept out of every error.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { prepareItems, type PreparedItem } from '../harness/run.ts';
import type { BatchClient, BatchRequest } from '../judges/adapters/adapter.ts';
import { ANTHROPIC_BATCH_LIMITS } from '../judges/adapters/anthropic-batch.ts';
import { ANTHROPIC_API_VERSION, anthropicAdapter, messageParams } from '../judges/adapters/anthropic.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import {
  startAnthropicBatchDouble,
  type AnthropicBatchDouble,
  type BatchScript,
  type Outcome,
} from './doubles/anthropic-batch-server.ts';
import { apiError } from './doubles/anthropic-server.ts';
import { collect, errorOf, thrown } from './batch-results.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = `sk-ant-api03-${randomBytes(16).toString('hex')}-batch`;
const SPEC: JudgeSpec = resolveJudgeSpec('claude-3-opus', loadJudgeConfig({ cwd: tempDir() }))!;
const VERDICT = (letter: string): string => `explanation: it follows the instruction.\nbetter response: ${letter}`;
const never = (): AbortSignal => new AbortController().signal;

let items: PreparedItem[];
beforeAll(async () => {
  items = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 6 });
  await anthropicAdapter.prepare?.();
});

const doubles: AnthropicBatchDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function setup(script: BatchScript, apiKey = KEY): Promise<{ double: AnthropicBatchDouble; batch: BatchClient }> {
  const double = await startAnthropicBatchDouble({ apiKey: KEY, script });
  doubles.push(double);
  const client = anthropicAdapter.create({ ...SPEC, baseURL: double.url }, { apiKey, baseURL: double.url });
  return { double, batch: client.batch! };
}

function requests(n: number): BatchRequest[] {
  return items.slice(0, n).map((item, i) => ({ customId: `item-${i}`, prompt: item.prompt, task: item.prepared.task }));
}

describe('anthropic batch client', () => {
  it('is what the adapter offers: capabilities.batch and a batch client on every model client', () => {
    expect(anthropicAdapter.capabilities.batch).toBe(true);
    const client = anthropicAdapter.create(SPEC, { apiKey: KEY });
    expect(client.batch?.limits).toEqual({ maxRequests: 100_000, maxBytes: 256_000_000 - 15 });
    expect(client.batch?.find).toBeUndefined(); // a Message Batch keeps no label
  });

  it('submits each prompt as the sync request, follows the batch until it ends, and maps every result', async () => {
    const outcomes: Outcome[] = [
      { text: VERDICT('A'), options: { usage: { input_tokens: 1200, output_tokens: 40 } } },
      { text: '', options: { content: [], stopReason: 'refusal', usage: { input_tokens: 1300, output_tokens: 2 } } },
      { errored: 'overloaded_error', message: 'Overloaded' },
      { errored: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' },
      { errored: 'api_error', message: 'Internal server error' },
      { expired: true },
    ];
    const { double, batch } = await setup({ endsAfter: 2, outcome: (_item, index) => outcomes[index]! });
    const sent = requests(6);

    const id = await batch.submit(sent, 'run-1-batch-1', never());
    expect(id).toMatch(/^msgbatch_/);
    const create = double.requests[0]!;
    expect([create.method, create.path]).toEqual(['POST', '/v1/messages/batches']);
    expect(create.headers['x-api-key']).toBe(KEY);
    expect(create.headers.authorization).toBeUndefined();
    expect(create.headers['anthropic-version']).toBe(ANTHROPIC_API_VERSION);
    expect(create.headers['x-stainless-retry-count']).toBe('0');
    expect(create.body).toEqual({
      requests: sent.map((r) => ({
        custom_id: r.customId,
        params: {
          model: 'claude-3-opus-20240229',
          max_tokens: 1024,
          temperature: 0,
          messages: [{ role: 'user', content: r.prompt }],
        },
      })),
    });
    // The params are the sync client's own request for that prompt.
    expect((create.body as { requests: { params: unknown }[] }).requests[3]!.params).toEqual(
      messageParams(SPEC, sent[3]!.prompt),
    );

    expect(await batch.status(id, never())).toEqual({ state: 'pending', done: 0, total: 6 });
    expect(await batch.status(id, never())).toEqual({ state: 'pending', done: 0, total: 6 });
    expect(await batch.status(id, never())).toEqual({ state: 'ended', done: 6, total: 6 });
    expect(double.requests.slice(1).map((r) => [r.method, r.path])).toEqual(
      [1, 2, 3].map(() => ['GET', `/v1/messages/batches/${id}`]),
    );

    const results = await collect(batch.results(id, never()));
    expect([...results.keys()].sort()).toEqual(sent.map((r) => r.customId).sort());
    expect(results.get('item-0')).toEqual({
      customId: 'item-0',
      completion: { text: VERDICT('A'), usage: { inputTokens: 1200, outputTokens: 40 } },
    });
    expect(results.get('item-1')).toEqual({
      customId: 'item-1',
      completion: {
        text: '',
        usage: { inputTokens: 1300, outputTokens: 2 },
        emptyReason: 'Claude returned no text (stop_reason refusal)',
      },
    });
    const errors = ['item-2', 'item-3', 'item-4', 'item-5'].map((k) => errorOf(results.get(k)));
    expect(errors.map((e) => [e.message, e.details.retryable])).toEqual([
      ['Anthropic batch: overloaded_error: Overloaded', true],
      ['Anthropic batch: invalid_request_error: prompt is too long: 250000 tokens > 200000 maximum', false],
      ['Anthropic batch: api_error: Internal server error', true],
      ['Anthropic batch: expired (the batch ended after 24 hours before processing it)', true],
    ]);
    // The results file came from the batch's results_url, after one more retrieve by the SDK (and ours).
    expect(double.counts).toEqual({ creates: 1, retrieves: 5, results: 1, cancels: 0 });
    const download = double.requests.at(-1)!;
    expect([download.method, download.path]).toEqual(['GET', `/v1/messages/batches/${id}/results`]);
    expect(download.headers['x-api-key']).toBe(KEY);
  });

  it('counts a request’s bytes as the SDK sends them, to the byte', async () => {
    const { double, batch } = await setup({ outcome: () => ({ text: VERDICT('B') }) });
    const sent = requests(5);
    await batch.submit(sent, 'label', never());
    const body = double.requests[0]!.bytes;
    // Each request and its comma, and the {"requests":[]} around them, less the comma after the last.
    const counted = sent.reduce((sum, r) => sum + batch.requestBytes(r), 0);
    expect(counted + 15 - 1).toBe(body.length);
    expect(ANTHROPIC_BATCH_LIMITS.maxBytes + 15).toBe(256_000_000);
  });

  it('cancels a running batch: the finished requests come back, the rest as canceled, worth resubmitting', async () => {
    const { double, batch } = await setup({
      endsAfter: 100,
      finishedBeforeCancel: 2,
      outcome: (_item, index) => ({ text: VERDICT(index % 2 === 0 ? 'A' : 'B') }),
    });
    const id = await batch.submit(requests(4), 'label', never());
    expect((await batch.status(id, never())).state).toBe('pending');
    await batch.cancel(id, never());
    expect(double.requests.at(-1)!.path).toBe(`/v1/messages/batches/${id}/cancel`);
    expect(await batch.status(id, never())).toEqual({ state: 'cancelled', done: 4, total: 4 });

    const results = await collect(batch.results(id, never()));
    expect(results.get('item-0')).toMatchObject({ completion: { text: VERDICT('A') } });
    expect(results.get('item-1')).toMatchObject({ completion: { text: VERDICT('B') } });
    for (const key of ['item-2', 'item-3']) {
      const error = errorOf(results.get(key));
      expect(error.message).toBe('Anthropic batch: canceled with its batch before it was processed');
      expect(error.details).toEqual({ retryable: true });
    }
    expect(double.counts.cancels).toBe(1);
  });

  it('reports a batch whose every request expired as expired, and one partly expired as ended', async () => {
    const all = await setup({ outcome: () => ({ expired: true }) });
    const id = await all.batch.submit(requests(3), 'label', never());
    expect(await all.batch.status(id, never())).toEqual({ state: 'expired', done: 3, total: 3 });
    const expired = await collect(all.batch.results(id, never()));
    expect([...expired.values()].map((r) => errorOf(r).details.retryable)).toEqual([true, true, true]);

    const part = await setup({
      outcome: (_item, index) => (index === 0 ? { expired: true } : { text: VERDICT('A') }),
    });
    const partId = await part.batch.submit(requests(3), 'label', never());
    expect(await part.batch.status(partId, never())).toEqual({ state: 'ended', done: 3, total: 3 });
    const results = await collect(part.batch.results(partId, never()));
    expect(errorOf(results.get('item-0')).details.retryable).toBe(true);
    expect(results.get('item-2')).toMatchObject({ completion: { text: VERDICT('A') } });
  });

  it('refuses to read results before the batch has ended, as worth asking again later', async () => {
    const { double, batch } = await setup({ endsAfter: 100, outcome: () => ({ text: VERDICT('A') }) });
    const id = await batch.submit(requests(2), 'label', never());
    const error = await thrown(collect(batch.results(id, never())));
    expect(error.message).toBe(`Anthropic batch ${id} has no results yet (processing_status in_progress)`);
    expect(error.details.retryable).toBe(true);
    expect(double.counts.results).toBe(0);
  });

  it('turns a 401 on create into a fatal error, and sends nothing more', async () => {
    const wrong = `sk-ant-api03-${randomBytes(16).toString('hex')}-wrong`;
    const { double, batch } = await setup({ outcome: () => ({ text: VERDICT('A') }) }, wrong);
    const error = await thrown(batch.submit(requests(2), 'label', never()));
    expect(error.message).toBe('HTTP 401: authentication_error: invalid x-api-key');
    expect(error.details).toMatchObject({ status: 401, retryable: false, fatal: true });
    expect(double.requests).toHaveLength(1);
    expect(double.counts.creates).toBe(0);
    expect(error.message).not.toContain(wrong);
  });

  it('keeps the key out of errors when the server echoes it, in a reply or inside a result', async () => {
    let echo = false;
    const { batch } = await setup({
      outcome: () => ({ errored: 'invalid_request_error', message: `the key ${KEY} may not use this model` }),
      intercept: (recorded) =>
        echo && recorded.method === 'GET'
          ? apiError(403, 'permission_error', `API key ${KEY} does not have access to batches`)
          : undefined,
    });
    const id = await batch.submit(requests(1), 'label', never());
    const inside = errorOf((await collect(batch.results(id, never()))).get('item-0'));
    expect(inside.message).toBe('Anthropic batch: invalid_request_error: the key *** may not use this model');

    echo = true;
    const refused = await thrown(batch.status(id, never()));
    expect(refused.message).toBe('HTTP 403: permission_error: API key *** does not have access to batches');
    expect(refused.details).toMatchObject({ status: 403, fatal: true });
  });

  it('retries what a second try may fix: a 529 on create, a results file cut off mid-way', async () => {
    let cut = true;
    const { batch } = await setup({
      outcome: () => ({ text: VERDICT('A') }),
      intercept: (recorded) => {
        if (recorded.method === 'POST' && recorded.path === '/v1/messages/batches' && cut)
          return apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after': '3' });
        if (recorded.path.endsWith('/results') && cut) {
          const line = JSON.stringify({ custom_id: 'item-0', result: { type: 'succeeded' } });
          return { status: 200, headers: { 'content-type': 'application/binary' }, truncate: `${line}\n${line}\n` };
        }
        return undefined;
      },
    });
    const busy = await thrown(batch.submit(requests(2), 'label', never()));
    expect(busy.details).toMatchObject({ status: 529, retryable: true, retryAfterMs: 3000 });

    cut = false;
    const id = await batch.submit(requests(2), 'label', never());
    cut = true;
    const error = await thrown(collect(batch.results(id, never())));
    expect(error.details.retryable).toBe(true);
    expect(error.message).toMatch(/^Anthropic API: (reply body cut off|reply body is not valid JSON)/);
  });

  it('hands back the harness’s abort reason untouched', async () => {
    const { double, batch } = await setup({
      outcome: () => ({ text: VERDICT('A') }),
      intercept: () => ({ hang: true }),
    });
    const controller = new AbortController();
    const reason = new Error('Ctrl-C');
    setTimeout(() => controller.abort(reason), 50);
    await expect(batch.status('msgbatch_x', controller.signal)).rejects.toBe(reason);
    expect(double.requests).toHaveLength(1);
  });
});
