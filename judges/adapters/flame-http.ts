/**
 * One JSON POST to a self-hosted FLAMe server, with failures in the harness's terms (judges/call-error.ts).
 *
 * Plain fetch, not an SDK: no maintained TypeScript SDK fits a self-hosted TGI router or Vertex-style container
 * better than one POST (huggingface.js is built around Hugging Face's hosted providers; @google-cloud/aiplatform
 * needs Google credentials and endpoint resource names, so it cannot reach the same container run locally),
 * and vLLM's legacy completions call is one small JSON body that the openai SDK would only wrap. One code path
 * for all three protocols keeps one error mapping:
 * - no connection, or one dropped while the body is read (a truncated body) → retryable;
 * - an HTTP error status → httpCallError (429/503 with Retry-After retried, 401/403 fatal, other 4xx stored);
 * - a 2xx body that is not JSON → retryable (a proxy's HTML page, a body cut short without an error);
 * - an abort by the attempt's signal → its reason, untouched (the harness's TimeoutError, Ctrl-C, a fatal stop).
 * The key goes in the Authorization header only and is scrubbed from any text that could be stored.
 */
import type { z } from 'zod';
import { JudgeCallError, httpCallError, innermostCause, redactSecret } from '../call-error.ts';
import type { Usage } from '../judge.ts';
import { DEFAULT_MAX_REPLY_BYTES, boundedFetch, excerpt } from './bounded-fetch.ts';
import type { GeneratedToken } from './top-logprobs.ts';

export interface HttpReply {
  json: unknown;
  headers: Headers;
}

/**
 * The server's own error text: vLLM `{"message"}`, TGI `{"error": "..."}`, OpenAI and Google
 * `{"error": {"message"}}`.
 */
function serverMessage(text: string, statusText: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object') {
      const { message, error } = body as { message?: unknown; error?: unknown };
      if (typeof message === 'string' && message !== '') return excerpt(message);
      if (typeof error === 'string' && error !== '') return excerpt(error);
      if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
        return excerpt((error as { message: string }).message);
      }
    }
  } catch {
    // not JSON: use the text itself
  }
  return excerpt(text) || statusText || 'error';
}

export async function postJson(
  url: string,
  body: unknown,
  apiKey: string | undefined,
  signal: AbortSignal,
  maxReplyBytes = DEFAULT_MAX_REPLY_BYTES,
  basicAuth?: string,
): Promise<HttpReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  else if (basicAuth) headers.authorization = basicAuth; // a user and password written into the URL
  let response: Response;
  try {
    // Bounded in size and checked as UTF-8 (bounded-fetch.ts): those failures surface when the body is read.
    response = await boundedFetch(maxReplyBytes)(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new JudgeCallError(redactSecret(`cannot reach the server: ${innermostCause(error)}`, apiKey), {
      retryable: true,
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    // An error status still decides (a 401 stays fatal) even when its body was lost or refused as too large.
    const lost = error instanceof JudgeCallError ? error.message : response.statusText || 'error (body lost)';
    if (!response.ok) throw httpCallError(response.status, lost, response.headers);
    // The reply bound refused a 2xx body (too large, not UTF-8): its own message and retryability.
    if (error instanceof JudgeCallError) {
      throw new JudgeCallError(error.message, { ...error.details, status: response.status });
    }
    throw new JudgeCallError(
      redactSecret(`the connection dropped while the reply was read: ${innermostCause(error)}`, apiKey),
      { status: response.status, retryable: true },
    );
  }
  if (!response.ok)
    throw httpCallError(
      response.status,
      redactSecret(serverMessage(text, response.statusText), apiKey),
      response.headers,
    );
  try {
    return { json: JSON.parse(text) as unknown, headers: response.headers };
  } catch {
    throw new JudgeCallError(
      redactSecret(`the reply is not JSON (${text.length} bytes): ${excerpt(text, 120)}`, apiKey),
      { status: response.status, retryable: true },
    );
  }
}

/**
 * Checks a 2xx body against the protocol's response shape. A body without the expected fields is treated as
 * a retryable fault of the server, not of the request: our request is the same well-formed body every time,
 * so a 200 without `choices` / `generated_text` / `predictions` comes from something misbehaving in between
 * (a server mid-restart, a load balancer's or proxy's own page, a container answering another route).
 * Another attempt is cheap and bounded by maxAttempts; if it keeps happening the item is stored as an error
 * naming the missing field, never scored as if the judge had answered.
 */
export function readShape<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  throw new JudgeCallError(`the server's reply is not a ${what}: ${where}: ${issue.message}`, { retryable: true });
}

/** The configured URL's query string (Access.query) on an endpoint's URL. */
export function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query) return url;
  const full = new URL(url);
  for (const [key, value] of Object.entries(query)) full.searchParams.set(key, value);
  return full.href;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinURL(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** What one protocol module (flame-vllm.ts, flame-tgi.ts, flame-vertex.ts) supplies to the flame adapter. */
export interface WireProtocol {
  /** Its replies carry per-token log-probabilities (which "mode": "score-options" reads). */
  logprobs: boolean;
  /** The endpoint, from the configured base URL. */
  url(baseURL: string): string;
  /** The request body: the prompt as plain text plus the decoding settings. */
  body(prompt: string, decoding: Decoding, model: string): unknown;
  /**
   * Text, usage and per-token alternatives from a 2xx reply; throws a retryable JudgeCallError for a body without
   * them.
   */
  read(reply: HttpReply, prompt: string): WireReply;
}

export interface Decoding {
  temperature: number;
  maxOutputTokens: number;
  topP?: number;
}

export interface WireReply {
  text: string;
  usage?: Usage;
  /** The generated tokens with their top-k alternatives, where the server returns log-probabilities. */
  tokens?: GeneratedToken[];
}
