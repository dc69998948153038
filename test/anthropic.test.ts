/**
 * The `anthropic` adapter through the real @anthropic-ai/sdk and real HTTP against the Anthropic double
 * (test/doubles/anthropic-server.ts), inside the real harness: the `claude-3-opus` preset plus a user config
 * pointing it at the double, built by createApiJudge, run by runEval on a few RewardBench items into a temporary
 * SQLite store, and written out by writeReports. Every run test counts the requests the double received, checks
 * what was stored, and checks that the API key is in no byte of the store, the reports or any error message.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ItemResult } from '../benchmarks/benchmark.ts';
import { pairwiseItemScore } from '../benchmarks/pairwise.ts';
import { rewardbench, type RewardBenchSummary } from '../benchmarks/rewardbench/index.ts';
import { EndpointError, UserError } from '../core/errors.ts';
import type { PairwiseGold } from '../protocol/positions.ts';
import { DEFAULT_RETRY_POLICY } from '../protocol/limits.ts';
import { judgeFingerprint, prepareItems, runEval, type PreparedItem, type RunResult } from '../harness/run.ts';
import { Store, type Judgment } from '../harness/store.ts';
import { ANTHROPIC_API_VERSION, anthropicAdapter, sdkTimeoutMs } from '../judges/adapters/anthropic.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import type { Judge } from '../judges/judge.ts';
import { writeReports } from '../reports/write.ts';
import {
  HANG,
  apiError,
  message,
  overloaded,
  rateLimited,
  serverError,
  startAnthropicDouble,
  truncatedMessage,
  type AnthropicDouble,
  type Script,
} from './doubles/anthropic-server.ts';
import type { Reply } from './doubles/http-double.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = `sk-ant-api03-${randomBytes(16).toString('hex')}-test`;
const ENV = { ANTHROPIC_API_KEY: KEY };
const PRESET = 'claude-3-opus';
/** A user file's entry replaces a preset of the same id, so the test's own id extends the preset. */
const JUDGE_ID = 'claude-3-opus@double';
const PRICE = { inputPerMillion: 15, outputPerMillion: 75 }; // the preset's
/** Small limits so failures are quick; concurrency 1 keeps the order of requests that of the items. */
const LIMITS = { concurrency: 1, timeoutMs: 200, maxAttempts: 3, maxRetryAfterMs: 50 };
const VERDICT = (letter: string): string => `explanation: it answers the question better.\nbetter response: ${letter}`;

let items: PreparedItem[];
beforeAll(async () => {
  items = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 5 });
  // Loads the SDK, as the registry does before it creates a judge: the first attempt (200 ms) does not import it.
  await anthropicAdapter.prepare?.();
});

/** Which of the first items a request is for, from its prompt. */
function itemIndex(request: { messages: { content: unknown }[] }): number {
  const index = items.findIndex((item) => item.prompt === request.messages[0]?.content);
  if (index < 0) throw new Error('the double received a prompt that is none of the items');
  return index;
}

const score = (result: ItemResult): number | null =>
  pairwiseItemScore(result as ItemResult<{ id: string }, PairwiseGold>);
const gold = (index: number): 'A' | 'B' => (items[index]!.prepared.gold as PairwiseGold).chosenSlot;
const other = (slot: 'A' | 'B'): 'A' | 'B' => (slot === 'A' ? 'B' : 'A');

/** Counts each item's attempts, so a script can answer the n-th attempt at an item. */
function perItem(answer: (index: number, attempt: number, request: Parameters<Script>[0]) => Reply): Script {
  const attempts = new Map<number, number>();
  return (request) => {
    const index = itemIndex(request);
    const attempt = (attempts.get(index) ?? 0) + 1;
    attempts.set(index, attempt);
    return answer(index, attempt, request);
  };
}

