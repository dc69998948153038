/**
 * Requests-per-minute and tokens-per-minute limits for one judge, as token buckets that refill continuously.
 * Waiters are served first come, first served. A request larger than a whole minute's token budget is let
 * through when the bucket is full, rather than waiting forever.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

class Bucket {
  private level: number;
  private updated: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.level = perMinute;
    this.updated = now();
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.perMinute, this.level + ((t - this.updated) * this.perMinute) / 60_000);
    this.updated = t;
  }

  /** Milliseconds until `amount` can be taken (0 = now). */
  wait(amount: number): number {
    this.refill();
    const needed = Math.min(amount, this.perMinute) - this.level;
    return needed <= 0 ? 0 : Math.ceil((needed * 60_000) / this.perMinute);
  }

  take(amount: number): void {
    this.refill();
    this.level -= Math.min(amount, this.perMinute);
  }
}

export class RateLimiter {
  private readonly requests?: Bucket;
  private readonly tokens?: Bucket;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    limits: RateLimits,
    private readonly clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> } = {
      now: () => Date.now(),
      sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    },
  ) {
    if (limits.requestsPerMinute) this.requests = new Bucket(limits.requestsPerMinute, clock.now);
    if (limits.tokensPerMinute) this.tokens = new Bucket(limits.tokensPerMinute, clock.now);
  }

  get active(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Waits until one request of about `tokens` tokens fits under both limits, then books it. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    if (!this.active) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const wait = Math.max(this.requests?.wait(1) ?? 0, this.tokens?.wait(tokens) ?? 0);
        if (wait === 0) break;
        await this.clock.sleep(wait, signal);
      }
      this.requests?.take(1);
      this.tokens?.take(tokens);
    });
    // A waiter that gives up (abort) must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/** A rough token count for budgeting before the provider says (about 4 characters per token in English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
