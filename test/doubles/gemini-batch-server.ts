/**
 * A double of the Gemini API's Batch Mode and the Files API it uses, on the scripted loopback server, speaking
 * their wire protocols as @google/genai calls them:
 *
 *   POST /v1beta/models/{model}:batchGenerateContent  create: {"batch": {"displayName", "inputConfig":
 *        {"requests": {"requests": [{"request", "metadata": {"key"}}]}} or {"fileName"}}} → an Operation
 *   GET  /v1beta/batches/{id}                         the Operation: BATCH_STATE_PENDING until `endsAfter` gets,
 *        then SUCCEEDED (or the script's `ending`), with metadata.batchStats, and the output in metadata.output and
 *        response: inlinedResponses for an inline batch, a responsesFile for a file batch
 *   POST /v1beta/batches/{id}:cancel                  {}; the next get finds it BATCH_STATE_CANCELLED
 *   GET  /v1beta/batches?pageSize&pageToken           {"operations", "nextPageToken"}, newest first
 *   POST /upload/v1beta/files                         resumable upload start → x-goog-upload-url
 *   POST /upload/v1beta/files?upload_id=…             the file's chunks (X-Goog-Upload-Command, -Offset), the
 *        last one `upload, finalize` → {"file": {"name": "files/…"}}
 *   GET  /v1beta/files/{id}:download?alt=media         a batch's responses file (uploaded files cannot be)
 *
 * The key goes in x-goog-api-key; a wrong one is answered 400 API_KEY_INVALID as the real API does. The test's
 * script gives each request's outcome (a GenerateContentResponse, or an error) and `intercept` answers any request
 * in the API's place.
 */
