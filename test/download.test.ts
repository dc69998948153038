import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { download, downloadUrl, type DownloadSpec } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { startLoopback, type LoopbackServer } from './doubles/loopback.ts';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

// The official parquet cannot be had here, so the server serves the renamed copy's bytes; the tests that
// expect success use a spec with that file's size and sha256, and the rest of the official spec (URL, path).
const BYTES = fs.readFileSync(
  path.join(DATA_DIR, 'rewardbench/sustech-nlp__BiasScope/data/rewardbench/rewardbench_filtered.parquet'),
);
const OFFICIAL = rewardbench.downloads[0]!;
const SERVED: DownloadSpec = {
  ...OFFICIAL,
  size: BYTES.length,
  sha256: createHash('sha256').update(BYTES).digest('hex'),
};
const RESOLVE_PATH =
  '/datasets/allenai/reward-bench/resolve/168d848cdbbea9764fae4a544dc9ca1e6cca4931' +
  '/data/filtered-00000-of-00001.parquet';

interface Served extends LoopbackServer {
  bytesSent: number;
}

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, served: Served) => void;

async function serve(behaviour: Behaviour): Promise<Served> {
  const counter = { bytesSent: 0 };
  const server = await startLoopback((req, res) => behaviour(req, res, served));
  const served: Served = Object.assign(server, counter);
  return served;
}

/** Like the Hub: /resolve/ redirects to a CDN path, which honours Range requests. */
function hubLike(body: Buffer, options: { dropAfter?: number; ignoreRange?: boolean } = {}): Behaviour {
  let dropped = false;
  return (req, res, served) => {
    if (req.url === RESOLVE_PATH) {
      res.writeHead(302, { location: '/cdn/filtered.parquet' }).end();
      return;
    }
    if (req.url !== '/cdn/filtered.parquet') {
      res.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const start = range && !options.ignoreRange ? Number(range[1]) : 0;
    const chunk = body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-length': chunk.length,
      ...(start > 0 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (options.dropAfter !== undefined && !dropped) {
      dropped = true;
      res.write(chunk.subarray(0, options.dropAfter), () => {
        served.bytesSent += options.dropAfter!;
        setTimeout(() => res.destroy(), 50); // the connection dies mid-body
      });
      return;
    }
    served.bytesSent += chunk.length;
    res.end(chunk);
  };
}

describe('data pull: resumable, verified download from a pinned Hub revision', () => {
  it('fetches the pinned path, follows the redirect, verifies and moves the file into place', async () => {
    const server = await serve(hubLike(BYTES));
    const dataDir = tempDir();
    const result = await download(SERVED, dataDir, { env: { HF_ENDPOINT: server.url }, progress: false });
    expect(result).toEqual({
      path: path.join(dataDir, OFFICIAL.dest),
      status: 'downloaded',
      resumedFrom: 0,
      sha256: SERVED.sha256,
      verified: true,
    });
    expect(fs.readFileSync(result.path).equals(BYTES)).toBe(true);
    expect(fs.existsSync(`${result.path}.part`)).toBe(false);
    expect(server.requests[0]!.path).toBe(RESOLVE_PATH);

    const again = await download(SERVED, dataDir, { env: { HF_ENDPOINT: server.url }, progress: false });
    expect(again.status).toBe('already present');
    expect(server.requests).toHaveLength(2); // the second call made no request
  });

  it('resumes a partial download with a Range request instead of starting over', async () => {
    const server = await serve(hubLike(BYTES, { dropAfter: 1_000_000 }));
    const dataDir = tempDir();
    const env = { HF_ENDPOINT: server.url };
    const first = await download(SERVED, dataDir, { env, progress: false }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DataError);
    expect((first as Error).message).toMatch(
      /stopped after \d+ of 2336849 bytes.*run the same command again to resume/,
    );
    const partial = fs.statSync(path.join(dataDir, `${OFFICIAL.dest}.part`)).size;
    expect(partial).toBe(1_000_000);

    const second = await download(SERVED, dataDir, { env, progress: false });
    expect(second.status).toBe('downloaded');
    expect(second.resumedFrom).toBe(1_000_000);
    expect(server.requests.filter((r) => r.path === '/cdn/filtered.parquet').map((r) => r.range)).toEqual([
      undefined,
      'bytes=1000000-',
    ]);
    expect(server.bytesSent).toBe(BYTES.length); // nothing fetched twice
    expect(fs.readFileSync(second.path).equals(BYTES)).toBe(true);
  });

  it('starts over when the server ignores the Range header', async () => {
    const dataDir = tempDir();
    const dest = path.join(dataDir, `${OFFICIAL.dest}.part`);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, BYTES.subarray(0, 1000));
    const server = await serve(hubLike(BYTES, { ignoreRange: true }));
    const result = await download(SERVED, dataDir, { env: { HF_ENDPOINT: server.url }, progress: false });
    expect(fs.readFileSync(result.path).equals(BYTES)).toBe(true);
  });

  it('sends HF_TOKEN as a bearer token and says what to do on 401', async () => {
    const server = await serve((_req, res) => res.writeHead(401).end());
    const error = (await download(SERVED, tempDir(), {
      env: { HF_ENDPOINT: server.url, HF_TOKEN: 'hf_secret123' },
      progress: false,
    }).catch((e: unknown) => e)) as Error;
    expect(server.requests[0]!.authorization).toBe('Bearer hf_secret123');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('Check that HF_TOKEN is valid');
    expect(error.message).not.toContain('hf_secret123');
  });

  it(
    'npm run data -- pull rewardbench refuses bytes that do not match the pinned sha256, ' +
      'and leaves nothing behind',
    async () => {
      const server = await serve(hubLike(BYTES));
      const dataDir = tempDir();
      const { code, stderr } = await runCli(['data', 'pull', 'rewardbench', '--data', dataDir], {
        env: { HF_ENDPOINT: server.url },
      });
      expect(code).toBe(3);
      expect(stderr).toContain(`${server.url}${RESOLVE_PATH}`);
      expect(stderr).toContain(
        `failed verification: got 2336849 bytes with sha256 ${SERVED.sha256}, ` +
          `expected 2354751 bytes with sha256 ${OFFICIAL.sha256}`,
      );
      expect(fs.existsSync(path.join(dataDir, OFFICIAL.dest))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, `${OFFICIAL.dest}.part`))).toBe(false);
    },
  );

  it('npm run data -- pull reports an unreachable server', async () => {
    const server = await serve((_req, res) => res.writeHead(404).end());
    const { code, stderr } = await runCli(['data', 'pull', 'rewardbench', '--data', tempDir()], {
      env: { HF_ENDPOINT: server.url },
    });
    expect(code).toBe(3);
    expect(stderr).toContain('answered HTTP 404');
  });
});

