/**
 * A loopback OpenAI-compatible endpoint that enforces requests- and tokens-per-minute limits the way providers do:
 * each limit is a token bucket refilling continuously, holding one second's worth (a provider's short-window
 * enforcement, which is what bursts trip over), and a request over either limit gets a 429 with `retry-after-ms`
 * (how long until it would fit). Tokens are counted as OpenAI counts them when a request arrives: the prompt
 * (4 characters a token) plus max_tokens. With `announce`, every reply carries OpenAI's x-ratelimit-* headers; the
 * limits may be changed mid-run (a raised tier). Used by `npm run bench` (the rate-limit table) and the tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const RATE_LIMITED_REPLY = 'explanation: Response A follows the instruction more closely.\nbetter response: A';

export interface RateLimitedOptions {
  requestsPerMinute: number;
  tokensPerMinute?: number;
  /** Send x-ratelimit-{limit,remaining,reset}-{requests,tokens} on every reply (as OpenAI does). */
  announce: boolean;
  /** Reply latency in milliseconds. */
  delayMs?: number;
}

export interface RateLimitedServer {
  baseURL: string;
  /** Requests answered with a completion. */
  readonly accepted: number;
  /** Requests answered 429. */
  readonly rejected: number;
  /** performance.now() of the first and last accepted request. */
  readonly firstAt: number | undefined;
  readonly lastAt: number | undefined;
  /** Change the limits (a raised tier); buckets keep their level. */
  setLimits(requestsPerMinute: number, tokensPerMinute?: number): void;
  close(): Promise<void>;
}

class Bucket {
  private level: number;
  private at = performance.now();

  constructor(public perMinute: number) {
    this.level = this.capacity;
  }

  get capacity(): number {
    return this.perMinute / 60; // one second's worth
  }

  private refill(): void {
    const now = performance.now();
    this.level = Math.min(this.capacity, this.level + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
  }

  /** Milliseconds until `amount` fits (0: it fits now). */
  wait(amount: number): number {
    this.refill();
    const short = Math.min(amount, this.capacity) - this.level;
    return short <= 0 ? 0 : Math.ceil((short * 60_000) / this.perMinute);
  }

  take(amount: number): void {
    this.level -= Math.min(amount, this.capacity);
  }

  remaining(): number {
    this.refill();
    return Math.max(0, Math.floor(this.level));
  }
}

function headersFor(requests: Bucket, tokens: Bucket | undefined): Record<string, string> {
  const reset = (b: Bucket) => `${Math.max(0, ((b.capacity - b.remaining()) * 60) / b.perMinute).toFixed(3)}s`;
  return {
    'x-ratelimit-limit-requests': String(requests.perMinute),
    'x-ratelimit-remaining-requests': String(requests.remaining()),
    'x-ratelimit-reset-requests': reset(requests),
    ...(tokens
      ? {
          'x-ratelimit-limit-tokens': String(tokens.perMinute),
          'x-ratelimit-remaining-tokens': String(tokens.remaining()),
          'x-ratelimit-reset-tokens': reset(tokens),
        }
      : {}),
  };
}

export async function startRateLimitedServer(options: RateLimitedOptions): Promise<RateLimitedServer> {
  const requests = new Bucket(options.requestsPerMinute);
  let tokens = options.tokensPerMinute ? new Bucket(options.tokensPerMinute) : undefined;
  let accepted = 0;
  let rejected = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let cost = 0;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          messages?: { content?: string }[];
          max_tokens?: number;
        };
        cost = Math.ceil((body.messages?.[0]?.content ?? '').length / 4) + (body.max_tokens ?? 0);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad JSON"}}');
        return;
      }
      const wait = Math.max(requests.wait(1), tokens?.wait(cost) ?? 0);
      const limits = options.announce ? headersFor(requests, tokens) : {};
      if (wait > 0) {
        rejected += 1;
        const body = JSON.stringify({
          error: {
            message: 'Rate limit reached. Please try again later.',
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        });
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': String(wait), ...limits }).end(body);
        return;
      }
      requests.take(1);
      tokens?.take(cost);
      accepted += 1;
      firstAt ??= performance.now();
      lastAt = performance.now();
      const reply = JSON.stringify({
        id: `chatcmpl-${accepted}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'rate-limited',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: RATE_LIMITED_REPLY, refusal: null },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: cost, completion_tokens: 20, total_tokens: cost + 20 },
      });
      const send = () => res.writeHead(200, { 'content-type': 'application/json', ...limits }).end(reply);
      if (options.delayMs) setTimeout(send, options.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get accepted() {
      return accepted;
    },
    get rejected() {
      return rejected;
    },
    get firstAt() {
      return firstAt;
    },
    get lastAt() {
      return lastAt;
    },
    setLimits(rpm, tpm) {
      requests.perMinute = rpm;
      if (tpm !== undefined) tokens = tokens ? Object.assign(tokens, { perMinute: tpm }) : new Bucket(tpm);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
