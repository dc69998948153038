/**
 * A double of OpenAI's Batch API, on top of the chat completions double (openai-server.ts), so the batch client is
 * tested through the real `openai` SDK and real HTTP, the way api.openai.com answers it:
 *   POST /v1/files                multipart upload (purpose "batch"), a File object back
 *   POST /v1/batches              validates the input file (JSONL of {custom_id, method, url, body}) and creates a
 *                                 batch in status "validating" (or "failed", with `errors`, for a bad file)
 *   GET  /v1/batches/{id}         in_progress, then ended after `pollsToEnd` retrievals: completed, expired (the
 *                                 requests not run are in the error file as batch_expired) or failed
 *   POST /v1/batches/{id}/cancel  "cancelling"; the next retrieval ends it "cancelled" with partial output
 *   GET  /v1/batches              newest first, cursor pagination (limit, after)
 *   GET  /v1/files/{id}/content   the output and error files (JSONL)
 * A batch whose plan says `gone` is unknown from then on: 404 for it, left out of the list.
 * When a batch ends, each request it runs is sent to the double's own /v1/chat/completions (with the caller's key),
 * so the test's chat script answers batch and synchronous requests alike, and `calls` counts both. Requests answered
 * with a status other than 200 go to the error file with that response, as OpenAI's do.
 */
import type { RecordedRequest, Reply } from './http-double.ts';
import {
  apiError,
  errorBody,
  startOpenAIDouble,
  type OpenAIDouble,
  type OpenAIDoubleOptions,
} from './openai-server.ts';

/** How one batch goes. */
export interface BatchPlan {
  /** Retrievals (GET /v1/batches/{id}) before it ends: the Nth one sees it ended. Default 1. */
  pollsToEnd?: number;
  /** How it ends; default "completed". */
  end?: 'completed' | 'expired' | 'failed';
  /** With "expired" (or a cancel): how many of its requests were run first; default 0. */
  answered?: number;
  /** A failed batch's error. */
  error?: { code: string; message: string };
  /** Unknown to the API from now on (deleted upstream, or asked with a key of another project): 404, not listed. */
  gone?: boolean;
}

export interface OpenAIBatchDoubleOptions extends Omit<OpenAIDoubleOptions, 'routes'> {
  /** How each created batch goes, by creation order from 0. */
  plan?: (index: number) => BatchPlan;
  /** Called when POST /v1/batches has created batch `index`: 'hang' never answers (a client killed mid-submit). */
  onCreate?: (index: number) => 'answer' | 'hang';
}

interface InputLine {
  custom_id: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

export interface DoubleBatch {
  /** OpenAI's batch object, as retrieved. */
  object: Record<string, unknown> & { id: string; status: string; metadata: Record<string, string> | null };
  lines: InputLine[];
  plan: BatchPlan;
  retrievals: number;
  /** The Authorization header of the request that created it, sent with the chat calls it makes. */
  authorization: string | undefined;
}

export interface OpenAIBatchDouble extends OpenAIDouble {
  /** Uploaded files by id. */
  files: Map<string, { purpose: string; filename: string; content: string }>;
  /** Created batches, in creation order. */
  batches: DoubleBatch[];
}

const now = (): number => Math.floor(Date.now() / 1000);

function fileObject(id: string, filename: string, bytes: number, purpose: string) {
  return {
    id,
    object: 'file',
    bytes,
    created_at: now(),
    expires_at: null,
    filename,
    purpose,
    status: 'processed',
    status_details: null,
  };
}

const badRequest = (message: string, param: string | null = null): Reply => ({
  status: 400,
  json: errorBody(message, 'invalid_request_error', null, param),
});

/** Why an input file cannot be run, as OpenAI's validation reports it (undefined when it can). */
function invalidInput(lines: InputLine[] | undefined, endpoint: string): string | undefined {
  if (!lines) return 'The batch input file is not valid JSONL.';
  if (lines.length === 0) return 'The batch input file is empty.';
  if (lines.length > 50_000) return 'The batch input file has more than 50,000 requests.';
  const ids = new Set<string>();
  const models = new Set<unknown>();
  for (const [i, line] of lines.entries()) {
    if (typeof line.custom_id !== 'string') return `Line ${i + 1}: custom_id is required.`;
    if (ids.has(line.custom_id)) return `Line ${i + 1}: custom_id ${line.custom_id} is not unique.`;
    ids.add(line.custom_id);
    if (line.method !== 'POST') return `Line ${i + 1}: method must be POST.`;
    if (line.url !== endpoint) return `Line ${i + 1}: url ${line.url} does not match the batch endpoint ${endpoint}.`;
    models.add(line.body?.model);
  }
  return models.size === 1 ? undefined : 'All requests in a batch must use the same model.';
}

function parseLines(content: string): InputLine[] | undefined {
  try {
    return content
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as InputLine);
  } catch {
    return undefined;
  }
}

