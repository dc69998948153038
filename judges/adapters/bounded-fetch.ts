/**
 * A `fetch` for the HTTP adapters that keeps a hostile reply from costing more than one stored error: a body
 * larger than the judge's cap (limits.maxReplyBytes) or not valid UTF-8 fails the read with a JudgeCallError
 * saying so, and the connection is released at once instead of being drained. Slow bodies are not this module's
 * business: the harness's per-attempt signal (harness/retry.ts) reaches fetch and aborts the body read.
 *
 * The response itself is always returned, with its status and headers: a too-large or undecodable body fails
 * only when it is read. That keeps one failure path for every SDK, because all three (openai, @anthropic-ai/sdk,
 * @google/genai) read a 2xx body with response.json()/text() and let what that throws reach the caller
 * unwrapped, while an error thrown by fetch itself would be wrapped (APIConnectionError "Connection error.") and
 * could be mistaken for a network fault. It also keeps the status line deciding for error replies: a 401 or 429
 * with an oversized body is still a 401 or 429 (the SDKs put the read error's message in the APIError).
 */
import { isUtf8 } from 'node:buffer';
import { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';

/** A judge's reply is a few kilobytes; 4 MiB leaves room for long explanations and log-probabilities. */
export const DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** The cap for one judge: its limits.maxReplyBytes, else the default. */
export function maxReplyBytes(spec: Pick<JudgeSpec, 'limits'>): number {
  return spec.limits.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
}

function size(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes % mib === 0) return `${bytes / mib} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Not retryable: the same prompt would get the same oversized body (a runaway generation at temperature 0, a
 * proxy's huge page), and each attempt would cost another cap's worth of transfer.
 */
function replyTooLarge(maxBytes: number, declared?: number): JudgeCallError {
  const what = declared === undefined ? 'reply body' : `reply body of ${declared} bytes (Content-Length)`;
  return new JudgeCallError(`${what} larger than ${size(maxBytes)} (limits.maxReplyBytes)`, { retryable: false });
}

/**
 * Retryable: the servers behind the adapters write JSON from strings (Python's json, Go's, Rust's serde), which
 * cannot hold invalid UTF-8, so broken bytes mean corruption between them and us (a proxy, a middlebox, a
 * half-written buffer), which a second request usually does not meet. If a server does produce it every time,
 * the cost is bounded by maxAttempts and the item is stored as this error. Without this check response.json()
 * would silently turn the bytes into U+FFFD and a corrupted verdict could be parsed as if the model wrote it.
 */
function replyNotUtf8(): JudgeCallError {
  const message = 'reply body is not valid UTF-8 (corrupted in transit, or sent in another charset)';
  return new JudgeCallError(message, { retryable: true });
}

/**
 * Bodies to validate as UTF-8: JSON (UTF-8 by definition, RFC 8259, whatever charset is declared), text without
 * a charset or declaring UTF-8, and bodies with no content type. Text declared in another charset (a proxy's
 * Latin-1 error page) is left alone, so the adapter still reports it as the page it is.
 */
function mustBeUtf8(contentType: string | null): boolean {
  if (contentType === null) return true;
  const [media = '', ...params] = contentType
    .toLowerCase()
    .split(';')
    .map((s) => s.trim());
  if (media.includes('json')) return true;
  if (!media.startsWith('text/')) return false;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

type Body = ReadableStream<Uint8Array>;

/** A body that fails its first read with `error`, for a reply refused before any of it is read. */
function failingBody(error: JudgeCallError): Body {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(error);
    },
  });
}

/**
 * The body of `original`, passed through a byte counter and (when `utf8`) a fatal streaming decoder. On a
 * failure the original body is cancelled, which closes the connection, so at most about maxBytes of it are ever
 * held; errors of the original read (an abort, undici's "terminated") pass through untouched for the adapters'
 * existing mappings.
 */
function checkedBody(original: Body, maxBytes: number, utf8: boolean): Body {
  const reader = original.getReader();
  const decoder = utf8 ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  let seen = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: JudgeCallError): void => {
    reader.cancel(error).catch(() => undefined); // the socket goes; nothing left to report
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await reader.read().catch((error: unknown) => {
          controller.error(error);
          return undefined;
        });
        if (chunk === undefined) return;
        if (chunk.done) {
          try {
            decoder?.decode(); // a multi-byte sequence cut off at the very end is invalid too
          } catch {
            controller.error(replyNotUtf8());
            return;
          }
          controller.close();
          return;
        }
        seen += chunk.value.byteLength;
        if (seen > maxBytes) return fail(controller, replyTooLarge(maxBytes));
        try {
          decoder?.decode(chunk.value, { stream: true });
        } catch {
          return fail(controller, replyNotUtf8());
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    // Pull only when the consumer asks: no read-ahead beyond what undici itself buffers.
    { highWaterMark: 0 },
  );
}

/** `response` with its body bounded and checked (see the top of this file). */
export function boundReply(response: Response, maxBytes: number): Response {
  const original = response.body;
  if (original === null) return response; // HEAD, 204, 304: nothing to bound
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  const declared = Number(response.headers.get('content-length'));
  let body: Body;
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Refused before a byte of it is read: cancelling now releases the connection even if nobody reads.
    original.cancel().catch(() => undefined);
    body = failingBody(replyTooLarge(maxBytes, declared));
  } else {
    body = checkedBody(original, maxBytes, mustBeUtf8(response.headers.get('content-type')));
  }
  const bounded = new Response(body, init);
  // The SDKs quote the URL in their debug logs; a constructed Response would have none.
  Object.defineProperty(bounded, 'url', { value: response.url });
  return bounded;
}

const UTF8 = new TextDecoder();

/**
 * The same reply as boundReply gives, read at once when it declares a length within the cap (every judge server
 * does): one read of a few kilobytes and one native UTF-8 check. The reply object itself is handed on, its body
 * methods answering from the bytes read: a second Response and stream per reply, which the SDK would pull through
 * again, cost about a tenth of a request's CPU at high concurrency. A failed read (an abort, a connection cut
 * mid-body, bytes that are not UTF-8) fails those methods with that error, as the streamed path does.
 */
export async function readBounded(response: Response, maxBytes: number): Promise<Response> {
  const length = response.headers.get('content-length');
  const declared = length === null || length.trim() === '' ? NaN : Number(length);
  if (response.body === null || !(declared <= maxBytes) || response.headers.has('content-encoding')) {
    return boundReply(response, maxBytes); // bodiless, undeclared, too large, or compressed: counted as it streams
  }
  let bytes: Uint8Array | undefined;
  let failure: unknown;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
    if (mustBeUtf8(response.headers.get('content-type')) && !isUtf8(bytes)) failure = replyNotUtf8();
  } catch (error) {
    failure = error;
  }
  const read = async (): Promise<Uint8Array> => {
    if (failure !== undefined || bytes === undefined) throw failure;
    return bytes;
  };
  const text = async (): Promise<string> => UTF8.decode(await read());
  Object.defineProperties(response, {
    arrayBuffer: { value: async () => (await read()).slice().buffer },
    bytes: { value: async () => (await read()).slice() },
    text: { value: text },
    json: { value: async () => JSON.parse(await text()) as unknown },
  });
  return response;
}

/** `inner` (the global fetch, looked up per call) with every reply bounded by `maxBytes`. */
export function boundedFetch(maxBytes: number, inner?: typeof fetch): typeof fetch {
  return async (input, init) => readBounded(await (inner ?? globalThis.fetch)(input, init), maxBytes);
}

/** boundReply as a reader of replies: the body always streamed through the counter, never read at once. */
export async function streamedReply(response: Response, maxBytes: number): Promise<Response> {
  return boundReply(response, maxBytes);
}

/**
 * The global fetch with every reply bounded as boundedFetch does, but always streamed through the counter: for
 * replies an SDK reads from `response.body` (a batch's results file), which readBounded's read-at-once path would
 * have used up, and for files far larger than a judge's reply.
 */
export function streamedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => boundReply(await globalThis.fetch(input, init), maxBytes);
}

/** At most `max` characters of a text, on one line, for an error message. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * At most `max` characters of a body, on one line and quoted, for an error message: enough to recognise a proxy's
 * page ("<html><head><title>502 Bad Gateway"), never the whole body in the store.
 */
export function bodyExcerpt(text: string, max = 120): string {
  return JSON.stringify(excerpt(text, max));
}
