/**
 * The `openai` and `openai-compatible` adapters, through the real `openai` SDK and real HTTP against the OpenAI
 * double (test/doubles/openai-server.ts), inside the real harness: a judge built from the presets (or a user
 * config file) by createApiJudge, run with runEval on a few RewardBench items into a temporary SQLite store,
 * then written out with writeReports. Each test counts the requests the server received, checks what was
 * stored, and checks that the API key appears in no stored byte, report or error message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { EndpointError } from '../core/errors.ts';
import { judgeFingerprint, prepareItems, runEval, type RunResult } from '../harness/run.ts';
import { Store, type Judgment } from '../harness/store.ts';
import type { Adapter } from '../judges/adapters/adapter.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { NO_KEY_PLACEHOLDER, openaiCompatibleAdapter } from '../judges/adapters/openai-compatible.ts';
import { openaiAdapter } from '../judges/adapters/openai.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import { writeReports } from '../reports/write.ts';
import {
  DEFAULT_REPLY,
  apiError,
  completion,
  overloaded,
  rateLimited,
  roughTokens,
  serverError,
  startOpenAIDouble,
  truncatedCompletion,
  type ChatCall,
  type OpenAIDouble,
} from './doubles/openai-server.ts';
import type { Reply } from './doubles/http-double.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'sk-test-Zq7VbN3mKp9XwR2tLs8d';
const N = 4;
/**
 * Backoff is not configurable per judge (only timeout, attempts and the Retry-After cap are), so tests shorten it on
 * the judge.
 */
const FAST_BACKOFF = { baseDelayMs: 1, maxDelayMs: 5 };
/**
 * 2 s per attempt: a loopback reply takes milliseconds, but the first requests of a cold process on a busy machine
 * have been seen to take over 200 ms, and an attempt cut off there would be retried and break the request counts.
 * The timeout test sets its own 300 ms.
 */
const FAST_LIMITS = { timeoutMs: 2000, maxAttempts: 3, maxRetryAfterMs: 20 };

