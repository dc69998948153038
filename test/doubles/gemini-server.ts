/**
 * A double of the Gemini Developer API's `POST /v1beta/models/{model}:generateContent`, the endpoint
 * `@google/genai` calls (key in the `x-goog-api-key` header; the REST API also accepts `?key=`). Each request is
 * recorded with what the test needs to check (model, key and where it was sent, the user turn's text, the
 * generationConfig, arrival time) and answered by the test's script with the API's real shapes: a
 * GenerateContentResponse, a blocked prompt, or a Google error body `{"error": {"code", "message", "status"}}`.
 *
 * Before the script sees a request, it answers a missing key with 403 PERMISSION_DENIED and, when started with
 * `apiKey`, any other key with 400 INVALID_ARGUMENT "API key not valid" (both as the real API does), and anything
 * but a generateContent POST with 404 NOT_FOUND. Those requests are recorded and counted too.
 */
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface GeminiCall {
  request: RecordedRequest;
  /** From the path, e.g. "gemini-1.5-flash-001"; undefined when the path is not a generateContent call. */
  model?: string;
  apiKey?: string;
  /** Where the key was: the SDK must use the header, so a key never sits in a URL. */
  keyIn: 'header' | 'query' | 'none';
  /** The user turn's text parts, joined. */
  prompt: string;
  contents: unknown;
  generationConfig?: Record<string, unknown>;
  /** performance.now() on arrival, to check waits between attempts. */
  at: number;
}

export type GeminiScript = (call: GeminiCall, index: number) => Reply | Promise<Reply>;

export interface GeminiDouble extends HttpDouble {
  calls: GeminiCall[];
}

const PATH = /^\/v1beta\/models\/([^/:?]+):generateContent(?:\?(.*))?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function userText(contents: unknown): string {
  if (!Array.isArray(contents)) return '';
  return contents
    .filter(isRecord)
    .filter((c) => c.role === undefined || c.role === 'user')
    .flatMap((c) => (Array.isArray(c.parts) ? c.parts : []))
    .map((p: unknown) => (isRecord(p) && typeof p.text === 'string' ? p.text : ''))
    .join('');
}

function toCall(request: RecordedRequest): GeminiCall {
  const match = PATH.exec(request.path);
  const query = new URLSearchParams(match?.[2] ?? '');
  const header = request.headers['x-goog-api-key'];
  const headerKey = Array.isArray(header) ? header[0] : header;
  const queryKey = query.get('key') ?? undefined;
  const body = isRecord(request.body) ? request.body : {};
  return {
    request,
    model: match?.[1],
    apiKey: headerKey ?? queryKey,
    keyIn: headerKey !== undefined ? 'header' : queryKey !== undefined ? 'query' : 'none',
    prompt: userText(body.contents),
    contents: body.contents,
    generationConfig: isRecord(body.generationConfig) ? body.generationConfig : undefined,
    at: performance.now(),
  };
}

export async function startGeminiDouble(
  script: GeminiScript,
  options: { apiKey?: string } = {},
): Promise<GeminiDouble> {
  const calls: GeminiCall[] = [];
  const double = await startHttpDouble((request, index) => {
    const call = toCall(request);
    calls.push(call);
    if (request.method !== 'POST' || call.model === undefined) {
      return geminiError(
        404,
        'NOT_FOUND',
        `The requested URL ${request.path.split('?')[0]} was not found on this server.`,
      );
    }
    if (call.keyIn === 'none') {
      return geminiError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). " +
          'Please use API Key or other form of API consumer identity to call this API.',
      );
    }
    if (options.apiKey !== undefined && call.apiKey !== options.apiKey) return INVALID_KEY;
    return script(call, index);
  });
  return { ...double, calls };
}

// ---------------------------------------------------------------------------------------------------------------
// Response bodies, in the API's shapes.

export interface UsageCounts {
  prompt: number;
  output: number;
  /** A thinking model's thought tokens (billed as output). */
  thoughts?: number;
}

function usageMetadata(usage: UsageCounts): Record<string, number> {
  const meta: Record<string, number> = { promptTokenCount: usage.prompt, candidatesTokenCount: usage.output };
  if (usage.thoughts !== undefined) meta.thoughtsTokenCount = usage.thoughts;
  meta.totalTokenCount = usage.prompt + usage.output + (usage.thoughts ?? 0);
  return meta;
}

