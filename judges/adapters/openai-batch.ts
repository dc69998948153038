/**
 * OpenAI's Batch API (ModelClient.batch for the `openai` and `openai-compatible` adapters), through the `openai`
 * SDK: the requests are written as a JSONL file of `/v1/chat/completions` calls with exactly the body the
 * synchronous client sends (openai.ts chatParams, score-options included), uploaded (`POST /v1/files`, purpose
 * "batch"), and a batch is created on it (`POST /v1/batches`, 24 h window) carrying the harness's label in its
 * metadata, so that `find` can recover a batch whose creator died before recording its id. Results are read
 * line by line from the output and error files (`GET /v1/files/{id}/content`), each reply through the same reader
 * as a synchronous one (openai.ts chatCompletion).
 *
 * Retries belong to the harness (harness/batch.ts): the SDK's are off, as for the chat client.
 */
import type OpenAI from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Task } from '../../protocol/tasks.ts';
import { JudgeCallError, httpCallError, redactSecret } from '../call-error.ts';
import {
  once,
  type BatchClient,
  type BatchRequest,
  type BatchResult,
  type BatchState,
  type BatchStatus,
  type Completion,
} from './adapter.ts';
import { streamedFetch } from './bounded-fetch.ts';
import { isRecord } from './json-shape.ts';
import { toCallError } from './openai-errors.ts';

/** OpenAI's documented limits for one batch: 50,000 requests, an input file of at most 200 MB. */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200_000_000 } as const;

/** The batch's metadata key for the harness's label (keys up to 64 characters, values up to 512). */
export const LABEL_METADATA_KEY = 'autorater_label';

const ENDPOINT = '/v1/chat/completions';

/**
 * A batch's output file holds every reply of up to 50,000 requests (with log-probabilities in score-options mode):
 * far more than one reply's cap (limits.maxReplyBytes), so the batch client reads files under this one.
 */
const MAX_BATCH_FILE_BYTES = 4 * 1024 ** 3;

/**
 * The SDK's own timer for batch calls: uploads and downloads of a few hundred MB. The harness bounds each call with
 * its own signal (harness/batch.ts); this is only the backstop.
 */
const BATCH_SDK_TIMEOUT_MS = 60 * 60_000;

/** Batches looked through, newest first, for a label (`find`): the one sought was created minutes or hours ago. */
const FIND_SCAN = 1_000;

/** The statuses OpenAI reports, as the harness sees them; "cancelling" still has results to come. */
const STATES: Record<Batch['status'], BatchState> = {
  validating: 'pending',
  in_progress: 'pending',
  finalizing: 'pending',
  cancelling: 'pending',
  completed: 'ended',
  failed: 'failed',
  expired: 'expired',
  cancelled: 'cancelled',
};

/** A fetch whose replies are bounded at the batch files' cap (bounded-fetch.ts), read as they stream. */
export function batchFetch(): typeof fetch {
  return streamedFetch(MAX_BATCH_FILE_BYTES);
}

interface Connection {
  sdk: typeof import('openai');
  client: OpenAI;
}

export interface OpenAIBatchOptions {
  /** An SDK client for batch calls (retries off, batchFetch). Called once, on the first call. */
  connect(): Promise<Connection>;
  /** The key, to keep out of error messages. */
  secret: string | undefined;
  /** The chat completions body of one request (openai.ts chatParams). */
  params(request: BatchRequest): ChatCompletionCreateParamsNonStreaming;
  /** A reply's body as a Completion (openai.ts chatCompletion); `task` undefined when the harness has none. */
  read(body: unknown, task: Task | undefined): Completion;
}

/**
 * A server without OpenAI's file and batch endpoints answers 404 (or 405/501): every batch call would, so this is a
 * configuration fault, said in one line. A 404 for one batch or file by its id (`byId`) says only that this one is
 * unknown (deleted, or of another project): the harness gives that batch up (harness/batch.ts).
 */
function noBatchApi(status: number | undefined, byId: boolean): boolean {
  return (status === 404 && !byId) || status === 405 || status === 501;
}

