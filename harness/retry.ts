/**
 * The one retry policy for every judge: bounded attempts, a timeout per attempt that also bounds a slow body
 * (the attempt's AbortSignal reaches the SDK's fetch, and the harness stops waiting either way), exponential
 * backoff with jitter, and the server's Retry-After honoured but capped, so "retry-after: 3600" cannot park a
 * worker for an hour. SDK clients are created with their own retries off.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JudgeCallError } from '../judges/call-error.ts';
import type { RetryPolicy } from '../protocol/limits.ts';

export interface RetryHooks {
  /** Called before waiting to retry. */
  onRetry?(error: JudgeCallError, attempt: number, delayMs: number): void;
  /** Every attempt's end: null when it answered, else its error (not called when the run's signal aborted it). */
  onAttempt?(error: Error | null): void;
  /** Awaited before every attempt (the pacer's slot); a rejection means the run stopped: StoppedBeforeRetry. */
  beforeAttempt?(): Promise<void>;
  /**
   * A 429 with a pacer in charge: called instead of counting a failure and sleeping; the next attempt's
   * beforeAttempt waits as long as the pacer holds.
   */
  onRateLimited?(error: JudgeCallError): void;
  /** A failure that every other request would share (a rejected key, no server): not retried, thrown as it is. */
  isFatal?(error: Error): boolean;
  /**
   * Aborted when the run stops dispatching but lets requests in flight finish (Ctrl-C, --max-cost): no new attempt
   * starts after it, and a wait to retry ends at once with StoppedBeforeRetry.
   */
  noNewAttempts?: AbortSignal;
  /** Injected for tests. */
  random?: () => number;
}

export class TimeoutError extends JudgeCallError {
  constructor(ms: number) {
    super(`no complete reply within ${(ms / 1000).toFixed(ms < 1000 ? 1 : 0)}s`, { retryable: true });
    this.name = 'TimeoutError';
  }
}

/** A request that failed and would have been retried, but the run stopped dispatching first: not an answer. */
export class StoppedBeforeRetry extends Error {
  constructor(
    readonly last: Error,
    /** Requests made for this item before the stop (0: it was never sent). */
    readonly requestsMade = 1,
  ) {
    super(`not retried: the run stopped (${last.message})`, { cause: last });
    this.name = 'StoppedBeforeRetry';
  }
}

/** The final failure after all attempts, with how many were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly last: JudgeCallError | Error,
    readonly attempts: number,
  ) {
    super(attempts > 1 ? `${last.message} (after ${attempts} attempts)` : last.message, { cause: last });
    this.name = 'RetriesExhausted';
  }
}

export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the backoff, so retries stay spread out but never collapse to zero.
  return exponential / 2 + random() * (exponential / 2);
}

/**
 * One attempt's signal: aborted by its timeout or by the run's signal. Plain listeners rather than
 * AbortSignal.any, which costs more than the call itself for an instant judge (this is on every judgment's path);
 * `release` must be called when the attempt is over, so the run's signal does not collect listeners.
 */
function attemptSignal(
  run: AbortSignal,
  timeoutMs: number,
): { signal: AbortSignal; aborted: Promise<never>; release(): void } {
  const attempt = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
  });
  aborted.catch(() => undefined); // observed through Promise.race; never an unhandled rejection
  const forward = (): void => attempt.abort(run.reason);
  const timer = setTimeout(() => attempt.abort(new TimeoutError(timeoutMs)), timeoutMs);
  if (run.aborted) forward();
  else run.addEventListener('abort', forward, { once: true });
  return {
    signal: attempt.signal,
    aborted,
    release() {
      clearTimeout(timer);
      run.removeEventListener('abort', forward);
    },
  };
}

/**
 * Runs `call` until it succeeds, fails with something not worth retrying, or runs out of attempts.
 * Throws the caller's abort reason when `signal` aborts; otherwise failures come out as RetriesExhausted.
 */
export async function callWithRetries<T>(
  call: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  hooks: RetryHooks = {},
): Promise<{ value: T; attempts: number }> {
  let failures = 0;
  let rateLimited = 0;
  let last: Error | undefined;
  for (let attempt = 1; ; attempt++) {
    if (hooks.beforeAttempt) {
      try {
        await hooks.beforeAttempt();
      } catch {
        if (signal.aborted) throw signal.reason;
        throw new StoppedBeforeRetry(last ?? new Error('not asked: the run stopped first'), attempt - 1);
      }
    }
    const current = attemptSignal(signal, policy.timeoutMs);
    try {
      // Racing the abort bounds the wait even for a judge that ignores its signal.
      const value = await Promise.race([call(current.signal), current.aborted]);
      hooks.onAttempt?.(null);
      return { value, attempts: attempt };
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const reason: unknown = current.signal.aborted ? current.signal.reason : thrown;
      const error: Error = reason instanceof Error ? reason : new Error(String(reason));
      hooks.onAttempt?.(error);
      last = error;
      // Told to slow down: the pacer holds every request (this one's retry included) until the endpoint allows
      // more, so it is not one of this item's failures; bounded all the same, by maxRateLimited.
      if (hooks.onRateLimited && error instanceof JudgeCallError && error.details.status === 429) {
        rateLimited += 1;
        if (rateLimited > policy.maxRateLimited) throw new RetriesExhausted(error, attempt);
        if (hooks.noNewAttempts?.aborted) throw new StoppedBeforeRetry(error);
        hooks.onRateLimited(error);
        hooks.onRetry?.(error, attempt, 0);
        continue;
      }
      failures += 1;
      if (hooks.isFatal?.(error)) {
        const fatal =
          error instanceof JudgeCallError
            ? new JudgeCallError(error.message, { ...error.details, fatal: true })
            : error;
        throw new RetriesExhausted(fatal, attempt);
      }
      const retryable = error instanceof JudgeCallError && error.details.retryable && !error.details.fatal;
      if (!retryable || failures >= policy.maxAttempts) throw new RetriesExhausted(error, attempt);
      if (hooks.noNewAttempts?.aborted) throw new StoppedBeforeRetry(error);
      const serverSaid = error.details.retryAfterMs;
      const delay =
        serverSaid !== undefined
          ? Math.min(serverSaid, policy.maxRetryAfterMs)
          : backoffMs(failures, policy, hooks.random);
      hooks.onRetry?.(error, attempt, delay);
      await waitToRetry(delay, signal, hooks.noNewAttempts, error);
    } finally {
      current.release();
    }
  }
}

/** The backoff before the next attempt: ended by the run's abort (its reason) or by a stop of dispatching. */
async function waitToRetry(
  delayMs: number,
  signal: AbortSignal,
  noNewAttempts: AbortSignal | undefined,
  last: Error,
): Promise<void> {
  const either = noNewAttempts ? AbortSignal.any([signal, noNewAttempts]) : signal;
  try {
    await sleep(delayMs, undefined, { signal: either });
  } catch {
    if (signal.aborted) throw signal.reason;
    throw new StoppedBeforeRetry(last);
  }
}
