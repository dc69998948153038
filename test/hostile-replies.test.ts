/**
 * Hostile replies, through the real run path: a judge built by createJudge from a --config file, the real SDK
 * (openai for an openai-compatible server, @anthropic-ai/sdk, @google/genai) or the flame adapter's own fetch,
 * real HTTP to a loopback double speaking the provider's wire protocol, runEval and its store. One run per
 * adapter asks eleven RewardBench items, each met with one behaviour: a 10 MB body (declared in Content-Length,
 * chunked without one, and declared with status 503), a body trickling one byte per second, invalid JSON,
 * invalid UTF-8, a proxy's HTML page with status 200, a reply without a verdict, and three normal replies. Each
 * hostile item must be stored as a failure naming its cause, within the attempt timeout and without reading the
 * big body to its end, while the other items still get their verdicts.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { prepareItems } from '../harness/prepare.ts';
import { judgeFingerprint, runEval } from '../harness/run.ts';
import { Store, type Judgment } from '../harness/store.ts';
import { loadJudgeConfig } from '../judges/config.ts';
import { boundReply, readBounded } from '../judges/adapters/bounded-fetch.ts';
import { JudgeCallError } from '../judges/call-error.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { messageBody, startAnthropicDouble } from './doubles/anthropic-server.ts';
import { startFlameServer, tokenize, vllmKit } from './doubles/flame-servers.ts';
import { startGeminiDouble, textBody } from './doubles/gemini-server.ts';
import type { Reply } from './doubles/http-double.ts';
import { completionBody, startOpenAIDouble, type ChatCall } from './doubles/openai-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'hostile-test-key-4f9a2c';
const TIMEOUT_MS = 1500;
/** Two attempts: retryable causes (timeout, bad JSON, bad UTF-8, an HTML page) show it by being asked twice. */
const LIMITS = { concurrency: 12, timeoutMs: TIMEOUT_MS, maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 };
const HUGE_BYTES = 10_000_000;
const MiB = 1024 * 1024;
const VERDICT_TEXT = 'explanation: Response A follows the instruction; B does not.\nbetter response: A';
const NO_VERDICT_TEXT = 'Both responses have merits, and I cannot decide between them.';
/** Replaced by bytes that are not UTF-8; the text around it holds a verdict that must not be read. */
const MARK = 'MARK-NOT-UTF8';
const BAD_BYTES = Buffer.from([0xc3, 0x28, 0xff]);
const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1>\n' +
  '<p>The proxy got no valid answer from the upstream server.</p>\n'.repeat(400) +
  '</body></html>\n';

/** What item i of the run meets, in item order. */
const PLAN = [
  'huge-declared',
  'huge-chunked',
  'huge-503',
  'trickle',
  'invalid-json',
  'invalid-utf8',
  'html-200',
  'no-verdict',
  'ok',
  'ok',
  'ok',
] as const;
type Behaviour = (typeof PLAN)[number];

/** What the server saw of each big body and each trickle: how much went out, and when the client hung up. */
interface Wire {
  huge: { written: number; finished: boolean; closed: boolean }[];
  trickles: { startedAt: number; closedAt?: number; written: number }[];
}

/** A 10 MB JSON body that never completes, written at a pace the client can keep up with, until it hangs up. */
function huge(declared: boolean, wire: Wire, status = 200): Reply {
  return {
    respond(res: http.ServerResponse) {
      const sent = { written: 0, finished: false, closed: false };
      wire.huge.push(sent);
      res.on('error', () => undefined); // the client hanging up mid-write is the point
      res.on('close', () => (sent.closed = true));
      res.on('finish', () => (sent.finished = true));
      const length = declared ? { 'content-length': String(HUGE_BYTES) } : {};
      res.writeHead(status, { 'content-type': 'application/json', ...length });
      const chunk = Buffer.alloc(256 * 1024, 'a');
      // Paced (256 KiB per 4 ms at most, and only once the last write drained), so what has been written when
      // the client hangs up is about what it read: a writer racing ahead would fill the socket buffers (several
      // MB on loopback) whatever the client does, and the count would say nothing about the client. Not slower:
      // on a busy machine timers stretch, and the cap must still be reached well within the attempt timeout.
      const pump = (): void => {
        if (sent.closed) return;
        if (sent.written >= HUGE_BYTES) return void res.end();
        const rest = HUGE_BYTES - sent.written;
        const piece = sent.written === 0 ? Buffer.from('{"pad":"') : chunk.subarray(0, Math.min(chunk.length, rest));
        sent.written += piece.length;
        const next = (): unknown => setTimeout(pump, 4);
        if (res.write(piece)) next();
        else res.once('drain', next);
      };
      pump();
    },
  };
}