/** What the SDK threw for a batch call, in the harness's terms (`what`: the call, e.g. "POST /v1/files"). */
function batchCallError(
  error: unknown,
  sdk: typeof import('openai'),
  signal: AbortSignal,
  secret: string | undefined,
  what: string,
  byId = false,
): unknown {
  const mapped = toCallError(error, sdk, signal, secret);
  if (!(mapped instanceof JudgeCallError)) return mapped;
  if (noBatchApi(mapped.details.status, byId)) {
    return new JudgeCallError(
      `this server has no batch API: ${what} answered ${mapped.message}; --batch needs OpenAI's /v1/files and ` +
        '/v1/batches (run this judge without --batch)',
      { ...mapped.details, retryable: false, fatal: true },
    );
  }
  return new JudgeCallError(`${what}: ${mapped.message}`, mapped.details);
}

/** A batch object's state, progress and (for a failed batch) why, in OpenAI's words. */
export function batchStatus(batch: Batch): BatchStatus {
  const state = STATES[batch.status] ?? 'pending';
  const counts = batch.request_counts;
  const why = batch.errors?.data?.map((e) => [e.code, e.message].filter(Boolean).join(': ')).filter(Boolean) ?? [];
  return {
    state,
    ...(counts ? { done: counts.completed + counts.failed, total: counts.total } : {}),
    ...(why.length > 0 ? { error: why.join('; ') } : state === 'failed' ? { error: 'the batch failed' } : {}),
  };
}

/** The error of a request the batch did not run (OpenAI's error-file `error` object). */
function lineError(error: Record<string, unknown>): JudgeCallError {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' ? error.message : 'no message';
  // Requests the batch never ran: worth one more batch.
  if (code === 'batch_expired') return new JudgeCallError(`the batch expired first: ${message}`, { retryable: true });
  if (code === 'batch_cancelled')
    return new JudgeCallError(`the batch was cancelled first: ${message}`, { retryable: true });
  return new JudgeCallError(code ? `${code}: ${message}` : message, { retryable: false });
}

/** The server's message in an error reply's body (`{"error": {"message"}}`), else the body in short. */
function replyMessage(body: unknown): string {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') return body.error.message;
  if (isRecord(body) && typeof body.error === 'string') return body.error;
  return JSON.stringify(body ?? null).slice(0, 200);
}

/** One line of an output or error file as a BatchResult. */
function resultOf(
  line: Record<string, unknown>,
  options: OpenAIBatchOptions,
  taskOf: ((customId: string) => Task | undefined) | undefined,
): BatchResult {
  const customId = line.custom_id as string;
  const fail = (error: JudgeCallError): BatchResult => ({
    customId,
    error: new JudgeCallError(redactSecret(error.message, options.secret), error.details),
  });
  if (isRecord(line.error)) return fail(lineError(line.error));
  const response = line.response;
  if (!isRecord(response) || typeof response.status_code !== 'number')
    return fail(new JudgeCallError('a batch result line without a response or an error', { retryable: true }));
  if (response.status_code !== 200) return fail(httpCallError(response.status_code, replyMessage(response.body)));
  try {
    return { customId, completion: options.read(response.body, taskOf?.(customId)) };
  } catch (error) {
    if (error instanceof JudgeCallError) return fail(error);
    throw error;
  }
}

/** The lines of a body, decoded as UTF-8 (strictly: broken bytes are a corrupted download), without holding it all. */
async function* lines(body: ReadableStream<Uint8Array> | null): AsyncGenerator<string> {
  if (body === null) return;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let end = rest.indexOf('\n'); end >= 0; end = rest.indexOf('\n', start)) {
        const line = rest.slice(start, end).trim();
        if (line !== '') yield line;
        start = end + 1;
      }
      rest = rest.slice(start);
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
  if (rest.trim() !== '') yield rest.trim();
}

