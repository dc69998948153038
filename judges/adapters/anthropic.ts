/**
 * The Anthropic Messages API (Claude 3 Opus and newer) through the official SDK. The unified prompt goes out as
 * one user message with the judge's decoding; the reply's text blocks come back as the text the harness parses.
 * Retrying and timing out are the harness's job (harness/retry.ts), so the SDK's own retries are off and its
 * timer is set so that it never fires first; SDK errors are translated into JudgeCallError here.
 *
 * API version: SDK 1.x sends `anthropic-version: 2026-10-21` and the key as "Authorization: Bearer" by default,
 * and that version rejects temperature, top_p and top_k with a 400 (its SDK types no longer have them). The
 * paper's protocol is greedy decoding (temperature 0), so this adapter asks for API version 2023-06-01, where the
 * sampling parameters exist and the key goes in x-api-key, the header that version documents. Models that
 * dropped the sampling parameters altogether (Claude Opus 4.7, for one) answer 400 "temperature is deprecated for
 * this model": they cannot be run under the paper's protocol, and each item is stored as that error.
 *
 * The Message Batches API (ModelClient.batch) is anthropic-batch.ts, sending the same request per prompt.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { APIError } from '@anthropic-ai/sdk';
import { UserError } from '../../core/errors.ts';
import { DEFAULT_RETRY_POLICY } from '../../protocol/limits.ts';
import { JudgeCallError, httpCallError, redactSecret } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { Usage } from '../judge.ts';
import {
  once,
  type Access,
  type Adapter,
  type BatchClient,
  type Completion,
  type CompletionRequest,
  type ModelClient,
} from './adapter.ts';
import { createAnthropicBatchClient } from './anthropic-batch.ts';
import { boundedFetch, maxReplyBytes, streamedFetch } from './bounded-fetch.ts';
import { readRateLimits, withLimits } from './rate-limit-headers.ts';

/**
 * The default when neither the config nor ANTHROPIC_BASE_URL names a URL. The URL is always passed explicitly,
 * resolved in the SDK's order by judges/adapters/llm-judge.ts, so the SDK never reads a profile file behind its back.
 */
const ANTHROPIC_API_URL = 'https://api.anthropic.com';

/** The Messages API version with temperature and top_p (see the top of this file). */
export const ANTHROPIC_API_VERSION = '2023-06-01';

/** Sampling fields of API version 2023-06-01, which SDK 1.x's types (API version 2026-10-21) no longer list. */
interface SamplingParams {
  temperature: number;
  top_p?: number;
}

/** The Messages API accepts temperatures from 0 to 1 (the judge config allows up to 2 for other providers). */
const MAX_TEMPERATURE = 1;

/** Node clamps longer timers to 1 ms, which would make the SDK's timeout fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Slack between the harness's per-attempt timeout and the SDK's, so the harness's always fires first. */
const SDK_TIMEOUT_MARGIN_MS = 60_000;

/**
 * The SDK's timeout only covers the wait for the response headers and starts after the harness's timer, so
 * anything longer than the harness's own timeout never fires first. Setting it explicitly also keeps the SDK
 * from refusing non-streaming requests whose max_tokens it estimates to take over 10 minutes.
 */
export function sdkTimeoutMs(harnessTimeoutMs: number | undefined): number {
  return Math.min(MAX_TIMER_MS, (harnessTimeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs) + SDK_TIMEOUT_MARGIN_MS);
}

/** Hides the key in anything that ends up in the store, a report or a log, whoever echoed it. */
function redactor(apiKey: string | undefined): (text: string) => string {
  return (text) => redactSecret(text, apiKey);
}

function describeApiError(error: APIError): string {
  // The SDK's own message is "<status> <whole JSON body>"; Anthropic's error body says the same in two fields.
  if (error.apiMessage) return error.type ? `${error.type}: ${error.apiMessage}` : error.apiMessage;
  return error.message.replace(/^\d{3}\s+/, '');
}

/** The cause chain's messages, e.g. "fetch failed: connect ECONNREFUSED 127.0.0.1:9". */
function causes(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(': ');
}

/** undici's "terminated" (the body stopped mid-way) or a socket error with a code, rather than a bug of ours. */
function droppedConnection(error: TypeError): boolean {
  if (error.message === 'terminated') return true;
  for (let e: unknown = error.cause; e instanceof Error; e = e.cause) {
    if (typeof (e as { code?: unknown }).code === 'string') return true;
  }
  return false;
}

export type Sdk = typeof import('@anthropic-ai/sdk');

/** Not imported at the top of this module, which every start of the CLI loads (adapter.ts). */
const importSdk = once((): Promise<Sdk> => import('@anthropic-ai/sdk'));

