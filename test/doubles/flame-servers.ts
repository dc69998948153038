/**
 * Test doubles for the three servers the flame adapter talks to, on the scripted loopback server
 * (http-double.ts). Each kit builds that server's real reply bodies (a normal reply with per-token
 * log-probabilities where the server has them, its error format, a 200 missing the expected fields) and knows
 * its route and where the prompt sits in a request, so tests script any sequence per request.
 *
 * Shapes: vLLM's legacy completions response (choices[].text, choices[].logprobs{tokens, token_logprobs,
 * top_logprobs, text_offset}, usage; errors as {object:"error", message, type, param, code}); TGI's /generate
 * (generated_text, details{finish_reason, generated_tokens, seed, prefill, tokens[{id, text, logprob, special}],
 * top_tokens}, x-prompt-tokens / x-generated-tokens headers; errors as {error, error_type}); Vertex's predict
 * (predictions[] of text, deployedModelId, model...; errors as Google's {error:{code, message, status}}).
 */
import type { FlameProtocol } from '../../judges/adapters/flame.ts';
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

/** One generated token: its text, log-probability, and the alternatives the server lists at its position. */
export interface ScriptToken {
  text: string;
  logprob: number;
  /** Top-k alternatives (token text → log-probability); defaults to the token alone. */
  top?: Record<string, number>;
}

/**
 * Splits a reply into word-like tokens the way a SentencePiece model's decoded tokens look ("better",
 * " response", ":", " A"); their concatenation is the reply. `verdictTop` becomes the alternatives of the
 * last token, where the verdict sits in "…better response: A".
 */
export function tokenize(text: string, verdictTop?: Record<string, number>): ScriptToken[] {
  const pieces = text.match(/\s*[^\s:]+|\s*:|\s+$/g) ?? [];
  if (pieces.join('') !== text) throw new Error(`tokenize lost text: ${JSON.stringify(text)}`);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const top = last && verdictTop ? verdictTop : undefined;
    return { text: piece, logprob: top?.[piece] ?? -0.01, ...(top ? { top } : {}) };
  });
}

export interface ReplyUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface FlameServerKit {
  protocol: FlameProtocol;
  /** The baseURL to configure for a double listening at `url`. */
  baseURL(url: string): string;
  /** The route the adapter must call, relative to the double's URL. */
  path: string;
  /** A normal reply made of these tokens. */
  ok(tokens: ScriptToken[], usage?: ReplyUsage): Reply;
  /** An error status with the server's own error body. */
  error(status: number, message: string, headers?: Record<string, string>): Reply;
  /** A 200 whose JSON lacks the fields that carry the reply. */
  malformed(): Reply;
  /** A 200 whose body is cut off mid-way (the connection drops). */
  truncated(tokens: ScriptToken[]): Reply;
  /** The prompt a recorded request carries. */
  promptOf(request: RecordedRequest): string;
}

const DEFAULT_USAGE: ReplyUsage = { promptTokens: 812, completionTokens: 9 };

const ids = new Map<string, number>();
/** A stable token id per token text (TGI reports ids). */
function idOf(text: string): number {
  if (!ids.has(text)) ids.set(text, 1000 + ids.size);
  return ids.get(text)!;
}

function topOf(token: ScriptToken): [string, number][] {
  return Object.entries(token.top ?? { [token.text]: token.logprob }).sort((a, b) => b[1] - a[1]);
}

function bodyOf(request: RecordedRequest): Record<string, unknown> {
  return request.body as Record<string, unknown>;
}

