/**
 * A double of Anthropic's Message Batches API on the scripted loopback server, speaking its wire protocol:
 *
 *   POST /v1/messages/batches               create: {"requests": [{"custom_id", "params"}]} → a message_batch
 *   GET  /v1/messages/batches/{id}          retrieve: in_progress until `endsAfter` retrieves, then ended
 *   GET  /v1/messages/batches/{id}/results  the results JSONL its results_url names, once ended
 *   POST /v1/messages/batches/{id}/cancel   canceling; ended at the next retrieve, unfinished requests canceled
 *
 * Every request is checked as the API does (the key and anthropic-version, checkHeaders), and a create also checks
 * each request's params as a Messages request (checkParams), custom_ids unique and of [a-zA-Z0-9_-]{1,64}, at most
 * 100,000 requests and 256 MB. The test's script gives each request's outcome when its batch ends: a message, an
 * API error inside the batch, or expiry (the batch ran out of its 24 hours); `intercept` answers any request in
 * the API's place (a 500, a 403 echoing the key).
 */
import {
  apiError,
  checkHeaders,
  checkParams,
  header,
  messageBody,
  type ErrorType,
  type MessageOptions,
  type MessagesRequest,
} from './anthropic-server.ts';
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface BatchItem {
  custom_id: string;
  params: MessagesRequest;
}

/** What one request of a batch comes to when its batch ends. */
export type Outcome =
  | { text: string; options?: MessageOptions }
  | { errored: ErrorType; message: string }
  | { expired: true };

export interface BatchScript {
  /** Retrieves that find a batch still in progress (0: ended at its first retrieve). */
  endsAfter?: number;
  outcome(item: BatchItem, index: number): Outcome;
  /** Requests a cancelled batch had finished before the cancel (the first ones); the rest come back canceled. */
  finishedBeforeCancel?: number;
  /** Answers a request in the API's place, before any check; undefined lets the API answer. */
  intercept?(recorded: RecordedRequest, index: number): Reply | undefined;
}

type Status = 'in_progress' | 'canceling' | 'ended';

export interface StoredBatch {
  id: string;
  items: BatchItem[];
  status: Status;
  retrieves: number;
  createdAt: string;
  cancelInitiatedAt: string | null;
  endedAt: string | null;
  /** The results file's lines, once ended. */
  results: Record<string, unknown>[];
}

export interface AnthropicBatchDouble extends HttpDouble {
  batches: Map<string, StoredBatch>;
  /** Requests per endpoint that passed the key check. */
  counts: { creates: number; retrieves: number; results: number; cancels: number };
}

const MAX_REQUESTS = 100_000;
const MAX_BYTES = 256_000_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const DAY_MS = 24 * 3_600_000;

let nextBatch = 0;

function emptyCounts() {
  return { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
}

/** One line of the results file for a request that was processed or stopped. */
function resultLine(item: BatchItem, outcome: Outcome | 'canceled'): Record<string, unknown> {
  if (outcome === 'canceled') return { custom_id: item.custom_id, result: { type: 'canceled' } };
  if ('expired' in outcome) return { custom_id: item.custom_id, result: { type: 'expired' } };
  if ('errored' in outcome) {
    const error = { type: 'error', error: { type: outcome.errored, message: outcome.message }, request_id: null };
    return { custom_id: item.custom_id, result: { type: 'errored', error } };
  }
  const message = messageBody(item.params, outcome.text, outcome.options);
  return { custom_id: item.custom_id, result: { type: 'succeeded', message } };
}

function typeOf(line: Record<string, unknown>): string {
  return String((line.result as { type: string }).type);
}

/** The message_batch object the API returns for create, retrieve and cancel. */
function batchBody(batch: StoredBatch, url: string): Record<string, unknown> {
  const counts = emptyCounts();
  if (batch.status === 'ended') {
    for (const line of batch.results) {
      const type = typeOf(line);
      if (type === 'succeeded') counts.succeeded += 1;
      if (type === 'errored') counts.errored += 1;
      if (type === 'canceled') counts.canceled += 1;
      if (type === 'expired') counts.expired += 1;
    }
  } else {
    counts.processing = batch.items.length;
  }
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: batch.status,
    request_counts: counts,
    ended_at: batch.endedAt,
    created_at: batch.createdAt,
    expires_at: new Date(Date.parse(batch.createdAt) + DAY_MS).toISOString(),
    archived_at: null,
    cancel_initiated_at: batch.cancelInitiatedAt,
    results_url: batch.status === 'ended' ? `${url}/v1/messages/batches/${batch.id}/results` : null,
  };
}