import { INVALID_KEY, geminiError } from './gemini-server.ts';
import { startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface GeminiBatchItem {
  key: string;
  /** The GenerateContentRequest as sent: contents, generationConfig. */
  request: { contents: unknown[]; generationConfig?: Record<string, unknown>; [field: string]: unknown };
}

/** One request's outcome: the model's response, or a google.rpc.Status. */
export type GeminiOutcome =
  | { response: Record<string, unknown> }
  | { error: { code: number; message: string; status?: string } };

export interface GeminiBatchScript {
  /** Gets that find a batch still pending (0: ended at its first get). */
  endsAfter?: number;
  outcome(item: GeminiBatchItem, index: number): GeminiOutcome;
  /** How a batch ends when not cancelled: succeeded (the default), failed (no output) or expired (no output). */
  ending?: 'succeeded' | 'failed' | 'expired';
  /** Requests a cancelled batch had finished before the cancel (the first ones), given in its output. */
  finishedBeforeCancel?: number;
  /** The most batches a list page holds, whatever pageSize asks (the API caps it too). */
  listPageSize?: number;
  /** Answers a request in the API's place, before any check; undefined lets the API answer. */
  intercept?(recorded: RecordedRequest, index: number): Reply | undefined;
}

type State = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

export interface StoredGeminiBatch {
  name: string;
  model: string;
  displayName: string;
  items: GeminiBatchItem[];
  /** Where the requests came from: inline, or the name of an uploaded file. */
  source: 'inline' | string;
  state: State;
  gets: number;
  createTime: string;
  endTime?: string;
  cancelled: boolean;
  /** The finished requests' result objects ({"key"?, "metadata"?, "response" | "error"}), once ended. */
  results: Record<string, unknown>[];
  outputFile?: string;
}

export interface StoredFile {
  name: string;
  displayName?: string;
  mimeType?: string;
  bytes: Buffer;
  /** A batch's output: the only kind the API lets one download. */
  generated: boolean;
}

export interface GeminiBatchDouble extends HttpDouble {
  batches: Map<string, StoredGeminiBatch>;
  files: Map<string, StoredFile>;
  /** Requests per endpoint that passed the key check (uploads: files started; chunks: their POSTs). */
  counts: {
    creates: number;
    gets: number;
    cancels: number;
    lists: number;
    uploads: number;
    chunks: number;
    downloads: number;
  };
}

/** The inline request size limit the API reports ("Request payload size exceeds the limit: 20971520 bytes"). */
const MAX_INLINE_BODY = 20_971_520;
const META_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const OUTPUT_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput';

let nextId = 0;
function newId(prefix: string): string {
  nextId += 1;
  return `${prefix}${String(nextId).padStart(6, '0')}double`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(recorded: RecordedRequest, name: string): string | undefined {
  const value = recorded.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const invalid = (message: string): Reply => geminiError(400, 'INVALID_ARGUMENT', message);
const notFound = (message: string): Reply => geminiError(404, 'NOT_FOUND', message);

/** A GenerateContentRequest the API would take: non-empty contents. */
function checkRequest(request: unknown, where: string): GeminiBatchItem['request'] | string {
  if (!isRecord(request)) return `${where}: a GenerateContentRequest is required`;
  if (!Array.isArray(request.contents) || request.contents.length === 0) return `${where}.contents: must not be empty`;
  return request as GeminiBatchItem['request'];
}

export async function startGeminiBatchDouble(options: {
  apiKey: string;
  script: GeminiBatchScript;
}): Promise<GeminiBatchDouble> {
  const { script } = options;
  const batches = new Map<string, StoredGeminiBatch>();
  const files = new Map<string, StoredFile>();
  const uploads = new Map<string, { file: Omit<StoredFile, 'bytes' | 'name'>; size: number; chunks: Buffer[] }>();
  const counts = { creates: 0, gets: 0, cancels: 0, lists: 0, uploads: 0, chunks: 0, downloads: 0 };
  let url = '';

  const end = (batch: StoredGeminiBatch, state: State): void => {
    batch.state = state;
    batch.endTime = new Date().toISOString();
    const finished =
      state === 'SUCCEEDED' ? batch.items.length : state === 'CANCELLED' ? (script.finishedBeforeCancel ?? 0) : 0;
    batch.results = batch.items.slice(0, finished).map((item, index) => ({
      ...script.outcome(item, index),
      // Inline results carry the key in their metadata, file lines at the top.
      ...(batch.source === 'inline' ? { metadata: { key: item.key } } : { key: item.key }),
    }));
    if (batch.source !== 'inline' && finished > 0) {
      const name = `files/batch-${batch.name.split('/')[1]}`;
      const text = batch.results.map((line) => `${JSON.stringify(line)}\n`).join('');
      files.set(name, { name, bytes: Buffer.from(text), mimeType: 'application/jsonl', generated: true });
      batch.outputFile = name;
    }
  };

  const operation = (batch: StoredGeminiBatch): Record<string, unknown> => {
    const ended = !['PENDING', 'RUNNING'].includes(batch.state);
    const stats: Record<string, string> = { requestCount: String(batch.items.length) };
    if (ended) {
      const failed = batch.results.filter((r) => 'error' in r).length;
      stats.successfulRequestCount = String(batch.results.length - failed);
      stats.failedRequestCount = String(failed);
      stats.pendingRequestCount = '0';
    } else {
      stats.pendingRequestCount = String(batch.items.length);
    }
    let output: Record<string, unknown> | undefined;
    if (batch.outputFile) output = { responsesFile: batch.outputFile };
    else if (batch.source === 'inline' && batch.results.length > 0)
      output = { inlinedResponses: { inlinedResponses: batch.results } };
    const metadata = {
      '@type': META_TYPE,
      model: `models/${batch.model}`,
      displayName: batch.displayName,
      createTime: batch.createTime,
      updateTime: batch.endTime ?? batch.createTime,
      ...(batch.endTime ? { endTime: batch.endTime } : {}),
      batchStats: stats,
      state: `BATCH_STATE_${batch.state}`,
      name: batch.name,
      ...(output ? { output } : {}),
    };
    return {
      name: batch.name,
      metadata,
      ...(ended ? { done: true } : {}),
      ...(output ? { response: { '@type': OUTPUT_TYPE, ...output } } : {}),
      ...(batch.state === 'FAILED'
        ? { error: { code: 3, message: 'The batch failed: input file line 1 is not a GenerateContentRequest' } }
        : {}),
    };
  };

  /** The requests of a create, from inline requests or an uploaded file; or the error reply. */
  const requestsOf = (input: Record<string, unknown>): { items: GeminiBatchItem[]; source: string } | Reply => {
    const inline = isRecord(input.requests) ? input.requests.requests : undefined;
    const fileName = typeof input.fileName === 'string' ? input.fileName : undefined;
    if ((inline === undefined) === (fileName === undefined))
      return invalid('batch.input_config: exactly one of requests or file_name must be set');
    const items: GeminiBatchItem[] = [];
    if (inline !== undefined) {
      if (!Array.isArray(inline) || inline.length === 0) return invalid('batch.input_config.requests: empty');
      for (const [i, entry] of inline.entries()) {
        const where = `batch.input_config.requests.requests[${i}]`;
        const request = checkRequest(isRecord(entry) ? entry.request : undefined, `${where}.request`);
        if (typeof request === 'string') return invalid(request);
        const key = isRecord(entry) && isRecord(entry.metadata) ? entry.metadata.key : undefined;
        items.push({ key: typeof key === 'string' ? key : '', request });
      }
      return { items, source: 'inline' };
    }
    const file = files.get(fileName!);
    if (!file || file.generated) return notFound(`File ${fileName} not found.`);
    const lines = file.bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const [i, line] of lines.entries()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return invalid(`${fileName} line ${i + 1}: not JSON`);
      }
      const request = checkRequest(isRecord(parsed) ? parsed.request : undefined, `${fileName} line ${i + 1}`);
      if (typeof request === 'string') return invalid(request);
      const key = isRecord(parsed) ? parsed.key : undefined;
      items.push({ key: typeof key === 'string' ? key : '', request });
    }
    return { items, source: fileName! };
  };

  const create = (recorded: RecordedRequest, model: string): Reply => {
    if (recorded.bytes.length > MAX_INLINE_BODY)
      return invalid(`Request payload size exceeds the limit: ${MAX_INLINE_BODY} bytes.`);
    const batch = isRecord(recorded.body) && isRecord(recorded.body.batch) ? recorded.body.batch : undefined;
    if (!batch || !isRecord(batch.inputConfig)) return invalid('batch.input_config: required');
    if (typeof batch.displayName !== 'string' || batch.displayName === '')
      return invalid('batch.display_name: required');
    const read = requestsOf(batch.inputConfig);
    if (!('items' in read)) return read;
    counts.creates += 1;
    const stored: StoredGeminiBatch = {
      name: newId('batches/'),
      model,
      displayName: batch.displayName,
      items: read.items,
      source: read.source,
      state: 'PENDING',
      gets: 0,
      createTime: new Date().toISOString(),
      cancelled: false,
      results: [],
    };
    batches.set(stored.name, stored);
    return { status: 200, json: operation(stored) };
  };

  const get = (batch: StoredGeminiBatch): Reply => {
    counts.gets += 1;
    batch.gets += 1;
    if (batch.state === 'PENDING' || batch.state === 'RUNNING') {
      if (batch.cancelled) end(batch, 'CANCELLED');
      else if (batch.gets > (script.endsAfter ?? 0)) {
        const ending = script.ending ?? 'succeeded';
        end(batch, ending === 'succeeded' ? 'SUCCEEDED' : ending === 'failed' ? 'FAILED' : 'EXPIRED');
      } else batch.state = batch.gets > 1 ? 'RUNNING' : 'PENDING';
    }
    return { status: 200, json: operation(batch) };
  };

  const list = (query: URLSearchParams): Reply => {
    counts.lists += 1;
    const all = [...batches.values()].reverse();
    const size = Math.max(1, Math.min(Number(query.get('pageSize') ?? 50) || 50, script.listPageSize ?? 1000));
    const start = Number(query.get('pageToken') ?? 0) || 0;
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? { nextPageToken: String(start + size) } : {};
    return { status: 200, json: { operations: page.map(operation), ...next } };
  };

  const startUpload = (recorded: RecordedRequest): Reply => {
    if (
      header(recorded, 'x-goog-upload-protocol') !== 'resumable' ||
      header(recorded, 'x-goog-upload-command') !== 'start'
    )
      return invalid('uploads must use the resumable protocol');
    const size = Number(header(recorded, 'x-goog-upload-header-content-length'));
    if (!Number.isInteger(size) || size <= 0) return invalid('X-Goog-Upload-Header-Content-Length: required');
    const file = isRecord(recorded.body) && isRecord(recorded.body.file) ? recorded.body.file : {};
    counts.uploads += 1;
    const id = newId('upload');
    uploads.set(id, {
      file: {
        displayName: typeof file.displayName === 'string' ? file.displayName : undefined,
        mimeType: typeof file.mimeType === 'string' ? file.mimeType : undefined,
        generated: false,
      },
      size,
      chunks: [],
    });
    // A URL on another host, as Google's upload service has: the SDK sends the bytes to the configured host.
    const uploadUrl = `https://upload.example.invalid/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`;
    return { status: 200, headers: { 'x-goog-upload-url': uploadUrl, 'x-goog-upload-status': 'active' }, text: '' };
  };

  const uploadChunk = (recorded: RecordedRequest, id: string): Reply => {
    const upload = uploads.get(id);
    if (!upload) return notFound(`upload ${id} not found`);
    counts.chunks += 1;
    const command = (header(recorded, 'x-goog-upload-command') ?? '').split(',').map((c) => c.trim());
    const offset = Number(header(recorded, 'x-goog-upload-offset'));
    const received = upload.chunks.reduce((sum, c) => sum + c.length, 0);
    if (!command.includes('upload') || offset !== received) return invalid(`upload offset ${offset} ≠ ${received}`);
    upload.chunks.push(recorded.bytes);
    if (!command.includes('finalize')) return { status: 200, headers: { 'x-goog-upload-status': 'active' }, text: '' };
    const bytes = Buffer.concat(upload.chunks);
    if (bytes.length !== upload.size) return invalid(`uploaded ${bytes.length} bytes of ${upload.size}`);
    uploads.delete(id);
    const name = newId('files/');
    files.set(name, { ...upload.file, name, bytes });
    const file = {
      name,
      displayName: upload.file.displayName,
      mimeType: upload.file.mimeType,
      sizeBytes: String(bytes.length),
      state: 'ACTIVE',
      source: 'UPLOADED',
      uri: `${url}/v1beta/${name}`,
    };
    return { status: 200, headers: { 'x-goog-upload-status': 'final' }, json: { file } };
  };

  const answer = (recorded: RecordedRequest): Reply => {
    const key = header(recorded, 'x-goog-api-key');
    if (key === undefined)
      return geminiError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without key)");
    if (key !== options.apiKey) return INVALID_KEY;
    const target = new URL(recorded.path, 'http://double');
    const route = target.pathname;
    const method = recorded.method;
    const model = /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/.exec(route);
    if (method === 'POST' && model) return create(recorded, decodeURIComponent(model[1]!));
    if (method === 'GET' && route === '/v1beta/batches') return list(target.searchParams);
    const batchRoute = /^\/v1beta\/(batches\/[^/:]+)(:cancel)?$/.exec(route);
    if (batchRoute) {
      const batch = batches.get(batchRoute[1]!);
      if (!batch) return notFound(`Batch ${batchRoute[1]} not found.`);
      if (method === 'GET' && !batchRoute[2]) return get(batch);
      if (method === 'POST' && batchRoute[2]) {
        counts.cancels += 1;
        if (batch.state === 'PENDING' || batch.state === 'RUNNING') batch.cancelled = true;
        return { status: 200, json: {} };
      }
    }
    if (method === 'POST' && route === '/upload/v1beta/files') {
      const id = target.searchParams.get('upload_id');
      return id === null ? startUpload(recorded) : uploadChunk(recorded, id);
    }
    const download = /^\/v1beta\/(files\/[^/:]+):download$/.exec(route);
    if (method === 'GET' && download && target.searchParams.get('alt') === 'media') {
      const file = files.get(download[1]!);
      if (!file) return notFound(`File ${download[1]} not found.`);
      if (!file.generated) return invalid('Only generated files can be downloaded.');
      counts.downloads += 1;
      return { respond: (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file.bytes) };
    }
    return notFound(`The requested URL ${route} was not found on this server.`);
  };

  const http = await startHttpDouble((recorded, index) => script.intercept?.(recorded, index) ?? answer(recorded));
  url = http.url;
  return { ...http, batches, files, counts };
}
