/**
 * A double of OpenAI's REST API for chat completions, on the scripted loopback server (http-double.ts), so the
 * adapters are tested through the real `openai` SDK and real HTTP. It answers `POST /v1/chat/completions` the
 * way api.openai.com does: the bearer key is checked (401 with OpenAI's error body when wrong), the request body
 * is validated and recorded, and replies have the real shapes, `chat.completion` objects and
 * `{"error": {"message", "type", "param", "code"}}` errors. Every other path is a 404 in OpenAI's shape.
 *
 * Each chat call is answered by the test's script; `attempt` counts how often the same prompt has been asked,
 * so "fail the first attempt of every item" works whatever the concurrency.
 */
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface ChatMessage {
  role: string;
  content: unknown;
}

/** The fields of a chat completions request the tests look at; everything else the client sent is in `request.body`. */
export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  top_p?: number;
  stream?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
}

export interface ChatCall {
  /** Among the chat calls that passed the key and body checks, from 0. */
  index: number;
  /** How many times this exact prompt has been asked, this call included (1 = first attempt). */
  attempt: number;
  /** performance.now() when the request arrived, to measure the client's waits between attempts. */
  receivedAt: number;
  body: ChatRequestBody;
  /** The text of the one user message. */
  prompt: string;
  request: RecordedRequest;
}

export interface OpenAIDoubleOptions {
  /** The key the double accepts; undefined accepts any request (a self-hosted server started without a key). */
  apiKey?: string;
  /** Models it serves; undefined serves any model name. */
  models?: readonly string[];
  /** Answers each chat call; the default is a completion saying "better response: A". */
  script?: (call: ChatCall) => Reply | Promise<Reply>;
  /** A fixed port (to restart a double where a stopped one was); default: any free port. */
  port?: number;
  /** More of OpenAI's API (the batch double's files and batches), after the key check; undefined: a 404. */
  routes?: (request: RecordedRequest) => Reply | undefined | Promise<Reply | undefined>;
}

export interface OpenAIDouble extends HttpDouble {
  /** What the SDK's `baseURL` should be. */
  baseURL: string;
  /** Chat calls that reached the script. `requests` has every request, rejected ones included. */
  calls: ChatCall[];
}

export const DEFAULT_REPLY = 'explanation: Response A answers the question; B does not.\nbetter response: A';

/** A stand-in token count (OpenAI's tokenizer is not needed: tests compare what was sent with what was stored). */
export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function errorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/**
 * An error reply in OpenAI's shape, e.g. apiError(429, 'Rate limit reached ...', 'requests', 'rate_limit_exceeded').
 */
export function apiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  headers: Record<string, string> = {},
): Reply {
  return { status, headers, json: errorBody(message, type, code) };
}

export const rateLimited = (headers: Record<string, string>): Reply =>
  apiError(
    429,
    'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
    'requests',
    'rate_limit_exceeded',
    headers,
  );
export const serverError = (): Reply =>
  apiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
export const overloaded = (): Reply =>
  apiError(503, 'The engine is currently overloaded, please try again later.', 'server_error');

export interface CompletionOptions {
  finishReason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
  /** Token counts to report; default: roughTokens of the prompt and of the reply. null leaves `usage` out. */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** Replaces the choices (e.g. [] for a provider fault). */
  choices?: unknown[];
  /** Per-token log-probabilities for `choices[0].logprobs.content` (asked with logprobs: true). */
  logprobs?: ChatTokenLogprob[];
}

/** One entry of OpenAI's `logprobs.content`: the generated token and its top alternatives. */
export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  top_logprobs: { token: string; logprob: number }[];
}

/**
 * `logprobs.content` for tokens given as [text, logprob, alternatives (text → logprob)]; bytes as the API sends them.
 */
export function chatLogprobs(tokens: [string, number, Record<string, number>][]): ChatTokenLogprob[] {
  const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];
  return tokens.map(([token, logprob, top]) => ({
    token,
    logprob,
    bytes: bytes(token),
    top_logprobs: Object.entries(top)
      .sort((a, b) => b[1] - a[1])
      .map(([t, lp]) => ({ token: t, logprob: lp, bytes: bytes(t) })),
  }));
}

