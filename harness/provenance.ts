/**
 * How to reproduce a run (summary.json "provenance", report.md "Provenance"): when it started, which harness
 * (package version, git commit), which data (every file each benchmark and the judge read, with its sha256, or the
 * pinned download it is), the seed, the flags that shape results, and the judge (id, config fingerprint, endpoint).
 *
 * Which files a benchmark read is seen, not declared: its loader runs once before the run (loaders are memoized, so
 * the run reuses what it loaded), with every file path fs is asked to look up or read noted under the data folder.
 * Loaders look a file up (stat) before reading it, so the list holds when a file's contents were already read in
 * this process (a replay judge loads RewardBench before the run does).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import type { DownloadSource, DownloadSpec } from '../core/download.ts';
import { HARNESS_PACKAGE, REPO_ROOT } from '../core/repo-root.ts';
import { redact } from '../core/secrets.ts';
import { type Endpoint, inapplicable, type Judge } from '../judges/judge.ts';
import type { RunResult } from './run.ts';
import type { Store } from './store.ts';

export interface DataFile {
  /** Relative to the data folder, with forward slashes. */
  path: string;
  bytes: number;
  sha256: string;
  /**
   * The pinned download (`npm run data -- pull`) this file is: its repository and revision or commit. Its sha256 is
   * then the published one (the size matched; the pull verified the bytes).
   */
  download?: DownloadSource;
}

/** The command-line flags that shape results (no paths: the store, data and config files are not results). */
export interface ProvenanceFlags {
  benchmark: string;
  sample: number | null;
  limit: number | null;
  swap: boolean;
  resamples: number;
  /** As given; null: the judge's own setting. */
  concurrency: number | null;
  maxCost: number | null;
  /** --jury-aggregate, when given (a jury's rating rule). */
  juryAggregate?: string;
}

export interface Provenance {
  /** When the command started (UTC). */
  startedAt: string;
  harness: {
    name: string;
    version: string;
    /** `git rev-parse HEAD` of the harness's checkout, "-dirty" when tracked files changed; null without git. */
    commit: string | null;
    node: string;
  };
  command: string;
  seed: number;
  flags: ProvenanceFlags;
  judge: { id: string; fingerprint: string; endpoint: Endpoint | null };
  data: {
    /** Per benchmark run: the files its loader read. */
    benchmarks: Record<string, DataFile[]>;
    /** Files the judge read when it was created (a replay judge's published results). */
    judge: DataFile[];
  };
}

const reading = new AsyncLocalStorage<Set<string>>();
let hooked = false;

/**
 * Wraps fs's look-up and read functions (callback, sync and promise forms, and the named imports of node:fs, via
 * syncBuiltinESMExports) so that, inside `noteReads`, every path they are given is noted. Outside it they only pass
 * the call on.
 */
function hookFs(): void {
  if (hooked) return;
  hooked = true;
  const note = (file: unknown): void => {
    const seen = reading.getStore();
    if (!seen) return;
    if (typeof file === 'string') seen.add(path.resolve(file));
    else if (file instanceof URL && file.protocol === 'file:') seen.add(fileURLToPath(file));
  };
  const wrap = (target: object, names: readonly string[]): void => {
    const functions = target as Record<string, unknown>;
    for (const name of names) {
      const original = functions[name];
      if (typeof original !== 'function') continue;
      functions[name] = function (this: unknown, ...args: unknown[]): unknown {
        note(args[0]);
        return original.apply(this, args);
      };
    }
  };
  wrap(fs, ['stat', 'statSync', 'lstat', 'lstatSync', 'open', 'openSync', 'readFile', 'readFileSync']);
  wrap(fs, ['createReadStream']);
  wrap(fs.promises, ['stat', 'lstat', 'open', 'readFile']);
  syncBuiltinESMExports();
}

/** Runs `fn`, noting every file path fs is asked to look up or read meanwhile (in its own async context). */
async function noteReads<T>(fn: () => Promise<T>): Promise<{ value: T; files: Set<string> }> {
  hookFs();
  const files = new Set<string>();
  // Off again once `fn` is done: an enabled AsyncLocalStorage slows every later promise in the process.
  const value = await reading.run(files, fn).finally(() => reading.disable());
  return { value, files };
}

/**
 * The checkout's commit, "-dirty" when `git status` shows changed tracked files; null when the harness is not a git
 * checkout (a tarball install; a folder inside someone else's repository is not it) or git is missing. One git
 * process (spawning one costs the CLI ~10 ms), told to use `<root>/.git` only, so no repository above is found;
 * optional locks off, so it never writes the index another git command may be using.
 */
export function harnessCommit(root = REPO_ROOT): Promise<string | null> {
  if (!fs.existsSync(path.join(root, '.git'))) return Promise.resolve(null);
  const args = [`--git-dir=${path.join(root, '.git')}`, `--work-tree=${root}`, 'status', '--porcelain=v2', '--branch'];
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  return new Promise((resolve) => {
    execFile('git', [...args, '--untracked-files=no'], { env, timeout: 10_000, windowsHide: true }, (error, out) => {
      const head = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(out)?.[1];
      if (error || !head) return resolve(null);
      resolve(out.split('\n').some((line) => line !== '' && !line.startsWith('#')) ? `${head}-dirty` : head);
    });
  });
}

type HashCache = Pick<Store, 'derived' | 'saveDerived'>;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * A file's sha256, hashed once per path, size and modification time: the store's derived values keep it (as JSON,
 * like every derived value).
 */