interface Setup {
  dir: string;
  double: AnthropicDouble;
  judge: Judge;
  store: Store;
  /** Closes the store once (the test, or the cleanup when the test failed first). */
  closeStore(): void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function specFor(dir: string, entry: Record<string, unknown>): JudgeSpec {
  const configFile = path.join(dir, 'judges.json');
  fs.writeFileSync(configFile, JSON.stringify({ judges: { [JUDGE_ID]: { extends: PRESET, ...entry } } }, null, 2));
  return resolveJudgeSpec(JUDGE_ID, loadJudgeConfig({ userFile: configFile }))!;
}

async function startDouble(script: Script): Promise<AnthropicDouble> {
  const double = await startAnthropicDouble({ apiKey: KEY, script });
  cleanups.push(() => double.close());
  return double;
}

/** The preset, pointed at a fresh double by a user config file, with a temp store. */
async function setup(
  script: Script,
  options: { limits?: Record<string, number>; env?: NodeJS.ProcessEnv } = {},
): Promise<Setup> {
  const double = await startDouble(script);
  const dir = tempDir('autorater-anthropic-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const spec = specFor(dir, { baseURL: double.url, limits: { ...LIMITS, ...options.limits } });
  const built = createApiJudge(spec, anthropicAdapter, options.env ?? ENV);
  // Backoff is not configurable in the judge config (only timeout, attempts and the Retry-After cap are): a 5xx
  // without retry-after would wait 0.5-1 s, then 1-2 s. The judge's limits take it.
  const judge: Judge = { ...built, limits: { ...built.limits, baseDelayMs: 1, maxDelayMs: 5 } };
  const store = Store.open(path.join(dir, 'store', 'runs.sqlite'));
  let open = true;
  const closeStore = (): void => {
    if (open) store.close();
    open = false;
  };
  cleanups.push(closeStore);
  return { dir, double, judge, store, closeStore };
}

function run(s: Setup, limit: number): Promise<RunResult> {
  return runEval({
    judge: s.judge,
    benchmarks: [rewardbench],
    dataDir: DATA_DIR,
    seed: 0,
    store: s.store,
    limit,
    progress: false,
  });
}

/** Stored judgments in item order (undefined for an item never asked). */
function stored(s: Setup, limit: number): (Judgment | undefined)[] {
  const rows = [...s.store.judgments(judgeFingerprint(s.judge), 'rewardbench').values()];
  return items
    .slice(0, limit)
    .map((item) => rows.find((j) => j.itemId === item.item.id && j.promptHash === item.promptHash));
}

/** Writes the reports, closes the store, and checks the key is in none of the files and none of `texts`. */
async function finish(s: Setup, result: RunResult | undefined, texts: string[] = []): Promise<string[]> {
  const written: string[] = [];
  if (result) {
    const summary = result.benchmarks[0]!.summary as RewardBenchSummary;
    const tables = await rewardbench.tables(summary, {
      dataDir: DATA_DIR,
      judgeId: s.judge.id,
      publishedAs: s.judge.publishedAs,
    });
    written.push(...(await writeReports(path.join(s.dir, 'reports'), result, tables, 0)));
  }
  const errors = [...s.store.judgments(judgeFingerprint(s.judge), 'rewardbench').values()].flatMap((j) =>
    j.error === null ? [] : [j.error],
  );
  s.closeStore(); // the WAL is folded into the main file; whatever is left on disk is scanned below
  const key = Buffer.from(KEY);
  const files = (fs.readdirSync(s.dir, { recursive: true }) as string[])
    .map((f) => path.join(s.dir, f))
    .filter((f) => fs.statSync(f).isFile());
  // The scan does see the store's content: the judge's id, registered with every run, is there in plain bytes.
  expect(fs.readFileSync(path.join(s.dir, 'store', 'runs.sqlite')).includes(Buffer.from(JUDGE_ID))).toBe(true);
  for (const file of files) expect(fs.readFileSync(file).includes(key), `${file} contains the API key`).toBe(false);
  for (const text of [...errors, ...texts]) expect(text).not.toContain(KEY);
  return written;
}

describe('anthropic adapter in a run', () => {
  it(
    'sends the prompt verbatim as one user message with the paper decoding, and stores verdict, ' + 'tokens and cost',
    async () => {
      const n = 3;
      // Item 0 and 2 answered with the better response, item 1 with the worse one: scores 1, 0, 1.
      const s = await setup(
        perItem((index, _attempt, request) =>
          message(request, VERDICT(index === 1 ? other(gold(index)) : gold(index)), {
            usage: { input_tokens: 1000 + index, output_tokens: 40 + index },
          }),
        ),
      );
      const result = await run(s, n);

      expect(s.double.requests).toHaveLength(n);
      for (const [i, request] of s.double.requests.entries()) {
        expect(request.method).toBe('POST');
        expect(request.path).toBe('/v1/messages');
        expect(request.headers['x-api-key']).toBe(KEY);
        // the key is sent once, in the header API 2023-06-01 documents
        expect(request.headers.authorization).toBeUndefined();
        expect(request.headers['anthropic-version']).toBe(ANTHROPIC_API_VERSION);
        expect(request.headers['x-stainless-retry-count']).toBe('0');
        expect(request.body).toEqual({
          model: 'claude-3-opus-20240229',
          max_tokens: 1024,
          temperature: 0,
          messages: [{ role: 'user', content: items[i]!.prompt }],
        });
      }

      expect(result.status).toBe('complete');
      const judgments = stored(s, n);
      expect(judgments.map((j) => j!.verdict)).toEqual(
        [0, 1, 2].map((i) => ({ kind: 'pairwise', choice: i === 1 ? other(gold(i)) : gold(i) })),
      );
      expect(judgments.map((j) => j!.raw)).toEqual([0, 1, 2].map((i) => VERDICT(i === 1 ? other(gold(i)) : gold(i))));
      expect(judgments.map((j) => [j!.inputTokens, j!.outputTokens, j!.attempts, j!.error])).toEqual([
        [1000, 40, 1, null],
        [1001, 41, 1, null],
        [1002, 42, 1, null],
      ]);
      for (const [i, j] of judgments.entries()) {
        expect(j!.costUsd).toBeCloseTo(
          ((1000 + i) * PRICE.inputPerMillion + (40 + i) * PRICE.outputPerMillion) / 1e6,
          12,
        );
      }
      expect(result.benchmarks[0]!.results.map((r) => score(r))).toEqual([1, 0, 1]);
      expect(result.spend).toMatchObject({ inputTokens: 3003, outputTokens: 123 });

      const written = await finish(s, result);
      expect(written.map((f) => path.basename(f)).sort()).toEqual([
        'predictions.jsonl',
        'report.md',
        'rewardbench.csv',
        'summary.json',
      ]);
      expect(
        fs
          .readFileSync(path.join(s.dir, 'reports', 'predictions.jsonl'), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(n);
    },
  );

  it('waits as long as a 429 retry-after says (up to the cap) and then retries', async () => {
    const n = 2;
    const times: number[][] = [[], []];
    const s = await setup(
      perItem((index, attempt, request) => {
        times[index]!.push(performance.now());
        if (attempt > 1) return message(request, VERDICT('A'));
        // Item 0: retry-after 0.25 s, honoured; item 1: an hour, capped at maxRetryAfterMs.
        return index === 0 ? rateLimited(0.25) : rateLimited(3600);
      }),
      { limits: { maxRetryAfterMs: 400 } },
    );
    const started = performance.now();
    const result = await run(s, n);

    expect(s.double.requests).toHaveLength(4);
    expect(result.status).toBe('complete');
    expect(stored(s, n).map((j) => [j!.attempts, j!.error])).toEqual([
      [2, null],
      [2, null],
    ]);
    const waited = times.map(([first, second]) => second! - first!);
    expect(waited[0]).toBeGreaterThanOrEqual(240); // the 250 ms the server asked for, not the 1-5 ms backoff
    expect(waited[1]).toBeGreaterThanOrEqual(390); // capped at 400 ms instead of an hour
    expect(performance.now() - started).toBeLessThan(5_000);
    await finish(s, result);
  });

  it('retries 500, 503 and 529 overloaded_error until the reply comes', async () => {
    const n = 3;
    const failures = [serverError(500), serverError(503), overloaded()];
    const s = await setup(
      perItem((index, attempt, request) => (attempt < 3 ? failures[index]! : message(request, VERDICT('B')))),
    );
    const result = await run(s, n);

    expect(s.double.requests).toHaveLength(9);
    expect(result.status).toBe('complete');
    expect(stored(s, n).map((j) => [j!.attempts, j!.error, j!.verdict])).toEqual(
      [0, 1, 2].map(() => [3, null, { kind: 'pairwise', choice: 'B' }]),
    );
    await finish(s, result);
  });

  it(
    'stores a server that stays overloaded as errors after the bounded attempts, ' +
      'and asks those items again next run',
    async () => {
      const n = 2;
      let healthy = false;
      const s = await setup((request) => (healthy ? message(request, VERDICT('A')) : overloaded()));
      const first = await run(s, n);

      expect(s.double.requests).toHaveLength(n * LIMITS.maxAttempts);
      expect(first.status).toBe('incomplete');
      expect(first.benchmarks[0]!.summary.errors).toBe(n);
      expect(stored(s, n).map((j) => [j!.error, j!.attempts, j!.replyType])).toEqual(
        [0, 1].map(() => ['HTTP 529: overloaded_error: Overloaded (after 3 attempts)', 3, null]),
      );
      const messages = stored(s, n).map((j) => j!.error!);

      healthy = true;
      const second = await run(s, n);
      expect(s.double.requests).toHaveLength(n * LIMITS.maxAttempts + n);
      expect(second.status).toBe('complete');
      expect(stored(s, n).map((j) => [j!.error, j!.attempts])).toEqual([
        [null, 4],
        [null, 4],
      ]);
      await finish(s, second, messages);
    },
  );

  it(
    'cuts off a server that never answers at the harness timeout, ' + 'and stores an error after the bounded attempts',
    async () => {
      const n = 2;
      const s = await setup(() => HANG, { limits: { maxAttempts: 2, concurrency: 2 } });
      const started = performance.now();
      const result = await run(s, n);

      expect(s.double.requests).toHaveLength(n * 2);
      expect(result.status).toBe('incomplete');
      // The harness's own timeout, not the SDK's ("Request timed out"), which is set never to fire first.
      expect(stored(s, n).map((j) => [j!.error, j!.attempts])).toEqual([
        ['no complete reply within 0.2s (after 2 attempts)', 2],
        ['no complete reply within 0.2s (after 2 attempts)', 2],
      ]);
      expect(performance.now() - started).toBeLessThan(3_000);
      await finish(s, result);
    },
  );

  it('retries a reply body that is cut off or is not a message', async () => {
    const n = 3;
    const s = await setup(
      perItem((index, attempt, request) => {
        if (index === 0 && attempt === 1) return truncatedMessage(request, VERDICT('A'));
        if (index === 1) return truncatedMessage(request, VERDICT('A')); // every time
        if (index === 2 && attempt === 1)
          return { status: 200, headers: { 'content-type': 'text/html' }, text: '<html>502 Bad Gateway</html>' };
        return message(request, VERDICT('A'));
      }),
    );
    const result = await run(s, n);

    expect(s.double.requests).toHaveLength(2 + 3 + 2);
    const [cutOnce, cutAlways, proxyPage] = stored(s, n);
    expect([cutOnce!.error, cutOnce!.attempts, cutOnce!.verdict]).toEqual([null, 2, { kind: 'pairwise', choice: 'A' }]);
    expect(cutAlways!.error).toMatch(/^Anthropic API: reply body cut off \(terminated.*\) \(after 3 attempts\)$/);
    expect(cutAlways!.attempts).toBe(3);
    expect([proxyPage!.error, proxyPage!.attempts]).toEqual([null, 2]);
    await finish(s, result);
  });

  it(
    'stores a reply without a verdict (cut at max_tokens, empty, or undecided) once, ' + 'scored invalid as 0.5',
    async () => {
      const n = 3;
      const rambling = 'explanation: Response A covers more ground, while response B is more precise; weighing the two';
      const s = await setup(
        perItem((index, _attempt, request) => {
          if (index === 0)
            return message(request, rambling, {
              stopReason: 'max_tokens',
              usage: { input_tokens: 900, output_tokens: 1024 },
            });
          if (index === 1) return message(request, '', { content: [], usage: { input_tokens: 901, output_tokens: 1 } });
          return message(request, 'explanation: both are fine.\nbetter response: either', {
            usage: { input_tokens: 902, output_tokens: 12 },
          });
        }),
      );
      const result = await run(s, n);

      expect(s.double.requests).toHaveLength(n); // not retried
      expect(result.status).toBe('complete');
      const judgments = stored(s, n);
      expect(
        judgments.map((j) => [
          j!.replyType,
          j!.raw,
          j!.verdict,
          j!.error,
          j!.attempts,
          j!.inputTokens,
          j!.outputTokens,
        ]),
      ).toEqual([
        ['text', rambling, null, null, 1, 900, 1024],
        ['invalid', null, null, null, 1, 901, 1],
        ['text', 'explanation: both are fine.\nbetter response: either', null, null, 1, 902, 12],
      ]);
      expect(judgments[1]!.invalidReason).toBe('no reply text: Claude returned no text (stop_reason end_turn)');
      expect(result.benchmarks[0]!.results.map((r) => r.outcome.status)).toEqual(['invalid', 'invalid', 'invalid']);
      expect(result.benchmarks[0]!.results.map((r) => score(r))).toEqual([0.5, 0.5, 0.5]);
      expect(result.benchmarks[0]!.summary.invalid).toBe(3);
      await finish(s, result);
    },
  );

  it('stops the whole run with one message when the key is rejected', async () => {
    const wrongKey = `sk-ant-api03-${randomBytes(16).toString('hex')}-wrong`;
    const s = await setup((request) => message(request, VERDICT('A')), { env: { ANTHROPIC_API_KEY: wrongKey } });
    const failure = await run(s, 4).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(EndpointError);
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^${JUDGE_ID} at http://127\\.0\\.0\\.1:\\d+ \\(URL from "baseURL" of "${JUDGE_ID}" in .*\\): ` +
          'HTTP 401: authentication_error: invalid x-api-key\\. The key was refused: check ANTHROPIC_API_KEY and its ' +
          'access to model "claude-3-opus-20240229"\\. Stopped the run before storing any item as failed',
      ),
    );
    expect(s.double.requests).toHaveLength(1); // concurrency 1: nothing after the first 401
    expect(s.double.requests[0]!.headers['x-api-key']).toBe(wrongKey);
    expect(s.double.messages).toHaveLength(0); // turned away before the model
    // nothing stored as failed
    expect(stored(s, 4).map((j) => j?.error)).toEqual([undefined, undefined, undefined, undefined]);
    const said = (failure as Error).message;
    await finish(s, undefined, [said]);
    const storeBytes = fs.readFileSync(path.join(s.dir, 'store', 'runs.sqlite'));
    expect(storeBytes.includes(Buffer.from(wrongKey))).toBe(false);
    expect(said).not.toContain(wrongKey);
  });

  it('keeps the key out of what it stores even when a server echoes it in an error', async () => {
    const s = await setup(() =>
      apiError(403, 'permission_error', `API key ${KEY} does not have access to claude-3-opus-20240229`),
    );
    const failure = (await run(s, 2).catch((error: unknown) => error)) as Error;

    expect(s.double.requests).toHaveLength(1);
    expect(failure.message).toContain(
      ': HTTP 403: permission_error: API key *** does not have access to claude-3-opus-20240229. ',
    );
    expect(failure.message).not.toContain(KEY);
    await finish(s, undefined, [failure.message]);
  });
});

describe('anthropic adapter and the SDK', () => {
  async function client(script: Script, entry: Record<string, unknown> = {}) {
    const double = await startDouble(script);
    const spec = specFor(tempDir('autorater-anthropic-'), { baseURL: double.url, limits: LIMITS, ...entry });
    return { double, client: anthropicAdapter.create(spec, { apiKey: KEY, baseURL: double.url }) };
  }
  const ask = (c: Awaited<ReturnType<typeof client>>['client'], signal = new AbortController().signal) =>
    c.complete({ prompt: items[0]!.prompt, task: items[0]!.prepared.task }, signal);

  it(
    'makes one request per call: the SDK retries nothing itself, ' + 'and the error says what the harness needs',
    async () => {
      const busy = await client(() => overloaded({ 'retry-after': '7' }));
      const error = await ask(busy.client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JudgeCallError);
      expect((error as JudgeCallError).details).toEqual({
        status: 529,
        retryable: true,
        retryAfterMs: 7000,
        fatal: false,
      });
      expect((error as JudgeCallError).message).toBe('HTTP 529: overloaded_error: Overloaded');
      expect(busy.double.requests).toHaveLength(1);

      const broken = await client(() => serverError(500));
      await expect(ask(broken.client)).rejects.toMatchObject({
        message: 'HTTP 500: api_error: Internal server error',
        details: { retryable: true },
      });
      expect(broken.double.requests).toHaveLength(1);

      const tooLong = await client(() =>
        apiError(400, 'invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'),
      );
      await expect(ask(tooLong.client)).rejects.toMatchObject({
        details: { status: 400, retryable: false, fatal: false },
      });
      expect(tooLong.double.requests).toHaveLength(1);
    },
  );

  it('passes an abort of the signal through as the signal’s own reason', async () => {
    const { double, client: c } = await client(() => HANG);
    const controller = new AbortController();
    const reason = new Error('Ctrl-C');
    setTimeout(() => controller.abort(reason), 50);
    await expect(ask(c, controller.signal)).rejects.toBe(reason);
    expect(double.requests).toHaveLength(1);

    const aborted = new AbortController();
    aborted.abort(reason);
    await expect(ask(c, aborted.signal)).rejects.toBe(reason);
    expect(double.requests).toHaveLength(1); // an already-aborted signal sends nothing
  });

  it('sets the SDK timeout beyond the harness timeout, so the harness always decides', async () => {
    const { double, client: c } = await client((request) => message(request, VERDICT('A')));
    await ask(c);
    // The SDK announces its own timeout (whole seconds) with every request.
    expect(Number(double.requests[0]!.headers['x-stainless-timeout']) * 1000).toBeGreaterThan(LIMITS.timeoutMs);
    expect(sdkTimeoutMs(undefined)).toBeGreaterThan(DEFAULT_RETRY_POLICY.timeoutMs);
    expect(sdkTimeoutMs(10 * 60_000)).toBeGreaterThan(10 * 60_000);
    expect(sdkTimeoutMs(30 * 24 * 3_600_000)).toBe(2 ** 31 - 1); // Node would fire a longer timer at once
  });

  it('reports a refused connection as worth retrying', async () => {
    const { double, client: c } = await client((request) => message(request, VERDICT('A')));
    await double.close();
    const error = (await ask(c).catch((e: unknown) => e)) as JudgeCallError;
    expect(error).toBeInstanceOf(JudgeCallError);
    expect(error.message).toMatch(/^Anthropic API: connection failed: /);
    expect(error.details).toEqual({ retryable: true });
    expect(error.message).not.toContain(KEY);
  });

  it('sends top_p only when configured, and refuses a temperature the API does not accept', async () => {
    const { double, client: c } = await client((request) => message(request, VERDICT('A')), {
      decoding: { topP: 0.9 },
    });
    await ask(c);
    expect(double.requests[0]!.body).toMatchObject({ temperature: 0, top_p: 0.9 });

    const spec = specFor(tempDir('autorater-anthropic-'), { decoding: { temperature: 1.5 } });
    expect(() => createApiJudge(spec, anthropicAdapter, ENV)).toThrow(UserError);
    expect(() => createApiJudge(spec, anthropicAdapter, ENV)).toThrow(/accepts a temperature from 0 to 1, not 1\.5/);
  });

  it('fails in one line naming the variable when no key is set', () => {
    const spec = specFor(tempDir('autorater-anthropic-'), {});
    expect(() => createApiJudge(spec, anthropicAdapter, {})).toThrow(
      `--judge ${JUDGE_ID}: set ANTHROPIC_API_KEY (the anthropic API key).`,
    );
  });
});