/**
 * Everything the SDK can throw, in the harness's terms. An abort of the attempt's signal (the harness's timeout or
 * Ctrl-C) is rethrown as the signal's own reason, as fetch itself does: the harness decides what it means.
 */
function toCallError(error: unknown, sdk: Sdk, signal: AbortSignal, redact: (text: string) => string): unknown {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AnthropicError } = sdk;
  if (signal.aborted) return signal.reason ?? error;
  // The reply bound (bounded-fetch.ts) failed reading a 2xx body; response.json() rethrows it unwrapped, already
  // in the harness's terms. (An error status keeps its status: the SDK puts this message into the APIError.)
  if (error instanceof JudgeCallError) return error;
  // Only the signal passed with the request can abort it; should the SDK say so anyway, pass that on unchanged.
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new JudgeCallError('Anthropic API: no response headers before the client timeout', { retryable: true });
  }
  if (error instanceof APIConnectionError) {
    return new JudgeCallError(redact(`Anthropic API: connection failed: ${causes(error.cause ?? error)}`), {
      retryable: true,
    });
  }
  if (error instanceof APIError && error.status !== undefined) {
    // 429, 5xx and 529 overloaded_error are retried honouring retry-after; 401/403 stop the run.
    return httpCallError(error.status, redact(describeApiError(error)), error.headers);
  }
  if (error instanceof AnthropicError) {
    // Raised by the client before anything is sent (credentials, request options): every request would fail alike.
    return new JudgeCallError(redact(`Anthropic SDK: ${error.message}`), { retryable: false, fatal: true });
  }
  // The SDK reads a 2xx body with response.json() and does not wrap what that throws: a SyntaxError for a body
  // that is not JSON, a TypeError ("terminated") for a connection dropped mid-body. Both are worth asking again.
  if (error instanceof SyntaxError) {
    return new JudgeCallError(redact(`Anthropic API: reply body is not valid JSON (${error.message})`), {
      retryable: true,
    });
  }
  if (error instanceof TypeError && droppedConnection(error)) {
    return new JudgeCallError(redact(`Anthropic API: reply body cut off (${causes(error)})`), { retryable: true });
  }
  return new JudgeCallError(redact(`Anthropic adapter: ${causes(error)}`), { retryable: false });
}

function isMessage(body: unknown): body is Anthropic.Message {
  if (typeof body !== 'object' || body === null) return false;
  const message = body as { type?: unknown; content?: unknown };
  return message.type === 'message' && Array.isArray(message.content);
}

function usageOf(message: Anthropic.Message): Usage | undefined {
  const usage = message.usage as Partial<Anthropic.Usage> | undefined;
  if (!usage) return undefined;
  const inputTokens = typeof usage.input_tokens === 'number' ? usage.input_tokens : undefined;
  const outputTokens = typeof usage.output_tokens === 'number' ? usage.output_tokens : undefined;
  return inputTokens === undefined && outputTokens === undefined ? undefined : { inputTokens, outputTokens };
}

/**
 * The reply as the judge's answer. Every stop_reason is kept as it is, including "max_tokens" (cut off at the
 * paper's 1,024-token limit) and an empty content list: the request itself succeeded and was billed, and the
 * model at temperature 0 would most likely answer the same way again, so retrying would only spend money. The
 * text is stored as is and, having no readable verdict, scored invalid (0.5 on RewardBench) exactly like any
 * other reply without one, which is the honest measure of the judge under the paper's protocol; the raw text
 * stays in the store, so a later parser fix still applies. A reply with no text at all (e.g. stop_reason
 * "refusal") is stored the same way, with the stop reason as the explanation (emptyReason).
 */
function completionOf(message: Anthropic.Message): Completion {
  const text = message.content
    .filter(
      (block): block is Anthropic.TextBlock =>
        block.type === 'text' && typeof (block as { text?: unknown }).text === 'string',
    )
    .map((block) => block.text)
    .join('');
  const usage = usageOf(message);
  if (text === '')
    return { text, usage, emptyReason: `Claude returned no text (stop_reason ${String(message.stop_reason)})` };
  return { text, usage };
}

/**
 * The Messages API request for one prompt: the unified prompt as one user message with the judge's decoding. The
 * batch client (anthropic-batch.ts) sends exactly this as each batch request's `params`.
 */
export function messageParams(spec: JudgeSpec, prompt: string): Anthropic.MessageCreateParamsNonStreaming {
  const { decoding, model } = spec;
  const params: Anthropic.MessageCreateParamsNonStreaming & SamplingParams = {
    model,
    max_tokens: decoding.maxOutputTokens, // required by the Messages API
    messages: [{ role: 'user', content: prompt }],
    temperature: decoding.temperature,
    // Only when configured: some newer Claude models refuse temperature and top_p together.
    ...(decoding.topP === undefined ? {} : { top_p: decoding.topP }),
  };
  return params;
}

