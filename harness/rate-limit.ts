/**
 * A judge's configured rate limits (limits.requestsPerMinute / tokensPerMinute), which harness/pacer.ts paces to
 * together with the limits the endpoint announces, and the token estimate a request is booked with.
 */

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** A rough token count for budgeting before the provider says (about 4 characters per token in English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
