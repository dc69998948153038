import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { judgeFingerprint, prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { flameAdapter } from '../judges/adapters/flame.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeEntry } from '../judges/config.ts';
import type { Judge } from '../judges/judge.ts';
import type { HttpDouble, RecordedRequest, Reply } from './doubles/http-double.ts';
import {
  FLAME_KITS,
  startFlameServer,
  tgiKit,
  tokenize,
  vertexKit,
  vllmKit,
  type FlameServerKit,
} from './doubles/flame-servers.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'flame-secret-token-7f3a9c01';
const LIMITS = { timeoutMs: 200, maxAttempts: 3, maxRetryAfterMs: 20, concurrency: 2 };
const N = 3;
/**
 * A FLAMe-style reply whose verdict token has P(A) = e^-0.105 ≈ 0.9 and P(B) = e^-2.303 ≈ 0.1 among its
 * alternatives.
 */
const ANSWER = 'explanation: Response A answers the question; B does not.\nbetter response: A';
const ANSWER_TOKENS = tokenize(ANSWER, { ' A': -0.105, ' B': -2.303 });
const P_A = Math.exp(-0.105) / (Math.exp(-0.105) + Math.exp(-2.303));

const servers: HttpDouble[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Setup {
  server: HttpDouble;
  judge: Judge;
  store: Store;
  storeFile: string;
}

/**
 * A judge made the way the CLI makes it: the flame-rm preset, extended in a user config file that sets the
 * protocol, the double's URL and small limits; the key comes from FLAME_RM_API_KEY.
 */
async function setup(
  kit: FlameServerKit,
  script: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
  entry: JudgeEntry = {},
  env: NodeJS.ProcessEnv = { FLAME_RM_API_KEY: KEY },
): Promise<Setup> {
  const server = await startFlameServer(kit, script);
  servers.push(server);
  const dir = tempDir('autorater-flame-');
  const file = path.join(dir, 'judges.json');
  const judgeEntry = {
    extends: 'flame-rm',
    protocol: kit.protocol,
    baseURL: kit.baseURL(server.url),
    ...entry,
    limits: { ...LIMITS, ...entry.limits },
  };
  fs.writeFileSync(file, JSON.stringify({ judges: { 'flame-rm-test': judgeEntry } }));
  const spec = resolveJudgeSpec('flame-rm-test', loadJudgeConfig({ userFile: file }))!;
  const judge = createApiJudge(spec, flameAdapter, env);
  // The backoff between retries is the harness default (seconds) and not part of a judge's config; shorten it.
  const fast: Judge = { ...judge, limits: { ...judge.limits, baseDelayMs: 1, maxDelayMs: 5 } };
  const storeFile = path.join(dir, 'runs.sqlite');
  return { server, judge: fast, store: Store.open(storeFile), storeFile };
}

function run(s: Setup, limit = N) {
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

async function expectedPrompts(limit = N): Promise<string[]> {
  return (await prepareItems(rewardbench, DATA_DIR, 0, { limit })).map((p) => p.prompt);
}

/** Counts requests per prompt, so a script can fail the first attempts of every item. */
function perItem(kit: FlameServerKit, answer: (attempt: number, request: RecordedRequest) => Reply) {
  const attempts = new Map<string, number>();
  return (request: RecordedRequest): Reply => {
    const prompt = kit.promptOf(request);
    const attempt = (attempts.get(prompt) ?? 0) + 1;
    attempts.set(prompt, attempt);
    return answer(attempt, request);
  };
}

/** The exact body each protocol must send for the preset's greedy decoding (temperature 0, 1,024 tokens). */
const GREEDY_BODY: Record<string, (prompt: string) => unknown> = {
  'openai-completions': (prompt) => ({
    model: 'flame-rm-24b',
    prompt,
    max_tokens: 1024,
    temperature: 0,
    logprobs: 5,
    n: 1,
    stream: false,
  }),
  tgi: (prompt) => ({
    inputs: prompt,
    parameters: { max_new_tokens: 1024, do_sample: false, details: true, top_n_tokens: 5, return_full_text: false },
  }),
  'vertex-predict': (prompt) => ({
    instances: [{ prompt, max_tokens: 1024, temperature: 0, raw_response: true }],
    parameters: { max_tokens: 1024, temperature: 0 },
  }),
};

/** Sampling settings as each server accepts them (TGI: do_sample on, top_p only inside (0, 1)). */
const SAMPLED_BODY: Record<string, (prompt: string) => unknown> = {
  'openai-completions': (prompt) => ({
    model: 'flame-rm-24b',
    prompt,
    max_tokens: 64,
    temperature: 0.7,
    top_p: 0.9,
    logprobs: 5,
    n: 1,
    stream: false,
  }),
  tgi: (prompt) => ({
    inputs: prompt,
    parameters: {
      max_new_tokens: 64,
      do_sample: true,
      temperature: 0.7,
      top_p: 0.9,
      details: true,
      top_n_tokens: 5,
      return_full_text: false,
    },
  }),
  'vertex-predict': (prompt) => ({
    instances: [{ prompt, max_tokens: 64, temperature: 0.7, top_p: 0.9, raw_response: true }],
    parameters: { max_tokens: 64, temperature: 0.7, top_p: 0.9 },
  }),
};

/** What each server reports: vLLM and TGI log-probabilities and token counts, Vertex's predict neither. */
const REPORTS: Record<
  string,
  { probabilities: boolean; usage: { inputTokens: number | null; outputTokens: number | null } }
> = {
  'openai-completions': { probabilities: true, usage: { inputTokens: 812, outputTokens: 9 } },
  tgi: { probabilities: true, usage: { inputTokens: 812, outputTokens: ANSWER_TOKENS.length + 1 } },
  'vertex-predict': { probabilities: false, usage: { inputTokens: null, outputTokens: null } },
};

function storedBytes(file: string): string {
  return [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');
}

describe.each(FLAME_KITS.map((kit) => [kit.protocol, kit] as const))('flame adapter over %s', (protocol, kit) => {
  it(
    'sends exactly the unified prompt as plain text with greedy decoding, ' +
      'and stores the verdict and option probabilities',
    async () => {
      const s = await setup(kit, () => kit.ok(ANSWER_TOKENS));
      const result = await run(s);
      expect(result.status).toBe('complete');

      const prompts = await expectedPrompts();
      expect(s.server.requests).toHaveLength(N);
      expect(s.server.requests.map((r) => kit.promptOf(r)).sort()).toEqual([...prompts].sort());
      for (const request of s.server.requests) {
        const prompt = kit.promptOf(request);
        expect(request.body).toEqual(GREEDY_BODY[protocol]!(prompt));
        expect(prompt).not.toMatch(/<start_of_turn>|\[INST\]|<\|im_start\|>|<\|begin_of_text\|>|<s>/);
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      }

      const report = REPORTS[protocol]!;
      for (const j of result.benchmarks[0]!.judgments) {
        expect(j).toMatchObject({
          error: null,
          replyType: 'text',
          raw: ANSWER,
          verdict: { kind: 'pairwise', choice: 'A' },
          attempts: 1,
          ...report.usage,
        });
        if (report.probabilities) {
          expect(Object.keys(j!.optionProbabilities!)).toEqual(['A', 'B']);
          expect(j!.optionProbabilities!.A).toBeCloseTo(P_A, 10);
          expect(j!.optionProbabilities!.A).toBeCloseTo(0.9, 3);
          expect(j!.optionProbabilities!.B).toBeCloseTo(1 - P_A, 10);
        } else {
          expect(j!.optionProbabilities).toBeNull();
        }
      }
    },
  );

  it('sends a configured sampling setup in the form the server accepts', async () => {
    const s = await setup(kit, () => kit.ok(ANSWER_TOKENS), {
      decoding: { temperature: 0.7, maxOutputTokens: 64, topP: 0.9 },
    });
    await run(s, 1);
    const request = s.server.requests[0]!;
    expect(request.body).toEqual(SAMPLED_BODY[protocol]!(kit.promptOf(request)));
  });

  it('retries a 429 after the Retry-After the server gave, capped by maxRetryAfterMs', async () => {
    const s = await setup(
      kit,
      perItem(kit, (attempt) =>
        attempt === 1 ? kit.error(429, 'Model is overloaded', { 'retry-after': '30' }) : kit.ok(ANSWER_TOKENS),
      ),
    );
    const started = Date.now();
    const result = await run(s);
    expect(Date.now() - started).toBeLessThan(5_000); // 30 s asked, 20 ms allowed
    expect(result.status).toBe('complete');
    expect(s.server.requests).toHaveLength(2 * N);
    expect(result.benchmarks[0]!.judgments.every((j) => j!.error === null && j!.attempts === 2)).toBe(true);
  });

  it('retries a 503 until the server answers', async () => {
    const s = await setup(
      kit,
      perItem(kit, (attempt) => (attempt < 3 ? kit.error(503, 'Service Unavailable') : kit.ok(ANSWER_TOKENS))),
    );
    const result = await run(s);
    expect(result.status).toBe('complete');
    expect(s.server.requests).toHaveLength(3 * N);
    expect(result.benchmarks[0]!.judgments.every((j) => j!.verdict?.kind === 'pairwise' && j!.attempts === 3)).toBe(
      true,
    );
  });

  it('cuts off a server that hangs at the timeout and stores an error after maxAttempts', async () => {
    const s = await setup(kit, () => ({ hang: true }));
    const result = await run(s, 2);
    expect(result.status).toBe('incomplete');
    expect(s.server.requests).toHaveLength(2 * LIMITS.maxAttempts);
    for (const j of result.benchmarks[0]!.judgments) {
      expect(j).toMatchObject({ error: 'no complete reply within 0.2s (after 3 attempts)', attempts: 3, raw: null });
    }
    expect(result.benchmarks[0]!.summary.errors).toBe(2);
  });

  it('retries a reply whose body is cut off mid-way', async () => {
    const s = await setup(
      kit,
      perItem(kit, (attempt) => (attempt === 1 ? kit.truncated(ANSWER_TOKENS) : kit.ok(ANSWER_TOKENS))),
    );
    const result = await run(s);
    expect(result.status).toBe('complete');
    expect(s.server.requests).toHaveLength(2 * N);
    expect(result.benchmarks[0]!.judgments.every((j) => j!.raw === ANSWER && j!.attempts === 2)).toBe(true);
  });

  it('retries a 200 without the reply fields, then stores an error naming what is missing', async () => {
    const s = await setup(kit, () => kit.malformed());
    const result = await run(s, 1);
    expect(s.server.requests).toHaveLength(3);
    const j = result.benchmarks[0]!.judgments[0]!;
    expect(j.error).toMatch(
      /^the server's reply is not a .+: (choices|generated_text|predictions)\b.*\(after 3 attempts\)$/,
    );
    expect(result.benchmarks[0]!.results[0]!.outcome.status).toBe('error');
  });

  it('stores a reply without a verdict and scores it invalid', async () => {
    const text = 'explanation: Both responses have merits and flaws.';
    const s = await setup(kit, () => kit.ok(tokenize(text)));
    const result = await run(s);
    const b = result.benchmarks[0]!;
    expect(
      b.judgments.every(
        (j) => j!.error === null && j!.raw === text && j!.verdict === null && j!.optionProbabilities === null,
      ),
    ).toBe(true);
    expect(b.results.every((r) => r.outcome.status === 'invalid')).toBe(true);
    expect(b.summary.invalid).toBe(N);
    expect(b.summary.errors).toBe(0);
  });

  it('stops the run on a rejected key (401) instead of failing every item', async () => {
    const s = await setup(kit, () => kit.error(401, 'invalid bearer token'));
    await expect(run(s)).rejects.toThrow(
      new RegExp(
        /^flame-rm-test at http:\/\/127\.0\.0\.1:\d+\S* \(URL from "baseURL" of "flame-rm-test" in .*\): /.source +
          /HTTP 401: invalid bearer token\. The key was refused: check FLAME_RM_API_KEY /.source +
          /and its access to model "flame-rm-24b"\. /.source +
          /Stopped the run before storing any item as failed/.source,
      ),
    );
    expect([...s.store.judgments(judgeFingerprint(s.judge), 'rewardbench').values()]).toHaveLength(0);
    expect(s.server.requests.length).toBeLessThanOrEqual(LIMITS.concurrency);
  });

  it('never lets the key reach the store or an error message, even when the server echoes it', async () => {
    const [firstPrompt] = await expectedPrompts(1);
    // The first item is answered; the others get a 500 whose body repeats the Authorization header.
    const s = await setup(
      kit,
      perItem(kit, (attempt, request) => {
        const echoed = `rejected Authorization header "${String(request.headers.authorization)}"`;
        return kit.promptOf(request) === firstPrompt && attempt === 1 ? kit.ok(ANSWER_TOKENS) : kit.error(500, echoed);
      }),
    );
    const result = await run(s);
    const judgments = result.benchmarks[0]!.judgments;
    expect(s.server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    const errors = judgments.filter((j) => j!.error !== null).map((j) => j!.error!);
    expect(errors).toHaveLength(N - 1);
    for (const error of errors) {
      expect(error).toContain('HTTP 500: rejected Authorization header "Bearer ***"');
      expect(error).not.toContain(KEY);
    }
    expect(JSON.stringify(result.judge.config)).not.toContain(KEY);
    s.store.close();
    const bytes = storedBytes(s.storeFile);
    expect(bytes).toContain('Bearer ***'); // the errors are in there...
    expect(bytes).not.toContain(KEY); // ...the key is not
  });

  it('sends no Authorization header when no key is configured', async () => {
    const s = await setup(kit, () => kit.ok(ANSWER_TOKENS), {}, {});
    await run(s, 1);
    expect(s.server.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('flame adapter, protocol details', () => {
  it('TGI: greedy decoding leaves temperature and top_p out, since either would switch sampling on', async () => {
    const s = await setup(tgiKit, () => tgiKit.ok(ANSWER_TOKENS), { decoding: { topP: 0.9, maxOutputTokens: 32 } });
    await run(s, 1);
    const body = s.server.requests[0]!.body as { parameters: Record<string, unknown> };
    expect(body.parameters).toEqual({
      max_new_tokens: 32,
      do_sample: false,
      details: true,
      top_n_tokens: 5,
      return_full_text: false,
    });
  });

  it('Vertex: strips the "Prompt: … Output:" echo of a container that ignores raw_response', async () => {
    const s = await setup(vertexKit, (request) => ({
      status: 200,
      json: {
        predictions: [
          `Prompt:\n${vertexKit.promptOf(request).trim()}\nOutput:\nexplanation: B is right.\nbetter response: B`,
        ],
        deployedModelId: '1',
      },
    }));
    const result = await run(s, 1);
    expect(result.benchmarks[0]!.judgments[0]).toMatchObject({
      raw: 'explanation: B is right.\nbetter response: B',
      verdict: { kind: 'pairwise', choice: 'B' },
    });
  });

  it('vLLM: reads probabilities at the first token of a reply that is just the verdict (FLAMe-RM)', async () => {
    const s = await setup(vllmKit, () =>
      vllmKit.ok([{ text: 'B', logprob: -0.223, top: { B: -0.223, A: -1.609 } }], {
        promptTokens: 700,
        completionTokens: 1,
      }),
    );
    const result = await run(s, 1);
    const j = result.benchmarks[0]!.judgments[0]!;
    expect(j).toMatchObject({
      raw: 'B',
      verdict: { kind: 'pairwise', choice: 'B' },
      inputTokens: 700,
      outputTokens: 1,
    });
    expect(j.optionProbabilities!.B).toBeCloseTo(0.8 / 1.0, 2);
    expect(j.optionProbabilities!.A).toBeCloseTo(0.2 / 1.0, 2);
  });

  it('stops the run at once when the server cannot be reached before it ever answered, storing nothing', async () => {
    const s = await setup(vllmKit, () => vllmKit.ok(ANSWER_TOKENS));
    await s.server.close(); // nothing listens there any more
    await expect(run(s, 1)).rejects.toThrow(
      /: cannot reach the server: .*ECONNREFUSED.*\. Nothing answers there: start the server, or fix the URL/,
    );
    expect([...s.store.judgments(judgeFingerprint(s.judge), 'rewardbench').values()]).toHaveLength(0);
  });

  it('Ctrl-C during a request ends the run as interrupted, with nothing stored as an error', async () => {
    const controller = new AbortController();
    const s = await setup(
      tgiKit,
      () => {
        setTimeout(() => controller.abort(), 20);
        return { hang: true };
      },
      { limits: { timeoutMs: 5_000 } },
    );
    const result = await runEval({
      judge: s.judge,
      benchmarks: [rewardbench],
      dataDir: DATA_DIR,
      seed: 0,
      store: s.store,
      limit: 1,
      progress: false,
      signal: controller.signal,
    });
    expect(result.status).toBe('interrupted');
    expect(s.server.requests).toHaveLength(1);
    expect(result.benchmarks[0]!.judgments[0]).toBeUndefined();
  });

  it('with no URL configured, createApiJudge fails in one line naming FLAME_RM_URL', () => {
    const spec = resolveJudgeSpec('flame-rm', loadJudgeConfig({ cwd: tempDir() }))!;
    let message = '';
    try {
      createApiJudge(spec, flameAdapter, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--judge flame-rm needs a server URL .*: set FLAME_RM_URL\.$/);
    expect(message).not.toContain('\n');
  });
});
