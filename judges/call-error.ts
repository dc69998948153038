import { header, readRateLimits, type HeaderSource, type RateLimitReading } from './adapters/rate-limit-headers.ts';

/**
 * How a judge reports a failed request to the harness's one retry policy (harness/retry.ts). Adapters turn
 * their SDK's errors into this; anything else a judge throws is treated as not worth retrying.
 */
interface CallErrorDetails {
  /** HTTP status, when there was a response. */
  status?: number;
  /** Worth asking again (rate limits, overload, 5xx, timeouts, dropped connections, truncated bodies). */
  retryable: boolean;
  /** The server said when to come back (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  /**
   * Every other request will fail the same way (bad key, no access): stop the run instead of storing thousands of
   * errors.
   */
  fatal?: boolean;
  /** The rate limits the error reply's headers announced (a 429's remaining and reset), for the harness's pacer. */
  rateLimit?: RateLimitReading;
}

export class JudgeCallError extends Error {
  constructor(
    message: string,
    readonly details: CallErrorDetails,
  ) {
    super(message);
    this.name = 'JudgeCallError';
  }
}

/** Milliseconds to wait from `retry-after-ms` (OpenAI, Anthropic) or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: HeaderSource, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = header(headers, 'retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The harness's view of an HTTP status: 408, 409, 429, 5xx and Anthropic's 529 (overloaded) are retried;
 * 401 and 403 stop the run; other 4xx are the request's own fault and are stored as errors.
 */
export function httpCallError(status: number, message: string, headers?: HeaderSource): JudgeCallError {
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  const fatal = status === 401 || status === 403;
  const rateLimit = readRateLimits(headers);
  return new JudgeCallError(`HTTP ${status}: ${message}`, {
    status,
    retryable,
    retryAfterMs: retryable ? retryAfterMs(headers) : undefined,
    fatal,
    ...(rateLimit ? { rateLimit } : {}),
  });
}

/**
 * Hides a key in text that may be stored, reported or logged (error messages end up in SQLite and in
 * predictions.jsonl), whoever echoed it: a proxy repeating the Authorization header, a URL quoted in an error.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

/**
 * The innermost cause's message: undici reports "fetch failed" and puts "connect ECONNREFUSED ..." or "other side
 * closed" in its causes.
 */
export function innermostCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++)
    current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