/** The body of a successful chat completion, as api.openai.com sends it. */
export function completionBody(call: ChatCall, content: string | null, options: CompletionOptions = {}) {
  const usage =
    options.usage === undefined
      ? { prompt_tokens: roughTokens(call.prompt), completion_tokens: roughTokens(content ?? '') }
      : options.usage;
  return {
    id: `chatcmpl-double${call.index}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.body.model,
    choices: options.choices ?? [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: options.logprobs ? { content: options.logprobs, refusal: null } : null,
        finish_reason: options.finishReason ?? 'stop',
      },
    ],
    ...(usage === null ? {} : { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
    system_fingerprint: 'fp_double',
  };
}

export function completion(call: ChatCall, content: string | null, options: CompletionOptions = {}): Reply {
  return {
    status: 200,
    headers: { 'x-request-id': `req_double${call.index}` },
    json: completionBody(call, content, options),
  };
}

/** The same completion, with the connection dropped halfway through the body. */
export function truncatedCompletion(call: ChatCall, content: string): Reply {
  return { status: 200, truncate: JSON.stringify(completionBody(call, content)) };
}

/** OpenAI shows a rejected key with only its first and last characters. */
function masked(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function checkKey(request: RecordedRequest, apiKey: string): Reply | undefined {
  const header = request.headers.authorization;
  if (!header) {
    return apiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header " +
        'using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
      'invalid_request_error',
    );
  }
  const sent = /^Bearer (.*)$/.exec(header)?.[1] ?? '';
  if (sent !== apiKey) {
    return apiError(
      401,
      `Incorrect API key provided: ${masked(sent)}. ` +
        `You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    );
  }
  return undefined;
}

/** The checks api.openai.com makes before generating; returns the 400 to send, or the parsed body. */
function checkBody(body: unknown): { error: Reply } | { body: ChatRequestBody; prompt: string } {
  const bad = (message: string, param: string | null): { error: Reply } => ({
    error: { status: 400, json: errorBody(message, 'invalid_request_error', null, param) },
  });
  if (typeof body !== 'object' || body === null) return bad('We could not parse the JSON body of your request.', null);
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') return bad('you must provide a model parameter', 'model');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return bad("Invalid 'messages': empty array.", 'messages');
  const messages = b.messages as ChatMessage[];
  if (b.temperature !== undefined && (typeof b.temperature !== 'number' || b.temperature < 0 || b.temperature > 2))
    return bad("Invalid 'temperature'.", 'temperature');
  if (b.max_tokens !== undefined && (!Number.isInteger(b.max_tokens) || (b.max_tokens as number) < 1))
    return bad("Invalid 'max_tokens'.", 'max_tokens');
  // As api.openai.com: top_logprobs is 0-20 and only with logprobs: true.
  if (
    b.top_logprobs !== undefined &&
    (!Number.isInteger(b.top_logprobs) || (b.top_logprobs as number) < 0 || (b.top_logprobs as number) > 20)
  )
    return bad("Invalid 'top_logprobs'.", 'top_logprobs');
  if (b.top_logprobs !== undefined && b.logprobs !== true)
    return bad('logprobs must be set to true if top_logprobs is set.', 'logprobs');
  const user = messages.filter((m) => m.role === 'user');
  return {
    body: b as unknown as ChatRequestBody,
    prompt: user.length === 1 && typeof user[0]!.content === 'string' ? user[0]!.content : '',
  };
}

export async function startOpenAIDouble(options: OpenAIDoubleOptions = {}): Promise<OpenAIDouble> {
  const calls: ChatCall[] = [];
  const asked = new Map<string, number>();
  const script = options.script ?? ((call: ChatCall) => completion(call, DEFAULT_REPLY));
  const http = await startHttpDouble(async (request) => {
    // The query string is the client's business (a gateway key, an api-version): the route is the path.
    const chat = request.method === 'POST' && request.path.split('?')[0] === '/v1/chat/completions';
    const notFound = () => apiError(404, `Invalid URL (${request.method} ${request.path})`, 'invalid_request_error');
    if (!chat && !options.routes) return notFound();
    if (options.apiKey !== undefined) {
      const rejected = checkKey(request, options.apiKey);
      if (rejected) return rejected;
    }
    if (!chat) return (await options.routes!(request)) ?? notFound();
    const checked = checkBody(request.body);
    if ('error' in checked) return checked.error;
    if (options.models && !options.models.includes(checked.body.model)) {
      return apiError(
        404,
        `The model \`${checked.body.model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    const attempt = (asked.get(checked.prompt) ?? 0) + 1;
    asked.set(checked.prompt, attempt);
    const call: ChatCall = {
      index: calls.length,
      attempt,
      receivedAt: performance.now(),
      body: checked.body,
      prompt: checked.prompt,
      request,
    };
    calls.push(call);
    return script(call);
  }, options.port);
  return { ...http, baseURL: `${http.url}/v1`, calls };
}