function vllmBody(tokens: ScriptToken[], usage: ReplyUsage): unknown {
  const text = tokens.map((t) => t.text).join('');
  const textOffset: number[] = [];
  let offset = 0;
  for (const t of tokens) {
    textOffset.push(offset);
    offset += t.text.length;
  }
  return {
    id: 'cmpl-8f2c1e0a9b7d4e55',
    object: 'text_completion',
    created: 1721900000,
    model: 'flame-rm-24b',
    choices: [
      {
        index: 0,
        text,
        logprobs: {
          text_offset: textOffset,
          token_logprobs: tokens.map((t) => t.logprob),
          tokens: tokens.map((t) => t.text),
          top_logprobs: tokens.map((t) => Object.fromEntries(topOf(t))),
        },
        finish_reason: 'stop',
        stop_reason: null,
        prompt_logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: usage.promptTokens,
      total_tokens: usage.promptTokens + usage.completionTokens,
      completion_tokens: usage.completionTokens,
    },
  };
}

export const vllmKit: FlameServerKit = {
  protocol: 'openai-completions',
  baseURL: (url) => `${url}/v1`,
  path: '/v1/completions',
  ok: (tokens, usage = DEFAULT_USAGE) => ({ status: 200, json: vllmBody(tokens, usage) }),
  error: (status, message, headers) => ({
    status,
    headers,
    json: {
      object: 'error',
      message,
      type: status === 400 ? 'BadRequestError' : 'ServiceUnavailableError',
      param: null,
      code: status,
    },
  }),
  malformed: () => ({
    status: 200,
    json: { id: 'cmpl-1', object: 'text_completion', created: 1721900000, model: 'flame-rm-24b', choices: [] },
  }),
  truncated: (tokens) => ({ status: 200, truncate: JSON.stringify(vllmBody(tokens, DEFAULT_USAGE)) }),
  promptOf: (request) => bodyOf(request).prompt as string,
};

function tgiToken(t: { text: string; logprob: number }, special = false) {
  return { id: idOf(t.text), text: t.text, logprob: t.logprob, special };
}

function tgiBody(tokens: ScriptToken[]): unknown {
  // TGI ends a reply with the EOS token, marked special and left out of generated_text.
  const eos = { text: '<eos>', logprob: -0.02 };
  return {
    generated_text: tokens.map((t) => t.text).join(''),
    details: {
      finish_reason: 'eos_token',
      generated_tokens: tokens.length + 1,
      seed: null,
      prefill: [],
      tokens: [...tokens.map((t) => tgiToken(t)), tgiToken(eos, true)],
      top_tokens: [
        ...tokens.map((t) => topOf(t).map(([text, logprob]) => tgiToken({ text, logprob }))),
        [tgiToken(eos, true)],
      ],
    },
  };
}

function tgiHeaders(tokens: ScriptToken[], usage: ReplyUsage): Record<string, string> {
  return {
    'x-compute-type': 'gpu+optimized',
    'x-compute-time': '0.41',
    'x-total-time': '412',
    'x-validation-time': '1',
    'x-queue-time': '0',
    'x-inference-time': '411',
    'x-time-per-token': '41',
    'x-prompt-tokens': String(usage.promptTokens),
    'x-generated-tokens': String(tokens.length + 1),
  };
}

export const tgiKit: FlameServerKit = {
  protocol: 'tgi',
  baseURL: (url) => url,
  path: '/generate',
  ok: (tokens, usage = DEFAULT_USAGE) => ({ status: 200, headers: tgiHeaders(tokens, usage), json: tgiBody(tokens) }),
  error: (status, message, headers) => ({
    status,
    headers,
    json: { error: message, error_type: status === 429 ? 'overloaded' : status === 422 ? 'validation' : 'generation' },
  }),
  malformed: () => ({
    status: 200,
    json: { details: { finish_reason: 'length', generated_tokens: 0, seed: null, prefill: [], tokens: [] } },
  }),
  truncated: (tokens) => ({
    status: 200,
    headers: tgiHeaders(tokens, DEFAULT_USAGE),
    truncate: JSON.stringify(tgiBody(tokens)),
  }),
  promptOf: (request) => bodyOf(request).inputs as string,
};

const ENDPOINT = '/v1/projects/flame-eval/locations/us-central1/endpoints/4815162342';

function vertexBody(tokens: ScriptToken[]): unknown {
  return {
    predictions: [tokens.map((t) => t.text).join('')],
    deployedModelId: '7301124096',
    model: 'projects/123456789012/locations/us-central1/models/flame-rm-24b',
    modelDisplayName: 'flame-rm-24b',
    modelVersionId: '1',
  };
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export const vertexKit: FlameServerKit = {
  protocol: 'vertex-predict',
  baseURL: (url) => `${url}${ENDPOINT}`,
  path: `${ENDPOINT}:predict`,
  ok: (tokens) => ({ status: 200, json: vertexBody(tokens) }),
  error: (status, message, headers) => ({
    status,
    headers,
    json: { error: { code: status, message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN' } },
  }),
  malformed: () => ({
    status: 200,
    json: { deployedModelId: '7301124096', model: 'projects/123456789012/locations/us-central1/models/flame-rm-24b' },
  }),
  truncated: (tokens) => ({ status: 200, truncate: JSON.stringify(vertexBody(tokens)) }),
  promptOf: (request) => (bodyOf(request).instances as Record<string, unknown>[])[0]!.prompt as string,
};

export const FLAME_KITS: readonly FlameServerKit[] = [vllmKit, tgiKit, vertexKit];

/**
 * Starts a double of one server: requests to any other route or method get the server's 404, as a real one
 * would, so a wrong URL fails the test; everything else is answered by `script` (index counts all requests).
 */
export function startFlameServer(
  kit: FlameServerKit,
  script: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
): Promise<HttpDouble> {
  return startHttpDouble((request, index) => {
    if (request.method !== 'POST' || request.path !== kit.path)
      return kit.error(404, `no route for ${request.method} ${request.path}`);
    return script(request, index);
  });
}
