/**
 * The `anthropic` adapter's batch client: Anthropic's Message Batches API through the official SDK
 * (`client.messages.batches.create / retrieve / results / cancel`). Each batch request's `params` is exactly the
 * request the synchronous client (anthropic.ts) sends for that prompt, with the same API version, key header,
 * reply reading (`completionOf`) and error mapping; anthropic.ts hands those over when it creates the client, so
 * the two modules do not import each other.
 *
 * Limits (Anthropic's documentation): 100,000 requests or 256 MB of request body per batch; a batch that has not
 * ended after 24 hours expires, its unprocessed requests coming back `expired`. Results are a JSONL file
 * (`results_url`), one line per request in any order, matched by `custom_id`.
 *
 * No `find`: a Message Batch has no metadata or name, and listing batches shows only their counts, so a batch
 * cannot be recognised by the harness's label without downloading the results of every ended batch.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { BatchClient, BatchRequest, BatchResult, BatchStatus, Completion } from './adapter.ts';
import type { Sdk } from './anthropic.ts';
import { maxReplyBytes } from './bounded-fetch.ts';
import { isRecord } from './json-shape.ts';

/** What the synchronous client shares with this one (see the top of this file). */
export interface AnthropicBatchParts {
  spec: JudgeSpec;
  /** Hides the key in every message. */
  redact(text: string): string;
  /** The SDK and a client of it whose replies are bounded by `maxBytes`, with the harness's signal as deadline. */
  connect(maxBytes: number): Promise<{ sdk: Sdk; client: Anthropic }>;
  /** The Messages API request for one prompt. */
  params(prompt: string): Anthropic.MessageCreateParamsNonStreaming;
  toCallError(error: unknown, sdk: Sdk, signal: AbortSignal, redact: (text: string) => string): unknown;
  isMessage(body: unknown): body is Anthropic.Message;
  completionOf(message: Anthropic.Message): Completion;
}

/** The body around the requests: `{"requests":[...]}`. */
const ENVELOPE_BYTES = Buffer.byteLength('{"requests":[]}');

/** 256 MB as Anthropic writes it (decimal, the smaller reading), less the envelope the requests sit in. */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256_000_000 - ENVELOPE_BYTES } as const;

/** One results line besides the reply itself (custom_id, the result's wrapper): generous. */
const RESULT_LINE_OVERHEAD_BYTES = 1024;

/** The API's error types inside a batch that a second submission may not meet (the service's, not the request's). */
const RETRYABLE_TYPES = new Set(['api_error', 'overloaded_error', 'rate_limit_error', 'timeout_error']);

type MessageBatch = Anthropic.Messages.MessageBatch;

function isBatch(body: unknown): body is MessageBatch {
  return (
    isRecord(body) &&
    typeof body.id === 'string' &&
    typeof body.processing_status === 'string' &&
    isRecord(body.request_counts)
  );
}

