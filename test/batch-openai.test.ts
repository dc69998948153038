/**
 * The OpenAI batch client (judges/adapters/openai-batch.ts) through the real `openai` SDK against the loopback Batch
 * API (test/doubles/openai-batch-server.ts): the JSONL it uploads carries exactly the synchronous client's request
 * bodies (score-options included), statuses map onto the harness's states, results come back as the synchronous
 * reader reads them, per-request failures as JudgeCallErrors marked worth one more batch or not, cancellation with
 * partial output, `find` by label, and a server without a batch API is said in one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { prepareItems } from '../harness/prepare.ts';
import type { BatchClient, BatchRequest, BatchResult } from '../judges/adapters/adapter.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { LABEL_METADATA_KEY, OPENAI_BATCH_LIMITS } from '../judges/adapters/openai-batch.ts';
import { openaiCompatibleAdapter } from '../judges/adapters/openai-compatible.ts';
import { openaiAdapter } from '../judges/adapters/openai.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import type { Judge } from '../judges/judge.ts';
import type { Task } from '../protocol/tasks.ts';
import { startOpenAIBatchDouble, type BatchPlan, type OpenAIBatchDouble } from './doubles/openai-batch-server.ts';
import {
  apiError,
  chatLogprobs,
  completion,
  serverError,
  startOpenAIDouble,
  type ChatCall,
  type OpenAIDouble,
} from './doubles/openai-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'sk-test-B4tchCl1entK3y0123456789';
const LIMITS = { timeoutMs: 5000, maxAttempts: 2, maxRetryAfterMs: 20 };

const servers: OpenAIDouble[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function specFrom(entry: Record<string, unknown>): JudgeSpec {
  const file = path.join(tempDir('autorater-batch-client-'), 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges: { j: { extends: 'gpt-4o', limits: LIMITS, ...entry } } }));
  return resolveJudgeSpec('j', loadJudgeConfig({ userFile: file }))!;
}

async function judgeOn(double: OpenAIDouble, entry: Record<string, unknown> = {}): Promise<Judge> {
  servers.push(double);
  return createApiJudge(specFrom({ baseURL: double.baseURL, ...entry }), openaiAdapter, { OPENAI_API_KEY: KEY });
}

async function requests(n: number, swap = false): Promise<BatchRequest[]> {
  const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: n, swap });
  const shown = entries.flatMap((e) => (e.swapped ? [e, e.swapped] : [e]));
  return shown.map((s, i) => ({ customId: `r${i}`, prompt: s.prompt, task: s.prepared.task }));
}

async function collect(client: BatchClient, id: string, taskOf?: (customId: string) => Task | undefined) {
  const results: BatchResult[] = [];
  for await (const r of client.results(id, new AbortController().signal, taskOf)) results.push(r);
  return results;
}

const signal = () => new AbortController().signal;

function double(plan?: (index: number) => BatchPlan, script?: (call: ChatCall) => ReturnType<typeof completion>) {
  return startOpenAIBatchDouble({ apiKey: KEY, ...(plan ? { plan } : {}), ...(script ? { script } : {}) });
}

describe('OpenAI batch client', () => {
  it('uploads the sync request bodies as JSONL, maps the statuses, reads the results as sync replies', async () => {
    const d: OpenAIBatchDouble = await double(() => ({ pollsToEnd: 3 }));
    const judge = await judgeOn(d);
    const client = judge.batch!;
    expect(client.limits).toEqual(OPENAI_BATCH_LIMITS);
    const asked = await requests(3, true);

    // What the synchronous path sends for the same prompts.
    const sync = [];
    for (const r of asked) sync.push(await judge.judge({ benchmark: 'rewardbench', itemId: 'x', ...r }, signal()));
    const syncBodies = d.calls.map((c) => c.body);

    const id = await client.submit(asked, 'label-one', signal());
    const batch = d.batches[0]!;
    expect(batch.object.id).toBe(id);
    expect(batch.object.metadata).toEqual({ [LABEL_METADATA_KEY]: 'label-one' });
    expect(batch.object).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h' });
    const upload = d.files.get(batch.object.input_file_id as string)!;
    expect(upload.purpose).toBe('batch');
    const lines = upload.content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id)).toEqual(asked.map((r) => r.customId));
    expect(lines.every((l) => l.method === 'POST' && l.url === '/v1/chat/completions')).toBe(true);
    expect(lines.map((l) => l.body)).toEqual(syncBodies);
    // requestBytes is each line's size in the uploaded file (the unit of the 200 MB limit).
    expect(asked.reduce((n, r) => n + client.requestBytes(r), 0)).toBe(Buffer.byteLength(upload.content));

    expect(await client.status(id, signal())).toEqual({ state: 'pending', done: 0, total: 6 });
    expect(await client.status(id, signal())).toMatchObject({ state: 'pending' });
    expect(await client.status(id, signal())).toEqual({ state: 'ended', done: 6, total: 6 });
    const results = await collect(client, id);
    expect(results.map((r) => r.customId)).toEqual(asked.map((r) => r.customId));
    const texts = results.map((r) => ('completion' in r ? r.completion.text : r.error.message));
    expect(texts).toEqual(sync.map((s) => (s.type === 'text' ? s.text : '')));
    expect(results.every((r) => 'completion' in r && r.completion.usage!.inputTokens! > 0)).toBe(true);
  });

  it('score-options: logprobs asked as in sync, the verdict read from them with the task given', async () => {
    const d = await double(undefined, (call) =>
      completion(call, 'better response: B', {
        logprobs: chatLogprobs([[' B', Math.log(0.6), { ' B': Math.log(0.6), ' A': Math.log(0.2) }]]),
      }),
    );
    const judge = await judgeOn(d, { mode: 'score-options' });
    const asked = await requests(2);
    const sync = await judge.judge({ benchmark: 'rewardbench', itemId: 'x', ...asked[0]! }, signal());
    const id = await judge.batch!.submit(asked, 'scoring', signal());
    const body = JSON.parse(d.files.get(d.batches[0]!.object.input_file_id as string)!.content.split('\n')[0]!).body;
    expect(body).toEqual(d.calls[0]!.body);
    expect(body).toMatchObject({ logprobs: true, top_logprobs: 20, max_tokens: 8, temperature: 0 });
    await judge.batch!.status(id, signal());
    const tasks = new Map(asked.map((r) => [r.customId, r.task]));
    const [first] = await collect(judge.batch!, id, (c) => tasks.get(c));
    expect(first).toEqual({ customId: 'r0', completion: expect.objectContaining({ text: 'better response: B' }) });
    expect(sync.type === 'text' && sync.optionProbabilities).toEqual(
      'completion' in first! && first.completion.optionProbabilities,
    );
    expect(
      (first as { completion: { optionProbabilities: Record<string, number> } }).completion.optionProbabilities.B,
    ).toBeCloseTo(0.75, 12);
  });

  it('per-request failures: a 5xx is worth another batch, a 400 is not; expiry marks the rest retryable', async () => {
    const d = await double(
      () => ({ pollsToEnd: 1, end: 'expired', answered: 3 }),
      (call) =>
        call.index === 0
          ? serverError()
          : call.index === 1
            ? apiError(400, "Invalid 'max_tokens'.", 'invalid_request_error')
            : completion(call, 'better response: A'),
    );
    const judge = await judgeOn(d);
    const id = await judge.batch!.submit(await requests(5), 'failing', signal());
    expect(await judge.batch!.status(id, signal())).toEqual({ state: 'expired', done: 5, total: 5 });
    const results = await collect(judge.batch!, id);
    const byId = new Map(results.map((r) => [r.customId, r]));
    expect(byId.size).toBe(5);
    expect('completion' in byId.get('r2')!).toBe(true);
    const error = (customId: string) => (byId.get(customId) as { error: JudgeCallError }).error;
    expect(error('r0').message).toMatch(/^HTTP 500: The server had an error/);
    expect(error('r0').details).toMatchObject({ status: 500, retryable: true });
    expect(error('r1').message).toBe("HTTP 400: Invalid 'max_tokens'.");
    expect(error('r1').details.retryable).toBe(false);
    for (const late of ['r3', 'r4']) {
      expect(error(late)).toBeInstanceOf(JudgeCallError);
      expect(error(late).message).toMatch(/^the batch expired first: This request could not be executed/);
      expect(error(late).details.retryable).toBe(true);
    }
  });

  it('a failed batch says why; cancel ends it with partial output; find recovers a batch by its label', async () => {
    const d = await double((i) =>
      i === 0
        ? { end: 'failed', error: { code: 'token_limit_exceeded', message: 'Enqueued token limit reached.' } }
        : { pollsToEnd: 100, answered: 2 },
    );
    const judge = await judgeOn(d);
    const client = judge.batch!;
    const failed = await client.submit(await requests(2), 'first', signal());
    expect(await client.status(failed, signal())).toEqual({
      state: 'failed',
      done: 0,
      total: 2,
      error: 'token_limit_exceeded: Enqueued token limit reached.',
    });
    const running = await client.submit(await requests(4), 'second', signal());
    expect((await client.status(running, signal())).state).toBe('pending');
    await client.cancel(running, signal());
    expect((await client.status(running, signal())).state).toBe('cancelled');
    const results = await collect(client, running);
    expect(results.filter((r) => 'completion' in r)).toHaveLength(2);
    const cancelled = results.filter((r): r is { customId: string; error: JudgeCallError } => 'error' in r);
    expect(cancelled.map((r) => r.customId)).toEqual(['r2', 'r3']);
    expect(cancelled.every((r) => r.error.details.retryable && /cancelled first/.test(r.error.message))).toBe(true);

    expect(await client.find!('first', signal())).toBe(failed);
    expect(await client.find!('second', signal())).toBe(running);
    expect(await client.find!('never-submitted', signal())).toBeUndefined();
    // Found through the list endpoint, paginated as OpenAI does.
    expect(d.requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1/batches?'))).toBe(true);
  });

  it('an OpenAI-compatible server without /v1/batches: one line saying so, a configuration fault', async () => {
    const plain = await startOpenAIDouble();
    servers.push(plain);
    const spec = specFrom({ adapter: 'openai-compatible', baseURL: plain.baseURL });
    const judge = createApiJudge(spec, openaiCompatibleAdapter, {});
    const error = await judge.batch!.submit(await requests(1), 'x', signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JudgeCallError);
    const { message, details } = error as JudgeCallError;
    expect(message).toBe(
      'this server has no batch API: POST /v1/files answered HTTP 404: Invalid URL (POST /v1/files); --batch needs ' +
        "OpenAI's /v1/files and /v1/batches (run this judge without --batch)",
    );
    expect(details).toMatchObject({ fatal: true, retryable: false, status: 404 });
  });
});
