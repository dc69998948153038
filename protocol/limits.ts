/**
 * What a judge's `limits` may set, and the defaults: its retry policy (harness/retry.ts applies it), its circuit
 * breaker (harness/breaker.ts), its rate limits (requestsPerMinute / tokensPerMinute, which harness/pacer.ts paces
 * to together with the limits the endpoint announces), and the token estimate a request is booked with.
 */

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** A rough token count for budgeting before the provider says (about 4 characters per token in English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The one retry policy for every judge (harness/retry.ts). */
export interface RetryPolicy {
  maxAttempts: number;
  /** Per attempt, including reading the whole body. */
  timeoutMs: number;
  /** First backoff; doubles each attempt. */
  baseDelayMs: number;
  /** Cap on the computed backoff. */
  maxDelayMs: number;
  /** Cap on a server-given Retry-After. */
  maxRetryAfterMs: number;
  /** 429s one item may get while the pacer holds it (they are not failures: see RetryHooks.onRateLimited). */
  maxRateLimited: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  timeoutMs: 120_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  maxRateLimited: 30,
};

/** When the run stops for a dead endpoint (harness/breaker.ts). */
export interface BreakerSettings {
  /** Consecutive failed attempts with one cause. */
  failures: number;
  /** ... spanning at least this long. */
  ms: number;
}
