import { describe, expect, it } from 'vitest';
import { JudgeCallError, httpCallError, retryAfterMs } from '../judges/call-error.ts';
import { RetriesExhausted, TimeoutError, backoffMs, callWithRetries } from '../harness/retry.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../protocol/limits.ts';

const fast: RetryPolicy = {
  maxAttempts: 4,
  timeoutMs: 200,
  baseDelayMs: 5,
  maxDelayMs: 40,
  maxRateLimited: 30,
  maxRetryAfterMs: 30,
};

describe('Retry-After', () => {
  it('reads retry-after-ms, seconds and HTTP dates, from Headers or plain objects', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500' }))).toBe(1500);
    expect(retryAfterMs(new Headers({ 'Retry-After': '3' }))).toBe(3000);
    expect(retryAfterMs({ 'retry-after': '0.5' })).toBe(500);
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 12:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('classifies statuses: 429, 5xx and 529 retry; 401/403 stop the run; other 4xx do not retry', () => {
    for (const status of [408, 429, 500, 502, 503, 529])
      expect(httpCallError(status, 'x').details.retryable, String(status)).toBe(true);
    for (const status of [401, 403])
      expect(httpCallError(status, 'x').details).toMatchObject({ retryable: false, fatal: true });
    for (const status of [400, 404, 422])
      expect(httpCallError(status, 'x').details).toMatchObject({ retryable: false, fatal: false });
    expect(httpCallError(429, 'slow down', { 'retry-after': '2' }).details.retryAfterMs).toBe(2000);
  });
});

describe('callWithRetries', () => {
  it('backs off exponentially with jitter, within [half, full] of the capped exponential', () => {
    expect(backoffMs(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
    expect(backoffMs(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(1000);
    expect(backoffMs(3, DEFAULT_RETRY_POLICY, () => 1)).toBe(4000);
    expect(backoffMs(20, DEFAULT_RETRY_POLICY, () => 1)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('honours Retry-After, capped, and succeeds on a later attempt', async () => {
    const delays: number[] = [];
    let calls = 0;
    const { value, attempts } = await callWithRetries(
      async () => {
        calls += 1;
        if (calls === 1) throw httpCallError(429, 'rate limited', { 'retry-after-ms': '10' });
        if (calls === 2) throw httpCallError(529, 'overloaded', { 'retry-after': '3600' }); // an hour: capped
        return 'ok';
      },
      fast,
      new AbortController().signal,
      { onRetry: (_e, _a, delay) => delays.push(delay) },
    );
    expect(value).toBe('ok');
    expect(attempts).toBe(3);
    expect(delays).toEqual([10, fast.maxRetryAfterMs]);
  });

  it('gives up after the bounded number of attempts', async () => {
    let calls = 0;
    const error = await callWithRetries(
      async () => {
        calls += 1;
        throw httpCallError(503, 'unavailable');
      },
      fast,
      new AbortController().signal,
    ).catch((e: unknown) => e);
    expect(calls).toBe(fast.maxAttempts);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(4);
    expect((error as Error).message).toBe('HTTP 503: unavailable (after 4 attempts)');
  });

  it('does not retry what retrying cannot fix', async () => {
    for (const thrown of [
      httpCallError(400, 'bad request'),
      httpCallError(401, 'bad key'),
      new Error('a bug in a judge'),
    ]) {
      let calls = 0;
      const error = await callWithRetries(
        async () => {
          calls += 1;
          throw thrown;
        },
        fast,
        new AbortController().signal,
      ).then(
        () => undefined,
        (e: unknown) => e as RetriesExhausted,
      );
      expect(calls).toBe(1);
      expect(error?.last).toBe(thrown);
    }
  });

  it('times out an attempt that hangs, even one that ignores its abort signal, and retries it', async () => {
    let calls = 0;
    const started = Date.now();
    const error = await callWithRetries(
      () => {
        calls += 1;
        return new Promise<string>(() => {}); // never settles, never looks at the signal
      },
      { ...fast, maxAttempts: 2, timeoutMs: 60 },
      new AbortController().signal,
    ).then(
      () => undefined,
      (e: unknown) => e as RetriesExhausted,
    );
    expect(calls).toBe(2);
    expect(error?.last).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes the per-attempt signal on, so a well-behaved call is aborted at the timeout', async () => {
    let aborted = false;
    await callWithRetries(
      (signal) =>
        new Promise<string>((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      { ...fast, maxAttempts: 1, timeoutMs: 30 },
      new AbortController().signal,
    ).catch(() => undefined);
    expect(aborted).toBe(true);
  });

  it('stops at once when the run is aborted (Ctrl-C), without retrying', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = callWithRetries(
      async () => {
        calls += 1;
        throw new JudgeCallError('overloaded', { retryable: true, retryAfterMs: 10_000 });
      },
      { ...fast, maxRetryAfterMs: 10_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('interrupted')), 20);
    await expect(pending).rejects.toThrow('interrupted');
    expect(calls).toBe(1);
  });
});