export function createOpenAIBatchClient(options: OpenAIBatchOptions): BatchClient {
  const connect = once(options.connect);
  const { secret } = options;
  const sent = { timeout: BATCH_SDK_TIMEOUT_MS };
  const line = (request: BatchRequest): string =>
    JSON.stringify({ custom_id: request.customId, method: 'POST', url: ENDPOINT, body: options.params(request) });

  /** One SDK call, its failure mapped (batchCallError; `byId`: the call reads one batch or file by its id). */
  const call = async <T>(
    what: string,
    signal: AbortSignal,
    run: (c: Connection) => Promise<T>,
    byId = false,
  ): Promise<T> => {
    const connection = await connect();
    try {
      return await run(connection);
    } catch (error) {
      throw batchCallError(error, connection.sdk, signal, secret, what, byId);
    }
  };

  return {
    limits: OPENAI_BATCH_LIMITS,
    requestBytes: (request) => Buffer.byteLength(line(request), 'utf8') + 1,

    async submit(requests, label, signal) {
      const jsonl = Buffer.from(requests.map((r) => `${line(r)}\n`).join(''), 'utf8');
      const file = await call('POST /v1/files', signal, async ({ sdk, client }) =>
        client.files.create(
          { file: await sdk.toFile(jsonl, `${label}.jsonl`, { type: 'application/jsonl' }), purpose: 'batch' },
          { signal, ...sent },
        ),
      );
      const batch = await call('POST /v1/batches', signal, ({ client }) =>
        client.batches.create(
          {
            input_file_id: file.id,
            endpoint: ENDPOINT,
            completion_window: '24h',
            metadata: { [LABEL_METADATA_KEY]: label },
          },
          { signal, ...sent },
        ),
      );
      return batch.id;
    },

    async status(batchId, signal) {
      const batch = await call(
        `GET /v1/batches/${batchId}`,
        signal,
        ({ client }) => client.batches.retrieve(batchId, { signal, ...sent }),
        true,
      );
      return batchStatus(batch);
    },

    async *results(batchId, signal, taskOf) {
      const batch = await call(
        `GET /v1/batches/${batchId}`,
        signal,
        ({ client }) => client.batches.retrieve(batchId, { signal, ...sent }),
        true,
      );
      for (const fileId of [batch.output_file_id, batch.error_file_id]) {
        if (!fileId) continue;
        const what = `GET /v1/files/${fileId}/content`;
        const response = await call(
          what,
          signal,
          ({ client }) => client.files.content(fileId, { signal, ...sent }),
          true,
        );
        const { sdk } = await connect();
        let number = 0;
        const read = lines(response.body as ReadableStream<Uint8Array> | null);
        for (;;) {
          let next: IteratorResult<string>;
          try {
            next = await read.next();
          } catch (error) {
            if (error instanceof TypeError && /encoded data was not valid/i.test(error.message)) {
              throw new JudgeCallError(`${what}: the file is not valid UTF-8 (corrupted in transit)`, {
                retryable: true,
              });
            }
            throw batchCallError(error, sdk, signal, secret, what, true);
          }
          if (next.done) break;
          number += 1;
          let parsed: unknown;
          try {
            parsed = JSON.parse(next.value);
          } catch {
            parsed = undefined;
          }
          if (!isRecord(parsed) || typeof parsed.custom_id !== 'string') {
            throw new JudgeCallError(`${what}: line ${number} is not a batch result (JSON with a custom_id)`, {
              retryable: true,
            });
          }
          yield resultOf(parsed, options, taskOf);
        }
      }
    },

    async cancel(batchId, signal) {
      await call(`POST /v1/batches/${batchId}/cancel`, signal, ({ client }) =>
        client.batches.cancel(batchId, { signal, ...sent }),
      );
    },

    async find(label, signal) {
      return call('GET /v1/batches', signal, async ({ client }) => {
        let seen = 0;
        for await (const batch of client.batches.list({ limit: 100 }, { signal, ...sent })) {
          if (batch.metadata?.[LABEL_METADATA_KEY] === label) return batch.id;
          if (++seen >= FIND_SCAN) break;
        }
        return undefined;
      });
    },
  };
}