describe('download sources', () => {
  it('builds pinned URLs for each kind of host, with its endpoint variable as override', () => {
    const github: DownloadSpec = {
      description: 'x',
      dest: 'x',
      source: {
        kind: 'github',
        repo: 'princeton-nlp/LLMBar',
        commit: 'abc123',
        path: 'Dataset/Processed/LLMEval^2/dataset.json',
      },
    };
    expect(downloadUrl(github, {})).toBe(
      'https://raw.githubusercontent.com/princeton-nlp/LLMBar/abc123/Dataset/Processed/LLMEval%5E2/dataset.json',
    );
    expect(downloadUrl(github, { GITHUB_RAW_ENDPOINT: 'http://127.0.0.1:9/' })).toBe(
      'http://127.0.0.1:9/princeton-nlp/LLMBar/abc123/Dataset/Processed/LLMEval%5E2/dataset.json',
    );
    const blob: DownloadSpec = {
      description: 'x',
      dest: 'x',
      source: { kind: 'url', base: 'https://example.org/data', path: 'a b/c.json', baseEnv: 'EXAMPLE_ENDPOINT' },
    };
    expect(downloadUrl(blob, {})).toBe('https://example.org/data/a%20b/c.json');
    expect(downloadUrl(blob, { EXAMPLE_ENDPOINT: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9/a%20b/c.json');
  });

  it('a file pinned only by revision is downloaded unverified, and its sha256 reported', async () => {
    const server = await serve(hubLike(BYTES));
    const unpinned: DownloadSpec = { ...OFFICIAL, size: undefined, sha256: undefined };
    const result = await download(unpinned, tempDir(), { env: { HF_ENDPOINT: server.url }, progress: false });
    expect(result.verified).toBe(false);
    expect(result.sha256).toBe(SERVED.sha256);
  });
});
