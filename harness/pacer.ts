/**
 * Paces one run's requests to its endpoint's rate limits, so a run on a low provider tier finishes instead of
 * losing half its items to 429s:
 * - the limits are the configured ones (limits.requestsPerMinute / tokensPerMinute) or, lower, the ones every reply
 *   announces (judges/adapters/rate-limit-headers.ts), adopted as they change: a raised limit speeds the run up again;
 * - requests leave evenly spaced (a generic cell rate: each booking moves the next free slot on by 60 s / limit),
 *   with a small tolerance for late wake-ups, so a server whose bucket holds only a second's worth never sees a burst;
 * - a reply saying nothing is left (remaining 0) holds everyone until its reset;
 * - a 429 holds everyone until its Retry-After (capped), or a growing backoff when it gives none, instead of every
 *   worker retrying on its own schedule (the storm that exhausts their attempts); with no limits announced, a 429
 *   without Retry-After, or 429s coming back for more than a tenth of the requests, also cut the pace to 70% of
 *   what was going through (once per burst of 429s), which then creeps back up by 0.2% per answered request.
 * Waiters are served first come, first served. Every attempt books a slot, retries included.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimitReading } from '../judges/adapters/rate-limit-headers.ts';
import type { RateLimits } from '../protocol/limits.ts';

/** How long a 429 holds everyone: the retry policy's caps (harness/retry.ts), shared by every request. */
interface PacerWaits {
  /** First wait for a 429 without Retry-After; doubles per consecutive 429. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Cap on a server-given Retry-After. */
  maxRetryAfterMs: number;
}

const DEFAULT_WAITS: PacerWaits = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

/** Announced limits are used at this share: clocks and counting windows differ a little between client and server. */
const HEADROOM = 0.95;
/** How late a slot may be taken without pushing the next ones back (a worker wakes up a few ms after its turn). */
const TOLERANCE_MS = 200;
/** The window over which the pace that drew a 429 is measured. */
const RECENT_MS = 10_000;
/** 429s above this share of the recent requests mean the pace itself is too fast, Retry-After or not. */
const TOO_MANY_429 = 0.1;
/** Requests in the window before a 429 may set a pace, and how often a pace may be cut (one cut per burst). */
const MIN_PACE_EVIDENCE = 20;
const SLOW_DOWN_EVERY_MS = 1_000;
/** Without announced limits, each answered request raises a learned pace by this factor (+22% per 100 answers). */
const RECOVERY = 1.002;
/** A rate learned from 429s alone never falls below this (requests per minute). */
const MIN_LEARNED_RPM = 6;

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, undefined, { signal }) };

export class Pacer {
  private announcedRpm: number | undefined;
  private announcedTpm: number | undefined;
  /** Without announced limits, the rate learned from 429s (requests per minute); undefined until the first 429. */
  private learnedRpm: number | undefined;
  private nextRequestAt = -Infinity;
  private nextTokenAt = -Infinity;
  private heldUntil = 0;
  private throttledInARow = 0;
  private slowedAt = -Infinity;
  private recent429: number[] = [];
  private recent: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  /** 429 replies seen, and milliseconds spent held by them or by "remaining 0" (for the run's report). */
  throttled = 0;

  constructor(
    private readonly configured: RateLimits = {},
    private readonly clock: Clock = REAL_CLOCK,
    private readonly waits: PacerWaits = DEFAULT_WAITS,
  ) {}

  /** Requests per minute in force (undefined: unpaced). */
  get requestsPerMinute(): number | undefined {
    return lowest(this.configured.requestsPerMinute, this.announcedRpm, this.learnedRpm);
  }

  get tokensPerMinute(): number | undefined {
    return lowest(this.configured.tokensPerMinute, this.announcedTpm);
  }

