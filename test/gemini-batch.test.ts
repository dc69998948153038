/**
 * The `gemini` adapter's batch client (judges/adapters/gemini-batch.ts) through the real @google/genai SDK against
 * the Batch Mode and Files API double (test/doubles/gemini-batch-server.ts), on real RewardBench prompts: inline
 * batches and, above 20 MB, an uploaded JSONL file (in 8 MiB chunks) with its results file downloaded; what each
 * call sends, the batch states and counts, every kind of result (text, thought tokens, blocked and empty replies,
 * per-request errors worth resubmitting or not), cancellation with partial results, expiry, failure, finding a
 * batch by its label across pages, and keys kept out of every error.
 */
import fs from 'node:fs';
import os from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { prepareItems, type PreparedItem } from '../harness/run.ts';
import type { BatchClient, BatchRequest } from '../judges/adapters/adapter.ts';
import { geminiAdapter } from '../judges/adapters/gemini.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import {
  startGeminiBatchDouble,
  type GeminiBatchDouble,
  type GeminiBatchScript,
  type GeminiOutcome,
} from './doubles/gemini-batch-server.ts';
import { geminiError, textBody } from './doubles/gemini-server.ts';
import { collect, errorOf, thrown } from './batch-results.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'fake-gemini-batch-key-0a1b2c3d4e5f6789';
const SPEC: JudgeSpec = resolveJudgeSpec('gemini-1.5-flash', loadJudgeConfig({ cwd: tempDir() }))!;
const VERDICT = (letter: string): string => `explanation: it follows the instruction.\nbetter response: ${letter}`;
const never = (): AbortSignal => new AbortController().signal;
const TEMP_PREFIX = 'autorater-gemini-batch-';

let items: PreparedItem[];
beforeAll(async () => {
  items = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 8 });
  await geminiAdapter.prepare?.();
});

const doubles: GeminiBatchDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

async function setup(
  script: GeminiBatchScript,
  apiKey = KEY,
): Promise<{ double: GeminiBatchDouble; batch: BatchClient }> {
  const double = await startGeminiBatchDouble({ apiKey: KEY, script });
  doubles.push(double);
  const client = geminiAdapter.create({ ...SPEC, baseURL: double.url }, { apiKey, baseURL: double.url });
  return { double, batch: client.batch! };
}

/** `n` requests on the real prompts (cycling through them when more are asked for). */
function requests(n: number): BatchRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const item = items[i % items.length]!;
    return { customId: `item-${i}`, prompt: item.prompt, task: item.prepared.task };
  });
}

/** Requests of more than 21 MB in all (the input file's bytes, as requestBytes counts them): sent as a file. */
function overInlineLimit(batch: BatchClient): { sent: BatchRequest[]; counted: number } {
  const cycle = requests(items.length);
  const perRequest = cycle.reduce((sum, r) => sum + batch.requestBytes(r), 0) / cycle.length;
  const sent = requests(Math.ceil(21_000_000 / perRequest) + items.length);
  const counted = sent.reduce((sum, r) => sum + batch.requestBytes(r), 0);
  expect(counted).toBeGreaterThan(21_000_000);
  return { sent, counted };
}

const answer = (text: string, usage = { prompt: 900, output: 30 }): GeminiOutcome => ({
  response: textBody(text, { usage }),
});

const tempLeft = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(TEMP_PREFIX));

