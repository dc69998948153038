/**
 * A scripted HTTP server on 127.0.0.1 for provider test doubles. Each request is recorded (method, path,
 * headers, parsed JSON body) and answered by the test's script: a JSON reply with any status and headers, a
 * connection that hangs, or a body cut off mid-way. Provider doubles (test/doubles/<provider>.ts) build the
 * provider's real response bodies on top of this.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
  /** The body's bytes as they came (an upload cut into chunks may split a UTF-8 character). */
  bytes: Buffer;
}

export type Reply =
  /** A complete response. `json` is serialised; `text` is sent as is. */
  | { status: number; headers?: Record<string, string>; json?: unknown; text?: string }
  /** Accept the request and never answer. */
  | { hang: true }
  /** Send the headers and the first part of `text`, then drop the connection. */
  | { status: number; headers?: Record<string, string>; truncate: string }
  /** Anything else (a body trickled a byte at a time, bytes that are not UTF-8, a huge body): the test writes it. */
  | { respond(res: http.ServerResponse): void };

export interface HttpDouble {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** `port` 0 picks a free one; a fixed port brings a server back where a killed one was (a restart). */
export async function startHttpDouble(
  script: (request: RecordedRequest, index: number) => Reply | Promise<Reply>,
  port = 0,
): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const rawBody = bytes.toString('utf8');
    let body: unknown = rawBody;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      rawBody,
      bytes,
    };
    requests.push(recorded);
    const reply = await script(recorded, requests.length - 1);
    if ('hang' in reply) return; // closeAllConnections() ends it when the test is done
    if ('respond' in reply) return reply.respond(res);
    if ('truncate' in reply) {
      const full = Buffer.from(reply.truncate);
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'content-length': String(full.length * 2),
        ...reply.headers,
      });
      res.write(full.subarray(0, Math.floor(full.length / 2)), () => setTimeout(() => res.destroy(), 10));
      return;
    }
    const payload = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    res.writeHead(reply.status, {
      'content-type': reply.json !== undefined ? 'application/json' : 'text/plain',
      ...reply.headers,
    });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
