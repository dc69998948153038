/**
 * summary.json's "provenance" and report.md's "Provenance" section: when, which harness (version, git commit),
 * which data (the files each benchmark and the judge read, with their sha256 or the pinned download), seed, flags
 * and judge endpoint, with no secret; and the recorder itself on files read every way fs offers.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import { clearSecrets } from '../core/secrets.ts';
import { harnessCommit, type Provenance, recordProvenance } from '../harness/provenance.ts';
import type { RunResult } from '../harness/run.ts';
import type { Judge } from '../judges/judge.ts';
import type { HttpDouble } from './doubles/http-double.ts';
import { startOpenAIDouble } from './doubles/openai-server.ts';
import { DATA_DIR, REPO, runCli, tempDir } from './helpers.ts';

const sha256Of = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });

function summaryOf(out: string): { createdAt: string; provenance: Provenance } {
  return JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
}

const servers: HttpDouble[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  clearSecrets();
});

describe('eval --out: provenance', () => {
  it('says when, which harness commit, which data (sha256), seed, flags and judge; checksums are cached', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    const args = ['eval', '--judge', 'random', '--benchmark', 'rewardbench', '--limit', '10', '--seed', '3'];
    const first = await runCli([...args, '--resamples', '0', '--store', store, '--out', path.join(dir, 'a')]);
    expect(first.code, first.stderr).toBe(0);
    const { createdAt, provenance: p } = summaryOf(path.join(dir, 'a'));

    expect(p.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(p.startedAt)).toBeLessThanOrEqual(Date.parse(createdAt));
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(p.harness).toMatchObject({ name: 'autorater-harness', version: manifest.version, node: process.version });
    // This checkout is a git repository: its HEAD, marked dirty exactly when tracked files have changes.
    const head = git(REPO, 'rev-parse', 'HEAD').trim();
    const dirty = git(REPO, 'status', '--porcelain', '--untracked-files=no').trim() !== '';
    expect(p.harness.commit).toBe(dirty ? `${head}-dirty` : head);

    expect(p.command).toBe('eval');
    expect(p.seed).toBe(3);
    expect(p.flags).toEqual({
      benchmark: 'rewardbench',
      sample: null,
      limit: 10,
      swap: false,
      resamples: 0,
      concurrency: null,
      maxCost: null,
    });
    expect(p.judge).toEqual({ id: 'random', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), endpoint: null });

    // The data: the one parquet file RewardBench was read from, with its real sha256.
    const files = p.data.benchmarks.rewardbench!;
    expect(files).toHaveLength(1);
    const file = path.join(DATA_DIR, files[0]!.path);
    expect(files[0]!.path).toMatch(/\.parquet$/);
    expect(files[0]!.bytes).toBe(fs.statSync(file).size);
    expect(files[0]!.sha256).toBe(sha256Of(file));
    expect(p.data.judge).toEqual([]);

    const report = fs.readFileSync(path.join(dir, 'a', 'report.md'), 'utf8');
    const section = report.slice(report.indexOf('## Provenance'));
    expect(section).toContain(`commit \`${head}\``);
    expect(section).toContain(`\`npm run eval -- --judge random --benchmark rewardbench --seed 3 --limit 10`);
    expect(section).toContain(`| rewardbench | ${files[0]!.path} | ${files[0]!.bytes} | \`${files[0]!.sha256}\` |`);

    // The checksum is kept in the store, keyed by path, size and mtime, and the rerun reports the same.
    const db = new Database(store, { readonly: true });
    const cached = db.prepare("SELECT key, value FROM derived WHERE key LIKE 'file-sha256/%'").all() as {
      key: string;
      value: string;
    }[];
    db.close();
    expect(cached).toEqual([
      { key: expect.stringContaining(JSON.stringify(file)), value: JSON.stringify(files[0]!.sha256) },
    ]);
    const again = await runCli([...args, '--resamples', '0', '--store', store, '--out', path.join(dir, 'b')]);
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(path.join(dir, 'b')).provenance.data).toEqual(p.data);
  }, 60_000);

  it('a replay judge: its own published results, and the benchmark file it loaded before the run', async () => {
    const dir = tempDir();
    const judge = 'replay:Skywork/Skywork-Reward-Gemma-2-27B';
    const out = path.join(dir, 'out');
    const result = await runCli([
      'eval',
      '--judge',
      judge,
      '--limit',
      '5',
      '--resamples',
      '0',
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { data } = summaryOf(out).provenance;
    const bench = data.benchmarks.rewardbench!.map((f) => f.path);
    expect(bench).toHaveLength(1);
    expect(data.judge.map((f) => f.path).sort()).toEqual(
      [expect.stringMatching(/response_matrix\.csv$/), bench[0]].sort(),
    );
    for (const f of data.judge) expect(f.sha256).toBe(sha256Of(path.join(DATA_DIR, f.path)));
  }, 60_000);

  it('shows the endpoint without the URL’s user, password or query key, and no secret anywhere', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const queryKey = `qk-${randomBytes(12).toString('hex')}`;
    const double = await startOpenAIDouble();
    servers.push(double);
    const dir = tempDir();
    const url = `${double.baseURL.replace('http://', `http://nightly:${password}@`)}?api-key=${queryKey}`;
    const config = path.join(tempDir(), 'judges.json');
    fs.writeFileSync(
      config,
      JSON.stringify({ judges: { gw: { adapter: 'openai-compatible', model: 'm', baseURL: url } } }),
    );
    const out = path.join(dir, 'out');
    const result = await runCli([
      'eval',
      '--judge',
      'gw',
      '--config',
      config,
      '--limit',
      '3',
      '--resamples',
      '0',
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(double.calls).toHaveLength(3);
    const { provenance } = summaryOf(out);
    expect(provenance.judge.endpoint).toEqual({
      url: `${double.baseURL.replace('http://', 'http://***@')}?api-key=***`,
      source: `"baseURL" of "gw" in ${config}`,
      model: 'm',
    });
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain(
      `model m at ${double.baseURL.replace('http://', 'http://***@')}?api-key=*** (from`,
    );
    const basic = Buffer.from(`nightly:${password}`).toString('base64');
    const written = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const left = [
      result.stdout,
      result.stderr,
      ...written.map((e) => fs.readFileSync(path.join(e.parentPath, e.name)).toString('latin1')),
    ].join('\n');
    for (const secret of [password, queryKey, basic]) expect(left).not.toContain(secret);
  }, 60_000);
});

describe('the provenance recorder', () => {
  it('notes the files a loader reads, however it reads them; a pinned download’s checksum; a cache', async () => {
    const data = tempDir();
    const write = (rel: string, text: string): string => {
      const file = path.join(data, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    };
    const a = write('set/a.json', '[1, 2, 3]');
    const b = write('set/b.txt', 'bee');
    const c = write('set/c.csv', 'x,y\n1,2\n');
    const pinned = write('set/pinned.json', '{"pinned": true}');
    write('set/unread.json', 'never read');
    const outside = path.join(tempDir(), 'outside.txt');
    fs.writeFileSync(outside, 'not data');
    const benchmark = {
      id: 'fake',
      taskKind: 'pairwise',
      downloads: [
        {
          description: 'the pinned file',
          source: { kind: 'github', repo: 'o/r', commit: 'c'.repeat(40), path: 'pinned.json' },
          dest: 'set/pinned.json',
          size: fs.statSync(pinned).size,
          sha256: 'f'.repeat(64), // published: trusted when the size matches, so never hashed
        },
      ],
      async load(dir: string) {
        await fsp.readFile(path.join(dir, 'set/a.json'), 'utf8');
        fs.readFileSync(path.join(dir, 'set/b.txt'));
        const stream = fs.createReadStream(path.join(dir, 'set/c.csv'));
        await new Promise<void>((resolve) => stream.on('close', () => resolve()).resume());
        await fsp.stat(path.join(dir, 'set/pinned.json'));
        await fsp.stat(path.join(dir, 'set/missing.json')).catch(() => undefined);
        fs.readFileSync(outside);
        return [];
      },
    } as unknown as AnyBenchmark;
    const judge = { id: 'j', tasks: ['pairwise'], config: {} } as unknown as Judge;
    const run = { judge, fingerprint: 'fp', benchmarks: [{ benchmark }] } as unknown as RunResult;
    const flags = { benchmark: 'fake', seed: 0, swap: false, resamples: 0, out: 'x' };
    const cache = new Map<string, string>();
    const store = { derived: (k: string) => cache.get(k), saveDerived: (k: string, v: string) => void cache.set(k, v) };

    const recorder = recordProvenance('eval', flags, data);
    expect(await recorder.judge(async () => judge)).toBe(judge);
    await recorder.load([benchmark], judge);
    // Reads outside the recorder's calls are not noted.
    fs.readFileSync(path.join(data, 'set/unread.json'));
    const p = await recorder.finish(run, store);
    expect(p.data.benchmarks.fake).toEqual([
      { path: 'set/a.json', bytes: 9, sha256: sha256Of(a) },
      { path: 'set/b.txt', bytes: 3, sha256: sha256Of(b) },
      { path: 'set/c.csv', bytes: 8, sha256: sha256Of(c) },
      {
        path: 'set/pinned.json',
        bytes: fs.statSync(pinned).size,
        sha256: 'f'.repeat(64),
        download: { kind: 'github', repo: 'o/r', commit: 'c'.repeat(40), path: 'pinned.json' },
      },
    ]);
    expect(cache.size).toBe(3);

    // A changed file (size and mtime) is hashed again; an unchanged one comes from the cache.
    fs.writeFileSync(b, 'bees!');
    fs.utimesSync(b, new Date(), new Date(Date.now() + 5000));
    fs.writeFileSync(pinned, '{"pinned": false}'); // another size: no longer the pinned download
    const rerun = recordProvenance('eval', flags, data);
    await rerun.load([benchmark], judge);
    const q = await rerun.finish(run, store);
    expect(q.data.benchmarks.fake!.map((f) => [f.path, f.sha256, f.download])).toEqual([
      ['set/a.json', sha256Of(a), undefined],
      ['set/b.txt', sha256Of(b), undefined],
      ['set/c.csv', sha256Of(c), undefined],
      ['set/pinned.json', sha256Of(pinned), undefined],
    ]);
    expect(cache.size).toBe(5);
  });

  it('without --out it records nothing and loads nothing early', async () => {
    let loads = 0;
    const benchmark = { id: 'fake', taskKind: 'pairwise', load: async () => void loads++ } as unknown as AnyBenchmark;
    const judge = { id: 'j', tasks: ['pairwise'] } as unknown as Judge;
    const recorder = recordProvenance('eval', { benchmark: 'fake', seed: 0, swap: false, resamples: 0 }, tempDir());
    expect(await recorder.judge(async () => judge)).toBe(judge);
    await recorder.load([benchmark], judge);
    expect(loads).toBe(0);
  });

  it('the git commit: HEAD, -dirty with changed tracked files, null without a repository of its own', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, 'f.txt'), 'one');
    git(repo, 'add', 'f.txt');
    git(repo, 'commit', '-q', '-m', 'one');
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    expect(await harnessCommit(repo)).toBe(head);
    fs.writeFileSync(path.join(repo, 'untracked.txt'), 'new'); // untracked files do not make it dirty
    expect(await harnessCommit(repo)).toBe(head);
    fs.writeFileSync(path.join(repo, 'f.txt'), 'two');
    expect(await harnessCommit(repo)).toBe(`${head}-dirty`);
    // A tarball install: no .git. A folder inside another repository is not that repository's commit.
    expect(await harnessCommit(tempDir())).toBeNull();
    const nested = path.join(repo, 'pkg');
    fs.mkdirSync(path.join(nested, '.git'), { recursive: true });
    expect(await harnessCommit(nested)).toBeNull();
  });
});