const doubles: OpenAIDouble[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

async function double(options: Parameters<typeof startOpenAIDouble>[0] = {}): Promise<OpenAIDouble> {
  const started = await startOpenAIDouble(options);
  doubles.push(started);
  return started;
}

/** The prompts of the items the runs ask, in item order. */
async function itemPrompts(): Promise<string[]> {
  return (await prepareItems(rewardbench, DATA_DIR, 0, { limit: N })).map((p) => p.prompt);
}

interface Outcome {
  dir: string;
  result?: RunResult;
  error?: unknown;
  /** Stored judgments in item order. */
  judgments: Judgment[];
  seconds: number;
}

/**
 * Builds the judge `judgeId` from the presets plus `judges` (written to a user config file in a temp dir), runs
 * it on the first N RewardBench items into a temp store, and writes the reports when the run finished.
 */
async function runJudge(
  adapter: Adapter,
  judgeId: string,
  judges: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<Outcome> {
  const dir = tempDir('autorater-openai-');
  const configFile = path.join(dir, 'judges.json');
  fs.writeFileSync(configFile, JSON.stringify({ judges }, null, 2));
  const spec = resolveJudgeSpec(judgeId, loadJudgeConfig({ userFile: configFile }))!;
  const built = createApiJudge(spec, adapter, env);
  const judge = { ...built, limits: { ...built.limits, ...FAST_BACKOFF } };
  const store = Store.open(path.join(dir, 'store', 'runs.sqlite'));
  const started = performance.now();
  const outcome: Outcome = { dir, judgments: [], seconds: 0 };
  try {
    outcome.result = await runEval({
      judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store,
      limit: N,
      progress: false,
    });
  } catch (error) {
    outcome.error = error;
  }
  outcome.seconds = (performance.now() - started) / 1000;
  const stored = store.judgments(judgeFingerprint(judge), 'rewardbench');
  const order = (await prepareItems(rewardbench, DATA_DIR, 0, { limit: N })).map((p) => p.item.id);
  outcome.judgments = [...stored.values()].sort((a, b) => order.indexOf(a.itemId) - order.indexOf(b.itemId));
  store.close();
  if (outcome.result) {
    const b = outcome.result.benchmarks[0]!;
    const tables = await b.benchmark.tables(b.summary, {
      dataDir: DATA_DIR,
      judgeId: judge.id,
      publishedAs: judge.publishedAs,
    });
    await writeReports(path.join(dir, 'out'), outcome.result, tables, 0);
  }
  return outcome;
}

/** Every file under `dir` (store, WAL, reports), as bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(file, fs.readFileSync(file));
    }
  }
  return files;
}

/**
 * The key is in no byte of the store or the reports, and in no error message. `expected` is text that must be
 * found in those bytes, so the scan is shown to read what was written.
 */
function expectNoKey(outcome: Outcome, key: string, expected: string): void {
  const files = filesUnder(outcome.dir);
  expect([...files.keys()].some((f) => f.endsWith('runs.sqlite'))).toBe(true);
  expect([...files.values()].some((bytes) => bytes.includes(expected))).toBe(true);
  for (const [file, bytes] of files) expect(bytes.includes(key), file).toBe(false);
  const messages = outcome.judgments.map((j) => j.error ?? '');
  if (outcome.error instanceof Error) messages.push(outcome.error.message, String(outcome.error.stack));
  for (const message of messages) expect(message).not.toContain(key);
}

function byAttempt(...replies: ((call: ChatCall) => Reply)[]): (call: ChatCall) => Reply {
  return (call) => (replies[call.attempt - 1] ?? ((c: ChatCall) => completion(c, DEFAULT_REPLY)))(call);
}

/** A user config entry running the gpt-4o preset against the double. */
function gpt4oOn(limits: Record<string, number> = {}): Record<string, unknown> {
  return {
    'gpt-4o-double': { extends: 'gpt-4o', baseURL: '${OPENAI_DOUBLE_URL}', limits: { ...FAST_LIMITS, ...limits } },
  };
}

const env = (server: OpenAIDouble, key = KEY): NodeJS.ProcessEnv => ({
  OPENAI_API_KEY: key,
  OPENAI_DOUBLE_URL: server.baseURL,
});

function runGpt4o(server: OpenAIDouble, limits: Record<string, number> = {}, key = KEY): Promise<Outcome> {
  return runJudge(openaiAdapter, 'gpt-4o-double', gpt4oOn(limits), env(server, key));
}

describe('openai adapter (real SDK, OpenAI double, real harness)', () => {
  it(
    'sends the prompt verbatim as one user message with greedy decoding, and stores the verdict, ' + 'tokens and cost',
    async () => {
      const server = await double({ apiKey: KEY, models: ['gpt-4o-2024-05-13'] });
      const prompts = await itemPrompts();
      const outcome = await runGpt4o(server);

      expect(outcome.error).toBeUndefined();
      expect(server.requests).toHaveLength(N);
      expect(server.calls.map((c) => c.prompt).sort()).toEqual([...prompts].sort());
      for (const call of server.calls) {
        expect(call.request.headers.authorization).toBe(`Bearer ${KEY}`);
        expect(call.request.headers['openai-organization']).toBeUndefined();
        // The SDK announces its own timeout (in whole seconds): above the harness's 2 s, so it never fires first.
        expect(Number(call.request.headers['x-stainless-timeout']) * 1000).toBeGreaterThan(2000);
        expect(call.body.messages).toEqual([{ role: 'user', content: call.prompt }]);
        expect(call.body).toMatchObject({ model: 'gpt-4o-2024-05-13', temperature: 0, max_tokens: 1024 });
        expect(call.body).not.toHaveProperty('top_p');
        expect(call.body).not.toHaveProperty('max_completion_tokens');
        expect(call.body.stream).toBeFalsy();
      }

      expect(outcome.result!.status).toBe('complete');
      expect(outcome.judgments).toHaveLength(N);
      let cost = 0;
      outcome.judgments.forEach((j, i) => {
        const inputTokens = roughTokens(prompts[i]!);
        const outputTokens = roughTokens(DEFAULT_REPLY);
        const price = (inputTokens * 5 + outputTokens * 15) / 1e6; // gpt-4o preset: $5 / $15 per million
        cost += price;
        expect(j).toMatchObject({
          replyType: 'text',
          raw: DEFAULT_REPLY,
          verdict: { kind: 'pairwise', choice: 'A' },
          error: null,
          attempts: 1,
          inputTokens,
          outputTokens,
        });
        expect(j.costUsd).toBeCloseTo(price, 12);
      });
      expect(outcome.result!.spend.costUsd).toBeCloseTo(cost, 12);
      const predictions = fs
        .readFileSync(path.join(outcome.dir, 'out', 'predictions.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(predictions).toHaveLength(N);
      expectNoKey(outcome, KEY, 'better response: A');
    },
  );

  it('waits as a 429 says (retry-after-ms over Retry-After, capped) and then gets the reply', async () => {
    const server = await double({
      apiKey: KEY,
      script: byAttempt(
        () => rateLimited({ 'retry-after-ms': '40', 'retry-after': '30' }), // 40 ms, not 30 s (nor the 300 ms cap)
        () => rateLimited({ 'retry-after': '1' }), // 1 s, capped at maxRetryAfterMs
      ),
    });
    const outcome = await runGpt4o(server, { maxRetryAfterMs: 300 });

    expect(server.requests).toHaveLength(3 * N);
    for (const prompt of await itemPrompts()) {
      const [first, second, third] = server.calls.filter((c) => c.prompt === prompt);
      expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(38);
      expect(second!.receivedAt - first!.receivedAt).toBeLessThan(250);
      expect(third!.receivedAt - second!.receivedAt).toBeGreaterThanOrEqual(295);
      expect(third!.receivedAt - second!.receivedAt).toBeLessThan(900);
    }
    expect(outcome.result!.status).toBe('complete');
    expect(outcome.judgments.every((j) => j.attempts === 3 && j.error === null && j.verdict?.kind === 'pairwise')).toBe(
      true,
    );
    expectNoKey(outcome, KEY, 'better response: A');
  });

  it('retries a 500 and a 503 and stores the reply that follows', async () => {
    const server = await double({ apiKey: KEY, script: byAttempt(serverError, overloaded) });
    const outcome = await runGpt4o(server);

    expect(server.requests).toHaveLength(3 * N);
    // Every request is the SDK's first try: the retries are the harness's (the SDK would count its own here).
    expect(server.requests.every((r) => r.headers['x-stainless-retry-count'] === '0')).toBe(true);
    expect(outcome.result!.status).toBe('complete');
    expect(outcome.judgments.map((j) => [j.attempts, j.error, j.raw])).toEqual(Array(N).fill([3, null, DEFAULT_REPLY]));
    expectNoKey(outcome, KEY, 'better response: A');
  });

  it(
    'stores an item as an error after the bounded attempts when the server keeps failing, ' +
      'and asks it again next run',
    async () => {
      let down = true;
      const server = await double({
        apiKey: KEY,
        script: (call) => (down ? overloaded() : completion(call, DEFAULT_REPLY)),
      });
      const outcome = await runGpt4o(server);

      expect(server.requests).toHaveLength(3 * N);
      expect(outcome.result!.status).toBe('incomplete');
      expect(outcome.result!.benchmarks[0]!.summary.errors).toBe(N);
      for (const j of outcome.judgments) {
        expect(j).toMatchObject({
          replyType: null,
          raw: null,
          attempts: 3,
          error: 'HTTP 503: The engine is currently overloaded, please try again later. (after 3 attempts)',
        });
      }
      expectNoKey(outcome, KEY, 'currently overloaded');

      // The same judge on the same store: the failed items are asked again, and only they.
      down = false;
      const store = Store.open(path.join(outcome.dir, 'store', 'runs.sqlite'));
      const spec = resolveJudgeSpec(
        'gpt-4o-double',
        loadJudgeConfig({ userFile: path.join(outcome.dir, 'judges.json') }),
      )!;
      const judge = createApiJudge(spec, openaiAdapter, env(server));
      const again = await runEval({
        judge,
        benchmarks: [rewardbench],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        limit: N,
        progress: false,
      });
      store.close();
      expect(server.requests).toHaveLength(4 * N);
      expect(again.status).toBe('complete');
      expect(again.benchmarks[0]!.judgments.every((j) => j!.error === null && j!.attempts === 4)).toBe(true);
    },
  );

  it(
    'cuts off a request that hangs at the timeout, retries it, ' + 'and stores an error after the bounded attempts',
    async () => {
      const prompts = await itemPrompts();
      const server = await double({
        apiKey: KEY,
        script: (call) => (call.prompt === prompts[1] ? { hang: true } : completion(call, DEFAULT_REPLY)),
      });
      const outcome = await runGpt4o(server, { timeoutMs: 300, maxAttempts: 2 });

      expect(server.requests).toHaveLength(N - 1 + 2);
      expect(server.calls.filter((c) => c.prompt === prompts[1])).toHaveLength(2);
      expect(outcome.result!.status).toBe('incomplete');
      expect(outcome.judgments.map((j) => j.error)).toEqual([
        null,
        'no complete reply within 0.3s (after 2 attempts)',
        null,
        null,
      ]);
      expect(outcome.judgments[1]!.attempts).toBe(2);
      expect(outcome.seconds).toBeLessThan(3);
      expectNoKey(outcome, KEY, 'no complete reply within 0.3s');
    },
  );

  it(
    'retries a body cut off mid-way and a 200 whose body is not JSON; ' +
      'one that never arrives whole is stored as an error',
    async () => {
      const prompts = await itemPrompts();
      const server = await double({
        apiKey: KEY,
        script: (call) => {
          if (call.prompt === prompts[0]) return truncatedCompletion(call, DEFAULT_REPLY);
          if (call.attempt === 1) return truncatedCompletion(call, DEFAULT_REPLY);
          if (call.attempt === 2)
            return {
              status: 200,
              headers: { 'content-type': 'text/html' },
              text: '<html><body>502 Bad Gateway</body></html>',
            };
          return completion(call, DEFAULT_REPLY);
        },
      });
      const outcome = await runGpt4o(server);

      expect(server.requests).toHaveLength(3 * N);
      const [broken, ...fine] = outcome.judgments;
      expect(broken!.error).toMatch(/^the response body was cut off or is not valid JSON: .+ \(after 3 attempts\)$/);
      expect(broken!.attempts).toBe(3);
      expect(fine.map((j) => [j.attempts, j.error, j.raw])).toEqual(Array(N - 1).fill([3, null, DEFAULT_REPLY]));
      expectNoKey(outcome, KEY, 'the response body was cut off');
    },
  );

  it(
    'retries a 200 with no choices or no content, ' +
      'and stores a content-filtered reply as answered without a verdict, without retrying',
    async () => {
      const prompts = await itemPrompts();
      const server = await double({
        apiKey: KEY,
        script: (call) => {
          if (call.prompt === prompts[0] && call.attempt === 1) return completion(call, null, { choices: [] });
          if (call.prompt === prompts[0] && call.attempt === 2) return completion(call, null);
          if (call.prompt === prompts[1]) return completion(call, null, { finishReason: 'content_filter' });
          return completion(call, DEFAULT_REPLY);
        },
      });
      const outcome = await runGpt4o(server);

      expect(server.requests).toHaveLength(3 + 1 + (N - 2));
      expect(outcome.judgments[0]).toMatchObject({ attempts: 3, error: null, raw: DEFAULT_REPLY });
      expect(outcome.judgments[1]).toMatchObject({
        attempts: 1,
        replyType: 'invalid',
        error: null,
        invalidReason: 'no reply text: the provider withheld the reply (finish_reason "content_filter")',
      });
      expect(outcome.judgments.slice(2).every((j) => j.attempts === 1 && j.error === null)).toBe(true);
      expectNoKey(outcome, KEY, 'content_filter');
    },
  );

  it(
    'stores a reply without a verdict (or cut off by max tokens) as a reply, scored invalid (0.5), ' +
      'and does not ask again',
    async () => {
      const prompts = await itemPrompts();
      const rambling = 'Both responses have merits and I find it hard to decide.';
      const cutOff = 'explanation: Response A is more detailed, but Response B';
      const server = await double({
        apiKey: KEY,
        script: (call) =>
          call.prompt === prompts[0]
            ? completion(call, cutOff, { finishReason: 'length' })
            : completion(call, rambling),
      });
      const outcome = await runGpt4o(server);

      expect(server.requests).toHaveLength(N);
      expect(outcome.judgments.map((j) => j.raw)).toEqual([cutOff, ...Array(N - 1).fill(rambling)]);
      expect(
        outcome.judgments.every(
          (j) => j.replyType === 'text' && j.verdict === null && j.error === null && j.attempts === 1,
        ),
      ).toBe(true);
      // paid for, so counted
      expect(outcome.judgments.every((j) => j.outputTokens !== null && j.costUsd! > 0)).toBe(true);
      const b = outcome.result!.benchmarks[0]!;
      expect(outcome.result!.status).toBe('complete');
      expect(b.summary.invalid).toBe(N);
      expect(b.summary.errors).toBe(0);
      expect(b.results.map((r) => r.outcome.status)).toEqual(Array(N).fill('invalid'));
      // RewardBench's score for an invalid reply
      expect(b.results.map((r) => b.benchmark.describe(r).score)).toEqual(Array(N).fill(0.5));
      expectNoKey(outcome, KEY, rambling);
    },
  );

  it('stores a 400 (the request itself is wrong) as an error at once, without retrying', async () => {
    const server = await double({
      apiKey: KEY,
      script: () =>
        apiError(
          400,
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          'invalid_request_error',
          'context_length_exceeded',
        ),
    });
    const outcome = await runGpt4o(server);

    expect(server.requests).toHaveLength(N);
    expect(outcome.result!.status).toBe('incomplete');
    for (const j of outcome.judgments) {
      expect(j).toMatchObject({
        attempts: 1,
        error:
          "HTTP 400: This model's maximum context length is 128000 tokens. " +
          'However, your messages resulted in 130000 tokens.',
      });
    }
    expectNoKey(outcome, KEY, 'maximum context length');
  });

  it('stops the run with one message when the key is rejected', async () => {
    const wrongKey = 'sk-wrong-Hd83kLq0Pz6Yv1cB';
    const server = await double({ apiKey: KEY });
    const outcome = await runGpt4o(server, { concurrency: 2 }, wrongKey);

    expect(outcome.error).toBeInstanceOf(EndpointError);
    // One line: the judge and where it sent requests, OpenAI's own (masked) message, and the setting to check.
    expect((outcome.error as Error).message).toMatch(
      new RegExp(
        /^gpt-4o-double at http:\/\/127\.0\.0\.1:\d+\/v1 /.source +
          /\(URL from OPENAI_DOUBLE_URL via "baseURL" of "gpt-4o-double" in .*\): /.source +
          /HTTP 401: Incorrect API key provided: sk-\*+v1cB\. /.source +
          /You can find your API key at https:\/\/platform\.openai\.com\/account\/api-keys\. /.source +
          /The key was refused: check OPENAI_API_KEY and its access to model "gpt-4o-2024-05-13"\. /.source +
          /Stopped the run before storing any item as failed: every request would fail the same way\.$/.source,
      ),
    );
    // At most the requests already in flight when the first 401 came back; none of them is retried.
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(server.calls).toHaveLength(0);
    // No item is stored as failed: the key, not the items, is at fault (the run's own record keeps the message).
    expect(outcome.judgments).toHaveLength(0);
    expectNoKey(outcome, wrongKey, 'Incorrect API key provided');
    expectNoKey(outcome, KEY, 'Incorrect API key provided');
  });

  it('hands the harness its own abort reason when the attempt signal fires, promptly', async () => {
    const server = await double({ apiKey: KEY, script: () => ({ hang: true }) });
    const spec = resolveJudgeSpec('gpt-4o', loadJudgeConfig({ cwd: tempDir() }))!;
    const client = openaiAdapter.create(spec, { apiKey: KEY, baseURL: server.baseURL });
    const controller = new AbortController();
    const reason = new Error('stopped by the harness');
    const [prepared] = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 1 });
    const started = performance.now();
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      client.complete({ prompt: prepared!.prompt, task: prepared!.prepared.task }, controller.signal),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('openai-compatible adapter (real SDK, OpenAI double, real harness)', () => {
  it(
    'uses the configured baseURL and model, needs no key, ' +
      'and never borrows OPENAI_* settings from the environment',
    async () => {
      vi.stubEnv('OPENAI_API_KEY', KEY);
      vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
      vi.stubEnv('OPENAI_ORG_ID', 'org-should-not-leak');
      const server = await double({ models: ['meta-llama/Meta-Llama-3-70B-Instruct'] });
      const outcome = await runJudge(
        openaiCompatibleAdapter,
        'llama-3-70b-double',
        { 'llama-3-70b-double': { extends: 'llama-3-70b', limits: FAST_LIMITS } },
        {
          LLAMA_BASE_URL: server.baseURL,
          OPENAI_API_KEY: KEY,
        },
      );

      expect(outcome.error).toBeUndefined();
      expect(server.requests).toHaveLength(N);
      for (const call of server.calls) {
        expect(call.request.path).toBe('/v1/chat/completions');
        expect(call.request.headers.authorization).toBe(`Bearer ${NO_KEY_PLACEHOLDER}`);
        expect(call.request.headers['openai-organization']).toBeUndefined();
        expect(call.body).toMatchObject({
          model: 'meta-llama/Meta-Llama-3-70B-Instruct',
          temperature: 0,
          max_tokens: 1024,
          messages: [{ role: 'user', content: call.prompt }],
        });
      }
      expect(outcome.result!.status).toBe('complete');
      for (const j of outcome.judgments) {
        // no price for a self-hosted model
        expect(j).toMatchObject({ verdict: { kind: 'pairwise', choice: 'A' }, attempts: 1, costUsd: null });
        expect(j.inputTokens).toBeGreaterThan(0);
      }
      expectNoKey(outcome, KEY, 'better response: A');
    },
  );

  it(
    'sends the key, top_p and max tokens of a user-configured server, ' +
      'and copes with a server that reports no usage',
    async () => {
      const server = await double({
        apiKey: KEY,
        script: (call) => completion(call, 'better response: B', { usage: null }),
      });
      const judges = {
        'qwen-vllm': {
          adapter: 'openai-compatible',
          model: 'Qwen/Qwen2-72B-Instruct',
          baseURL: '${VLLM_URL}',
          apiKeyEnv: 'VLLM_KEY',
          decoding: { topP: 0.9, maxOutputTokens: 256 },
          limits: FAST_LIMITS,
        },
      };
      const outcome = await runJudge(openaiCompatibleAdapter, 'qwen-vllm', judges, {
        VLLM_URL: server.baseURL,
        VLLM_KEY: KEY,
      });

      expect(server.requests).toHaveLength(N);
      for (const call of server.calls) {
        expect(call.request.headers.authorization).toBe(`Bearer ${KEY}`);
        expect(call.body).toMatchObject({
          model: 'Qwen/Qwen2-72B-Instruct',
          temperature: 0,
          max_tokens: 256,
          top_p: 0.9,
        });
      }
      for (const j of outcome.judgments) {
        expect(j).toMatchObject({
          verdict: { kind: 'pairwise', choice: 'B' },
          inputTokens: null,
          outputTokens: null,
          costUsd: null,
          attempts: 1,
        });
      }
      expectNoKey(outcome, KEY, 'better response: B');
    },
  );

  it('keeps the key out of a stored error even when the server echoes it', async () => {
    const server = await double({
      apiKey: KEY,
      script: (call) =>
        apiError(
          400,
          `bad request from ${call.request.headers.authorization} for ${call.body.model}`,
          'BadRequestError',
        ),
    });
    const judges = {
      'echo-server': {
        adapter: 'openai-compatible',
        model: 'echo',
        baseURL: '${ECHO_URL}',
        apiKeyEnv: 'ECHO_KEY',
        limits: FAST_LIMITS,
      },
    };
    const outcome = await runJudge(openaiCompatibleAdapter, 'echo-server', judges, {
      ECHO_URL: server.baseURL,
      ECHO_KEY: KEY,
    });

    expect(server.requests).toHaveLength(N);
    for (const j of outcome.judgments)
      expect(j).toMatchObject({ attempts: 1, error: 'HTTP 400: bad request from Bearer *** for echo' });
    expectNoKey(outcome, KEY, 'bad request from Bearer ***');
  });

  it(
    'stops at once on a wrong server path (404), naming the path it tried and the URL setting, ' + 'storing nothing',
    async () => {
      const server = await double();
      const judges = {
        'no-v1': { adapter: 'openai-compatible', model: 'm', baseURL: '${NO_V1_URL}', limits: FAST_LIMITS },
      };
      // forgot the /v1
      const outcome = await runJudge(openaiCompatibleAdapter, 'no-v1', judges, { NO_V1_URL: server.url });

      // Only the requests already in flight when the first 404 came back (concurrency 4); none retried.
      expect(server.requests.length).toBeGreaterThanOrEqual(1);
      expect(server.requests.length).toBeLessThanOrEqual(4);
      expect(server.requests.every((r) => r.path === '/chat/completions')).toBe(true);
      expect(outcome.error).toBeInstanceOf(EndpointError);
      expect((outcome.error as Error).message).toContain(
        'HTTP 404: Invalid URL (POST /chat/completions). Model "m" or the path does not exist there: ' +
          'check "model" in the judge config and the URL (NO_V1_URL via',
      );
      expect(outcome.judgments).toHaveLength(0);
    },
  );

  it(
    'stops at once on a refused connection before the server ever answered, ' + 'naming the URL and storing nothing',
    async () => {
      const server = await double();
      await server.close(); // nothing listens on its port any more
      const judges = {
        'gone-server': {
          adapter: 'openai-compatible',
          model: 'gone',
          baseURL: '${GONE_URL}',
          apiKeyEnv: 'GONE_KEY',
          limits: { ...FAST_LIMITS, maxAttempts: 2 },
        },
      };
      const outcome = await runJudge(openaiCompatibleAdapter, 'gone-server', judges, {
        GONE_URL: server.baseURL,
        GONE_KEY: KEY,
      });

      expect(server.requests).toHaveLength(0);
      expect(outcome.error).toBeInstanceOf(EndpointError);
      expect((outcome.error as Error).message).toMatch(
        new RegExp(
          /^gone-server at http:\/\/127\.0\.0\.1:\d+\/v1 /.source +
            /\(URL from GONE_URL via "baseURL" of "gone-server" in .*\): /.source +
            /connection failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\. /.source +
            /Nothing answers there: start the server, or fix the URL \(GONE_URL via .*\)\. /.source +
            /Stopped the run/.source,
        ),
      );
      expect(outcome.seconds).toBeLessThan(5); // no retries: every request would be refused alike
      expect(outcome.judgments).toHaveLength(0);
      expectNoKey(outcome, KEY, 'ECONNREFUSED');
    },
  );
});
