/**
 * The `gemini` adapter: the Gemini Developer API (generativelanguage.googleapis.com, v1beta) through the
 * official `@google/genai` SDK.
 *
 * The unified FLAMe prompt goes out verbatim as ONE user turn (no system instruction), so every judge reads the
 * same text. Retries and timeouts belong to the harness (harness/retry.ts): the SDK makes exactly one HTTP
 * request per call (its retries and its automatic continuation are off) and has no timer of its own; the
 * attempt's signal is the only deadline.
 *
 * Batch Mode (ModelClient.batch) is gemini-batch.ts, sending the same request per prompt.
 */
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { JudgeCallError, httpCallError, innermostCause, redactSecret } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { Usage } from '../judge.ts';
import { once, type Adapter, type Completion, type ModelClient } from './adapter.ts';
import { createGeminiBatchClient } from './gemini-batch.ts';
import { maxReplyBytes, readBounded } from './bounded-fetch.ts';
import { readRateLimits, withLimits } from './rate-limit-headers.ts';

const GEMINI_API_URL = 'https://generativelanguage.googleapis.com';
/**
 * The API version the SDK puts in front of `models/{model}:generateContent`, pinned so a new SDK default cannot
 * move us.
 */
const GEMINI_API_VERSION = 'v1beta';
/** Longest server error text kept in a stored error (quota errors run to several hundred characters of links). */
const MAX_MESSAGE_CHARS = 300;

export type Sdk = typeof import('@google/genai');

/** Not imported at the top of this module, which every start of the CLI loads (adapter.ts). */
const importSdk = once((): Promise<Sdk> => import('@google/genai'));

// ---------------------------------------------------------------------------------------------------------------
// Secrets: the SDK sends the key in the `x-goog-api-key` header, never in the URL. Error texts are still scrubbed,
// because they are stored in SQLite and written to predictions.jsonl: a proxy may echo the header, and a
// hand-made baseURL or a redirect may carry `?key=` in a URL that undici quotes in its error message.

