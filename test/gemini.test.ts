/**
 * The `gemini` adapter end to end: the gemini-1.5-flash preset (extended by a user config that points it at the
 * double), the real @google/genai SDK, runEval on the first RewardBench items, an SQLite store on disk, and the
 * reports. Every test counts the requests the double received and checks what was stored, and that the API key
 * is nowhere in the store's bytes, the reports or an error message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rewardbench, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import { EndpointError } from '../core/errors.ts';
import { judgeFingerprint, prepareItems, runEval, type RunResult } from '../harness/run.ts';
import { Store, type Judgment } from '../harness/store.ts';
import { geminiAdapter } from '../judges/adapters/gemini.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import type { Judge } from '../judges/judge.ts';
import { writeReports } from '../reports/write.ts';
import type { Reply } from './doubles/http-double.ts';
import {
  INTERNAL,
  OVERLOADED,
  RATE_LIMITED,
  geminiBlocked,
  geminiError,
  geminiNoCandidates,
  geminiNoText,
  geminiText,
  geminiTruncated,
  modelNotFound,
  retryInfo,
  startGeminiDouble,
  type GeminiCall,
  type GeminiDouble,
} from './doubles/gemini-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'fake-gemini-key-7f3a9c1e5b2d468';
const MODEL = 'gemini-1.5-flash-001'; // the preset's model
const ID = 'gemini-flash-double';
const N = 4;
const VERDICT_A = 'Explanation: Response A follows the instruction; B does not.\nBetter response: A';

interface Limits {
  timeoutMs?: number;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  concurrency?: number;
}

interface Setup {
  double: GeminiDouble;
  judge: Judge;
  store: Store;
  dir: string;
  /** Requests per item id, as the double saw them. */
  callsOf(itemId: string): GeminiCall[];
}

// Loads the SDK, as the registry does before it creates a judge: a first attempt of 200 ms does not import it.
beforeAll(() => geminiAdapter.prepare?.());

const open: { double: GeminiDouble; store: Store }[] = [];
afterEach(async () => {
  for (const { double, store } of open.splice(0)) {
    await double.close();
    try {
      store.close();
    } catch {
      // already closed by the test
    }
  }
});

/** The exact prompts of the first `n` RewardBench items, and which item each belongs to. */
async function prompts(
  n: number,
): Promise<{ ids: string[]; byPrompt: Map<string, string>; promptOf: Map<string, string> }> {
  const items = await prepareItems(rewardbench, DATA_DIR, 0, { limit: n });
  return {
    ids: items.map((i) => i.item.id),
    byPrompt: new Map(items.map((i) => [i.prompt, i.item.id])),
    promptOf: new Map(items.map((i) => [i.item.id, i.prompt])),
  };
}

/**
 * The double, scripted per item and attempt, and a judge built as the CLI builds it: the preset extended in a
 * user config (temp dir) with the double's URL (through ${VAR}, as a user would) and small limits.
 */
async function setup(
  script: (itemId: string, attempt: number) => Reply,
  limits: Limits = {},
  apiKey = KEY,
): Promise<Setup> {
  const { byPrompt } = await prompts(N);
  const attempts = new Map<string, number>();
  const double = await startGeminiDouble(
    (call) => {
      const itemId = byPrompt.get(call.prompt);
      // Anything but one of the rendered prompts, verbatim, is a bug in the adapter.
      if (itemId === undefined) return geminiError(400, 'INVALID_ARGUMENT', 'unexpected prompt');
      const attempt = (attempts.get(itemId) ?? 0) + 1;
      attempts.set(itemId, attempt);
      return script(itemId, attempt);
    },
    { apiKey: KEY },
  );
  const dir = tempDir('autorater-gemini-');
  const configFile = path.join(dir, 'judges.json');
  const entry = {
    extends: 'gemini-1.5-flash',
    baseURL: '${GEMINI_DOUBLE_URL}',
    limits: { timeoutMs: 2000, maxAttempts: 3, maxRetryAfterMs: 50, ...limits },
  };
  fs.writeFileSync(configFile, JSON.stringify({ judges: { [ID]: entry } }));
  const spec = resolveJudgeSpec(ID, loadJudgeConfig({ userFile: configFile }))!;
  const created = createApiJudge(spec, geminiAdapter, { GEMINI_API_KEY: apiKey, GEMINI_DOUBLE_URL: double.url });
  // baseDelayMs is not a judge-config field, and the harness's default first backoff (1 s) would make every
  // retry test take seconds; the retry policy itself is unchanged.
  const judge: Judge = { ...created, limits: { ...created.limits, baseDelayMs: 1, maxDelayMs: 5 } };
  const store = Store.open(path.join(dir, 'runs.sqlite'));
  open.push({ double, store });
  const callsOf = (itemId: string): GeminiCall[] => double.calls.filter((c) => byPrompt.get(c.prompt) === itemId);
  return { double, judge, store, dir, callsOf };
}

