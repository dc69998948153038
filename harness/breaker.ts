/**
 * The circuit breaker for one run's endpoint. Every attempt reports here: an answer (any answer, even one without
 * a verdict) closes the streak; a failure extends it when it has the same cause as the one before. When the
 * streak reaches `failures` attempts AND has lasted `ms`, the endpoint is taken to be gone: the run stops
 * dispatching instead of burning every item's attempts against it. Both conditions matter: a count alone would
 * trip on one burst of concurrent failures that the server recovers from a second later; a duration alone would
 * trip on two slow failures. 429s never count: being told to slow down is pacing, not an outage.
 */
import type { BreakerSettings } from '../protocol/limits.ts';
import { failureCause, type FaultKind } from './faults.ts';

/** At least 10, and twice the concurrency: every worker must have failed twice in a row. */
export function defaultBreaker(concurrency: number): BreakerSettings {
  return { failures: Math.max(10, 2 * concurrency), ms: 5_000 };
}

export interface BreakerTrip {
  cause: string;
  count: number;
  sinceMs: number;
}

export class Breaker {
  /** Whether the endpoint has answered at least once in this run. */
  answered = false;
  private streak = 0;
  private cause: string | undefined;
  private since = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  success(): void {
    this.answered = true;
    this.streak = 0;
    this.cause = undefined;
  }

  /** One failed attempt; returns the trip when this failure opens the breaker. */
  failure(kind: FaultKind, message: string): BreakerTrip | undefined {
    if (kind === 'rate-limit' || kind === 'request') return undefined;
    const cause = failureCause(message);
    if (cause !== this.cause) {
      this.cause = cause;
      this.streak = 0;
      this.since = this.now();
    }
    this.streak += 1;
    const lasted = this.now() - this.since;
    if (this.streak >= this.settings.failures && lasted >= this.settings.ms) {
      return { cause, count: this.streak, sinceMs: lasted };
    }
    return undefined;
  }
}