function invalid(text: string): Reply {
  return apiError(400, 'invalid_request_error', text);
}

/** Checks a create's body as the API does; the batch's items, or the error reply. */
function checkCreate(recorded: RecordedRequest): BatchItem[] | Reply {
  if (recorded.bytes.length > MAX_BYTES)
    return apiError(413, 'request_too_large', `Request exceeds the maximum allowed number of bytes (${MAX_BYTES})`);
  const body = recorded.body as { requests?: unknown } | undefined;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.requests) || body.requests.length === 0)
    return invalid('requests: Field required');
  if (body.requests.length > MAX_REQUESTS) return invalid(`requests: at most ${MAX_REQUESTS} requests per batch`);
  const version = header(recorded, 'anthropic-version')!;
  const seen = new Set<string>();
  const items: BatchItem[] = [];
  for (const [i, request] of (body.requests as unknown[]).entries()) {
    const { custom_id: customId, params } = (request ?? {}) as { custom_id?: unknown; params?: unknown };
    if (typeof customId !== 'string' || !CUSTOM_ID.test(customId))
      return invalid(`requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    if (seen.has(customId)) return invalid(`requests.${i}.custom_id: duplicate custom_id ${customId}`);
    seen.add(customId);
    const checked = checkParams(params, version, `requests.${i}.params.`);
    if (!checked.ok) return checked.reply;
    items.push({ custom_id: customId, params: checked.request });
  }
  return items;
}

export async function startAnthropicBatchDouble(options: {
  apiKey: string;
  script: BatchScript;
}): Promise<AnthropicBatchDouble> {
  const { script } = options;
  const batches = new Map<string, StoredBatch>();
  const counts = { creates: 0, retrieves: 0, results: 0, cancels: 0 };
  let url = '';

  /** Ends the batch: every request's outcome, or, after a cancel, canceled for those not yet finished. */
  const end = (batch: StoredBatch): void => {
    const finished = batch.cancelInitiatedAt === null ? batch.items.length : (script.finishedBeforeCancel ?? 0);
    batch.results = batch.items.map((item, index) =>
      resultLine(item, index < finished ? script.outcome(item, index) : 'canceled'),
    );
    batch.status = 'ended';
    batch.endedAt = new Date().toISOString();
  };

  const answer = (recorded: RecordedRequest): Reply => {
    const refused = checkHeaders(recorded, options.apiKey);
    if (refused) return refused;
    const route = recorded.path.split('?')[0]!;
    if (recorded.method === 'POST' && route === '/v1/messages/batches') {
      const items = checkCreate(recorded);
      if (!Array.isArray(items)) return items;
      counts.creates += 1;
      nextBatch += 1;
      const batch: StoredBatch = {
        id: `msgbatch_double${String(nextBatch).padStart(8, '0')}`,
        items,
        status: 'in_progress',
        retrieves: 0,
        createdAt: new Date().toISOString(),
        cancelInitiatedAt: null,
        endedAt: null,
        results: [],
      };
      batches.set(batch.id, batch);
      return { status: 200, json: batchBody(batch, url) };
    }
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(route);
    const batch = match ? batches.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !batch) return apiError(404, 'not_found_error', `${recorded.method} ${route} not found`);
    const action = match[2];
    if (recorded.method === 'GET' && action === undefined) {
      counts.retrieves += 1;
      batch.retrieves += 1;
      const due = batch.retrieves > (script.endsAfter ?? 0) || batch.status === 'canceling';
      if (batch.status !== 'ended' && due) end(batch);
      return { status: 200, json: batchBody(batch, url) };
    }
    if (recorded.method === 'GET' && action === '/results') {
      counts.results += 1;
      if (batch.status !== 'ended') return apiError(404, 'not_found_error', `batch ${batch.id} has no results yet`);
      const text = batch.results.map((line) => `${JSON.stringify(line)}\n`).join('');
      return { status: 200, headers: { 'content-type': 'application/binary' }, text };
    }
    if (recorded.method === 'POST' && action === '/cancel') {
      counts.cancels += 1;
      if (batch.status === 'ended') return invalid(`batch ${batch.id} has already ended`);
      batch.status = 'canceling';
      batch.cancelInitiatedAt = new Date().toISOString();
      return { status: 200, json: batchBody(batch, url) };
    }
    return apiError(404, 'not_found_error', `${recorded.method} ${route} not found`);
  };

  const http = await startHttpDouble((recorded, index) => script.intercept?.(recorded, index) ?? answer(recorded));
  url = http.url;
  return { ...http, batches, counts };
}
