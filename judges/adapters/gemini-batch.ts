/**
 * The `gemini` adapter's batch client: the Gemini API's Batch Mode through @google/genai (`ai.batches.create /
 * get / cancel / list`, and `ai.files.upload / download` for batches too large to send inline). Each request is
 * the synchronous client's (gemini.ts): the prompt as one user turn and the judge's decoding as generationConfig;
 * replies are read by the same `readReply` and errors mapped by the same `toCallError`. gemini.ts hands those
 * over when it creates the client, so the two modules do not import each other.
 *
 * A batch up to 20 MB goes inline, each request carrying its custom id as `metadata.key`; a larger one is uploaded
 * as a JSONL file of `{"key", "request"}` lines (the Files API takes up to 2 GB). Results come back the same way:
 * inlined in the batch (`{"response" | "error", "metadata": {"key"}}`) or as a JSONL file of `{"key", "response" |
 * "error"}` lines, downloaded to a temporary file and read a line at a time. The label is the batch's display
 * name, which `find` looks for in the list of batches.
 *
 * What SDK 2.32 leaves out for the Gemini API, read here from the operation's JSON as the server sent it: the
 * batch's counts (`metadata.batchStats`) and a failed batch's error (the operation's `error`). A batch that
 * expired, failed or was cancelled reports no results for the requests it did not process: those requests are
 * absent from `results`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { BatchJob, GenerateContentResponse, GoogleGenAI, InlinedRequest } from '@google/genai';
import { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { BatchClient, BatchRequest, BatchResult, BatchState, BatchStatus, Completion } from './adapter.ts';
import { boundReply, excerpt, maxReplyBytes, streamedReply } from './bounded-fetch.ts';
import type { Exchange, GenerationSettings, ReplyReader, Sdk } from './gemini.ts';
import { isRecord } from './json-shape.ts';

/** What the synchronous client shares with this one (see the top of this file). */
export interface GeminiBatchParts {
  spec: JudgeSpec;
  apiKey: string;
  /** The judge's decoding, as generateContent's config. */
  settings: GenerationSettings;
  /** Hides the key (and any `?key=`) in a message. */
  redact(text: string): string;
  /** The SDK and a client of it whose every request goes through `fetch`. */
  connect(fetch: typeof globalThis.fetch): Promise<{ sdk: Sdk; ai: GoogleGenAI }>;
  /** The synchronous client's fetch (the URL's query and Basic credentials, no undici timers), reading with `read`. */
  recordingFetch(exchange: Exchange, maxBytes: number, read: ReplyReader): typeof fetch;
  toCallError(error: unknown, sdk: Sdk, signal: AbortSignal, exchange: Exchange, secret: string): unknown;
  readReply(response: GenerateContentResponse): Completion;
}

/**
 * No request count is documented for Gemini batches (only sizes, and tokens enqueued per model); this is the
 * harness's own cap, Anthropic's, which keeps a batch's bookkeeping and an inline batch's reply manageable.
 */
const MAX_REQUESTS = 100_000;
/** The Files API's limit on one file, the input file of the largest batch (decimal, the smaller reading of 2 GB). */
const MAX_FILE_BYTES = 2_000_000_000;
/** Batch Mode's documented limit on a batch sent inline (decimal, the smaller reading of 20 MB). */
const MAX_INLINE_BYTES = 20_000_000;
/** The create request around the inline requests, besides the label: generous. */
const INLINE_ENVELOPE_BYTES = 1024;
/** What one result adds to the reply beside the model's: the key, the wrapper. Generous. */
const RESULT_OVERHEAD_BYTES = 1024;
/** Batches listed per page by `find`, and the pages it reads at most before giving up. */
const LIST_PAGE_SIZE = 100;
const MAX_LIST_PAGES = 100;

export const GEMINI_BATCH_LIMITS = { maxRequests: MAX_REQUESTS, maxBytes: MAX_FILE_BYTES } as const;

/** The batch states (the SDK turns the API's BATCH_STATE_* into JOB_STATE_*) as the harness sees them. */
const STATES: Record<string, BatchState> = {
  JOB_STATE_UNSPECIFIED: 'pending',
  JOB_STATE_QUEUED: 'pending',
  JOB_STATE_PENDING: 'pending',
  JOB_STATE_RUNNING: 'pending',
  JOB_STATE_UPDATING: 'pending',
  JOB_STATE_PAUSED: 'pending',
  JOB_STATE_CANCELLING: 'pending',
  JOB_STATE_SUCCEEDED: 'ended',
  JOB_STATE_PARTIALLY_SUCCEEDED: 'ended',
  JOB_STATE_FAILED: 'failed',
  JOB_STATE_CANCELLED: 'cancelled',
  JOB_STATE_EXPIRED: 'expired',
};

