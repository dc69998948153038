/**
 * `npm run data -- pull judgebench`: both splits' pairs and the seven published judge outputs, pinned at the snapshot
 * commit heldout/SOURCES.md names, placed where the loader and the replays look, verified by size and sha256 (those
 * of the shared copies, byte-identical to that commit). Served from a loopback "GitHub raw" host.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JUDGEBENCH, JUDGEBENCH_SNAPSHOT } from '../benchmarks/judgebench/index.ts';
import { JUDGEBENCH_DIR, loadJudgeBench, pairsFile, SPLITS } from '../benchmarks/judgebench/loader.ts';
import { type DownloadSpec, download, downloadUrl } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { filesToPull } from '../harness/commands/data.ts';
import { listJudgeBenchOutputs } from '../judges/replay/judgebench.ts';
import { serveFiles, startLoopback } from './doubles/loopback.ts';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

const COMMIT = 'e2c52c284e735e139b3daa61c206ee208f36c461';
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The path a GitHub raw host is asked for (percent-encoded, as the request line carries it). */
function githubPath(spec: DownloadSpec): string {
  if (spec.source.kind !== 'github') throw new Error('expected a github source');
  return new URL(downloadUrl(spec, { GITHUB_RAW_ENDPOINT: 'http://127.0.0.1' })).pathname;
}

/** Two pairs in the exact upstream format (one JSON object per line, the keys in the source's order). */
const SMALL_PAIRS = Buffer.from(
  [
    {
      pair_id: '81ec57f2-483f-515f-93ff-78a8910b2153',
      original_id: '10646',
      source: 'mmlu-pro-computer science',
      question: 'Consider an additive white Gaussian noise channel ...',
      response_model: 'gpt-4o-2024-05-13',
      response_A: 'To determine the capacity ...',
      response_B: 'We are given ...',
      label: 'B>A',
    },
    {
      pair_id: '5a0c1a9e-0000-5000-8000-000000000001',
      original_id: null,
      source: 'livebench-math',
      question: 'What is 2 + 2?',
      response_model: 'gpt-4o-2024-05-13',
      response_A: '4',
      response_B: '5',
      label: 'A>B',
    },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);

describe('data pull judgebench: the download specs', () => {
  it('every file of both splits at the pinned commit, with the size and sha256 of the shared copy', () => {
    expect(JUDGEBENCH_SNAPSHOT).toMatchObject({ repo: 'ScalerLab/JudgeBench', commit: COMMIT });
    const specs = filesToPull('judgebench');
    expect(specs).toHaveLength(9); // 2 pair files, 7 judge outputs
    expect(specs).toEqual(JUDGEBENCH.flatMap((b) => b.downloads));
    for (const spec of specs) {
      expect(githubPath(spec).startsWith(`/ScalerLab/JudgeBench/${COMMIT}/`)).toBe(true);
      expect(spec.dest).toBe(`${JUDGEBENCH_DIR}/${(spec.source as { path: string }).path}`);
      const bytes = fs.readFileSync(path.join(DATA_DIR, spec.dest));
      expect(bytes.length, spec.dest).toBe(spec.size);
      expect(sha(bytes), spec.dest).toBe(spec.sha256);
    }
    // Every file the shared folder holds under data/ and outputs/ is pulled.
    const shared = ['data', 'outputs'].flatMap((d) =>
      fs.readdirSync(path.join(DATA_DIR, JUDGEBENCH_DIR, d)).map((f) => `${JUDGEBENCH_DIR}/${d}/${f}`),
    );
    expect(specs.map((s) => s.dest).sort()).toEqual(shared.sort());
    expect(filesToPull('all').map((s) => s.dest)).toEqual(expect.arrayContaining(specs.map((s) => s.dest)));
  });

  it('the URL encodes the commas and equals signs of the file names as GitHub expects', () => {
    const spec = JUDGEBENCH[0]!.downloads[0]!;
    expect(downloadUrl(spec, {})).toBe(
      `https://raw.githubusercontent.com/ScalerLab/JudgeBench/${COMMIT}/data/` +
        'dataset%3Djudgebench%2Cresponse_model%3Dgpt-4o-2024-05-13.jsonl',
    );
  });
});

describe('data pull judgebench, against a loopback GitHub', () => {
  it('a small file in the upstream format is fetched and verified; the loader says it is not the release', async () => {
    const spec = JUDGEBENCH[0]!.downloads[0]!;
    const server = await startLoopback(serveFiles({ [githubPath(spec)]: SMALL_PAIRS }));
    const dataDir = tempDir();
    const small = { ...spec, size: SMALL_PAIRS.length, sha256: sha(SMALL_PAIRS) };
    const result = await download(small, dataDir, { env: { GITHUB_RAW_ENDPOINT: server.url }, progress: false });
    expect(result).toMatchObject({ status: 'downloaded', verified: true });
    expect(server.requests.map((r) => r.path)).toEqual([
      `/ScalerLab/JudgeBench/${COMMIT}/data/dataset%3Djudgebench%2Cresponse_model%3Dgpt-4o-2024-05-13.jsonl`,
    ]);
    expect(fs.readFileSync(path.join(dataDir, JUDGEBENCH_DIR, pairsFile(SPLITS.gpt)))).toEqual(SMALL_PAIRS);
    // Its two records parse; two pairs are not the 350 of the pinned release.
    const error = await loadJudgeBench(dataDir, 'gpt').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/2 pairs, fewer than the 350 of the pinned release/);
  });

  it('the pinned spec refuses those bytes and keeps nothing', async () => {
    const spec = JUDGEBENCH[0]!.downloads[0]!;
    const server = await startLoopback(serveFiles({ [githubPath(spec)]: SMALL_PAIRS }));
    const dataDir = tempDir();
    const error = await download(spec, dataDir, { env: { GITHUB_RAW_ENDPOINT: server.url }, progress: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(`expected ${spec.size} bytes with sha256 ${spec.sha256}`);
    expect(fs.existsSync(path.join(dataDir, spec.dest))).toBe(false);
  });

  it('npm run data -- pull judgebench fetches the nine files: both splits load, seven replays are listed', async () => {
    const files: Record<string, Buffer> = {};
    for (const spec of filesToPull('judgebench'))
      files[githubPath(spec)] = fs.readFileSync(path.join(DATA_DIR, spec.dest));
    const server = await startLoopback(serveFiles(files));
    const dataDir = tempDir();
    const { code, stderr } = await runCli(['data', 'pull', 'judgebench', '--data', dataDir, '--no-progress'], {
      env: { GITHUB_RAW_ENDPOINT: server.url },
    });
    expect(code, stderr).toBe(0);
    expect(stderr.match(/downloaded: .* \(size and sha256 verified\)/g)).toHaveLength(9);
    expect(server.requests).toHaveLength(9);
    expect(await loadJudgeBench(dataDir, 'gpt')).toHaveLength(350);
    expect(await loadJudgeBench(dataDir, 'claude')).toHaveLength(270);
    expect((await listJudgeBenchOutputs(dataDir)).size).toBe(7);
  });
});