async function cachedSha256(file: string, stat: fs.Stats, cache: HashCache): Promise<string> {
  const key = `file-sha256/${JSON.stringify([file, stat.size, stat.mtimeMs])}`;
  const hit = cache.derived(key);
  if (hit !== undefined) {
    const cached: unknown = JSON.parse(hit);
    if (typeof cached === 'string' && /^[0-9a-f]{64}$/.test(cached)) return cached;
  }
  const sha256 = await sha256File(file);
  try {
    cache.saveDerived(key, JSON.stringify(sha256));
  } catch {
    // A cache: a store that cannot take it only means hashing again next time.
  }
  return sha256;
}

/** A file as the report shows it: checksum, and the pinned download it is, if any. */
async function describeFile(
  file: string,
  dataDir: string,
  downloads: ReadonlyMap<string, DownloadSpec>,
  cache: HashCache,
): Promise<DataFile | undefined> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined; // looked for, not there
  }
  if (!stat.isFile()) return undefined;
  const rel = path.relative(dataDir, file).split(path.sep).join('/');
  const spec = downloads.get(rel);
  const sizeMatches = spec !== undefined && (spec.size === undefined || spec.size === stat.size);
  const published = sizeMatches && spec.size !== undefined ? spec.sha256 : undefined;
  const sha256 = published ?? (await cachedSha256(file, stat, cache));
  const pinned = sizeMatches && (spec.sha256 === undefined || spec.sha256 === sha256);
  return { path: rel, bytes: stat.size, sha256, ...(pinned ? { download: spec.source } : {}) };
}

function inside(dataDir: string, file: string): boolean {
  const rel = path.relative(dataDir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The endpoint as Judge.endpoint gives it (already shown without credentials), redacted once more. */
function shownEndpoint(endpoint: Endpoint | undefined): Endpoint | null {
  if (!endpoint) return null;
  return {
    url: redact(endpoint.url),
    source: redact(endpoint.source),
    model: redact(endpoint.model),
    ...(endpoint.keyFrom ? { keyFrom: endpoint.keyFrom } : {}),
  };
}

/** The flags of a command that writes reports (eval's): what shapes results, and --out. */
interface CommandFlags {
  benchmark: string;
  seed: number;
  sample?: number;
  limit?: number;
  swap: boolean;
  resamples: number;
  concurrency?: number;
  maxCost?: number;
  juryAggregate?: string;
  /** Without it nothing is recorded: nothing noted, loaded early or asked of git, and `finish` is not called. */
  out?: string;
}

export interface ProvenanceRecorder {
  /** Creates the judge (`create`), noting the data files it reads. */
  judge(create: () => Promise<Judge>): Promise<Judge>;
  /**
   * Loads the benchmarks the judge answers, one at a time, noting the files each reads. Failures are left for the
   * run, which loads them again and reports them as it always does.
   */
  load(benchmarks: readonly AnyBenchmark[], judge: Judge): Promise<void>;
  /** The provenance of the finished run; checksums are cached in `store`. */
  finish(run: RunResult, store: HashCache): Promise<Provenance>;
}

/** Starts recording a command's provenance: its start time now, and the git commit in the background. */
export function recordProvenance(command: string, flags: CommandFlags, dataDir: string): ProvenanceRecorder {
  const startedAt = new Date().toISOString();
  if (flags.out === undefined) {
    return {
      judge: (create) => create(),
      load: async () => {},
      finish: () => Promise.reject(new Error('provenance was not recorded')),
    };
  }
  const commit = harnessCommit();
  const read = new Map<string, Set<string>>();
  let judgeFiles = new Set<string>();
  return {
    async judge(create) {
      const { value, files } = await noteReads(create);
      judgeFiles = files;
      return value;
    },
    async load(benchmarks, judge) {
      for (const benchmark of benchmarks) {
        if (inapplicable(judge, benchmark) || read.has(benchmark.id)) continue;
        const { files } = await noteReads(() => benchmark.load(dataDir).catch(() => undefined));
        read.set(benchmark.id, files);
      }
    },
    async finish(run, store) {
      const downloads = new Map<string, DownloadSpec>();
      for (const b of run.benchmarks) for (const spec of b.benchmark.downloads) downloads.set(spec.dest, spec);
      const described = new Map<string, Promise<DataFile | undefined>>();
      const describe = async (files: Iterable<string>): Promise<DataFile[]> => {
        const out: DataFile[] = [];
        for (const file of files) {
          if (!inside(dataDir, file)) continue;
          let pending = described.get(file);
          if (!pending) described.set(file, (pending = describeFile(file, dataDir, downloads, store)));
          const entry = await pending;
          if (entry) out.push(entry);
        }
        return out;
      };
      const benchmarks: Record<string, DataFile[]> = {};
      for (const b of run.benchmarks) benchmarks[b.benchmark.id] = await describe(read.get(b.benchmark.id) ?? []);
      return {
        startedAt,
        harness: { ...HARNESS_PACKAGE, commit: await commit, node: process.version },
        command,
        seed: flags.seed,
        flags: {
          benchmark: flags.benchmark,
          sample: flags.sample ?? null,
          limit: flags.limit ?? null,
          swap: flags.swap,
          resamples: flags.resamples,
          concurrency: flags.concurrency ?? null,
          maxCost: flags.maxCost ?? null,
          ...(flags.juryAggregate ? { juryAggregate: flags.juryAggregate } : {}),
        },
        judge: { id: run.judge.id, fingerprint: run.fingerprint, endpoint: shownEndpoint(run.judge.endpoint) },
        data: { benchmarks, judge: await describe(judgeFiles) },
      };
    },
  };
}