/** google.rpc.Code by number, for per-request errors that carry only the number. */
const CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
/** Codes that name the service's trouble rather than the request's: worth submitting once more. */
const RETRYABLE_CODES = new Set([
  'CANCELLED',
  'UNKNOWN',
  'DEADLINE_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'INTERNAL',
  'UNAVAILABLE',
]);

/** The prompt as one user turn, as generateContent gets it. */
function contentsOf(prompt: string) {
  return [{ role: 'user', parts: [{ text: prompt }] }];
}

/** One line of the input file: the REST API's GenerateContentRequest under the request's key. */
function fileLine(request: BatchRequest, settings: GenerationSettings): string {
  return JSON.stringify({
    key: request.customId,
    request: { contents: contentsOf(request.prompt), generationConfig: settings },
  });
}

/** One inline request as the SDK takes it (it sends `{"request": {contents, generationConfig}, "metadata"}`). */
function inlineRequest(request: BatchRequest, settings: GenerationSettings): InlinedRequest {
  return { contents: contentsOf(request.prompt), config: settings, metadata: { key: request.customId } };
}

/** The size of the inline request as the SDK serialises it, plus the comma after it. */
function inlineBytes(request: BatchRequest, settings: GenerationSettings): number {
  const sent = {
    request: { contents: contentsOf(request.prompt), generationConfig: settings },
    metadata: { key: request.customId },
  };
  return Buffer.byteLength(JSON.stringify(sent)) + 1;
}

/** An int64 of the API (JSON strings) or a number; undefined when absent. */
function int(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * The batch's state and counts. `job` is what the SDK made of the operation, `operation` the JSON itself, for the
 * counts and the error that the SDK drops (see the top of this file).
 */
export function statusOf(job: BatchJob, operation: unknown, redact: (text: string) => string): BatchStatus {
  const metadata = isRecord(operation) && isRecord(operation.metadata) ? operation.metadata : {};
  const stats = isRecord(metadata.batchStats) ? metadata.batchStats : {};
  const total = int(stats.requestCount);
  const succeeded = int(stats.successfulRequestCount);
  const failed = int(stats.failedRequestCount);
  const done = succeeded === undefined && failed === undefined ? undefined : (succeeded ?? 0) + (failed ?? 0);
  const counts = { ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) };
  // A state this SDK does not know: the operation's `done` says whether it is over.
  const operationDone = isRecord(operation) && operation.done === true;
  const state = STATES[String(job.state)] ?? (operationDone ? 'ended' : 'pending');
  if (state !== 'failed') return { state, ...counts };
  const error = isRecord(operation) && isRecord(operation.error) ? operation.error : {};
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : 'no reason given';
  return { state, ...counts, error: redact(excerpt(message)) };
}

/** A per-request error in a batch (google.rpc.Status: a code, its name, a message). */
export function itemError(error: unknown, redact: (text: string) => string): JudgeCallError {
  const e = isRecord(error) ? error : {};
  const code = typeof e.code === 'number' ? e.code : undefined;
  const named = typeof e.status === 'string' && e.status !== '' ? e.status : undefined;
  const name = named ?? (code !== undefined ? CODE_NAMES[code] : undefined);
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'no message';
  // Without a name the code is an HTTP status, as some Google errors give it.
  const retryable = name ? RETRYABLE_CODES.has(name) : code === 408 || code === 429 || (code ?? 0) >= 500;
  const what = name ?? (code !== undefined ? `code ${code}` : 'error');
  return new JudgeCallError(redact(excerpt(`Gemini batch: ${what}: ${message}`)), { retryable });
}

/** An exchange that also keeps the JSON body the SDK read, for what the SDK does not hand on. */
interface Recorded extends Exchange {
  body?: unknown;
}

/** One operation's SDK client and what its last request recorded. */
interface Call {
  sdk: Sdk;
  ai: GoogleGenAI;
  exchange: Recorded;
}

/**
 * A 2xx body that ends, instead of failing, when its read fails, recording why in `failure`. The SDK writes a
 * downloaded file by piping the body into it, and a pipe does not pass a read error on: the file would never be
 * closed and the download never end. The caller throws the recorded failure once the download returns.
 */