/**
 * The SDK's client as every request of this adapter needs it: `fetch` bounds each reply (boundedFetch, or
 * streamedFetch for the batch results the SDK reads as a stream), `timeoutMs` is the SDK's own timer.
 */
function newAnthropic(sdk: Sdk, access: Access, fetch: typeof globalThis.fetch, timeoutMs: number): Anthropic {
  return new sdk.Anthropic({
    // Passed so the SDK reads no credential from the environment or a profile; sent as x-api-key below.
    apiKey: access.apiKey,
    baseURL: access.baseURL ?? ANTHROPIC_API_URL,
    maxRetries: 0, // one retry policy for every judge: harness/retry.ts
    timeout: timeoutMs,
    // null removes the header the SDK would add: API version 2023-06-01 authenticates with x-api-key.
    // A user and password from the URL go where the SDK would have put its bearer token (a gateway's login).
    defaultHeaders: {
      'anthropic-version': ANTHROPIC_API_VERSION,
      'x-api-key': access.apiKey ?? null,
      authorization: access.basicAuth ?? null,
    },
    ...(access.query ? { defaultQuery: access.query } : {}),
    // Bounds what a reply can cost (size, invalid UTF-8); see toCallError for how its errors come back.
    fetch,
  });
}

class AnthropicClient implements ModelClient {
  /** The SDK's client, made on the first request. */
  private connection: Promise<{ sdk: Sdk; client: Anthropic }> | undefined;
  private readonly redact: (text: string) => string;
  readonly batch: BatchClient;

  constructor(
    private readonly spec: JudgeSpec,
    private readonly access: Access,
  ) {
    this.redact = redactor(access.apiKey);
    this.batch = createAnthropicBatchClient({
      spec,
      redact: this.redact,
      // The harness's signal is the only deadline of a batch call (an upload of 256 MB can take minutes).
      connect: async (maxBytes) => {
        const sdk = await importSdk();
        return { sdk, client: newAnthropic(sdk, access, streamedFetch(maxBytes), MAX_TIMER_MS) };
      },
      params: (prompt) => messageParams(spec, prompt),
      toCallError,
      isMessage,
      completionOf,
    });
  }

  private connect(): Promise<{ sdk: Sdk; client: Anthropic }> {
    const { spec, access } = this;
    this.connection ??= importSdk().then((sdk) => ({
      sdk,
      client: newAnthropic(sdk, access, boundedFetch(maxReplyBytes(spec)), sdkTimeoutMs(spec.limits.timeoutMs)),
    }));
    return this.connection;
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    const params = messageParams(this.spec, request.prompt);
    const { sdk, client } = await this.connect();
    let body: unknown;
    let headers: Headers;
    try {
      // withResponse(): the anthropic-ratelimit-* headers pace the run.
      const sent = await client.messages.create(params, { signal }).withResponse();
      body = sent.data as unknown;
      headers = sent.response.headers;
    } catch (error) {
      throw toCallError(error, sdk, signal, this.redact);
    }
    // The SDK returns whatever a 2xx body held (a string for non-JSON, undefined for an empty body): a proxy's
    // error page or a cut-off reply is a transport failure, not the model's answer.
    if (!isMessage(body)) {
      const seen =
        typeof body === 'string'
          ? `text ${JSON.stringify(body.slice(0, 80))}`
          : body === undefined
            ? 'an empty body'
            : 'JSON of another shape';
      throw new JudgeCallError(this.redact(`Anthropic API: expected a message, got ${seen}`), { retryable: true });
    }
    return withLimits(completionOf(body), readRateLimits(headers));
  }
}

export const anthropicAdapter: Adapter = {
  name: 'anthropic',
  defaultApiKeyEnv: 'ANTHROPIC_API_KEY',
  keyOptional: false,
  needsBaseURL: false,
  defaultBaseURL: ANTHROPIC_API_URL,
  baseURLEnv: 'ANTHROPIC_BASE_URL',
  keyInAuthorization: false,
  // No log-probabilities: the Messages API returns none.
  capabilities: { logprobs: false, batch: true, systemPrompt: true },
  async prepare() {
    await importSdk();
  },
  create(spec, access) {
    const { temperature } = spec.decoding;
    if (temperature > MAX_TEMPERATURE) {
      throw new UserError(
        `--judge ${spec.id}: the Anthropic API accepts a temperature from 0 to ${MAX_TEMPERATURE}, ` +
          `not ${temperature} (decoding.temperature in ${spec.file}).`,
      );
    }
    return new AnthropicClient(spec, access);
  },
};
