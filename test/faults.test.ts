/**
 * The pieces behind fail-fast, the breaker, the grouped causes and redaction, on the messages Node, undici and the
 * providers really produce (each taken from a run against a loopback server or a dead port).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Breaker } from '../harness/breaker.ts';
import { failureCause, faultKind, groupCauses, isConfigurationFault } from '../harness/faults.ts';
import { TimeoutError } from '../harness/retry.ts';
import { clearSecrets, displayUrl, redact, redactSecrets, registerSecret } from '../core/secrets.ts';
import { JudgeCallError, httpCallError } from '../judges/call-error.ts';

const transport = (message: string): JudgeCallError => new JudgeCallError(message, { retryable: true });

describe('faultKind', () => {
  it('reads what failed from the status or from Node’s own error text', () => {
    expect(faultKind(httpCallError(401, 'Incorrect API key provided'))).toBe('auth');
    expect(faultKind(httpCallError(403, 'permission_error'))).toBe('auth');
    expect(
      faultKind(new JudgeCallError('HTTP 400: API key not valid', { status: 400, retryable: false, fatal: true })),
    ).toBe('auth');
    expect(faultKind(httpCallError(404, 'The model `x` does not exist'))).toBe('not-found');
    expect(faultKind(httpCallError(429, 'Rate limit reached'))).toBe('rate-limit');
    expect(faultKind(httpCallError(503, 'overloaded'))).toBe('server');
    expect(faultKind(httpCallError(400, 'maximum context length'))).toBe('request');
    expect(faultKind(new TimeoutError(5000))).toBe('timeout');
    expect(faultKind(transport('connection failed: connect ECONNREFUSED 127.0.0.1:8000'))).toBe('unreachable');
    expect(faultKind(transport('connection failed: getaddrinfo ENOTFOUND gpu-7.internal'))).toBe('unreachable');
    expect(
      faultKind(
        transport('cannot reach the server: Connect Timeout Error (attempted address: 10.0.0.1:443, timeout: 10000ms)'),
      ),
    ).toBe('unreachable');
    expect(
      faultKind(
        transport(
          'connection failed: 80CCAA24137F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:\n',
        ),
      ),
    ).toBe('tls');
    expect(faultKind(transport('connection failed: self-signed certificate'))).toBe('tls');
    expect(faultKind(transport('connection failed: bad port'))).toBe('bad-url');
    expect(faultKind(transport('the response body was cut off or is not valid JSON: terminated'))).toBe('reply');
    expect(faultKind(new Error('judge bug'))).toBe('other');
  });

  it('treats an unreachable server as a configuration fault only before it has answered once', () => {
    expect(isConfigurationFault('unreachable', false)).toBe(true);
    expect(isConfigurationFault('unreachable', true)).toBe(false); // it went away: the breaker's call
    for (const kind of ['auth', 'not-found', 'tls', 'bad-url'] as const)
      expect(isConfigurationFault(kind, true)).toBe(true);
    for (const kind of ['server', 'timeout', 'reply', 'request', 'rate-limit'] as const)
      expect(isConfigurationFault(kind, false)).toBe(false);
  });
});

describe('failure causes', () => {
  it('drops the attempt count and per-request ids, and shortens, so one cause is one group', () => {
    expect(failureCause('HTTP 500: internal error (after 5 attempts)')).toBe('HTTP 500: internal error');
    expect(failureCause('HTTP 400: too long (request req_8f3a9c2d1e)')).toBe('HTTP 400: too long (request …)');
    expect(failureCause('HTTP 502: upstream 3f2b9c1d8e7a6f5b4c3d2e1f0a9b8c7d failed')).toBe(
      'HTTP 502: upstream … failed',
    );
    expect(failureCause('x'.repeat(300))).toHaveLength(100);
    expect(
      groupCauses(['HTTP 500: a (after 3 attempts)', 'timeout', 'HTTP 500: a (after 5 attempts)', 'HTTP 500: a']),
    ).toEqual([
      { cause: 'HTTP 500: a', count: 3 },
      { cause: 'timeout', count: 1 },
    ]);
  });
});

describe('Breaker', () => {
  it(
    'opens on N same-cause failures in a row lasting at least the time given; ' +
      'an answer or another cause restarts it',
    () => {
      let now = 0;
      const breaker = new Breaker({ failures: 3, ms: 1000 }, () => now);
      const refused = 'connection failed: connect ECONNREFUSED 127.0.0.1:1';
      expect(breaker.failure('unreachable', refused)).toBeUndefined();
      now = 100;
      expect(breaker.failure('unreachable', refused)).toBeUndefined();
      now = 200;
      expect(breaker.failure('unreachable', refused)).toBeUndefined(); // three, but only 200 ms: a burst, not an outage
      breaker.success();
      now = 1500;
      expect(breaker.failure('unreachable', refused)).toBeUndefined();
      now = 2000;
      expect(breaker.failure('timeout', 'no complete reply within 5s')).toBeUndefined(); // another cause: a new streak
      now = 2600;
      expect(breaker.failure('timeout', 'no complete reply within 5s')).toBeUndefined();
      expect(breaker.failure('rate-limit', 'HTTP 429: slow down')).toBeUndefined(); // pacing, not an outage: ignored
      now = 3100;
      expect(breaker.failure('timeout', 'no complete reply within 5s (after 2 attempts)')).toEqual({
        cause: 'no complete reply within 5s',
        count: 3,
        sinceMs: 1100,
      });
      expect(breaker.answered).toBe(true);
    },
  );
});

describe('redaction', () => {
  afterEach(() => clearSecrets());

  it('removes registered secrets anywhere, and credential-shaped text it was never told about', () => {
    registerSecret('sk-live-abcdef123456', 'p@ss word!', 'ab'); // 'ab' is too short to register
    expect(redactSecrets('key sk-live-abcdef123456 and p@ss%20word! or p%40ss%20word!, ab')).toBe(
      'key *** and p@ss%20word! or ***, ab',
    );
    expect(
      redact('GET http://u:hunter22@gw/v1?api_key=zzz&x=1 Authorization: Bearer abc.def-123 x-api-key: k1k1k1'),
    ).toBe('GET http://***@gw/v1?api_key=***&x=1 Authorization: Bearer *** x-api-key: ***');
  });

  it('shows a URL without its user, password or query values', () => {
    expect(displayUrl(new URL('https://me:pw@gw.example/v1?key=k&api-version=2024-02-01'))).toBe(
      'https://***@gw.example/v1?key=***&api-version=***',
    );
    expect(displayUrl(new URL('http://127.0.0.1:8080'))).toBe('http://127.0.0.1:8080');
    expect(displayUrl(new URL('http://127.0.0.1:8080/v1'))).toBe('http://127.0.0.1:8080/v1');
  });
});