export async function startOpenAIBatchDouble(options: OpenAIBatchDoubleOptions = {}): Promise<OpenAIBatchDouble> {
  const files = new Map<string, { purpose: string; filename: string; content: string }>();
  const batches: DoubleBatch[] = [];
  const byId = new Map<string, DoubleBatch>();
  let self: OpenAIDouble | undefined;

  const addFile = (filename: string, purpose: string, content: string): string => {
    const id = `file-double${files.size}`;
    files.set(id, { purpose, filename, content });
    return id;
  };

  /** Runs the batch's requests against the double's own chat endpoint and writes its output and error files. */
  const finish = async (batch: DoubleBatch, status: 'completed' | 'expired' | 'cancelled'): Promise<void> => {
    const run = status === 'completed' ? batch.lines.length : Math.min(batch.plan.answered ?? 0, batch.lines.length);
    const output: string[] = [];
    const errors: string[] = [];
    for (const [i, line] of batch.lines.entries()) {
      const id = `batch_req_${batch.object.id}_${i}`;
      if (i >= run) {
        const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
        const message =
          status === 'expired'
            ? 'This request could not be executed before the completion window expired.'
            : 'This request was not executed because the batch was cancelled.';
        errors.push(JSON.stringify({ id, custom_id: line.custom_id, response: null, error: { code, message } }));
        continue;
      }
      const reply = await fetch(`${self!.url}${line.url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(batch.authorization ? { authorization: batch.authorization } : {}),
        },
        body: JSON.stringify(line.body),
      });
      const body = (await reply.json()) as unknown;
      const result = {
        id,
        custom_id: line.custom_id,
        response: { status_code: reply.status, request_id: `req_${id}`, body },
        error: null,
      };
      (reply.status === 200 ? output : errors).push(JSON.stringify(result));
    }
    const o = batch.object;
    if (output.length > 0) o.output_file_id = addFile(`${o.id}_output.jsonl`, 'batch_output', `${output.join('\n')}\n`);
    if (errors.length > 0) o.error_file_id = addFile(`${o.id}_error.jsonl`, 'batch_output', `${errors.join('\n')}\n`);
    const failed = errors.length;
    o.request_counts = { total: batch.lines.length, completed: output.length, failed };
    o.status = status;
    o[`${status}_at`] = now();
    if (status === 'completed') o.finalizing_at = now();
  };

  const retrieve = async (batch: DoubleBatch): Promise<void> => {
    batch.retrievals += 1;
    const o = batch.object;
    if (['completed', 'failed', 'expired', 'cancelled'].includes(o.status)) return;
    if (o.status === 'cancelling') return finish(batch, 'cancelled');
    if (batch.retrievals < (batch.plan.pollsToEnd ?? 1)) {
      o.status = 'in_progress';
      o.in_progress_at ??= now();
      return;
    }
    const end = batch.plan.end ?? 'completed';
    if (end === 'failed') {
      const error = batch.plan.error ?? { code: 'token_limit_exceeded', message: 'Enqueued token limit reached.' };
      o.status = 'failed';
      o.failed_at = now();
      o.errors = { object: 'list', data: [{ ...error, param: null, line: null }] };
      return;
    }
    return finish(batch, end);
  };

  const routes = async (request: RecordedRequest): Promise<Reply | undefined> => {
    const [path = '', query = ''] = request.path.split('?');
    const params = new URLSearchParams(query);
    if (request.method === 'POST' && path === '/v1/files') {
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data')) return badRequest('Expected multipart/form-data.');
      const form = await new Response(request.rawBody, { headers: { 'content-type': type } }).formData();
      const file = form.get('file');
      const purpose = form.get('purpose');
      if (!(file instanceof Blob)) return badRequest("'file' is a required property", 'file');
      if (typeof purpose !== 'string') return badRequest("'purpose' is a required property", 'purpose');
      const content = await file.text();
      const filename = (file as File).name ?? 'upload';
      const id = addFile(filename, purpose, content);
      return { status: 200, json: fileObject(id, filename, Buffer.byteLength(content), purpose) };
    }
    if (request.method === 'POST' && path === '/v1/batches') {
      const body = request.body as Record<string, unknown> | undefined;
      const input = typeof body?.input_file_id === 'string' ? files.get(body.input_file_id) : undefined;
      if (!input) return badRequest(`No such File object: ${String(body?.input_file_id)}`, 'input_file_id');
      if (input.purpose !== 'batch') return badRequest('The input file must be uploaded with purpose "batch".');
      if (body?.completion_window !== '24h') return badRequest("Invalid 'completion_window'.", 'completion_window');
      const endpoint = String(body?.endpoint);
      const lines = parseLines(input.content);
      const index = batches.length;
      const id = `batch_double${index}`;
      const problem = invalidInput(lines, endpoint);
      const object: DoubleBatch['object'] = {
        id,
        object: 'batch',
        endpoint,
        errors: problem ? { object: 'list', data: [{ code: 'invalid_request', message: problem, line: null }] } : null,
        input_file_id: body?.input_file_id,
        completion_window: '24h',
        status: problem ? 'failed' : 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: now(),
        in_progress_at: null,
        expires_at: now() + 86_400,
        finalizing_at: null,
        completed_at: null,
        failed_at: problem ? now() : null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total: lines?.length ?? 0, completed: 0, failed: 0 },
        metadata: (body?.metadata as Record<string, string> | undefined) ?? null,
      };
      const batch: DoubleBatch = {
        object,
        lines: problem ? [] : lines!,
        plan: options.plan?.(index) ?? {},
        retrievals: 0,
        authorization: request.headers.authorization,
      };
      batches.push(batch);
      byId.set(id, batch);
      if (options.onCreate?.(index) === 'hang') return { hang: true };
      return { status: 200, json: object };
    }
    if (request.method === 'GET' && path === '/v1/batches') {
      const newest = [...batches]
        .reverse()
        .filter((b) => !b.plan.gone)
        .map((b) => b.object);
      const after = params.get('after');
      const start = after ? newest.findIndex((b) => b.id === after) + 1 : 0;
      const limit = Number(params.get('limit') ?? 20);
      const page = newest.slice(start, start + limit);
      return {
        status: 200,
        json: {
          object: 'list',
          data: page,
          first_id: page[0]?.id ?? null,
          last_id: page.at(-1)?.id ?? null,
          has_more: start + limit < newest.length,
        },
      };
    }
    const batchPath = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batchPath) {
      const batch = byId.get(batchPath[1]!);
      if (!batch || batch.plan.gone) {
        return apiError(404, `No batch found with id '${batchPath[1]}'.`, 'invalid_request_error');
      }
      if (batchPath[2] && request.method === 'POST') {
        const o = batch.object;
        if (!['validating', 'in_progress', 'finalizing'].includes(o.status)) {
          return badRequest(`Cannot cancel a batch with status '${o.status}'.`);
        }
        o.status = 'cancelling';
        o.cancelling_at = now();
        return { status: 200, json: o };
      }
      if (!batchPath[2] && request.method === 'GET') {
        await retrieve(batch);
        return { status: 200, json: batch.object };
      }
      return undefined;
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (content && request.method === 'GET') {
      const file = files.get(content[1]!);
      if (!file) return apiError(404, `No such File object: ${content[1]}`, 'invalid_request_error');
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, text: file.content };
    }
    return undefined;
  };

  self = await startOpenAIDouble({ ...options, routes });
  return Object.assign(self, { files, batches });
}
