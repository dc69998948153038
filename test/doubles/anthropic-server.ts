/**
 * A double of the Anthropic REST API's Messages endpoint (POST /v1/messages) on the scripted loopback server.
 * It does what the real API does before a request reaches the model: checks the key (x-api-key, or the
 * "Authorization: Bearer" that SDK 1.x sends; x-api-key wins when both are there) and the anthropic-version
 * header, and validates the body (model, max_tokens, messages, sampling parameters, which API version
 * 2026-10-21 rejects), answering failures with Anthropic's error JSON. Requests that pass are answered by the
 * test's script, with helpers for the real reply bodies: a message, an error of any type (529 overloaded_error,
 * 429 rate_limit_error with retry-after), a body cut off mid-way, or no answer at all.
 */
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

/** The versions the API knows; under 2026-10-21 temperature, top_p and top_k are no longer accepted. */
export const API_VERSIONS = ['2023-06-01', '2026-10-21'] as const;
const NO_SAMPLING_SINCE = '2026-10-21';

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: { role: string; content: unknown }[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  [field: string]: unknown;
}

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal';

export interface MessageOptions {
  stopReason?: StopReason;
  usage?: { input_tokens: number; output_tokens: number };
  /** Replaces the single text block, e.g. [] for an empty reply or several blocks. */
  content?: unknown[];
  headers?: Record<string, string>;
}

let nextId = 0;
function id(prefix: string): string {
  nextId += 1;
  return `${prefix}_double${String(nextId).padStart(8, '0')}`;
}

/** A rough token count, so replies carry plausible usage when a test does not give one. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(request: MessagesRequest): string {
  return request.messages
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
    .join('\n');
}

/** The body of a successful reply, in the Messages API's shape. */
export function messageBody(
  request: MessagesRequest,
  text: string,
  options: MessageOptions = {},
): Record<string, unknown> {
  return {
    id: id('msg'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: options.content ?? [{ type: 'text', text }],
    stop_reason: options.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: options.usage ?? { input_tokens: tokens(promptText(request)), output_tokens: tokens(text) },
  };
}

/** A 200 reply carrying `text` as one text block. */
export function message(request: MessagesRequest, text: string, options: MessageOptions = {}): Reply {
  return {
    status: 200,
    headers: { 'request-id': id('req'), ...options.headers },
    json: messageBody(request, text, options),
  };
}

/** An error in Anthropic's shape: {"type":"error","error":{"type":...,"message":...},"request_id":...}. */
export function apiError(status: number, type: ErrorType, text: string, headers: Record<string, string> = {}): Reply {
  const requestId = id('req');
  return {
    status,
    headers: { 'request-id': requestId, ...headers },
    json: { type: 'error', error: { type, message: text }, request_id: requestId },
  };
}

export const overloaded = (headers: Record<string, string> = {}): Reply =>
  apiError(529, 'overloaded_error', 'Overloaded', headers);

export const rateLimited = (retryAfterSeconds: number): Reply =>
  apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
    'retry-after': String(retryAfterSeconds),
  });

export const serverError = (status: 500 | 502 | 503 | 504): Reply =>
  status === 500
    ? apiError(500, 'api_error', 'Internal server error')
    : apiError(status, 'api_error', 'Service unavailable');

/** A 200 whose JSON body stops half-way and whose connection is then dropped. */
export function truncatedMessage(request: MessagesRequest, text: string): Reply {
  return { status: 200, headers: { 'request-id': id('req') }, truncate: JSON.stringify(messageBody(request, text)) };
}

export const HANG: Reply = { hang: true };

/** Answers a request that passed the API's own checks; `index` counts every request the double received. */
export type Script = (request: MessagesRequest, index: number, recorded: RecordedRequest) => Reply | Promise<Reply>;

export interface AnthropicDouble extends HttpDouble {
  /** Bodies of the requests that reached the script, in order. */
  messages: MessagesRequest[];
}

export function header(recorded: RecordedRequest, name: string): string | undefined {
  const value = recorded.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function presentedKey(recorded: RecordedRequest): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header(recorded, 'authorization') ?? '')?.[1];
  return header(recorded, 'x-api-key') ?? bearer;
}

export type Checked = { ok: true; request: MessagesRequest } | { ok: false; reply: Reply };

/** What the API checks on every request: the key, then the anthropic-version header. */
export function checkHeaders(recorded: RecordedRequest, apiKey: string): Reply | undefined {
  if (presentedKey(recorded) !== apiKey) return apiError(401, 'authentication_error', 'invalid x-api-key');
  const version = header(recorded, 'anthropic-version');
  if (!version) return apiError(400, 'invalid_request_error', 'anthropic-version: header is required');
  if (!(API_VERSIONS as readonly string[]).includes(version))
    return apiError(400, 'invalid_request_error', `anthropic-version: unknown version ${version}`);
  return undefined;
}

/**
 * What the API checks in a Messages request before the model sees it (a batch checks each request's params
 * alike); `field` prefixes the messages, e.g. "requests.3.params.".
 */
export function checkParams(body: unknown, version: string, field = ''): Checked {
  const fail = (reply: Reply): Checked => ({ ok: false, reply });
  const invalid = (text: string): Checked => fail(apiError(400, 'invalid_request_error', `${field}${text}`));
  if (typeof body !== 'object' || body === null) return invalid('request body is not valid JSON');
  const params = body as Partial<MessagesRequest>;
  if (typeof params.model !== 'string' || params.model === '') return invalid('model: Field required');
  if (!Number.isInteger(params.max_tokens) || (params.max_tokens as number) < 1)
    return invalid('max_tokens: Field required');
  if (!Array.isArray(params.messages) || params.messages.length === 0)
    return invalid('messages: at least one message is required');
  const sampling = (['temperature', 'top_p', 'top_k'] as const).find((name) => params[name] !== undefined);
  if (sampling && version >= NO_SAMPLING_SINCE) return invalid(`${sampling}: Extra inputs are not permitted`);
  if (
    params.temperature !== undefined &&
    !(typeof params.temperature === 'number' && params.temperature >= 0 && params.temperature <= 1)
  ) {
    return invalid('temperature: Input should be less than or equal to 1');
  }
  return { ok: true, request: params as MessagesRequest };
}

/** What the API checks before the model sees anything. */
function check(recorded: RecordedRequest, apiKey: string): Checked {
  if (recorded.method !== 'POST' || recorded.path.split('?')[0] !== '/v1/messages') {
    return { ok: false, reply: apiError(404, 'not_found_error', `${recorded.method} ${recorded.path} not found`) };
  }
  const refused = checkHeaders(recorded, apiKey);
  if (refused) return { ok: false, reply: refused };
  return checkParams(recorded.body, header(recorded, 'anthropic-version')!);
}

export async function startAnthropicDouble(options: { apiKey: string; script: Script }): Promise<AnthropicDouble> {
  const messages: MessagesRequest[] = [];
  const http = await startHttpDouble((recorded, index) => {
    const checked = check(recorded, options.apiKey);
    if (!checked.ok) return checked.reply;
    messages.push(checked.request);
    return options.script(checked.request, index, recorded);
  });
  return { ...http, messages };
}
