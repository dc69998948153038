/**
 * Downloads of the GitHub-hosted held-out sets: pinned at the snapshot commits of SOURCES.md, placed where the
 * loaders look, and verified against the size and sha256 of the shared copies (byte-identical to those commits).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELDOUT_PAIRWISE } from '../benchmarks/heldout/index.ts';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import { download, downloadUrl } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { serveFiles, startLoopback, type LoopbackServer } from './doubles/loopback.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const GITHUB_SETS = HELDOUT_PAIRWISE.filter((b) => b.id !== 'alpacafarm');

// Snapshot HEADs named in SOURCES.md.
const SNAPSHOTS: Record<string, string> = {
  llmbar: 'princeton-nlp/LLMBar@900616bff90b6c6c8e1681f7d079250637c55992',
  'contrastive-search':
    'yxuansu/Contrastive_Search_versus_Contrastive_Decoding@bdca42ddae6e3109b4b4eca1d6dd6b2dc5b05c2d',
  hhh: 'prometheus-eval/prometheus-eval@dcfb44272d5d0414832f5dbb8c2a05ebc2614234',
  copoem: 'vishakhpk/creative-instructions@65d6266f7ea3d80f111742904f7c97dba733e3be',
  rankgen: 'martiansideofthemoon/rankgen@23a8e7ce2dd6a660e3b7851e97a5ee7a84a5fea6',
  'expert-lfqa': 'carriex/lfqa_eval@4aa34f94c517d8227530cdcdc9fa242ccbe06014',
  litmt: 'marzenakrp/LiteraryTranslation@7875c8ae052c6a26aca2c80e0602f8bae894a25c',
};

describe('download specs of the GitHub-hosted sets', () => {
  it.each(GITHUB_SETS.map((b) => [b.id, b] as const))(
    '%s: pinned at the snapshot commit, size and sha256 of the shared copy',
    async (id, benchmark) => {
      expect(benchmark.downloads.length).toBeGreaterThan(0);
      for (const spec of benchmark.downloads) {
        if (spec.source.kind !== 'github') throw new Error(`${id}: expected a github source`);
        expect(`${spec.source.repo}@${spec.source.commit}`).toBe(SNAPSHOTS[id]);
        const bytes = fs.readFileSync(path.join(DATA_DIR, spec.dest));
        expect(bytes.length, spec.dest).toBe(spec.size);
        expect(createHash('sha256').update(bytes).digest('hex'), spec.dest).toBe(spec.sha256);
        // The repository path is kept under heldout/<folder>/.
        expect(spec.dest.endsWith(`/${spec.source.path}`)).toBe(true);
      }
    },
  );

  it.each(GITHUB_SETS.map((b) => [b.id, b] as const))(
    '%s: the files the specs place are exactly what the loader reads',
    async (_id, benchmark) => {
      const dataDir = tempDir();
      for (const spec of benchmark.downloads) {
        const dest = path.join(dataDir, spec.dest);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.symlinkSync(path.join(DATA_DIR, spec.dest), dest);
      }
      const fromSpecs = await benchmark.load(dataDir);
      const fromShared = await benchmark.load(DATA_DIR);
      expect(fromSpecs.map((i) => i.id)).toEqual(fromShared.map((i) => i.id));
    },
  );

  it("paths with spaces are encoded in the URL (CoPoem's batch CSV)", () => {
    const copoem = GITHUB_SETS.find((b) => b.id === 'copoem')!;
    expect(downloadUrl(copoem.downloads[0]!, {})).toBe(
      'https://raw.githubusercontent.com/vishakhpk/creative-instructions/65d6266f7ea3d80f111742904f7c97dba733e3be/' +
        'Batch_4739845_batch_results%20-%20Batch_4739845_batch_results.csv',
    );
  });
});

/** Like raw.githubusercontent.com: /<owner>/<repo>/<commit>/<path>. */
function githubRaw(files: Record<string, Buffer>): Promise<LoopbackServer> {
  return startLoopback(serveFiles(files));
}

function served(tamper = false): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const spec of llmbar.downloads) {
    if (spec.source.kind !== 'github') throw new Error('expected github');
    const bytes = Buffer.from(fs.readFileSync(path.join(DATA_DIR, spec.dest)));
    if (tamper) bytes[10] = bytes[10]! ^ 1;
    files[`/${spec.source.repo}/${spec.source.commit}/${spec.source.path}`] = bytes;
  }
  return files;
}

describe('npm run data -- pull llmbar, against a loopback GitHub', () => {
  it('fetches the five files at the pinned commit, verifies them, and the loader reads all 419 items', async () => {
    const server = await githubRaw(served());
    const dataDir = tempDir();
    for (const spec of llmbar.downloads) {
      const result = await download(spec, dataDir, { env: { GITHUB_RAW_ENDPOINT: server.url }, progress: false });
      expect(result).toMatchObject({ status: 'downloaded', verified: true, sha256: spec.sha256 });
    }
    expect(server.requests).toHaveLength(5);
    expect(server.requests[0]!.path).toBe(
      '/princeton-nlp/LLMBar/900616bff90b6c6c8e1681f7d079250637c55992/Dataset/LLMBar/Natural/dataset.json',
    );
    const items = await llmbar.load(dataDir);
    expect(items).toHaveLength(419);
  });

  it('refuses bytes that differ from the shared copy, and keeps nothing', async () => {
    const server = await githubRaw(served(true));
    const dataDir = tempDir();
    const spec = llmbar.downloads[0]!;
    const error = await download(spec, dataDir, { env: { GITHUB_RAW_ENDPOINT: server.url }, progress: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(`expected ${spec.size} bytes with sha256 ${spec.sha256}`);
    expect(fs.existsSync(path.join(dataDir, spec.dest))).toBe(false);
  });
});