describe('gemini batch client', () => {
  it('is what the adapter offers: capabilities.batch, the limits, and find by label', () => {
    expect(geminiAdapter.capabilities.batch).toBe(true);
    const client = geminiAdapter.create(SPEC, { apiKey: KEY });
    expect(client.batch?.limits).toEqual({ maxRequests: 100_000, maxBytes: 2_000_000_000 });
    expect(typeof client.batch?.find).toBe('function');
  });

  it('sends a small batch inline, each request as generateContent gets it, and maps every result', async () => {
    const outcomes: GeminiOutcome[] = [
      answer(VERDICT('A'), { prompt: 1200, output: 40 }),
      {
        response: textBody(VERDICT('B'), {
          thoughts: ['B is right because'],
          usage: { prompt: 50, output: 5, thoughts: 200 },
        }),
      },
      {
        response: {
          promptFeedback: { blockReason: 'SAFETY' },
          usageMetadata: { promptTokenCount: 700, totalTokenCount: 700 },
        },
      },
      {
        response: {
          candidates: [{ finishReason: 'MAX_TOKENS', index: 0 }],
          usageMetadata: { promptTokenCount: 800, candidatesTokenCount: 1024 },
        },
      },
      { error: { code: 13, message: 'Internal error encountered.' } },
      { error: { code: 3, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } },
      { response: { candidates: [], usageMetadata: { promptTokenCount: 10 } } },
      { error: { code: 8, message: 'Resource has been exhausted (e.g. check quota).' } },
    ];
    const { double, batch } = await setup({ endsAfter: 2, outcome: (_item, index) => outcomes[index]! });
    const sent = requests(8);

    const id = await batch.submit(sent, 'run-7-batch-1', never());
    expect(id).toMatch(/^batches\//);
    const create = double.requests[0]!;
    expect([create.method, create.path]).toEqual(['POST', '/v1beta/models/gemini-1.5-flash-001:batchGenerateContent']);
    expect(create.headers['x-goog-api-key']).toBe(KEY);
    expect(create.body).toEqual({
      batch: {
        displayName: 'run-7-batch-1',
        inputConfig: {
          requests: {
            requests: sent.map((r) => ({
              request: {
                contents: [{ role: 'user', parts: [{ text: r.prompt }] }],
                generationConfig: { temperature: 0, maxOutputTokens: 1024 },
              },
              metadata: { key: r.customId },
            })),
          },
        },
      },
    });
    expect(double.counts.uploads).toBe(0);

    expect(await batch.status(id, never())).toEqual({ state: 'pending', total: 8 });
    expect(await batch.status(id, never())).toEqual({ state: 'pending', total: 8 });
    expect(await batch.status(id, never())).toEqual({ state: 'ended', done: 8, total: 8 });
    expect(double.requests.slice(1).map((r) => [r.method, r.path])).toEqual(
      [1, 2, 3].map(() => ['GET', `/v1beta/${id}`]),
    );

    const results = await collect(batch.results(id, never()));
    expect([...results.keys()]).toEqual(sent.map((r) => r.customId));
    expect(results.get('item-0')).toEqual({
      customId: 'item-0',
      completion: { text: VERDICT('A'), usage: { inputTokens: 1200, outputTokens: 40 } },
    });
    expect(results.get('item-1')).toEqual({
      customId: 'item-1',
      completion: { text: VERDICT('B'), usage: { inputTokens: 50, outputTokens: 205 } },
    });
    expect(results.get('item-2')).toEqual({
      customId: 'item-2',
      completion: {
        text: '',
        usage: { inputTokens: 700 },
        emptyReason: 'Gemini blocked the prompt (blockReason SAFETY)',
      },
    });
    expect(results.get('item-3')).toEqual({
      customId: 'item-3',
      completion: {
        text: '',
        usage: { inputTokens: 800, outputTokens: 1024 },
        emptyReason: 'Gemini returned no text (finishReason MAX_TOKENS)',
      },
    });
    const errors = ['item-4', 'item-5', 'item-6', 'item-7'].map((k) => errorOf(results.get(k)));
    expect(errors.map((e) => [e.message, e.details.retryable])).toEqual([
      ['Gemini batch: INTERNAL: Internal error encountered.', true],
      ['Gemini batch: INVALID_ARGUMENT: Request contains an invalid argument.', false],
      ['HTTP 200 with no candidates and no blockReason', true],
      ['Gemini batch: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).', true],
    ]);
    expect(double.counts).toMatchObject({ creates: 1, gets: 4, uploads: 0, downloads: 0 });
  });

  it('uploads a batch over 20 MB as a JSONL file in chunks, and reads its results file', async () => {
    const { double, batch } = await setup({
      outcome: (item, index) => answer(VERDICT(index % 2 === 0 ? 'A' : 'B'), { prompt: item.key.length, output: 9 }),
    });
    const { sent, counted } = overInlineLimit(batch);
    const before = tempLeft();

    const id = await batch.submit(sent, 'big-batch', never());
    expect(double.counts).toMatchObject({ uploads: 1, creates: 1 });
    // The SDK sends 8 MiB at a time; the double joins the bytes and checks the offsets.
    expect(double.counts.chunks).toBe(Math.ceil(counted / (8 * 1024 * 1024)));
    const start = double.requests[0]!;
    expect([start.method, start.path]).toEqual(['POST', '/upload/v1beta/files']);
    expect(start.headers['x-goog-upload-protocol']).toBe('resumable');
    expect(start.headers['x-goog-upload-header-content-length']).toBe(String(counted));
    expect(start.body).toEqual({ file: { mimeType: 'jsonl', displayName: 'big-batch', sizeBytes: String(counted) } });
    // Every chunk went to the configured host with the key, not to the upload URL's own host.
    const chunks = double.requests.filter((r) => r.path.startsWith('/upload/v1beta/files?upload_id='));
    expect(chunks.every((r) => r.headers['x-goog-api-key'] === KEY)).toBe(true);

    const [uploaded] = [...double.files.values()];
    const lines = uploaded!.bytes.toString('utf8').trimEnd().split('\n');
    expect(uploaded!.bytes.length).toBe(counted);
    expect(lines).toHaveLength(sent.length);
    expect(JSON.parse(lines[3]!)).toEqual({
      key: 'item-3',
      request: {
        contents: [{ role: 'user', parts: [{ text: sent[3]!.prompt }] }],
        generationConfig: { temperature: 0, maxOutputTokens: 1024 },
      },
    });
    const create = double.requests.find((r) => r.path.endsWith(':batchGenerateContent'))!;
    expect(create.body).toEqual({ batch: { displayName: 'big-batch', inputConfig: { fileName: uploaded!.name } } });

    expect(await batch.status(id, never())).toEqual({ state: 'ended', done: sent.length, total: sent.length });
    const results = await collect(batch.results(id, never()));
    expect(double.counts.downloads).toBe(1);
    const download = double.requests.at(-1)!;
    expect(download.path).toMatch(/^\/v1beta\/files\/batch-[^:]+:download\?alt=media$/);
    expect(results.size).toBe(sent.length);
    expect(results.get('item-0')).toEqual({
      customId: 'item-0',
      completion: { text: VERDICT('A'), usage: { inputTokens: 'item-0'.length, outputTokens: 9 } },
    });
    expect(results.get(`item-${sent.length - 1}`)).toMatchObject({
      completion: { text: VERDICT(sent.length % 2 === 1 ? 'A' : 'B') },
    });
    expect(tempLeft()).toEqual(before); // the downloaded file is gone
  });

  it('cancels a running batch: what finished comes back, the rest is absent', async () => {
    const { double, batch } = await setup({
      endsAfter: 100,
      finishedBeforeCancel: 2,
      outcome: (_item, index) => answer(VERDICT(index === 0 ? 'A' : 'B')),
    });
    const id = await batch.submit(requests(4), 'label', never());
    expect((await batch.status(id, never())).state).toBe('pending');
    await batch.cancel(id, never());
    expect(double.requests.at(-1)!.path).toBe(`/v1beta/${id}:cancel`);
    expect(await batch.status(id, never())).toEqual({ state: 'cancelled', done: 2, total: 4 });
    const results = await collect(batch.results(id, never()));
    expect([...results.keys()]).toEqual(['item-0', 'item-1']);
    expect(results.get('item-1')).toMatchObject({ completion: { text: VERDICT('B') } });
  });

  it('reports an expired batch and a failed one, with no results and the failure’s reason', async () => {
    const expired = await setup({ ending: 'expired', outcome: () => answer(VERDICT('A')) });
    const id = await expired.batch.submit(requests(3), 'label', never());
    expect(await expired.batch.status(id, never())).toEqual({ state: 'expired', done: 0, total: 3 });
    expect((await collect(expired.batch.results(id, never()))).size).toBe(0);

    const failed = await setup({ ending: 'failed', outcome: () => answer(VERDICT('A')) });
    const failedId = await failed.batch.submit(requests(2), 'label', never());
    expect(await failed.batch.status(failedId, never())).toEqual({
      state: 'failed',
      done: 0,
      total: 2,
      error: 'The batch failed: input file line 1 is not a GenerateContentRequest',
    });
  });

  it('refuses to read results before the batch has ended, as worth asking again later', async () => {
    const { batch } = await setup({ endsAfter: 100, outcome: () => answer(VERDICT('A')) });
    const id = await batch.submit(requests(2), 'label', never());
    const error = await thrown(collect(batch.results(id, never())));
    expect(error.message).toBe(`Gemini batch ${id} has no results yet (JOB_STATE_PENDING)`);
    expect(error.details.retryable).toBe(true);
  });

  it('finds a batch by its label across pages of the list, and nothing for a label never used', async () => {
    const { double, batch } = await setup({ listPageSize: 2, outcome: () => answer(VERDICT('A')) });
    const ids: string[] = [];
    for (const label of ['run-1', 'run-2', 'run-3', 'run-4', 'run-5'])
      ids.push(await batch.submit(requests(1), label, never()));
    expect(await batch.find!('run-1', never())).toBe(ids[0]); // the oldest, on the third page
    const lists = double.requests.filter((r) => r.path.startsWith('/v1beta/batches?'));
    expect(lists.map((r) => r.path)).toEqual([
      '/v1beta/batches?pageSize=100',
      '/v1beta/batches?pageSize=100&pageToken=2',
      '/v1beta/batches?pageSize=100&pageToken=4',
    ]);
    expect(await batch.find!('run-4', never())).toBe(ids[3]);
    expect(await batch.find!('run-9', never())).toBeUndefined();
  });

  it('turns a refused key on create into a fatal error: a 401, and the 400 Gemini gives a wrong key', async () => {
    const unauthenticated = await setup({
      outcome: () => answer(VERDICT('A')),
      intercept: () => geminiError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
    });
    const refused = await thrown(unauthenticated.batch.submit(requests(2), 'label', never()));
    expect(refused.message).toBe('HTTP 401: UNAUTHENTICATED: Request had invalid authentication credentials');
    expect(refused.details).toMatchObject({ status: 401, retryable: false, fatal: true });

    const wrong = await setup({ outcome: () => answer(VERDICT('A')) }, 'another-gemini-key-123456');
    const badKey = await thrown(wrong.batch.submit(requests(2), 'label', never()));
    expect(badKey.message).toBe('HTTP 400: INVALID_ARGUMENT: API key not valid. Please pass a valid API key');
    expect(badKey.details).toMatchObject({ status: 400, retryable: false, fatal: true });
    expect(wrong.double.counts.creates).toBe(0);
  });

  it('keeps the key out of errors when the server echoes it, in a reply or inside a result', async () => {
    let echo = false;
    const { batch } = await setup({
      outcome: () => ({
        error: { code: 7, message: `API key ${KEY} may not use this model`, status: 'PERMISSION_DENIED' },
      }),
      intercept: (recorded) =>
        echo && recorded.method === 'GET'
          ? geminiError(403, 'PERMISSION_DENIED', `Permission denied for key ${KEY} (see ?key=${KEY} for details)`)
          : undefined,
    });
    const id = await batch.submit(requests(1), 'label', never());
    const inside = errorOf((await collect(batch.results(id, never()))).get('item-0'));
    expect(inside.message).toBe('Gemini batch: PERMISSION_DENIED: API key *** may not use this model');
    expect(inside.details.retryable).toBe(false);

    echo = true;
    const refused = await thrown(batch.status(id, never()));
    expect(refused.message).toBe(
      'HTTP 403: PERMISSION_DENIED: Permission denied for key *** (see ?key=*** for details)',
    );
    expect(refused.details).toMatchObject({ status: 403, fatal: true });
  });

  it('retries a results file cut off mid-way, and leaves no temporary file behind', async () => {
    let cut = true;
    const { double, batch } = await setup({
      outcome: () => answer(VERDICT('A')),
      intercept: (recorded) => {
        if (!cut || !recorded.path.includes(':download')) return undefined;
        const line = JSON.stringify({ key: 'item-0', response: textBody(VERDICT('A')) });
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, truncate: `${line}\n${line}\n` };
      },
    });
    // Over 20 MB, so the results come as a file.
    const { sent } = overInlineLimit(batch);
    const id = await batch.submit(sent, 'label', never());
    expect(double.counts.uploads).toBe(1);
    const before = tempLeft();
    const error = await thrown(collect(batch.results(id, never())));
    expect(error.message).toMatch(
      /^the response body was cut off or is not valid JSON: (terminated|other side closed)/,
    );
    expect(error.details.retryable).toBe(true);
    expect(tempLeft()).toEqual(before);

    cut = false;
    expect((await collect(batch.results(id, never()))).size).toBe(sent.length);
  });

  it('says plainly when the upload service answers without an upload URL, as worth another try', async () => {
    const { double, batch } = await setup({
      outcome: () => answer(VERDICT('A')),
      intercept: (recorded) => (recorded.path === '/upload/v1beta/files' ? { status: 200, text: '' } : undefined),
    });
    const error = await thrown(batch.submit(overInlineLimit(batch).sent, 'label', never()));
    expect(error.message).toBe(
      'Gemini API: Failed to get upload url. Server did not return the x-google-upload-url in the headers',
    );
    expect(error.details).toEqual({ retryable: true });
    expect(double.requests).toHaveLength(1);
  });

  it('hands back the harness’s abort reason untouched', async () => {
    const { double, batch } = await setup({ outcome: () => answer(VERDICT('A')), intercept: () => ({ hang: true }) });
    const controller = new AbortController();
    const reason = new Error('Ctrl-C');
    setTimeout(() => controller.abort(reason), 50);
    await expect(batch.status('batches/x', controller.signal)).rejects.toBe(reason);
    expect(double.requests).toHaveLength(1);
  });
});
