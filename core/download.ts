/**
 * Fetches a dataset file into the data directory: pinned URL, resumable (.part file + HTTP Range), and
 * verified by size and sha256 before it is moved into place. Each kind of host has an endpoint variable
 * (Hugging Face: $HF_ENDPOINT, as huggingface_hub uses; GitHub: $GITHUB_RAW_ENDPOINT; others name their own),
 * which is also how tests point downloads at a server on 127.0.0.1.
 */
import cliProgress from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from './errors.ts';

export type DownloadSource =
  /** A file in a Hugging Face dataset repository at a pinned revision; honours $HF_ENDPOINT and $HF_TOKEN. */
  | { kind: 'hf-dataset'; repo: string; revision: string; path: string }
  /** A file in a GitHub repository at a pinned commit (raw.githubusercontent.com, or $GITHUB_RAW_ENDPOINT). */
  | { kind: 'github'; repo: string; commit: string; path: string }
  /** Any other host: `base` + `path`, with `baseEnv` naming the variable that overrides the base. */
  | { kind: 'url'; base: string; path: string; baseEnv: string };

export interface DownloadSpec {
  /** Shown to the user. */
  description: string;
  source: DownloadSource;
  /** Where it goes, relative to the data directory. */
  dest: string;
  /**
   * Expected size and sha256. Give them whenever they are known; a file pinned only by revision is downloaded
   * unverified, and its sha256 is printed so it can be pinned.
   */
  size?: number;
  sha256?: string;
  /** The repository is gated: a token from $HF_TOKEN is required. */
  gated?: boolean;
}

interface DownloadOptions {
  env?: NodeJS.ProcessEnv;
  /** Show a progress bar (only drawn when stderr is a terminal). */
  progress?: boolean;
  /** Give up when no bytes arrive for this long. */
  stallMs?: number;
}

interface DownloadResult {
  path: string;
  status: 'already present' | 'downloaded';
  /** Bytes already on disk from an earlier, interrupted attempt. */
  resumedFrom: number;
  sha256: string;
  /** Size and sha256 matched the spec (false only for specs that pin no checksum). */
  verified: boolean;
}

function encodePath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

export function downloadUrl(spec: DownloadSpec, env: NodeJS.ProcessEnv = process.env): string {
  const source = spec.source;
  const base = (value: string): string => value.replace(/\/+$/, '');
  switch (source.kind) {
    case 'hf-dataset':
      return (
        `${base(env.HF_ENDPOINT ?? 'https://huggingface.co')}/datasets/${source.repo}` +
        `/resolve/${source.revision}/${encodePath(source.path)}`
      );
    case 'github':
      return (
        `${base(env.GITHUB_RAW_ENDPOINT ?? 'https://raw.githubusercontent.com')}/${source.repo}` +
        `/${source.commit}/${encodePath(source.path)}`
      );
    case 'url':
      return `${base(env[source.baseEnv] ?? source.base)}/${encodePath(source.path)}`;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return undefined;
  }
}

