/**
 * The judge for `npm run bench`: a loopback server speaking OpenAI's chat completions API that answers every
 * request with the same verdict, after an optional fixed delay that models a real endpoint's latency. It does
 * as little as possible (no JSON parsing, one pre-serialised body), because it shares the machine's cores with
 * the client being measured. It also records when the first request arrived and the last reply left, so the
 * request phase of any client (the harness, the floor, promptfoo) is timed by the same neutral clock, and it keeps
 * the sha256 of every prompt it was sent, so the bench can check that each client asked exactly the same things.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const FIXED_REPLY = 'explanation: Response A follows the instruction more closely.\nbetter response: A';

export interface JudgeServer {
  /** The `baseURL` for an OpenAI client: http://127.0.0.1:PORT/v1 */
  baseURL: string;
  /** Chat completion requests answered since the last reset(). */
  readonly requests: number;
  /** Most requests in flight at once since the last reset(). */
  readonly peakInFlight: number;
  /** Milliseconds from the first request's arrival to the last reply's end, since the last reset(). */
  readonly activeMs: number;
  /** performance.now() (of this process) when the first request since the last reset() arrived. */
  readonly firstRequestAt: number | undefined;
  /** sha256 (hex) of the user message of every request since the last reset(), in arrival order. */
  readonly promptHashes: readonly string[];
  /** The reply delay in milliseconds; may be changed between runs. */
  delayMs: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startJudgeServer(options: { delayMs?: number } = {}): Promise<JudgeServer> {
  let delayMs = options.delayMs ?? 0;
  const body = Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'bench',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: FIXED_REPLY, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 500, completion_tokens: 20, total_tokens: 520 },
    }),
  );
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  let requests = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  let promptHashes: string[] = [];

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    firstAt ??= performance.now();
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const answer = (): void => {
      res.writeHead(200, headers).end(body);
      requests += 1;
      inFlight -= 1;
      lastAt = performance.now();
    };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The same small cost for every client measured; it proves they all sent the same prompts.
      let prompt = '';
      try {
        const content: unknown = (
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: { content?: unknown }[] }
        ).messages?.[0]?.content;
        if (typeof content === 'string') prompt = content;
      } catch {
        // recorded as the empty prompt: the check fails loudly
      }
      promptHashes.push(createHash('sha256').update(prompt).digest('hex'));
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  // Clients keep connections alive between requests; the server must not close them first mid-run.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    get firstRequestAt() {
      return firstAt;
    },
    get activeMs() {
      return firstAt === undefined || lastAt === undefined ? 0 : lastAt - firstAt;
    },
    get promptHashes() {
      return promptHashes;
    },
    get delayMs() {
      return delayMs;
    },
    set delayMs(ms: number) {
      delayMs = ms;
    },
    reset() {
      promptHashes = [];
      requests = 0;
      peakInFlight = 0;
      firstAt = undefined;
      lastAt = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
