/**
 * What an endpoint says about its rate limits, from the headers every reply (and every 429) carries:
 * - OpenAI (and vLLM/LiteLLM gateways copying it): x-ratelimit-{limit,remaining,reset}-{requests,tokens}, resets as
 *   durations ("1s", "6m0s", "120ms");
 * - Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}, resets as
 *   RFC 3339 times;
 * - the IETF draft many gateways send: ratelimit-limit / ratelimit-remaining / ratelimit-reset (seconds).
 * Limits are per minute, as all three providers publish them. The harness paces itself with these
 * (harness/pacer.ts); they are read here because the header names are the providers' wire format.
 */

export interface LimitReading {
  /** Requests (or tokens) allowed per minute. */
  limit?: number;
  remaining?: number;
  /** Milliseconds until `remaining` is back at `limit`. */
  resetMs?: number;
}

export interface RateLimitReading {
  requests?: LimitReading;
  tokens?: LimitReading;
}

/** Response headers as fetch gives them, or as an SDK error carries them (a plain record). */
export type HeaderSource = Headers | Record<string, string | string[] | null | undefined> | undefined | null;

/** One header's value, whatever the shape and the case of its name. */
export function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | null | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "6m0s", "1.5s", "120ms", a plain number of seconds, or an RFC 3339 time (Anthropic), as milliseconds from `now`. */
export function resetMs(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) {
    return parts.reduce((total, p) => total + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function reading(headers: HeaderSource, names: { limit: string; remaining: string; reset: string }, now: number) {
  const read: LimitReading = {};
  const limit = count(header(headers, names.limit));
  const remaining = count(header(headers, names.remaining));
  const reset = resetMs(header(headers, names.reset), now);
  if (limit !== undefined) read.limit = limit;
  if (remaining !== undefined) read.remaining = remaining;
  if (reset !== undefined) read.resetMs = reset;
  return Object.keys(read).length > 0 ? read : undefined;
}

/** The limits a reply's headers announce, or undefined when they announce none. */
export function readRateLimits(headers: HeaderSource, now = Date.now()): RateLimitReading | undefined {
  const openai = (what: string) => ({
    limit: `x-ratelimit-limit-${what}`,
    remaining: `x-ratelimit-remaining-${what}`,
    reset: `x-ratelimit-reset-${what}`,
  });
  const anthropic = (what: string) => ({
    limit: `anthropic-ratelimit-${what}-limit`,
    remaining: `anthropic-ratelimit-${what}-remaining`,
    reset: `anthropic-ratelimit-${what}-reset`,
  });
  const requests =
    reading(headers, openai('requests'), now) ??
    reading(headers, anthropic('requests'), now) ??
    reading(headers, { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' }, now);
  // Anthropic splits tokens into input and output limits in newer API versions; input tokens are what prompts use.
  const tokens =
    reading(headers, openai('tokens'), now) ??
    reading(headers, anthropic('tokens'), now) ??
    reading(headers, anthropic('input-tokens'), now);
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

/** A completion with the limits its reply announced, when it announced any. */
export function withLimits<T extends object>(completion: T, rateLimit: RateLimitReading | undefined): T {
  return rateLimit ? { ...completion, rateLimit } : completion;
}
