/**
 * A plain HTTP server on 127.0.0.1 for download tests (file hosts like the Hub, GitHub raw, a CDN), recording
 * each request's path and the headers downloads care about. Servers started here are closed after each test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface LoopbackRequest {
  path: string;
  range?: string;
  authorization?: string;
}

export interface LoopbackServer {
  url: string;
  requests: LoopbackRequest[];
  close(): Promise<void>;
}

const open: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

export async function startLoopback(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<LoopbackServer> {
  const requests: LoopbackRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started: LoopbackServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(started);
  return started;
}

/** Answers with the file at the request's path, or 404. */
export function serveFiles(
  files: Record<string, Buffer>,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  };
}