  /** Waits for a slot for one request of about `tokens` tokens, then books it. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    // Nothing to pace and nobody waiting (the common case: no limits announced, none configured): no queue.
    if (this.waiting === 0 && this.requestsPerMinute === undefined && this.tokensPerMinute === undefined) {
      const now = this.clock.now();
      if (this.heldUntil <= now) {
        if (signal?.aborted) return Promise.reject(signal.reason);
        this.booked(now);
        return Promise.resolve();
      }
    }
    this.waiting += 1;
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const now = this.clock.now();
        const rpm = this.requestsPerMinute;
        const tpm = this.tokensPerMinute;
        const wait = Math.max(
          this.heldUntil - now,
          rpm === undefined ? 0 : this.nextRequestAt - TOLERANCE_MS - now,
          tpm === undefined ? 0 : this.nextTokenAt - TOLERANCE_MS - now,
        );
        if (wait <= 0) {
          if (rpm !== undefined) this.nextRequestAt = Math.max(now - TOLERANCE_MS, this.nextRequestAt) + 60_000 / rpm;
          if (tpm !== undefined) {
            this.nextTokenAt = Math.max(now - TOLERANCE_MS, this.nextTokenAt) + (Math.min(tokens, tpm) * 60_000) / tpm;
          }
          this.booked(now);
          return;
        }
        // Re-evaluated after each nap: a reply may have raised the limits meanwhile.
        await this.clock.sleep(Math.min(wait, 1_000), signal);
      }
    });
    // A waiter that gives up (a stop) must not block the ones behind it.
    this.queue = turn.catch(() => undefined).finally(() => (this.waiting -= 1));
    return turn;
  }

  /** A reply arrived: adopt the limits it announces, and hold everyone if it says nothing is left. */
  answered(reading: RateLimitReading | undefined): void {
    this.throttledInARow = 0;
    if (this.learnedRpm !== undefined) this.learnedRpm *= RECOVERY;
    this.adopt(reading);
  }

  /** A 429 came back: everyone waits for its Retry-After (or a growing backoff), and an unannounced pace slows. */
  rateLimited(retryAfterMs: number | undefined, reading: RateLimitReading | undefined): void {
    this.throttled += 1;
    this.throttledInARow += 1;
    this.adopt(reading);
    const { baseDelayMs, maxDelayMs, maxRetryAfterMs } = this.waits;
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (this.throttledInARow - 1));
    this.hold(retryAfterMs === undefined ? backoff : Math.min(retryAfterMs, maxRetryAfterMs));
    const now = this.clock.now();
    this.recent429.push(now);
    this.recent429 = this.recent429.filter((t) => t > now - RECENT_MS);
    // With no limits announced, the pace is cut when the 429s say it is too fast: one without Retry-After (it says
    // only "slower"), or 429s that are more than a tenth of what went out lately. A gateway's odd 429 with a
    // Retry-After only holds everyone until then. At most one cut per burst (the requests in flight when the limit
    // was hit all come back 429 together).
    const unannounced = this.announcedRpm === undefined && this.configured.requestsPerMinute === undefined;
    const often = this.recent429.length > TOO_MANY_429 * Math.max(MIN_PACE_EVIDENCE, this.recentCount(now));
    if (unannounced && (retryAfterMs === undefined || often) && now - this.slowedAt >= SLOW_DOWN_EVERY_MS) {
      const going = this.currentRpm();
      if (going !== undefined) {
        const from = this.learnedRpm === undefined ? going : Math.min(going, this.learnedRpm);
        this.learnedRpm = Math.max(MIN_LEARNED_RPM, 0.7 * from);
        this.slowedAt = now;
      }
    }
  }

  private adopt(reading: RateLimitReading | undefined): void {
    if (!reading) return;
    const { requests, tokens } = reading;
    if (requests?.limit !== undefined && requests.limit > 0) this.announcedRpm = requests.limit * HEADROOM;
    if (tokens?.limit !== undefined && tokens.limit > 0) this.announcedTpm = tokens.limit * HEADROOM;
    for (const r of [requests, tokens]) {
      if (r?.remaining !== undefined && r.remaining <= 0 && r.resetMs !== undefined) {
        // Nothing left until the window refills; one slot's worth comes back after limit⁻¹ of a minute at most.
        this.hold(r.limit ? Math.min(r.resetMs, 60_000 / r.limit) : r.resetMs);
      }
    }
  }

  private hold(ms: number): void {
    this.heldUntil = Math.max(this.heldUntil, this.clock.now() + ms);
  }

  private recentCount(now: number): number {
    this.recent = this.recent.filter((t) => t > now - RECENT_MS);
    return this.recent.length;
  }

  private booked(now: number): void {
    this.recent.push(now);
    if (this.recent.length > 4_096) this.recent = this.recent.filter((t) => t > now - RECENT_MS);
  }

  /**
   * Requests per minute booked over the last 10 s (at least 1 s of them): the pace a 429 says was too fast;
   * undefined when too few went out to tell (a handful of requests hitting a 429 say nothing about a pace).
   */
  private currentRpm(): number | undefined {
    const now = this.clock.now();
    this.recent = this.recent.filter((t) => t > now - RECENT_MS);
    if (this.recent.length < MIN_PACE_EVIDENCE) return undefined;
    const span = Math.max(1_000, now - this.recent[0]!);
    return Math.max(MIN_LEARNED_RPM, (this.recent.length * 60_000) / span);
  }
}

function lowest(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && v > 0);
  return defined.length === 0 ? undefined : Math.min(...defined);
}