function endingOnFailure(failure: { error?: unknown }): ReplyReader {
  return async (response, maxBytes) => {
    const bounded = boundReply(response, maxBytes);
    if (!bounded.ok || bounded.body === null) return bounded;
    const reader = bounded.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const chunk = await reader.read();
            if (chunk.done) controller.close();
            else controller.enqueue(chunk.value);
          } catch (error) {
            failure.error ??= error;
            controller.close();
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    const ended = new Response(body, {
      status: bounded.status,
      statusText: bounded.statusText,
      headers: bounded.headers,
    });
    Object.defineProperty(ended, 'url', { value: bounded.url });
    return ended;
  };
}

export function createGeminiBatchClient(parts: GeminiBatchParts): BatchClient {
  const { spec, apiKey, settings, redact } = parts;
  /** A batch as the API returns it can hold every inline reply: the judge's reply bound that many times. */
  const batchBound = (maxReplyBytes(spec) + RESULT_OVERHEAD_BYTES) * MAX_REQUESTS;

  /**
   * A client for one operation. Every request goes through `signal` (the SDK's file upload passes none of its
   * own) and records its status, headers and JSON body. Bodies are streamed through the bound by default (a batch's
   * reply can be far larger than a judge's), never read ahead.
   */
  const open = async (signal: AbortSignal, maxBytes: number, read: ReplyReader = streamedReply): Promise<Call> => {
    const exchange: Recorded = { sent: false };
    const inner = parts.recordingFetch(exchange, maxBytes, read);
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const signals = init?.signal ? [init.signal, signal] : [signal];
      const response = await inner(input, { ...init, signal: AbortSignal.any(signals) });
      const json = response.json.bind(response);
      Object.defineProperty(response, 'json', {
        value: async () => {
          const body: unknown = await json();
          exchange.body = body;
          return body;
        },
      });
      return response;
    };
    const { sdk, ai } = await parts.connect(fetch);
    return { sdk, ai, exchange };
  };

  /** What the SDK threw, in the harness's terms. */
  const failure = (error: unknown, call: Call, signal: AbortSignal): unknown => {
    const { status } = call.exchange;
    // The SDK's own complaints about a 2xx it could not use (no upload URL, an upload not finalised): say so
    // plainly rather than as a cut-off body.
    if (
      !signal.aborted &&
      status !== undefined &&
      status < 400 &&
      error instanceof Error &&
      error.constructor === Error &&
      !(error instanceof call.sdk.ApiError)
    ) {
      return new JudgeCallError(redact(`Gemini API: ${error.message}`), { retryable: true });
    }
    return parts.toCallError(error, call.sdk, signal, call.exchange, apiKey);
  };

  const getJob = async (batchId: string, signal: AbortSignal): Promise<{ call: Call; job: BatchJob }> => {
    const call = await open(signal, batchBound);
    try {
      const job = await call.ai.batches.get({ name: batchId, config: { abortSignal: signal } });
      return { call, job };
    } catch (error) {
      throw failure(error, call, signal);
    }
  };

  /** One result from a response or an error, under its key; undefined without a key (nothing to match it to). */
  const resultOf = (key: unknown, response: unknown, error: unknown): BatchResult | undefined => {
    if (typeof key !== 'string') return undefined;
    if (error !== undefined && error !== null) return { customId: key, error: itemError(error, redact) };
    if (!isRecord(response)) {
      const missing = new JudgeCallError('Gemini batch: a result with neither response nor error', { retryable: true });
      return { customId: key, error: missing };
    }
    try {
      return { customId: key, completion: parts.readReply(response as unknown as GenerateContentResponse) };
    } catch (thrown) {
      if (thrown instanceof JudgeCallError) return { customId: key, error: thrown };
      throw thrown;
    }
  };

  /** The results file, downloaded to a temporary file and read a line at a time. */
  async function* fileResults(fileName: string, signal: AbortSignal): AsyncGenerator<BatchResult> {
    const read: { error?: unknown } = {};
    const call = await open(signal, batchBound, endingOnFailure(read));
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'autorater-gemini-batch-'));
    try {
      const downloadPath = path.join(dir, 'results.jsonl');
      try {
        await call.ai.files.download({ file: fileName, downloadPath, config: { abortSignal: signal } });
      } catch (error) {
        throw failure(error, call, signal);
      }
      if (signal.aborted) throw signal.reason;
      if (read.error !== undefined) throw failure(read.error, call, signal);
      const lines = readline.createInterface({ input: fs.createReadStream(downloadPath), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new JudgeCallError(`Gemini batch: a line of ${fileName} is not JSON: ${excerpt(line, 80)}`, {
            retryable: true,
          });
        }
        const result = isRecord(parsed) ? resultOf(parsed.key, parsed.response, parsed.error) : undefined;
        if (result) yield result;
      }
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  return {
    limits: GEMINI_BATCH_LIMITS,

    requestBytes(request: BatchRequest): number {
      // A line of the input file and its newline (inline requests are about the same size).
      return Buffer.byteLength(fileLine(request, settings)) + 1;
    },

    async submit(requests: readonly BatchRequest[], label: string, signal: AbortSignal): Promise<string> {
      if (requests.length === 0) throw new JudgeCallError('Gemini batch: no requests to submit', { retryable: false });
      const call = await open(signal, maxReplyBytes(spec));
      const inline =
        requests.reduce((sum, r) => sum + inlineBytes(r, settings), 0) +
        Buffer.byteLength(label) +
        INLINE_ENVELOPE_BYTES;
      let job: BatchJob;
      try {
        let src: string | InlinedRequest[];
        if (inline <= MAX_INLINE_BYTES) {
          src = requests.map((r) => inlineRequest(r, settings));
        } else {
          // One part per line: a file of up to 2 GB would not fit in one string (V8 caps strings far below that).
          const lines = requests.map((r) => `${fileLine(r, settings)}\n`);
          const file = await call.ai.files.upload({
            file: new Blob(lines, { type: 'application/jsonl' }),
            config: { mimeType: 'jsonl', displayName: label, abortSignal: signal },
          });
          if (typeof file?.name !== 'string' || file.name === '')
            throw new JudgeCallError('Gemini API: the uploaded batch file came back without a name', {
              retryable: true,
            });
          src = file.name;
        }
        job = await call.ai.batches.create({
          model: spec.model,
          src,
          config: { displayName: label, abortSignal: signal },
        });
      } catch (error) {
        throw failure(error, call, signal);
      }
      if (typeof job.name !== 'string' || job.name === '')
        throw new JudgeCallError('Gemini API: the created batch came back without a name', { retryable: true });
      return job.name;
    },

    async status(batchId: string, signal: AbortSignal): Promise<BatchStatus> {
      const { call, job } = await getJob(batchId, signal);
      return statusOf(job, call.exchange.body, redact);
    },

    async *results(batchId: string, signal: AbortSignal): AsyncIterable<BatchResult> {
      const { call, job } = await getJob(batchId, signal);
      const { state } = statusOf(job, call.exchange.body, redact);
      if (state === 'pending')
        throw new JudgeCallError(redact(`Gemini batch ${batchId} has no results yet (${String(job.state)})`), {
          retryable: true,
        });
      const inlined = job.dest?.inlinedResponses;
      if (inlined) {
        for (const item of inlined) {
          const result = resultOf(item.metadata?.key, item.response, item.error);
          if (result) yield result;
        }
        return;
      }
      if (job.dest?.fileName) {
        yield* fileResults(job.dest.fileName, signal);
        return;
      }
      // A batch that failed, expired or was cancelled may have no output; one that succeeded must have some.
      if (state === 'ended')
        throw new JudgeCallError(redact(`Gemini batch ${batchId} ended without responses`), {
          retryable: true,
        });
    },

    async cancel(batchId: string, signal: AbortSignal): Promise<void> {
      const call = await open(signal, maxReplyBytes(spec));
      try {
        await call.ai.batches.cancel({ name: batchId, config: { abortSignal: signal } });
      } catch (error) {
        throw failure(error, call, signal);
      }
    },

    async find(label: string, signal: AbortSignal): Promise<string | undefined> {
      const call = await open(signal, batchBound);
      try {
        const pager = await call.ai.batches.list({ config: { pageSize: LIST_PAGE_SIZE, abortSignal: signal } });
        let seen = 0;
        for await (const job of pager) {
          if (job.displayName === label && typeof job.name === 'string') return job.name;
          seen += 1;
          if (seen >= LIST_PAGE_SIZE * MAX_LIST_PAGES) break;
        }
      } catch (error) {
        throw failure(error, call, signal);
      }
      return undefined;
    },
  };
}