/** A valid reply sent one byte per second (headers at once, so it is a slow body, not slow headers). */
function trickle(body: unknown, wire: Wire): Reply {
  return {
    respond(res: http.ServerResponse) {
      const bytes = Buffer.from(JSON.stringify(body));
      const sent: Wire['trickles'][number] = { startedAt: performance.now(), written: 0 };
      wire.trickles.push(sent);
      res.on('error', () => undefined);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      const next = (): void => {
        if (sent.written < bytes.length) res.write(bytes.subarray(sent.written, ++sent.written));
      };
      next();
      const timer = setInterval(next, 1000);
      res.on('close', () => {
        clearInterval(timer);
        sent.closedAt = performance.now();
      });
    },
  };
}

/** A complete, correctly framed reply whose JSON text holds bytes that are not UTF-8 where MARK was. */
function invalidUtf8(body: unknown): Reply {
  const parts = JSON.stringify(body).split(MARK);
  const bytes = Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [] : [BAD_BYTES]).concat(Buffer.from(part))));
  return {
    respond(res: http.ServerResponse) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      res.end(bytes);
    },
  };
}

function reply(behaviour: Behaviour, body: (text: string) => unknown, wire: Wire): Reply {
  switch (behaviour) {
    case 'huge-declared':
      return huge(true, wire);
    case 'huge-chunked':
      return huge(false, wire);
    case 'huge-503':
      return huge(true, wire, 503);
    case 'trickle':
      return trickle(body(VERDICT_TEXT), wire);
    case 'invalid-json': {
      // Complete and correctly framed (not a cut-off body): a trailing comma, as a broken serializer would write.
      const text = `${JSON.stringify(body(VERDICT_TEXT)).slice(0, -1)},}`;
      return { status: 200, headers: { 'content-type': 'application/json' }, text };
    }
    case 'invalid-utf8':
      return invalidUtf8(body(`explanation: Response A is better ${MARK}.\nbetter response: A`));
    case 'html-200':
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, text: HTML_PAGE };
    case 'no-verdict':
      return { status: 200, json: body(NO_VERDICT_TEXT) };
    case 'ok':
      return { status: 200, json: body(VERDICT_TEXT) };
  }
}

/** Answers a request: the behaviour planned for its prompt, built from the provider's own reply body. */
type Answer = (prompt: string, body: (text: string) => unknown) => Reply;

interface Provider {
  name: string;
  /** The judge config entry; its baseURL is "${HOSTILE_URL}". */
  entry: Record<string, unknown>;
  start(answer: Answer): Promise<{ baseURL: string; close(): Promise<void> }>;
  /** What the adapter says about a complete body that is not JSON, and about an HTML page with status 200. */
  invalidJson: RegExp;
  html: RegExp;
  /** The reply cap in MiB: the default, or what the entry sets in limits.maxReplyBytes. */
  capMiB: number;
}

/** A stored error after two attempts whose message matches `pattern` (a regular expression's source). */
const twice = (pattern: string): RegExp => new RegExp(`^${pattern} \\(after 2 attempts\\)$`);
const NOT_JSON = 'the response body was cut off or is not valid JSON: ';
/** How the page starts in an excerpt on one line. */
const PAGE_START = '<!DOCTYPE html> <html><head><title>502 Bad Gateway';

