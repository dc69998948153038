/**
 * Fetches a dataset file into the data directory: pinned URL, resumable (.part file + HTTP Range), and
 * verified by size and sha256 before it is moved into place. Hugging Face URLs honour $HF_ENDPOINT (the
 * variable huggingface_hub uses), which is also how tests point this at a server on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from './errors.ts';
import { byteBar } from './progress.ts';

export interface DownloadSpec {
  /** Shown to the user. */
  description: string;
  /** A file in a Hugging Face dataset repository, at a pinned revision. */
  hfDataset: { repo: string; revision: string; path: string };
  /** Where it goes, relative to the data directory. */
  dest: string;
  size: number;
  sha256: string;
  /** The repository is gated: a token from $HF_TOKEN is required. */
  gated?: boolean;
}

export interface DownloadOptions {
  env?: NodeJS.ProcessEnv;
  /** Show a progress bar (only drawn when stderr is a terminal). */
  progress?: boolean;
  /** Give up when no bytes arrive for this long. */
  stallMs?: number;
}

export interface DownloadResult {
  path: string;
  status: 'already present' | 'downloaded';
  /** Bytes already on disk from an earlier, interrupted attempt. */
  resumedFrom: number;
}

export function downloadUrl(spec: DownloadSpec, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  const { repo, revision, path: file } = spec.hfDataset;
  const encodedPath = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/datasets/${repo}/resolve/${revision}/${encodedPath}`;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return undefined;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function redactedUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

export async function download(spec: DownloadSpec, dataDir: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const env = options.env ?? process.env;
  const dest = path.join(dataDir, spec.dest);
  const part = `${dest}.part`;
  const url = downloadUrl(spec, env);

  const existing = await fileSize(dest);
  if (existing !== undefined) {
    if (existing === spec.size && (await sha256File(dest)) === spec.sha256) {
      return { path: dest, status: 'already present', resumedFrom: 0 };
    }
    throw new DataError(
      `${dest} exists but is not the expected file (want ${spec.size} bytes, sha256 ${spec.sha256}). ` +
        'Move it away and run the pull again.',
    );
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });

  let offset = (await fileSize(part)) ?? 0;
  if (offset > spec.size) {
    await fs.rm(part);
    offset = 0;
  }
  const resumedFrom = offset;

  if (offset < spec.size) {
    const headers: Record<string, string> = { 'user-agent': 'autorater-harness' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const token = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
    if (token) headers.authorization = `Bearer ${token}`;
    else if (spec.gated) {
      throw new DataError(`${spec.description} is gated on the Hugging Face Hub: accept its terms there and set HF_TOKEN.`);
    }

    const stallMs = options.stallMs ?? 60_000;
    const controller = new AbortController();
    let stallTimer = setTimeout(() => controller.abort(), stallMs);
    const resetStall = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => controller.abort(), stallMs);
    };

    let response: Response;
    try {
      response = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      clearTimeout(stallTimer);
      throw new DataError(`could not reach ${redactedUrl(url)}: ${(error as Error).message}`);
    }

    if (response.status === 401 || response.status === 403) {
      clearTimeout(stallTimer);
      throw new DataError(
        `${redactedUrl(url)} refused access (HTTP ${response.status}). ` +
          (token ? 'Check that HF_TOKEN is valid and that you accepted the dataset terms.' : 'Set HF_TOKEN if the dataset is gated.'),
      );
    }
    if (response.status === 416) {
      // The server has nothing after our offset: the partial file is complete or wrong. Verify below.
      clearTimeout(stallTimer);
    } else if (response.status === 200 || response.status === 206) {
      if (response.status === 200 && offset > 0) offset = 0; // server ignored the Range header: start over
      if (response.status === 206) {
        const start = /bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
        if (start !== undefined && Number(start) !== offset) {
          clearTimeout(stallTimer);
          throw new DataError(`${redactedUrl(url)} answered a resume at byte ${offset} with a range starting at ${start}.`);
        }
      }
      if (!response.body) throw new DataError(`${redactedUrl(url)} sent no body.`);
      const bar = options.progress === false ? undefined : byteBar(spec.description, spec.size, offset);
      let received = offset;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          resetStall();
          bar?.update(received);
          done(null, chunk);
        },
      });
      try {
        await pipeline(
          Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
          counter,
          createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }),
        );
      } catch (error) {
        throw new DataError(
          `download of ${spec.description} stopped after ${received} of ${spec.size} bytes (${(error as Error).message}). ` +
            'The partial file is kept: run the same command again to resume.',
        );
      } finally {
        clearTimeout(stallTimer);
        bar?.stop();
      }
    } else {
      clearTimeout(stallTimer);
      throw new DataError(`${redactedUrl(url)} answered HTTP ${response.status} ${response.statusText}.`);
    }
  }

  const size = (await fileSize(part)) ?? 0;
  const digest = size === spec.size ? await sha256File(part) : undefined;
  if (digest !== spec.sha256) {
    await fs.rm(part, { force: true });
    throw new DataError(
      `${spec.description} from ${redactedUrl(url)} failed verification: got ${size} bytes` +
        (digest ? ` with sha256 ${digest}` : '') +
        `, expected ${spec.size} bytes with sha256 ${spec.sha256}. The file was removed; run the pull again.`,
    );
  }
  await fs.rename(part, dest);
  return { path: dest, status: 'downloaded', resumedFrom };
}
