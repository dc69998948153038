/**
 * A loopback OpenAI-compatible judge that fails the way real endpoints do, for the fault drill
 * (bench/fault-drill.ts). Everything is a function of the prompt, the attempt and a seed, never of timing or
 * arrival order, so a run that is killed and resumed any number of times must end with exactly the answers of an
 * uninterrupted run against a fresh server with the same seed:
 *
 *  - the answer to a prompt is fixed: "better response: A" or "B", or (for about 1 in 12 prompts) a reply with no
 *    verdict at all, which the harness stores as invalid and must not retry;
 *  - the first FAULTY_ATTEMPTS attempts at a prompt fail, each with probability `faultRate`, in one of six ways:
 *    429 with Retry-After, 500, 503, a hang past the client's timeout, a body cut off mid-way, or a 200 with no
 *    message content. Later attempts always succeed, so a client that retries enough never loses an item.
 *
 * The server counts requests and successful answers per prompt (keyed by sha256 of the prompt, which is also the
 * store's prompt hash) and logs which "phase" (which process lifetime, in the drill) each request arrived in.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULT_KINDS = ['429', '500', '503', 'hang', 'truncate', 'no-content'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Attempts (counted by the server, across client restarts) that may fail; every later one succeeds. */
export const FAULTY_ATTEMPTS = 2;

export interface FaultServerOptions {
  seed: number;
  /** Probability that each of the first FAULTY_ATTEMPTS attempts at a prompt fails. */
  faultRate: number;
  /** Sent as Retry-After (seconds) with 429s; the client's cap decides how long it really waits. */
  retryAfterSeconds?: number;
}

export interface ServedRequest {
  key: string;
  attempt: number;
  phase: number;
  fault: FaultKind | null;
}

export interface FaultServer {
  baseURL: string;
  /** Every chat request, in arrival order. */
  log: ServedRequest[];
  /** Per prompt hash: complete 200 answers sent (a fault never counts). */
  answered: Map<string, number>;
  /** Requests arriving from now on are logged with this phase. */
  phase: number;
  close(): Promise<void>;
}

export function promptKey(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex');
}

function uniform(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** The fixed reply text for a prompt (what an uninterrupted run stores too). */
export function replyFor(seed: number, key: string): string {
  const u = uniform(seed, 'reply', key);
  if (u < 1 / 12) return 'Both responses have merits and I cannot decide between them.';
  return `explanation: one of them follows the prompt more closely.\nbetter response: ${u < 0.55 ? 'A' : 'B'}`;
}

/** The fault (if any) the server answers `attempt` at this prompt with. */
export function faultFor(options: FaultServerOptions, key: string, attempt: number): FaultKind | null {
  if (attempt > FAULTY_ATTEMPTS || uniform(options.seed, 'fault', key, attempt) >= options.faultRate) return null;
  return FAULT_KINDS[Math.floor(uniform(options.seed, 'kind', key, attempt) * FAULT_KINDS.length)]!;
}

function completion(content: string | null, choices = true): string {
  return JSON.stringify({
    id: 'chatcmpl-drill',
    object: 'chat.completion',
    created: 0,
    model: 'drill',
    choices: choices
      ? [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }]
      : [],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  });
}

const errorBody = (message: string): string =>
  JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } });

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const attempts = new Map<string, number>();
  const state: Pick<FaultServer, 'log' | 'answered' | 'phase'> = { log: [], answered: new Map(), phase: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let prompt: string | undefined;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages?: { content?: unknown }[] };
        const content = body.messages?.[0]?.content;
        if (typeof content === 'string') prompt = content;
      } catch {
        // answered with a 400 below
      }
      if (prompt === undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(errorBody('expected one user message'));
        return;
      }
      const key = promptKey(prompt);
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const fault = faultFor(options, key, attempt);
      state.log.push({ key, attempt, phase: state.phase, fault });
      const json = { 'content-type': 'application/json' };
      switch (fault) {
        case '429':
          res
            .writeHead(429, { ...json, 'retry-after': String(options.retryAfterSeconds ?? 1) })
            .end(errorBody('Rate limit reached for requests'));
          return;
        case '500':
          res.writeHead(500, json).end(errorBody('The server had an error while processing your request.'));
          return;
        case '503':
          res.writeHead(503, json).end(errorBody('The engine is currently overloaded, please try again later.'));
          return;
        case 'hang':
          return; // never answered: the client's timeout ends it (or close() does)
        case 'truncate': {
          const full = Buffer.from(completion(replyFor(options.seed, key)));
          res.writeHead(200, { ...json, 'content-length': String(full.length) });
          res.write(full.subarray(0, full.length >> 1), () => res.destroy());
          return;
        }
        case 'no-content':
          res.writeHead(200, json).end(completion(null, false));
          return;
        case null:
          res.writeHead(200, json).end(completion(replyFor(options.seed, key)));
          state.answered.set(key, (state.answered.get(key) ?? 0) + 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