const PROVIDERS: Provider[] = [
  {
    name: 'openai-compatible (openai SDK)',
    entry: { adapter: 'openai-compatible', model: 'llama-3-70b-hostile' },
    async start(answer) {
      const script = (call: ChatCall): Reply => answer(call.prompt, (text) => completionBody(call, text));
      const double = await startOpenAIDouble({ script });
      return { baseURL: double.baseURL, close: () => double.close() };
    },
    invalidJson: twice(`${NOT_JSON}.+`),
    html: twice(`HTTP 200 without a JSON chat completion in the body: "${PAGE_START}.*…"`),
    capMiB: 4,
  },
  {
    name: 'anthropic (@anthropic-ai/sdk)',
    entry: { adapter: 'anthropic', model: 'claude-3-opus-20240229', apiKeyEnv: 'HOSTILE_KEY' },
    async start(answer) {
      const double = await startAnthropicDouble({
        apiKey: KEY,
        script: (request) => answer(String(request.messages[0]!.content), (text) => messageBody(request, text)),
      });
      return { baseURL: double.url, close: () => double.close() };
    },
    invalidJson: twice('Anthropic API: reply body is not valid JSON \\(.+\\)'),
    // JSON.stringify of the page's first 80 characters: its newlines show as \n.
    html: twice(`Anthropic API: expected a message, got text "${PAGE_START.replace('> <', '>\\\\n<')}.*"`),
    capMiB: 4,
  },
  {
    name: 'gemini (@google/genai)',
    entry: { adapter: 'gemini', model: 'gemini-1.5-flash-001', apiKeyEnv: 'HOSTILE_KEY' },
    async start(answer) {
      const double = await startGeminiDouble((call) => answer(call.prompt, (text) => textBody(text)), { apiKey: KEY });
      return { baseURL: double.url, close: () => double.close() };
    },
    invalidJson: twice(`${NOT_JSON}.+`),
    // The SDK parses every 2xx body as JSON; V8's message quotes only the first ten characters.
    html: twice(`${NOT_JSON}Unexpected token '<', "<!DOCTYPE "\\.\\.\\. is not valid JSON`),
    capMiB: 4,
  },
  {
    name: 'flame (openai-completions, own fetch)',
    // A smaller cap, set in the config file: the message names the configured one.
    entry: { adapter: 'flame', protocol: 'openai-completions', model: 'flame-rm-24b', limits: { maxReplyBytes: MiB } },
    async start(answer) {
      const vllmBody = (text: string): unknown => (vllmKit.ok(tokenize(text)) as { json: unknown }).json;
      const server = await startFlameServer(vllmKit, (request) => answer(vllmKit.promptOf(request), vllmBody));
      return { baseURL: vllmKit.baseURL(server.url), close: () => server.close() };
    },
    invalidJson: twice('the reply is not JSON \\(\\d+ bytes\\): \\{.+'),
    html: twice(`the reply is not JSON \\(\\d+ bytes\\): ${PAGE_START}.*…`),
    capMiB: 1,
  },
];

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A judge from a --config file, as the CLI builds it. */
async function judgeFrom(id: string, entry: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<Judge> {
  const configFile = path.join(tempDir('autorater-hostile-'), 'judges.json');
  fs.writeFileSync(configFile, JSON.stringify({ judges: { [id]: entry } }));
  return createJudge(id, { dataDir: DATA_DIR, seed: 0, configFile, env });
}

describe('hostile replies become stored failures with their cause, and the run goes on', () => {
  for (const provider of PROVIDERS) {
    it(provider.name, async () => {
      const prepared = await prepareItems(rewardbench, DATA_DIR, 0, { limit: PLAN.length });
      const planOf = new Map(prepared.map((p, i) => [p.prompt, PLAN[i]!]));
      expect(planOf.size).toBe(PLAN.length);
      const wire: Wire = { huge: [], trickles: [] };
      const asked = new Map<Behaviour, number>();
      const server = await provider.start((prompt, body) => {
        const behaviour = planOf.get(prompt);
        if (!behaviour) throw new Error(`unexpected prompt: ${prompt.slice(0, 80)}`);
        asked.set(behaviour, (asked.get(behaviour) ?? 0) + 1);
        return reply(behaviour, body, wire);
      });
      servers.push(server);

      const limits = { ...LIMITS, ...(provider.entry.limits as object) };
      const entry = { ...provider.entry, baseURL: '${HOSTILE_URL}', limits };
      const judge = await judgeFrom('hostile', entry, { HOSTILE_URL: server.baseURL, HOSTILE_KEY: KEY });
      const store = Store.open(':memory:');
      const started = performance.now();
      const result = await runEval({
        judge,
        benchmarks: [rewardbench],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        limit: PLAN.length,
        progress: false,
      });
      const seconds = (performance.now() - started) / 1000;

      const run = result.benchmarks[0]!;
      const stored = new Map(run.judgments.flatMap((j) => (j ? [[j.itemId, j] as const] : [])));
      const outcome = new Map(run.results.map((r) => [r.item.id, r.outcome]));
      const at = (behaviour: Behaviour): { judgment: Judgment; status: string }[] =>
        prepared.flatMap((p, i) =>
          PLAN[i] === behaviour ? [{ judgment: stored.get(p.item.id)!, status: outcome.get(p.item.id)!.status }] : [],
        );
      const one = (behaviour: Behaviour): Judgment => at(behaviour)[0]!.judgment;

      // Every item was stored; the run finished (incomplete: the failures are asked again on the next run).
      expect(stored.size).toBe(PLAN.length);
      expect(result.status).toBe('incomplete');
      expect(run.summary.errors).toBe(7); // three big bodies, trickle, bad JSON, bad UTF-8, HTML page

      // The 10 MB bodies: refused, naming the cap, not retried (the same prompt gets the same body), and the
      // server saw the client hang up before it had written everything: the declared one at once, the chunked one
      // once the client had read the cap (give or take what the socket buffers hold), so memory stayed bounded.
      const cap = `${provider.capMiB} MiB (limits.maxReplyBytes)`;
      expect(one('huge-declared').error).toBe(`reply body of ${HUGE_BYTES} bytes (Content-Length) larger than ${cap}`);
      expect(one('huge-chunked').error).toBe(`reply body larger than ${cap}`);
      expect([one('huge-declared').attempts, one('huge-chunked').attempts]).toEqual([1, 1]);
      // With an error status, the status still decides (a 503 is retried; a 401 would stop the run), and the
      // message says why its body was not read. (Gemini's adapter says so in its own words first.)
      const unread = `reply body of ${HUGE_BYTES} bytes (Content-Length) larger than ${cap}`.replace(/[()]/g, '\\$&');
      expect(one('huge-503').error).toMatch(twice(`HTTP 503: (the error body was unreadable: )?${unread}`));
      expect(wire.huge).toHaveLength(4);
      await vi.waitFor(() => expect(wire.huge.every((h) => h.closed)).toBe(true));
      for (const h of wire.huge) {
        expect(h.finished).toBe(false);
        expect(h.written).toBeLessThan((provider.capMiB + 3) * MiB);
      }

      // The trickle: cut off by the attempt timeout, body included, on each of its two attempts.
      expect(one('trickle').error).toMatch(/^no complete reply within \d+(\.\d)?s \(after 2 attempts\)$/);
      expect(wire.trickles).toHaveLength(2);
      await vi.waitFor(() => expect(wire.trickles.every((t) => t.closedAt !== undefined)).toBe(true));
      for (const t of wire.trickles) {
        expect(t.written).toBeLessThan(5); // about one byte a second, so it never came close to finishing
        // The attempt's clock starts before the request arrives (the first one also loads the SDK), hence /2.
        expect(t.closedAt! - t.startedAt).toBeGreaterThan(TIMEOUT_MS / 2);
        expect(t.closedAt! - t.startedAt).toBeLessThan(TIMEOUT_MS + 1000);
      }

      // Bodies that cannot be read as a reply: retried once (a second request usually gets a clean one), then
      // stored with a one-line cause that quotes at most a short excerpt, never the page.
      expect(one('invalid-json').error).toMatch(provider.invalidJson);
      expect(one('invalid-utf8').error).toBe(
        'reply body is not valid UTF-8 (corrupted in transit, or sent in another charset) (after 2 attempts)',
      );
      expect(one('html-200').error).toMatch(provider.html);
      for (const behaviour of ['invalid-json', 'invalid-utf8', 'html-200'] as const) {
        expect(one(behaviour).attempts).toBe(2);
        expect(asked.get(behaviour)).toBe(2);
        expect(one(behaviour).error!.length).toBeLessThan(260);
        expect(one(behaviour).error).not.toContain('\n');
        expect(one(behaviour).error).not.toContain('</body>');
      }

      // A reply without a verdict is the judge's answer, stored as such (scored invalid), not an error.
      const noVerdict = at('no-verdict')[0]!;
      expect(noVerdict.judgment.error).toBeNull();
      expect(noVerdict.judgment.raw).toBe(NO_VERDICT_TEXT);
      expect(noVerdict.judgment.attempts).toBe(1);
      expect(noVerdict.status).toBe('invalid');
      expect(run.summary.invalid).toBe(1);

      // The run went on: the other items got their verdicts, each on its first attempt.
      const fine = at('ok');
      expect(fine).toHaveLength(3);
      for (const { judgment, status } of fine) {
        expect(status).toBe('verdict');
        expect(judgment.error).toBeNull();
        expect(judgment.attempts).toBe(1);
      }

      // All at once (concurrency 12): the run takes about the trickle's two attempts, not the bodies' length.
      expect(seconds).toBeLessThan((2 * TIMEOUT_MS) / 1000 + 3);
      store.close();
    });
  }
});

describe('limits.maxReplyBytes', () => {
  it('does not change the judge fingerprint (stored answers stay valid) and must be a positive integer', async () => {
    const env = { HOSTILE_URL: 'http://127.0.0.1:9/v1' };
    const base = { adapter: 'openai-compatible', model: 'm', baseURL: '${HOSTILE_URL}' };
    const plain = await judgeFrom('capped', base, env);
    const capped = await judgeFrom('capped', { ...base, limits: { maxReplyBytes: 65_536 } }, env);
    expect(judgeFingerprint(capped)).toBe(judgeFingerprint(plain));

    const file = path.join(tempDir('autorater-hostile-'), 'judges.json');
    fs.writeFileSync(file, JSON.stringify({ judges: { capped: { ...base, limits: { maxReplyBytes: 0 } } } }));
    expect(() => loadJudgeConfig({ userFile: file })).toThrow(/limits\.maxReplyBytes: .*(greater than 0|>0)/i);
  });
});

describe('boundReply, on its own', () => {
  const latin1 = Buffer.from('<p>caf\xe9</p>', 'latin1'); // "café" in Latin-1: not UTF-8
  const read = (body: Buffer | null, headers: Record<string, string>, status = 200): Promise<string> =>
    boundReply(new Response(body, { status, headers }), 1024).text();

  it('checks JSON and undeclared text as UTF-8, but leaves text declared in another charset alone', async () => {
    await expect(read(latin1, { 'content-type': 'application/json; charset=iso-8859-1' })).rejects.toThrow(
      /not valid UTF-8/,
    );
    await expect(read(latin1, { 'content-type': 'text/html' })).rejects.toThrow(/not valid UTF-8/);
    await expect(read(latin1, {})).rejects.toThrow(/not valid UTF-8/);
    expect(await read(latin1, { 'content-type': 'text/html; charset=ISO-8859-1' })).toContain('<p>caf');
    // A multi-byte character split across chunks is fine; one cut off at the very end is not.
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([0x22, 0xc3])); // the JSON string "é", split inside the "é"
        controller.enqueue(new Uint8Array([0xa9, 0x22]));
        controller.close();
      },
    });
    const json = { 'content-type': 'application/json' };
    expect(await boundReply(new Response(split, { headers: json }), 1024).json()).toBe('é');
    await expect(read(Buffer.from([0x22, 0xc3]), json)).rejects.toThrow(/not valid UTF-8/);
  });

  it('counts the bytes it passes on, and leaves bodiless replies as they are', async () => {
    expect(await read(Buffer.alloc(1024, 'a'), {})).toHaveLength(1024);
    const error = await read(Buffer.alloc(1025, 'a'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JudgeCallError);
    expect(error).toMatchObject({
      message: 'reply body larger than 1 KiB (limits.maxReplyBytes)',
      details: { retryable: false },
    });
    const empty = new Response(null, { status: 204 });
    expect(boundReply(empty, 1024)).toBe(empty);
  });

  it('reads a reply that declares its length at once, with the same checks and the same failures', async () => {
    const declared = (body: Buffer, headers: Record<string, string> = {}): Promise<Response> =>
      readBounded(new Response(body, { headers: { 'content-length': String(body.length), ...headers } }), 1024);
    expect(await (await declared(Buffer.from('{"ok":"é"}'), { 'content-type': 'application/json' })).json()).toEqual({
      ok: 'é',
    });
    await expect((await declared(latin1, { 'content-type': 'application/json' })).text()).rejects.toThrow(
      /not valid UTF-8/,
    );
    expect(await (await declared(latin1, { 'content-type': 'text/html; charset=ISO-8859-1' })).text()).toContain('caf');
    await expect((await declared(Buffer.alloc(1025, 'a'))).text()).rejects.toThrow(/1025 bytes \(Content-Length\)/);
    // A body cut off before its declared length fails the read with the transport's own error.
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([0x7b]));
        controller.error(new TypeError('terminated'));
      },
    });
    const truncated = await readBounded(new Response(cut, { headers: { 'content-length': '10' } }), 1024);
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow('terminated');
    // No declared length: counted as it streams, so an endless body still stops at the cap.
    const endless = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(new Uint8Array(512)) });
    await expect((await readBounded(new Response(endless), 1024)).text()).rejects.toThrow(/larger than 1 KiB/);
  });
});
