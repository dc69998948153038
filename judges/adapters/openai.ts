/**
 * The `openai` adapter: OpenAI's chat completions API through the official SDK, and the chat-completions
 * client that the `openai-compatible` adapter reuses for servers speaking the same API.
 *
 * The unified FLAMe prompt goes out verbatim as ONE user message (no system message), so every judge reads the
 * same text. Retries and timeouts belong to the harness (harness/retry.ts): the SDK's retries are off, and its
 * own timer is only a backstop set later than the harness's.
 *
 * In "score-options" mode (option-scoring.ts) the prompt ends with the verdict's label, the reply is capped at a
 * few tokens, and the verdict is the most probable option among the top log-probabilities at the verdict token.
 */
import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { DEFAULT_RETRY_POLICY } from '../../protocol/limits.ts';
import { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { Usage } from '../judge.ts';
import type { Task } from '../../protocol/tasks.ts';
import type { Adapter, Capabilities, Completion, CompletionRequest, ModelClient } from './adapter.ts';
import { bodyExcerpt, boundedFetch, maxReplyBytes } from './bounded-fetch.ts';
import { batchFetch, createOpenAIBatchClient } from './openai-batch.ts';
import type { GeneratedToken } from './top-logprobs.ts';
import { toCallError } from './openai-errors.ts';
import { readRateLimits, withLimits, type RateLimitReading } from './rate-limit-headers.ts';
import { SCORE_MAX_TOKENS, scoredCompletion, scoresOptions, scoringPrompt } from './option-scoring.ts';

const OPENAI_API_URL = 'https://api.openai.com/v1';

/** setTimeout cannot wait longer than this; a larger value fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ChatEndpoint {
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  baseURL: string;
  /** The real key, if any, to keep out of error messages (not a placeholder). */
  secret: string | undefined;
  /** The configured URL's query string, sent with every request (the SDK's defaultQuery). */
  query?: Record<string, string>;
  /** `Basic …` from credentials in the URL: replaces the bearer header (there is no key then). */
  basicAuth?: string;
  /** OpenAI-Organization / OpenAI-Project headers: only ever set for OpenAI's own API. */
  organization?: string;
  project?: string;
}

/**
 * OPENAI_ORG_ID and OPENAI_PROJECT_ID, as the SDK reads them, but only for OpenAI's own host: an organisation id is
 * account information that a gateway or another provider's server has no business receiving.
 */
