/**
 * The `gemini` adapter's client on its own (one `complete` call through the real @google/genai SDK against the
 * double): how each kind of failure reaches the harness, aborts, thinking models' parts and tokens, and the
 * SDK behaviours that must stay off (automatic continuation, undici's own timers, Vertex AI from the environment).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompletionRequest, ModelClient } from '../judges/adapters/adapter.ts';
import { geminiAdapter } from '../judges/adapters/gemini.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import type { Reply } from './doubles/http-double.ts';
import {
  RATE_LIMITED,
  geminiError,
  geminiText,
  retryInfo,
  startGeminiDouble,
  textBody,
  type GeminiDouble,
} from './doubles/gemini-server.ts';
import { tempDir } from './helpers.ts';

const KEY = 'fake-gemini-adapter-key-5c4b3a2910fe';
const PROMPT = 'INSTRUCTIONS:\n  keep   spacing\t"quotes" ünïcode 🙂 <b>&amp;</b>\n\nCONTEXT:\nprompt: x\n';
const REQUEST: CompletionRequest = {
  prompt: PROMPT,
  task: { kind: 'pairwise', context: 'x', responseA: 'a', responseB: 'b' },
};
const PRESET = resolveJudgeSpec('gemini-1.5-flash', loadJudgeConfig({ cwd: tempDir() }))!;

const doubles: GeminiDouble[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const d of doubles.splice(0)) await d.close();
});

async function client(
  script: (index: number) => Reply | Promise<Reply>,
  spec: JudgeSpec = PRESET,
): Promise<{ double: GeminiDouble; client: ModelClient }> {
  const double = await startGeminiDouble((_call, index) => script(index), { apiKey: KEY });
  doubles.push(double);
  return {
    double,
    client: geminiAdapter.create({ ...spec, baseURL: double.url }, { apiKey: KEY, baseURL: double.url }),
  };
}

/** What complete() throws for one scripted reply. */
async function failure(reply: Reply): Promise<JudgeCallError> {
  const { client: c, double } = await client(() => reply);
  const thrown = await c.complete(REQUEST, new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(double.calls).toHaveLength(1);
  expect(thrown).toBeInstanceOf(JudgeCallError);
  return thrown as JudgeCallError;
}

describe('gemini client', () => {
  it(
    'sends the preset as the Gemini API expects it, ' + 'and a configured topP / temperature / limit as given',
    async () => {
      const { client: c, double } = await client(() =>
        geminiText('better response: B', { usage: { prompt: 31, output: 4 } }),
      );
      expect(await c.complete(REQUEST, new AbortController().signal)).toEqual({
        text: 'better response: B',
        usage: { inputTokens: 31, outputTokens: 4 },
      });
      expect(double.calls[0]!.request.body).toEqual({
        contents: [{ role: 'user', parts: [{ text: PROMPT }] }],
        generationConfig: { temperature: 0, maxOutputTokens: 1024 },
      });

      const tuned = await client(() => geminiText('A'), {
        ...PRESET,
        decoding: { temperature: 0.7, maxOutputTokens: 256, topP: 0.9 },
      });
      await tuned.client.complete(REQUEST, new AbortController().signal);
      expect(tuned.double.calls[0]!.generationConfig).toEqual({ temperature: 0.7, maxOutputTokens: 256, topP: 0.9 });
    },
  );

  it("hands back the harness's abort reason untouched, after one request", async () => {
    const { client: c, double } = await client(() => ({ hang: true }));
    const controller = new AbortController();
    const reason = new Error('the harness stopped this attempt');
    const pending = c.complete(REQUEST, controller.signal);
    await vi.waitFor(() => expect(double.calls).toHaveLength(1));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(double.calls).toHaveLength(1);
  });

  it("leaves out a thinking model's thought parts, and bills its thought tokens as output", async () => {
    const { client: c } = await client(() =>
      geminiText('better response: A', {
        thoughts: ['Response B is wrong because'],
        usage: { prompt: 50, output: 5, thoughts: 200 },
      }),
    );
    expect(await c.complete(REQUEST, new AbortController().signal)).toEqual({
      text: 'better response: A',
      usage: { inputTokens: 50, outputTokens: 205 },
    });
  });

  it('makes one request even for a reply carrying a continuation token (the SDK would follow it)', async () => {
    const body = textBody('better response: A');
    const candidate = (body.candidates as Record<string, unknown>[])[0]!;
    delete candidate.finishReason; // what the API sends mid-generation with a token
    candidate.continuationToken = 'Y29udGludWU=';
    // Were continuation on, the SDK would ask again with the token and append the second reply.
    const { client: c, double } = await client((index) =>
      index === 0 ? { status: 200, json: body } : geminiText(' and more'),
    );
    expect((await c.complete(REQUEST, new AbortController().signal)).text).toBe('better response: A');
    expect(double.calls).toHaveLength(1);
  });

  it("turns off undici's own 300 s header and body timers, so only the harness's deadline applies", async () => {
    const symbol = Symbol.for('undici.globalDispatcher.1');
    const globals = globalThis as Record<symbol, unknown>;
    new Headers(); // makes Node load its fetch, which installs the global dispatcher
    const original = globals[symbol] as { dispatch(options: Record<string, unknown>, handler: unknown): boolean };
    expect(original).toBeDefined();
    const seen: Record<string, unknown>[] = [];
    globals[symbol] = new Proxy(original, {
      get(target, property) {
        if (property === 'dispatch') {
          return (options: Record<string, unknown>, handler: unknown) => {
            seen.push(options);
            return target.dispatch(options, handler);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      const { client: c } = await client(() => geminiText('A'));
      await c.complete(REQUEST, new AbortController().signal);
    } finally {
      globals[symbol] = original;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ headersTimeout: 0, bodyTimeout: 0 });
  });

  it('talks to the Gemini API even when the environment asks the SDK for Vertex AI', async () => {
    vi.stubEnv('GOOGLE_GENAI_USE_VERTEXAI', 'true');
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', 'some-project');
    vi.stubEnv('GOOGLE_CLOUD_LOCATION', 'us-central1');
    const { client: c, double } = await client(() => geminiText('A'));
    await c.complete(REQUEST, new AbortController().signal);
    expect(double.calls[0]!.request.path).toBe('/v1beta/models/gemini-1.5-flash-001:generateContent');
    expect(double.calls[0]!.keyIn).toBe('header');
  });
});

describe('gemini failures, in the harness terms', () => {
  it('429: retryable; Retry-After wins, else RetryInfo from the body', async () => {
    expect((await failure(RATE_LIMITED({ details: [retryInfo('1.5s')] }))).details).toEqual({
      status: 429,
      retryable: true,
      retryAfterMs: 1500,
      fatal: false,
    });
    expect(
      (await failure(RATE_LIMITED({ headers: { 'retry-after': '2' }, details: [retryInfo('9s')] }))).details,
    ).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    const plain = await failure(RATE_LIMITED());
    expect(plain.message).toBe('HTTP 429: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota)');
    expect(plain.details).toEqual({ status: 429, retryable: true, retryAfterMs: undefined, fatal: false });
  });

  it('a bad key (400 API_KEY_INVALID), 403 and 404 are fatal; another 400 is stored, not retried', async () => {
    // The double answers any key but KEY as the real API does (INVALID_KEY).
    const { double } = await client(() => geminiText('A'));
    const wrongKey = geminiAdapter.create(
      { ...PRESET, baseURL: double.url },
      { apiKey: 'AIzaSyWRONG-0000', baseURL: double.url },
    );
    const badKey = await wrongKey.complete(REQUEST, new AbortController().signal).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(JudgeCallError);
    expect((badKey as JudgeCallError).message).toBe(
      'HTTP 400: INVALID_ARGUMENT: API key not valid. Please pass a valid API key',
    );
    expect((badKey as JudgeCallError).details).toMatchObject({ status: 400, retryable: false, fatal: true });
    expect(double.calls).toHaveLength(1);
    // The same body without the ErrorInfo detail is still recognised by its message.
    const byMessage = await failure(
      geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'),
    );
    expect(byMessage.details.fatal).toBe(true);
    expect(
      (await failure(geminiError(403, 'PERMISSION_DENIED', 'Permission denied: Consumer has been suspended.'))).details,
    ).toMatchObject({ retryable: false, fatal: true });
    expect((await failure(geminiError(404, 'NOT_FOUND', 'models/x is not found'))).details).toMatchObject({
      retryable: false,
      fatal: true,
    });
    const other = await failure(
      geminiError(400, 'INVALID_ARGUMENT', 'The input token count exceeds the maximum number of tokens allowed.'),
    );
    expect(other.details).toMatchObject({ status: 400, retryable: false, fatal: false });
  });

  it('an error page that is not JSON, and an error body cut off mid-way, still count by their status', async () => {
    const page = await failure({
      status: 502,
      headers: { 'content-type': 'text/html' },
      text: '<html><body>\n  <h1>502 Bad Gateway</h1>\n</body></html>',
    });
    expect(page.message).toBe('HTTP 502: Bad Gateway: <html><body> <h1>502 Bad Gateway</h1> </body></html>');
    expect(page.details).toMatchObject({ retryable: true });
    const cut = await failure({
      status: 429,
      headers: { 'retry-after': '3' },
      truncate: JSON.stringify({
        error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' },
      }),
    });
    expect(cut.message).toMatch(/^HTTP 429: the error body was unreadable: /);
    expect(cut.details).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000 });
  });

  it('a 200 whose body is not JSON (a proxy page) is retryable', async () => {
    const page = await failure({
      status: 200,
      headers: { 'content-type': 'text/html' },
      text: '<html>sign in to continue</html>',
    });
    expect(page.message).toMatch(/^the response body was cut off or is not valid JSON: /);
    expect(page.details).toEqual({ retryable: true });
  });

  it('a refused connection is retryable', async () => {
    const { double } = await client(() => geminiText('A'));
    await double.close();
    const c = geminiAdapter.create({ ...PRESET, baseURL: double.url }, { apiKey: KEY, baseURL: double.url });
    const thrown = await c.complete(REQUEST, new AbortController().signal).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(JudgeCallError);
    expect((thrown as JudgeCallError).message).toMatch(/^connection failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect((thrown as JudgeCallError).details).toEqual({ retryable: true });
  });
});