function count(counts: MessageBatch['request_counts'], field: keyof MessageBatch['request_counts']): number {
  const value = counts[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function totalOf(batch: MessageBatch): number {
  const counts = batch.request_counts;
  return (['processing', 'succeeded', 'errored', 'canceled', 'expired'] as const)
    .map((field) => count(counts, field))
    .reduce((a, b) => a + b, 0);
}

/**
 * in_progress and canceling are still running. An ended batch is `expired` when every request expired (nothing
 * was processed within 24 hours), `cancelled` when a cancel stopped some of its requests, else `ended`; in all
 * three its results hold every request, the stopped ones as retryable errors.
 */
export function statusOf(batch: MessageBatch): BatchStatus {
  const total = totalOf(batch);
  const counts = batch.request_counts;
  const done = total - count(counts, 'processing');
  if (batch.processing_status !== 'ended') return { state: 'pending', done, total };
  if (total > 0 && count(counts, 'expired') === total) return { state: 'expired', done, total };
  if (batch.cancel_initiated_at && count(counts, 'canceled') > 0) return { state: 'cancelled', done, total };
  return { state: 'ended', done, total };
}

function shapeOf(body: unknown): string {
  if (typeof body === 'string') return `text ${JSON.stringify(body.slice(0, 80))}`;
  return body === undefined ? 'an empty body' : 'JSON of another shape';
}

/** An `errored` result: the API error the request met inside the batch, as its type and message. */
function erroredResult(error: unknown, redact: (text: string) => string): JudgeCallError {
  const inner = isRecord(error) && isRecord(error.error) ? error.error : undefined;
  const type = typeof inner?.type === 'string' ? inner.type : 'unknown_error';
  const message = typeof inner?.message === 'string' ? inner.message : 'no message';
  return new JudgeCallError(redact(`Anthropic batch: ${type}: ${message}`), { retryable: RETRYABLE_TYPES.has(type) });
}

export function createAnthropicBatchClient(parts: AnthropicBatchParts): BatchClient {
  const { spec, redact } = parts;
  let control: Promise<{ sdk: Sdk; client: Anthropic }> | undefined;
  /** The client for create, retrieve and cancel, whose replies are a judge reply's size at most. */
  const connect = () => (control ??= parts.connect(maxReplyBytes(spec)));

  const retrieve = async (batchId: string, signal: AbortSignal): Promise<MessageBatch> => {
    const { sdk, client } = await connect();
    let body: unknown;
    try {
      body = await client.messages.batches.retrieve(batchId, {}, { signal });
    } catch (error) {
      throw parts.toCallError(error, sdk, signal, redact);
    }
    if (!isBatch(body))
      throw new JudgeCallError(redact(`Anthropic API: expected a message batch, got ${shapeOf(body)}`), {
        retryable: true,
      });
    return body;
  };

  /** One line of the results file as the harness's result; undefined for a line that names no request. */
  const resultOf = (line: unknown): BatchResult | undefined => {
    if (!isRecord(line) || typeof line.custom_id !== 'string' || !isRecord(line.result)) return undefined;
    const customId = line.custom_id;
    const result = line.result;
    switch (result.type) {
      case 'succeeded':
        if (parts.isMessage(result.message)) return { customId, completion: parts.completionOf(result.message) };
        return {
          customId,
          error: new JudgeCallError('Anthropic batch: a succeeded result without a message', { retryable: true }),
        };
      case 'errored':
        return { customId, error: erroredResult(result.error, redact) };
      case 'canceled':
        return {
          customId,
          error: new JudgeCallError('Anthropic batch: canceled with its batch before it was processed', {
            retryable: true,
          }),
        };
      case 'expired':
        return {
          customId,
          error: new JudgeCallError('Anthropic batch: expired (the batch ended after 24 hours before processing it)', {
            retryable: true,
          }),
        };
      default:
        return {
          customId,
          error: new JudgeCallError(redact(`Anthropic batch: unknown result type ${JSON.stringify(result.type)}`), {
            retryable: true,
          }),
        };
    }
  };

  return {
    limits: ANTHROPIC_BATCH_LIMITS,

    requestBytes(request: BatchRequest): number {
      // The request as it sits in the body the SDK serialises, plus the comma after it.
      const item = { custom_id: request.customId, params: parts.params(request.prompt) };
      return Buffer.byteLength(JSON.stringify(item)) + 1;
    },

    // A Message Batch keeps no label (see the top of this file).
    async submit(requests: readonly BatchRequest[], _label: string, signal: AbortSignal): Promise<string> {
      if (requests.length === 0)
        throw new JudgeCallError('Anthropic batch: no requests to submit', { retryable: false });
      const { sdk, client } = await connect();
      const body: Anthropic.Messages.BatchCreateParams = {
        requests: requests.map((r) => ({ custom_id: r.customId, params: parts.params(r.prompt) })),
      };
      let created: unknown;
      try {
        created = await client.messages.batches.create(body, { signal });
      } catch (error) {
        throw parts.toCallError(error, sdk, signal, redact);
      }
      if (!isBatch(created))
        throw new JudgeCallError(redact(`Anthropic API: expected a message batch, got ${shapeOf(created)}`), {
          retryable: true,
        });
      return created.id;
    },

    async status(batchId: string, signal: AbortSignal): Promise<BatchStatus> {
      return statusOf(await retrieve(batchId, signal));
    },

    async *results(batchId: string, signal: AbortSignal): AsyncIterable<BatchResult> {
      const batch = await retrieve(batchId, signal);
      if (batch.processing_status !== 'ended' || !batch.results_url) {
        throw new JudgeCallError(
          redact(`Anthropic batch ${batchId} has no results yet (processing_status ${batch.processing_status})`),
          { retryable: true },
        );
      }
      // The results file is one reply per request: its bound is the judge's reply bound that many times.
      const bound = (maxReplyBytes(spec) + RESULT_LINE_OVERHEAD_BYTES) * Math.max(1, totalOf(batch));
      const { sdk, client } = await parts.connect(bound);
      try {
        // The SDK retrieves the batch once more for its results_url, then streams the JSONL a line at a time.
        const lines = await client.messages.batches.results(batchId, {}, { signal });
        for await (const line of lines) {
          const result = resultOf(line as unknown);
          if (result) yield result;
        }
      } catch (error) {
        throw parts.toCallError(error, sdk, signal, redact);
      }
    },

    async cancel(batchId: string, signal: AbortSignal): Promise<void> {
      const { sdk, client } = await connect();
      try {
        await client.messages.batches.cancel(batchId, {}, { signal });
      } catch (error) {
        throw parts.toCallError(error, sdk, signal, redact);
      }
    },
  };
}