export function openaiAccount(baseURL: string, env: NodeJS.ProcessEnv): Pick<ChatEndpoint, 'organization' | 'project'> {
  if (new URL(baseURL).hostname !== new URL(OPENAI_API_URL).hostname) return {};
  return {
    ...(env.OPENAI_ORG_ID ? { organization: env.OPENAI_ORG_ID } : {}),
    ...(env.OPENAI_PROJECT_ID ? { project: env.OPENAI_PROJECT_ID } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined; // llama.cpp and some proxies omit it: no tokens, no cost
  const read: Usage = {};
  if (typeof usage.prompt_tokens === 'number') read.inputTokens = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') read.outputTokens = usage.completion_tokens;
  return read.inputTokens === undefined && read.outputTokens === undefined ? undefined : read;
}

/**
 * The reply text from a 200 body. The SDK does not check the body's shape (a proxy's HTML page arrives as a
 * string), so it is checked here.
 *
 * A choice with text is a reply, whatever its finish_reason: "length" with a cut-off explanation is what the
 * model really said under the configured token limit, and asking again at temperature 0 would only pay for the
 * same text; the parser marks it invalid if it holds no verdict, and RewardBench scores that 0.5. An empty
 * string is likewise a (useless) reply. But a 200 with no choices, or a choice without content, is not something
 * the model said: it is a provider fault, retried like a 5xx. The one exception is finish_reason
 * "content_filter" without content: the provider withheld the reply on purpose and will again at temperature 0,
 * so it is the judge's answer on that item: stored without a verdict (scored 0.5), with the reason, not retried.
 */
function readCompletion(body: unknown): Completion {
  if (!isRecord(body)) {
    // A proxy's HTML page arrives as a string: an excerpt says whose page it was, without storing all of it.
    const seen = typeof body === 'string' ? `: ${bodyExcerpt(body)}` : '';
    throw new JudgeCallError(`HTTP 200 without a JSON chat completion in the body${seen}`, { retryable: true });
  }
  const choices = body.choices;
  if (!Array.isArray(choices) || choices.length === 0)
    throw new JudgeCallError('HTTP 200 with no choices in the chat completion', { retryable: true });
  const choice: unknown = choices[0];
  const message = isRecord(choice) ? choice.message : undefined;
  const finish = isRecord(choice) ? choice.finish_reason : undefined;
  const usage = readUsage(body.usage);
  if (isRecord(message)) {
    if (typeof message.content === 'string') return { text: message.content, usage };
    // A model's refusal (structured-output models return it apart from content) is still what it said.
    if (typeof message.refusal === 'string') return { text: message.refusal, usage };
  }
  if (finish === 'content_filter')
    return { text: '', usage, emptyReason: 'the provider withheld the reply (finish_reason "content_filter")' };
  throw new JudgeCallError(`HTTP 200 with no message content (finish_reason ${JSON.stringify(finish ?? null)})`, {
    retryable: true,
  });
}

/**
 * Alternatives asked for per generated token in score-options mode: OpenAI's maximum for `top_logprobs` (vLLM's
 * default ceiling too), so options the model finds unlikely are still seen.
 */
export const CHAT_TOP_LOGPROBS = 20;

/**
 * The generated tokens with their alternatives, from `choices[0].logprobs.content` ({token, logprob,
 * top_logprobs: [{token, logprob}]}); undefined when the server sent none. A malformed block costs the
 * probabilities, never the reply.
 */
function readTokens(body: unknown): GeneratedToken[] | undefined {
  const choice: unknown = isRecord(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
  const logprobs = isRecord(choice) ? choice.logprobs : undefined;
  const content = isRecord(logprobs) ? logprobs.content : undefined;
  if (!Array.isArray(content)) return undefined;
  const tokens: GeneratedToken[] = [];
  for (const entry of content) {
    if (!isRecord(entry) || typeof entry.token !== 'string') return undefined;
    const top = Array.isArray(entry.top_logprobs) ? entry.top_logprobs : [];
    tokens.push({
      text: entry.token,
      ...(typeof entry.logprob === 'number' ? { logprob: entry.logprob } : {}),
      top: top.flatMap((t: unknown) =>
        isRecord(t) && typeof t.token === 'string' && typeof t.logprob === 'number'
          ? [{ text: t.token, logprob: t.logprob }]
          : [],
      ),
    });
  }
  return tokens;
}

/**
 * What a chat completions API can do: top log-probabilities (score-options), a batch API (OpenAI's; a compatible
 * server may lack one, which openai-batch.ts says in one line), a system message.
 */
export const CHAT_CAPABILITIES: Capabilities = { logprobs: true, batch: true, systemPrompt: true };

/** A 2xx reply: its body (shape unchecked) and the rate limits its headers announce. */
interface Sent {
  body: unknown;
  rateLimit: RateLimitReading | undefined;
}

/** A ModelClient for any server that speaks OpenAI's chat completions API. */
export function createChatCompletionsClient(spec: JudgeSpec, endpoint: ChatEndpoint): ModelClient {
  // The harness aborts each attempt through `signal` after timeoutMs, body included. The SDK's timer (which
  // only covers waiting for the headers) must never fire first, or a slow reply would be reported as the
  // SDK's timeout instead of the harness's; it stays as a backstop for a signal that somehow never fires.
  const sdkTimeoutMs = Math.min(MAX_TIMER_MS, (spec.limits.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs) * 2 + 60_000);
  const newClient = (sdk: typeof import('openai'), fetch: typeof globalThis.fetch): OpenAI =>
    new sdk.default({
      apiKey: endpoint.apiKey,
      // Always explicit: the URL (config, then OPENAI_BASE_URL, then OpenAI's) and the account ids were resolved
      // by llm-judge.ts and openaiAccount, so the SDK's own reading of the environment cannot send an OpenAI
      // organisation id to another server.
      baseURL: endpoint.baseURL,
      organization: endpoint.organization ?? null,
      project: endpoint.project ?? null,
      ...(endpoint.query ? { defaultQuery: endpoint.query } : {}),
      ...(endpoint.basicAuth ? { defaultHeaders: { authorization: endpoint.basicAuth } } : {}),
      adminAPIKey: null,
      webhookSecret: null,
      // The harness retries (bounded attempts, capped Retry-After); SDK retries would multiply them unseen.
      maxRetries: 0,
      timeout: sdkTimeoutMs,
      // Every failure reaches the user through the harness (stored, counted, shown); SDK warnings on the console
      // would only break the progress bar.
      logLevel: 'off',
      // Bounds what a reply can cost (size, invalid UTF-8); the read error reaches toCallError unwrapped.
      fetch,
    });
  // The SDK is imported on the first request, not when the judge is created: a rerun answered from the store (and
  // `compare`, `leaderboard`) never loads it (about 0.15 s of start-up).
  let connection: Promise<{ sdk: typeof import('openai'); client: OpenAI }> | undefined;
  const connect = (): Promise<{ sdk: typeof import('openai'); client: OpenAI }> =>
    (connection ??= import('openai').then((sdk) => ({
      sdk,
      client: newClient(sdk, boundedFetch(maxReplyBytes(spec))),
    })));

  /** One chat completion, the SDK's failures mapped to the harness's (judges/adapters/openai-errors.ts). */
  const send = async (params: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<Sent> => {
    const { sdk, client } = await connect();
    try {
      // The timeout again per request: only then does the SDK announce it (X-Stainless-Timeout), which the
      // tests read to check it is above the harness's. withResponse(): the rate-limit headers pace the run.
      const sent = await client.chat.completions.create(params, { signal, timeout: sdkTimeoutMs }).withResponse();
      return { body: sent.data as unknown, rateLimit: readRateLimits(sent.response.headers) };
    } catch (error) {
      throw toCallError(error, sdk, signal, endpoint.secret);
    }
  };

  return {
    async complete(request, signal) {
      const sent = await send(chatParams(spec, request), signal);
      return withLimits(chatCompletion(spec, sent.body, request.task), sent.rateLimit);
    },
    batch: createOpenAIBatchClient({
      connect: () => import('openai').then((sdk) => ({ sdk, client: newClient(sdk, batchFetch()) })),
      secret: endpoint.secret,
      params: (request) => chatParams(spec, request),
      read: (body, task) => chatCompletion(spec, body, task),
    }),
  };
}

/**
 * The chat completions request for one prompt: the same body whether it is sent at once or in a batch
 * (openai-batch.ts), so both give the same answers.
 */
export function chatParams(spec: JudgeSpec, request: CompletionRequest): ChatCompletionCreateParamsNonStreaming {
  if (scoresOptions(spec)) {
    return {
      model: spec.model,
      messages: [{ role: 'user', content: scoringPrompt(request.prompt, request.task) }],
      // Greedy, whatever the configured temperature: the probabilities are read, not sampled.
      temperature: 0,
      max_tokens: SCORE_MAX_TOKENS,
      logprobs: true,
      top_logprobs: CHAT_TOP_LOGPROBS,
    };
  }
  return {
    model: spec.model,
    messages: [{ role: 'user', content: request.prompt }],
    temperature: spec.decoding.temperature,
    // max_tokens, not max_completion_tokens: it is what the presets' models (gpt-4-0125-preview,
    // gpt-4o-2024-05-13, gpt-3.5-turbo-0125) and every OpenAI-compatible server (vLLM, Ollama, llama.cpp,
    // TGI) accept. OpenAI deprecated it only for its reasoning models, which also refuse temperature 0, so
    // switching the field alone would not make them usable here.
    max_tokens: spec.decoding.maxOutputTokens,
    ...(spec.decoding.topP !== undefined ? { top_p: spec.decoding.topP } : {}),
  };
}

/**
 * A chat completion's body (from a reply or a batch's output file) as a Completion. In score-options mode the verdict
 * is read from the log-probabilities, which needs the task; without it (a batch item the harness could not match to
 * its task) the generated text is the reply, for the parser to read.
 */
export function chatCompletion(spec: JudgeSpec, body: unknown, task: Task | undefined): Completion {
  const read = readCompletion(body);
  if (!scoresOptions(spec) || read.emptyReason !== undefined || task === undefined) return read;
  return scoredCompletion(task, readTokens(body), read.text, read.usage, false);
}

export const openaiAdapter: Adapter = {
  name: 'openai',
  defaultApiKeyEnv: 'OPENAI_API_KEY',
  keyOptional: false,
  needsBaseURL: false,
  defaultBaseURL: OPENAI_API_URL,
  baseURLEnv: 'OPENAI_BASE_URL',
  keyInAuthorization: true,
  capabilities: CHAT_CAPABILITIES,
  create(spec, access) {
    // createApiJudge refuses to build an openai judge without a key; this guards other callers.
    if (!access.apiKey) throw new Error(`the openai adapter needs an API key for ${spec.id}`);
    const baseURL = access.baseURL ?? OPENAI_API_URL;
    return createChatCompletionsClient(spec, {
      apiKey: access.apiKey,
      baseURL,
      secret: access.apiKey,
      query: access.query,
      ...openaiAccount(baseURL, access.env ?? {}),
    });
  },
};