function run(s: Setup): Promise<RunResult> {
  return runEval({
    judge: s.judge,
    benchmarks: [rewardbench],
    dataDir: DATA_DIR,
    seed: 0,
    store: s.store,
    limit: N,
    progress: false,
  });
}

/** What the store holds for this run, by item id. */
function stored(s: Setup, result: RunResult): Map<string, Judgment> {
  return new Map([...s.store.judgments(result.fingerprint, 'rewardbench').values()].map((j) => [j.itemId, j]));
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Writes the reports, closes the store, and checks that `key` is in no file of the run and no given message. */
async function expectKeyNowhere(
  s: Setup,
  result: RunResult | undefined,
  messages: string[] = [],
  key = KEY,
): Promise<void> {
  if (result) {
    const b = result.benchmarks[0]!;
    const tables = await rewardbench.tables(b.summary as RewardBenchSummary, {
      dataDir: DATA_DIR,
      judgeId: s.judge.id,
      publishedAs: s.judge.publishedAs,
    });
    await writeReports(path.join(s.dir, 'out'), result, tables, 0);
  }
  s.store.close();
  const files = filesUnder(s.dir).map((f) => path.relative(s.dir, f));
  expect(files).toContain('runs.sqlite');
  if (result)
    expect(files).toEqual(expect.arrayContaining(['out/summary.json', 'out/report.md', 'out/predictions.jsonl']));
  for (const file of files) expect(fs.readFileSync(path.join(s.dir, file)).includes(key), file).toBe(false);
  for (const message of messages) expect(message).not.toContain(key);
  // The control: the key did reach the server, in the header the SDK uses and never in a URL.
  expect(s.double.calls.length).toBeGreaterThan(0);
  for (const call of s.double.calls) {
    expect(call.keyIn).toBe('header');
    expect(call.apiKey).toBe(key);
    expect(call.request.path).not.toContain('?');
  }
}

describe('gemini adapter through @google/genai', () => {
  it('sends the prompt verbatim with greedy decoding, parses the verdict, stores tokens and cost', async () => {
    const { ids, promptOf } = await prompts(N);
    const s = await setup(() => geminiText(VERDICT_A, { usage: { prompt: 1200, output: 40 } }));
    const result = await run(s);

    expect(s.double.calls).toHaveLength(N);
    for (const call of s.double.calls) {
      expect(call.request.method).toBe('POST');
      expect(call.request.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
      // No SDK timeout (it would also send X-Server-Timeout) and nothing but the turn and the decoding settings.
      expect(call.request.headers['x-server-timeout']).toBeUndefined();
      expect(call.request.body).toEqual({
        contents: [{ role: 'user', parts: [{ text: call.prompt }] }],
        generationConfig: { temperature: 0, maxOutputTokens: 1024 },
      });
    }
    expect(new Set(s.double.calls.map((c) => c.prompt))).toEqual(new Set(ids.map((id) => promptOf.get(id))));

    const judgments = stored(s, result);
    expect([...judgments.keys()].sort()).toEqual([...ids].sort());
    for (const j of judgments.values()) {
      expect(j).toMatchObject({
        replyType: 'text',
        raw: VERDICT_A,
        verdict: { kind: 'pairwise', choice: 'A' },
        error: null,
        inputTokens: 1200,
        outputTokens: 40,
        attempts: 1,
      });
      expect(j.costUsd).toBeCloseTo((1200 * 0.35 + 40 * 1.05) / 1e6, 12); // the preset's price
    }
    expect(result.status).toBe('complete');
    expect(result.benchmarks[0]!.summary).toMatchObject({ n: N, errors: 0, invalid: 0 });
    expect(result.spend.costUsd).toBeCloseTo((N * (1200 * 0.35 + 40 * 1.05)) / 1e6, 12);
    await expectKeyNowhere(s, result);
  });

  it('retries a 429 and waits as its Retry-After header says (capped by maxRetryAfterMs)', async () => {
    // "Retry-After: 1" is 1 s, capped at 250 ms; the computed backoff would be about 1 ms.
    const s = await setup(
      (_id, attempt) => (attempt === 1 ? RATE_LIMITED({ headers: { 'retry-after': '1' } }) : geminiText(VERDICT_A)),
      { maxRetryAfterMs: 250 },
    );
    const result = await run(s);
    expect(s.double.calls).toHaveLength(2 * N);
    for (const [id, j] of stored(s, result)) {
      expect(j).toMatchObject({ error: null, attempts: 2, verdict: { choice: 'A' } });
      const [first, second] = s.callsOf(id);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(240);
    }
    expect(result.status).toBe('complete');
    await expectKeyNowhere(s, result);
  });

  it('retries a 429 that says when to come back the Gemini way (google.rpc.RetryInfo in the body)', async () => {
    const s = await setup(
      (_id, attempt) => (attempt === 1 ? RATE_LIMITED({ details: [retryInfo('0.200s')] }) : geminiText(VERDICT_A)),
      { maxRetryAfterMs: 5000 },
    );
    const result = await run(s);
    expect(s.double.calls).toHaveLength(2 * N);
    for (const [id, j] of stored(s, result)) {
      expect(j).toMatchObject({ error: null, attempts: 2 });
      const [first, second] = s.callsOf(id);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(190);
    }
    await expectKeyNowhere(s, result);
  });

  it('retries 500 and 503 and then succeeds', async () => {
    const s = await setup(
      (_id, attempt) => (attempt === 1 ? INTERNAL : attempt === 2 ? OVERLOADED : geminiText(VERDICT_A)),
      { maxAttempts: 3 },
    );
    const result = await run(s);
    expect(s.double.calls).toHaveLength(3 * N);
    for (const j of stored(s, result).values())
      expect(j).toMatchObject({ error: null, attempts: 3, verdict: { choice: 'A' } });
    expect(result.status).toBe('complete');
    await expectKeyNowhere(s, result);
  });

  it('stores an item that keeps failing with 503 as an error after the bounded attempts', async () => {
    const s = await setup(() => OVERLOADED, { maxAttempts: 3 });
    const result = await run(s);
    expect(s.double.calls).toHaveLength(3 * N);
    const judgments = stored(s, result);
    expect(judgments.size).toBe(N);
    for (const j of judgments.values()) {
      expect(j).toMatchObject({
        replyType: null,
        raw: null,
        verdict: null,
        error: 'HTTP 503: UNAVAILABLE: The model is overloaded. Please try again later (after 3 attempts)',
        attempts: 3,
        costUsd: null,
      });
    }
    expect(result.status).toBe('incomplete');
    expect(result.benchmarks[0]!.summary.errors).toBe(N);
    await expectKeyNowhere(
      s,
      result,
      [...judgments.values()].map((j) => j.error!),
    );
  });

  it('makes exactly one request per attempt: the SDK never retries by itself', async () => {
    const s = await setup(() => INTERNAL, { maxAttempts: 1 });
    const result = await run(s);
    expect(s.double.calls).toHaveLength(N); // with its own retries on, the SDK would make 5 per item
    for (const j of stored(s, result).values()) {
      expect(j).toMatchObject({
        error:
          'HTTP 500: INTERNAL: An internal error has occurred. Please retry ' +
          'or report in https://developers.generativeai.google/guide/troubleshooting',
        attempts: 1,
      });
    }
    await expectKeyNowhere(s, result);
  });

  it(
    'cuts off a request that hangs at the harness timeout, ' + 'and stores it as an error after the bounded attempts',
    async () => {
      const { ids } = await prompts(N);
      const hanging = ids[2]!;
      const s = await setup((id) => (id === hanging ? { hang: true } : geminiText(VERDICT_A)), {
        timeoutMs: 200,
        maxAttempts: 2,
      });
      const result = await run(s);
      expect(s.double.calls).toHaveLength(N + 1);
      expect(s.callsOf(hanging)).toHaveLength(2);
      const judgments = stored(s, result);
      // The harness's own timeout message: no SDK or undici timer fired first.
      expect(judgments.get(hanging)).toMatchObject({
        error: 'no complete reply within 0.2s (after 2 attempts)',
        attempts: 2,
        raw: null,
      });
      for (const id of ids.filter((i) => i !== hanging))
        expect(judgments.get(id)).toMatchObject({ error: null, attempts: 1 });
      await expectKeyNowhere(s, result);
    },
  );

  it('retries a reply whose body is cut off, and stores it as an error if it stays cut off', async () => {
    const { ids } = await prompts(N);
    const broken = ids[0]!;
    const s = await setup(
      (id, attempt) => (id === broken || attempt === 1 ? geminiTruncated(VERDICT_A) : geminiText(VERDICT_A)),
      { maxAttempts: 2 },
    );
    const result = await run(s);
    expect(s.double.calls).toHaveLength(2 * N);
    const judgments = stored(s, result);
    const error = judgments.get(broken)!.error!;
    expect(error).toMatch(/^the response body was cut off or is not valid JSON: .+ \(after 2 attempts\)$/);
    expect(judgments.get(broken)!.attempts).toBe(2);
    for (const id of ids.slice(1))
      expect(judgments.get(id)).toMatchObject({ error: null, attempts: 2, verdict: { choice: 'A' } });
    await expectKeyNowhere(s, result, [error]);
  });

  it('stores a reply without a verdict as it is: scored invalid (0.5), not retried', async () => {
    const text = 'I am unable to compare these two responses.';
    const s = await setup(() => geminiText(text, { usage: { prompt: 900, output: 12 } }));
    const result = await run(s);
    expect(s.double.calls).toHaveLength(N);
    for (const j of stored(s, result).values())
      expect(j).toMatchObject({
        replyType: 'text',
        raw: text,
        verdict: null,
        error: null,
        attempts: 1,
        inputTokens: 900,
        outputTokens: 12,
      });
    const b = result.benchmarks[0]!;
    expect(b.results.every((r) => r.outcome.status === 'invalid')).toBe(true);
    expect(b.summary).toMatchObject({ invalid: N, errors: 0 });
    expect(Object.values((b.summary as RewardBenchSummary).subsets)).toEqual([50]); // the first items are one subset
    expect(result.status).toBe('complete');
    await expectKeyNowhere(s, result);
  });

  it(
    'stores what Gemini deliberately withholds as answered without a verdict, with the reason, ' +
      'and retries a broken empty response',
    async () => {
      const { ids } = await prompts(N);
      const [blocked, safety, maxTokens, empty] = ids as [string, string, string, string];
      const s = await setup((id, attempt) => {
        if (id === blocked) return geminiBlocked('SAFETY', 700);
        if (id === safety) return geminiNoText('SAFETY', { prompt: 800, output: 0 });
        if (id === maxTokens) return geminiNoText('MAX_TOKENS', { prompt: 800, output: 1024 });
        return id === empty && attempt === 1 ? geminiNoCandidates() : geminiText(VERDICT_A);
      });
      const result = await run(s);
      expect(s.double.calls).toHaveLength(N + 1);
      expect(s.callsOf(empty)).toHaveLength(2);
      const judgments = stored(s, result);
      const withheld = { replyType: 'invalid', raw: null, verdict: null, error: null, attempts: 1 };
      expect(judgments.get(blocked)).toMatchObject({
        ...withheld,
        invalidReason: 'no reply text: Gemini blocked the prompt (blockReason SAFETY)',
        inputTokens: 700,
        outputTokens: null,
      });
      expect(judgments.get(safety)).toMatchObject({
        ...withheld,
        invalidReason: 'no reply text: Gemini returned no text (finishReason SAFETY)',
      });
      expect(judgments.get(maxTokens)).toMatchObject({
        ...withheld,
        invalidReason: 'no reply text: Gemini returned no text (finishReason MAX_TOKENS)',
        outputTokens: 1024,
      });
      // paid for, so counted
      expect(judgments.get(maxTokens)!.costUsd).toBeCloseTo((800 * 0.35 + 1024 * 1.05) / 1e6, 12);
      expect(judgments.get(empty)).toMatchObject({ error: null, attempts: 2, verdict: { choice: 'A' } });
      const outcomes = new Map(result.benchmarks[0]!.results.map((r) => [r.item.id, r.outcome]));
      for (const id of [blocked, safety, maxTokens])
        expect(outcomes.get(id)).toEqual({ status: 'invalid', reason: judgments.get(id)!.invalidReason });
      expect(result.benchmarks[0]!.summary).toMatchObject({ invalid: 3, errors: 0 });
      await expectKeyNowhere(s, result);
    },
  );

  it('stops the run with one message on a bad key (Gemini answers 400 INVALID_ARGUMENT, not 401)', async () => {
    const wrong = 'fake-wrong-gemini-key-0d9e8f7a6b5c4d3';
    const s = await setup(() => geminiText(VERDICT_A), { concurrency: 1 }, wrong);
    const error = await run(s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EndpointError);
    expect((error as Error).message).toContain(
      ': HTTP 400: INVALID_ARGUMENT: API key not valid. Please pass a valid API key. ' +
        'The key was refused: check GEMINI_API_KEY',
    );
    expect(s.double.calls).toHaveLength(1); // not retried, and nothing else was sent
    const judgments = [...s.store.judgments(judgeFingerprint(s.judge), 'rewardbench').values()];
    expect(judgments).toHaveLength(0); // nothing stored as failed: the key is at fault, not the items
    await expectKeyNowhere(s, undefined, [(error as Error).message], wrong);
  });

  it('stops the run when the model does not exist (404 NOT_FOUND: the same for every item)', async () => {
    const s = await setup(() => modelNotFound(MODEL), { concurrency: 1 });
    const error = (await run(s).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.message).toContain(
      `: HTTP 404: NOT_FOUND: models/${MODEL} is not found for API version v1beta, ` +
        'or is not supported for generateContent. ' +
        'Call ListModels to see the list of available models and their supported methods. ' +
        `Model "${MODEL}" or the path ` +
        'does not exist there: check "model" in the judge config and the URL (GEMINI_DOUBLE_URL via',
    );
    expect(s.double.calls).toHaveLength(1);
    await expectKeyNowhere(s, undefined);
  });

  it('keeps the key out of a stored error even when the server echoes it', async () => {
    const echo = geminiError(
      500,
      'INTERNAL',
      `upstream https://generativelanguage.googleapis.com/v1beta/models/${MODEL}:generateContent?key=${KEY} ` +
        `failed for key ${KEY}`,
    );
    const s = await setup(() => echo, { maxAttempts: 2 });
    const result = await run(s);
    expect(s.double.calls).toHaveLength(2 * N);
    const errors = [...stored(s, result).values()].map((j) => j.error!);
    expect(errors).toHaveLength(N);
    for (const error of errors) {
      expect(error).toBe(
        'HTTP 500: INTERNAL: upstream ' +
          `https://generativelanguage.googleapis.com/v1beta/models/${MODEL}:generateContent?key=*** ` +
          'failed for key *** (after 2 attempts)',
      );
    }
    await expectKeyNowhere(s, result, errors);
  });
});