async function sha256File(file: string): Promise<string> {
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

/** Does the file match the spec? Unknown size or sha256 is not checked. */
async function matches(file: string, spec: DownloadSpec): Promise<{ ok: boolean; size: number; sha256: string }> {
  const size = (await fileSize(file)) ?? 0;
  const sha256 = await sha256File(file);
  const ok = (spec.size === undefined || size === spec.size) && (spec.sha256 === undefined || sha256 === spec.sha256);
  return { ok, size, sha256 };
}

function expected(spec: DownloadSpec): string {
  const parts = [
    spec.size !== undefined ? `${spec.size} bytes` : undefined,
    spec.sha256 ? `sha256 ${spec.sha256}` : undefined,
  ];
  return parts.filter(Boolean).join(' with ');
}

export async function download(
  spec: DownloadSpec,
  dataDir: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const env = options.env ?? process.env;
  const dest = path.join(dataDir, spec.dest);
  const part = `${dest}.part`;
  const url = downloadUrl(spec, env);
  const pinned = spec.size !== undefined && spec.sha256 !== undefined;

  if ((await fileSize(dest)) !== undefined) {
    const check = await matches(dest, spec);
    if (check.ok)
      return { path: dest, status: 'already present', resumedFrom: 0, sha256: check.sha256, verified: pinned };
    throw new DataError(
      `${dest} exists but is not the expected file (want ${expected(spec)}). Move it away and run the pull again.`,
    );
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });

  let offset = (await fileSize(part)) ?? 0;
  if (spec.size !== undefined && offset > spec.size) {
    await fs.rm(part);
    offset = 0;
  }
  const resumedFrom = offset;
  if (spec.size === undefined || offset < spec.size) await fetchInto(spec, url, part, offset, env, options);

  const check = await matches(part, spec);
  if (!check.ok) {
    await fs.rm(part, { force: true });
    throw new DataError(
      `${spec.description} from ${redactedUrl(url)} failed verification: ` +
        `got ${check.size} bytes with sha256 ${check.sha256}, ` +
        `expected ${expected(spec)}. The file was removed; run the pull again.`,
    );
  }
  await fs.rename(part, dest);
  return { path: dest, status: 'downloaded', resumedFrom, sha256: check.sha256, verified: pinned };
}

/** Appends the bytes after `offset` to `part` (or rewrites it when the server ignores the Range header). */
async function fetchInto(
  spec: DownloadSpec,
  url: string,
  part: string,
  start: number,
  env: NodeJS.ProcessEnv,
  options: DownloadOptions,
): Promise<void> {
  let offset = start;
  const headers: Record<string, string> = { 'user-agent': 'autorater-harness' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const token = spec.source.kind === 'hf-dataset' ? (env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN) : undefined;
  if (token) headers.authorization = `Bearer ${token}`;
  else if (spec.gated) {
    throw new DataError(
      `${spec.description} is gated on the Hugging Face Hub: accept its terms there and set HF_TOKEN.`,
    );
  }

  const stallMs = options.stallMs ?? 60_000;
  const controller = new AbortController();
  let stallTimer = setTimeout(() => controller.abort(), stallMs);
  const resetStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => controller.abort(), stallMs);
  };

  try {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw new DataError(`could not reach ${redactedUrl(url)}: ${(error as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new DataError(
        `${redactedUrl(url)} refused access (HTTP ${response.status}). ` +
          (token
            ? 'Check that HF_TOKEN is valid and that you accepted the dataset terms.'
            : 'Set HF_TOKEN if the dataset is gated.'),
      );
    }
    // 416: nothing after our offset. The partial file is complete (or wrong): the caller verifies it.
    if (response.status === 416) return;
    if (response.status !== 200 && response.status !== 206) {
      throw new DataError(`${redactedUrl(url)} answered HTTP ${response.status} ${response.statusText}.`);
    }
    if (response.status === 200 && offset > 0) offset = 0; // the server ignored the Range header: start over
    if (response.status === 206) {
      const rangeStart = /bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (rangeStart !== undefined && Number(rangeStart) !== offset) {
        throw new DataError(
          `${redactedUrl(url)} answered a resume at byte ${offset} with a range starting at ${rangeStart}.`,
        );
      }
    }
    if (!response.body) throw new DataError(`${redactedUrl(url)} sent no body.`);
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = spec.size ?? (Number.isFinite(length) ? offset + length : 0);
    const bar = options.progress === false || total === 0 ? undefined : byteBar(spec.description, total, offset);
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
        `download of ${spec.description} stopped after ${received}${total ? ` of ${total}` : ''} bytes ` +
          `(${(error as Error).message}). ` +
          'The partial file is kept: run the same command again to resume.',
      );
    } finally {
      bar?.stop();
    }
  } finally {
    clearTimeout(stallTimer);
  }
}

/** A download's progress in megabytes, on stderr when it is a terminal. */
function byteBar(label: string, total: number, start: number): { update(value: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  bar.start(total, start, { mb: mb(start), totalMb: mb(total) });
  return {
    update(value) {
      bar.update(value, { mb: mb(value), totalMb: mb(total) });
    },
    stop() {
      bar.stop();
    },
  };
}