function redact(text: string, secret: string): string {
  return redactSecret(text, secret).replace(/([?&]key=)[^&\s"']+/gi, '$1***');
}

// ---------------------------------------------------------------------------------------------------------------
// The HTTP exchange behind one call. The SDK's ApiError carries the status and body but not the response headers,
// so Retry-After would be lost; the SDK accepts a `fetch` per request, and this one records what came back.

export interface Exchange {
  /** The request reached fetch: anything failing after this is transport, not a refusal by the SDK. */
  sent: boolean;
  status?: number;
  headers?: Headers;
}

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface UndiciDispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

/**
 * Node's fetch (undici) gives up by itself after 300 s without headers or without body bytes. The SDK turns that
 * off when it uses its own fetch; with ours it cannot, so we do the same: every request goes to whatever global
 * dispatcher is installed (proxy agents included), with those two undici timers disabled. Otherwise a judge
 * configured with timeoutMs above 300 s would be cut off by undici before the harness's deadline.
 */
const noUndiciTimeouts: UndiciDispatcher = {
  dispatch(options, handler) {
    // Looked up per request, so a dispatcher installed later (setGlobalDispatcher) is honoured.
    const installed = (globalThis as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] as UndiciDispatcher | undefined;
    if (!installed || typeof installed.dispatch !== 'function')
      throw new Error("Node's fetch dispatcher is not available");
    return installed.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler);
  },
};

/** What the configured URL carried besides its address (Access.query, Access.basicAuth), added to every request. */
interface UrlExtras {
  query?: Record<string, string>;
  basicAuth?: string;
}

/** How a reply's body is bounded: read at once when small (readBounded), or streamed through a counter. */
export type ReplyReader = (response: Response, maxBytes: number) => Promise<Response>;

function recordingFetch(
  exchange: Exchange,
  maxBytes: number,
  extras: UrlExtras = {},
  read: ReplyReader = readBounded,
): typeof fetch {
  return async (original, options) => {
    exchange.sent = true;
    let input = original;
    let init = options;
    if (extras.query) {
      const url = new URL(original instanceof Request ? original.url : String(original));
      for (const [key, value] of Object.entries(extras.query)) url.searchParams.set(key, value);
      input = url;
    }
    if (extras.basicAuth) {
      const headers = new Headers(options?.headers);
      headers.set('authorization', extras.basicAuth);
      init = { ...options, headers };
    }
    // `dispatcher` is undici's extension of RequestInit (typed as a full undici Dispatcher, of which fetch only
    // calls dispatch()). The SDK passes its abort signal in `init`, kept as is. The body is bounded in size and
    // checked as UTF-8 (bounded-fetch.ts); the SDK's response.json() rethrows those errors unwrapped.
    const dispatcher = noUndiciTimeouts as unknown as RequestInit['dispatcher'];
    const response = await read(await fetch(input, { ...init, dispatcher }), maxBytes);
    exchange.status = response.status;
    exchange.headers = response.headers;
    return response;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors, in the harness's terms (judges/call-error.ts).

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface GoogleError {
  /**
   * The canonical code name, e.g. RESOURCE_EXHAUSTED (the SDK puts the HTTP reason phrase here for non-JSON
   * bodies).
   */
  status?: string;
  message?: string;
  details: Record<string, unknown>[];
}

/**
 * The Google error body `{"error": {"code", "message", "status", "details"}}` that ApiError's message holds as
 * JSON.
 */
function googleError(sdkMessage: string): GoogleError {
  let body: unknown;
  try {
    body = JSON.parse(sdkMessage);
  } catch {
    return { message: sdkMessage, details: [] };
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) return { message: sdkMessage, details: [] };
  return {
    status: typeof error.status === 'string' && error.status !== '' ? error.status : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    details: Array.isArray(error.details) ? error.details.filter(isRecord) : [],
  };
}

function detail(error: GoogleError, type: string): Record<string, unknown> | undefined {
  return error.details.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith(`/google.rpc.${type}`));
}

/**
 * google.rpc.RetryInfo's retryDelay, a protobuf Duration in JSON ("38s", "0.250s"): how Gemini says when to come
 * back.
 */
function retryInfoMs(error: GoogleError): number | undefined {
  const delay = detail(error, 'RetryInfo')?.retryDelay;
  const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay.trim()) : null;
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return flat.length > MAX_MESSAGE_CHARS ? `${flat.slice(0, MAX_MESSAGE_CHARS)}…` : flat;
}

/**
 * An HTTP error from the Gemini API. httpCallError decides most of it (429 and 5xx retried with Retry-After
 * honoured, 401/403 fatal, other 4xx stored as errors); two Gemini answers are made fatal on top, because they
 * concern the judge (its key, its model), not the item, so every other request would fail the same way:
 * - a bad key is 400 INVALID_ARGUMENT "API key not valid" (ErrorInfo reason API_KEY_INVALID), not a 401;
 * - 404 NOT_FOUND from generateContent means the model id (or the baseURL's path) does not exist, e.g. a
 *   retired model such as the gemini-1.5 presets.
 * Gemini rarely sends Retry-After; its 429s carry google.rpc.RetryInfo in the body, honoured the same way.
 */
function statusError(status: number, sdkMessage: string, headers: Headers | undefined, secret: string): JudgeCallError {
  const error = googleError(sdkMessage);
  const text = redact(
    oneLine([error.status, error.message].filter((s) => s !== undefined && s !== '').join(': ') || 'no error message'),
    secret,
  );
  const base = httpCallError(status, text, headers);
  const badKey =
    status === 400 &&
    (detail(error, 'ErrorInfo')?.reason === 'API_KEY_INVALID' || /API key not valid/i.test(error.message ?? ''));
  if (badKey || status === 404)
    return new JudgeCallError(base.message, { ...base.details, retryable: false, fatal: true });
  if (base.details.retryable && base.details.retryAfterMs === undefined) {
    const fromBody = retryInfoMs(error);
    if (fromBody !== undefined) return new JudgeCallError(base.message, { ...base.details, retryAfterMs: fromBody });
  }
  return base;
}

/**
 * The error to throw for what `generateContent` threw. `signal` is the attempt's signal: once it has fired, its
 * reason (the harness's TimeoutError, or the reason of a Ctrl-C or fatal stop) is what the harness must see,
 * not the DOMException the SDK's fetch rejects with, so it is returned untouched.
 */
function toCallError(error: unknown, sdk: Sdk, signal: AbortSignal, exchange: Exchange, secret: string): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof sdk.ApiError) return statusError(error.status, error.message, exchange.headers, secret);
  // An error status whose body could not even be read (cut off): the status still says what happened.
  if (exchange.status !== undefined && exchange.status >= 400) {
    return statusError(
      exchange.status,
      `the error body was unreadable: ${innermostCause(error)}`,
      exchange.headers,
      secret,
    );
  }
  // A 2xx body refused by the reply bound (too large, not UTF-8): already in the harness's terms.
  if (error instanceof JudgeCallError) return error;
  // Thrown before any request went out: the SDK refused the call itself (a bug or bad settings), and would again.
  if (!exchange.sent)
    return new JudgeCallError(redact(`the Gemini SDK did not send the request: ${innermostCause(error)}`, secret), {
      retryable: false,
    });
  // Transport faults that a second request usually fixes: no connection or a dropped one ("fetch failed"), and a
  // 200 whose body was cut off (undici's TypeError "terminated") or is not JSON (SyntaxError from response.json()).
  const what =
    exchange.status === undefined ? 'connection failed' : 'the response body was cut off or is not valid JSON';
  return new JudgeCallError(redact(`${what}: ${innermostCause(error)}`, secret), { retryable: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Replies.

/**
 * Tokens as billed: Gemini bills a thinking model's thoughts as output, so they count with the candidates' tokens
 * (the gemini-1.5 presets never think, and then thoughtsTokenCount is absent).
 */
function readUsage(response: GenerateContentResponse): Usage | undefined {
  const meta = response.usageMetadata;
  if (!meta) return undefined;
  const usage: Usage = {};
  if (typeof meta.promptTokenCount === 'number') usage.inputTokens = meta.promptTokenCount;
  if (typeof meta.candidatesTokenCount === 'number' || typeof meta.thoughtsTokenCount === 'number') {
    usage.outputTokens = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  }
  return usage.inputTokens === undefined && usage.outputTokens === undefined ? undefined : usage;
}

/**
 * The reply from a 200 body: the first candidate's text parts, without thought parts (a thinking model's
 * reasoning, not its answer).
 *
 * When Gemini deliberately returns no text, the reply is stored as answered without a verdict (emptyReason, kept
 * in the store), which RewardBench scores 0.5 like any reply without a verdict:
 * - the prompt was blocked (`promptFeedback.blockReason`, no candidates), or
 * - a candidate finished (finishReason SAFETY, MAX_TOKENS, RECITATION, ...) without any text.
 * These are the judge's own behaviour on that item, not failures: the same prompt at temperature 0 is blocked
 * again, so an error row (asked again on every rerun, the run never "complete") would only pay for the same
 * refusal, and leaving the item out of the score would hide that the judge declined it.
 * A MAX_TOKENS candidate WITH text keeps its text: it is what the model said within the configured limit.
 *
 * A 200 with no candidates and no blockReason, or a candidate with neither text nor a finishReason, is not an
 * answer from the model but a broken response: retried like a 5xx.
 */
function readReply(response: GenerateContentResponse): Completion {
  const usage = readUsage(response);
  const candidate = response.candidates?.[0];
  if (!candidate) {
    const blocked = response.promptFeedback?.blockReason;
    if (blocked) return { text: '', usage, emptyReason: `Gemini blocked the prompt (blockReason ${blocked})` };
    throw new JudgeCallError('HTTP 200 with no candidates and no blockReason', { retryable: true });
  }
  const parts = candidate.content?.parts ?? [];
  const texts = parts.filter((p) => typeof p.text === 'string' && p.thought !== true).map((p) => p.text!);
  if (texts.length > 0) return { text: texts.join(''), usage };
  if (candidate.finishReason)
    return { text: '', usage, emptyReason: `Gemini returned no text (finishReason ${candidate.finishReason})` };
  throw new JudgeCallError('HTTP 200 with a candidate that has neither text nor a finishReason', { retryable: true });
}

// ---------------------------------------------------------------------------------------------------------------

/** The judge's decoding as generateContent's config (the REST API's generationConfig): the same for batches. */
export interface GenerationSettings {
  temperature: number;
  maxOutputTokens: number;
  topP?: number;
}

function generationSettings(spec: JudgeSpec): GenerationSettings {
  return {
    temperature: spec.decoding.temperature,
    maxOutputTokens: spec.decoding.maxOutputTokens,
    ...(spec.decoding.topP !== undefined ? { topP: spec.decoding.topP } : {}),
  };
}

function createGeminiClient(spec: JudgeSpec, apiKey: string, baseURL: string, extras: UrlExtras): ModelClient {
  const maxBytes = maxReplyBytes(spec);
  // `fetch` for every request of the client (the batch client's file upload takes no per-request one).
  const newClient = (sdk: Sdk, fetch?: typeof globalThis.fetch): GoogleGenAI =>
    new sdk.GoogleGenAI({
      apiKey,
      // Explicit, so GOOGLE_GENAI_USE_VERTEXAI / GOOGLE_GENAI_USE_ENTERPRISE in the environment cannot switch the
      // judge to Vertex AI. The URL was resolved in the SDK's order (config, GOOGLE_GEMINI_BASE_URL, Google's) by
      // llm-judge.ts.
      vertexai: false,
      apiVersion: GEMINI_API_VERSION,
      httpOptions: {
        baseUrl: baseURL,
        // One request per call: the harness retries (bounded attempts, capped Retry-After), and SDK retries would
        // multiply them unseen. Without retryOptions this SDK version does not retry either; saying so explicitly
        // keeps it that way if a later version starts retrying by default ("1" = the original request only).
        retryOptions: { attempts: 1 },
        // No `timeout`: the SDK would start its own timer per request and abort with an anonymous AbortError,
        // which could fire before the harness's deadline. The attempt's signal (config.abortSignal) is the deadline.
        ...(fetch ? { fetch } : {}),
      },
    });
  // The SDK's client, made on the first request.
  let connection: Promise<{ sdk: Sdk; ai: GoogleGenAI }> | undefined;
  const connect = (): Promise<{ sdk: Sdk; ai: GoogleGenAI }> =>
    (connection ??= importSdk().then((sdk) => ({ sdk, ai: newClient(sdk) })));

  return {
    async complete(request, signal) {
      const { sdk, ai } = await connect();
      const exchange: Exchange = { sent: false };
      let response: GenerateContentResponse;
      try {
        response = await ai.models.generateContent({
          model: spec.model,
          contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
          config: {
            ...generationSettings(spec),
            abortSignal: signal,
            // The SDK would otherwise send follow-up requests for a reply carrying a continuation token: more
            // requests (and tokens) per attempt than the harness counts and bounds.
            automaticContinuation: false,
            httpOptions: { fetch: recordingFetch(exchange, maxBytes, extras) },
          },
        });
      } catch (error) {
        throw toCallError(error, sdk, signal, exchange, apiKey);
      }
      return withLimits(readReply(response), readRateLimits(exchange.headers));
    },
    batch: createGeminiBatchClient({
      spec,
      apiKey,
      settings: generationSettings(spec),
      redact: (text) => redact(text, apiKey),
      connect: async (fetch) => {
        const sdk = await importSdk();
        return { sdk, ai: newClient(sdk, fetch) };
      },
      recordingFetch: (exchange, bound, read) => recordingFetch(exchange, bound, extras, read),
      toCallError,
      readReply,
    }),
  };
}

export const geminiAdapter: Adapter = {
  name: 'gemini',
  defaultApiKeyEnv: 'GEMINI_API_KEY',
  keyOptional: false,
  needsBaseURL: false,
  defaultBaseURL: GEMINI_API_URL,
  baseURLEnv: 'GOOGLE_GEMINI_BASE_URL',
  keyInAuthorization: false,
  // No log-probabilities: this adapter reads none from generateContent.
  capabilities: { logprobs: false, batch: true, systemPrompt: true },
  async prepare() {
    await importSdk();
  },
  create(spec, access) {
    // createApiJudge refuses to build a gemini judge without a key; this guards other callers.
    if (!access.apiKey) throw new Error(`the gemini adapter needs an API key for ${spec.id}`);
    // baseURL is the server root (a proxy, or a test double): the SDK appends /v1beta/models/{model}:generateContent.
    const extras = { query: access.query, basicAuth: access.basicAuth };
    return createGeminiClient(spec, access.apiKey, access.baseURL ?? GEMINI_API_URL, extras);
  },
};