const NEGLIGIBLE = [
  'HARM_CATEGORY_SEXUALLY_EXPLICIT',
  'HARM_CATEGORY_HATE_SPEECH',
  'HARM_CATEGORY_HARASSMENT',
  'HARM_CATEGORY_DANGEROUS_CONTENT',
].map((category) => ({ category, probability: 'NEGLIGIBLE' }));

export interface TextOptions {
  usage?: UsageCounts;
  finishReason?: string;
  /** Thought parts before the answer (marked `thought: true`, as a thinking model returns them). */
  thoughts?: string[];
  modelVersion?: string;
}

/** A GenerateContentResponse body: one candidate whose content is the given text. */
export function textBody(text: string, options: TextOptions = {}): Record<string, unknown> {
  const usage = options.usage ?? { prompt: 1000, output: 50 };
  const parts = [...(options.thoughts ?? []).map((t) => ({ text: t, thought: true })), { text }];
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        finishReason: options.finishReason ?? 'STOP',
        index: 0,
        safetyRatings: NEGLIGIBLE,
      },
    ],
    usageMetadata: usageMetadata(usage),
    modelVersion: options.modelVersion ?? 'gemini-1.5-flash-001',
  };
}

export function geminiText(text: string, options: TextOptions = {}): Reply {
  return { status: 200, json: textBody(text, options) };
}

/** The prompt itself was blocked: no candidates, only promptFeedback (HTTP 200). */
export function geminiBlocked(blockReason = 'SAFETY', promptTokens = 1000): Reply {
  return {
    status: 200,
    json: {
      promptFeedback: {
        blockReason,
        safetyRatings: NEGLIGIBLE.map((r) =>
          r.category === 'HARM_CATEGORY_DANGEROUS_CONTENT' ? { ...r, probability: 'HIGH' } : r,
        ),
      },
      usageMetadata: { promptTokenCount: promptTokens, totalTokenCount: promptTokens },
      modelVersion: 'gemini-1.5-flash-001',
    },
  };
}

/** A candidate that stopped without any text (SAFETY withholds it; MAX_TOKENS spent the budget before any text). */
export function geminiNoText(finishReason: string, usage: UsageCounts = { prompt: 1000, output: 0 }): Reply {
  const safetyRatings =
    finishReason === 'SAFETY'
      ? [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }]
      : NEGLIGIBLE;
  return {
    status: 200,
    json: {
      candidates: [{ finishReason, index: 0, safetyRatings }],
      usageMetadata: usageMetadata(usage),
      modelVersion: 'gemini-1.5-flash-001',
    },
  };
}

/** A 200 with an empty candidates list and no promptFeedback: not something the API means to send. */
export function geminiNoCandidates(): Reply {
  return {
    status: 200,
    json: {
      candidates: [],
      usageMetadata: { promptTokenCount: 1000, totalTokenCount: 1000 },
      modelVersion: 'gemini-1.5-flash-001',
    },
  };
}

/** A normal reply whose connection drops halfway through the body. */
export function geminiTruncated(text: string): Reply {
  return { status: 200, truncate: JSON.stringify(textBody(text)) };
}

export interface ErrorOptions {
  headers?: Record<string, string>;
  details?: Record<string, unknown>[];
}

/** Google's error body, as every Google API sends it. */
export function geminiError(code: number, status: string, message: string, options: ErrorOptions = {}): Reply {
  const error: Record<string, unknown> = { code, message, status };
  if (options.details) error.details = options.details;
  return { status: code, headers: options.headers, json: { error } };
}

/** google.rpc.RetryInfo, which Gemini's 429s carry: retryDelay is a Duration such as "38s" or "0.150s". */
export function retryInfo(retryDelay: string): Record<string, unknown> {
  return { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay };
}

export const RATE_LIMITED = (options: ErrorOptions = {}): Reply =>
  geminiError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', options);
export const INTERNAL = geminiError(
  500,
  'INTERNAL',
  'An internal error has occurred. Please retry or report in ' +
    'https://developers.generativeai.google/guide/troubleshooting',
);
export const OVERLOADED = geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
/** What the real API answers for a wrong key (not a 401). */
export const INVALID_KEY = geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', {
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    {
      '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
      locale: 'en-US',
      message: 'API key not valid. Please pass a valid API key.',
    },
  ],
});
export const modelNotFound = (model: string): Reply =>
  geminiError(
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version v1beta, or is not supported for generateContent. ` +
      `Call ListModels to see the list of available models and their supported methods.`,
  );
