import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { AGGREFACT_DOWNLOADS, aggrefact, aggrefactTuned } from '../benchmarks/aggrefact/index.ts';
import { OFFICIAL_FILES } from '../benchmarks/aggrefact/loader.ts';
import { download, downloadUrl } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { startLoopback, type LoopbackServer } from './doubles/loopback.ts';
import { tempDir } from './helpers.ts';

const TOKEN = 'hf_aggrefact_test_token';
const REVISION_PATH =
  /^\/datasets\/lytang\/LLM-AggreFact\/resolve\/([0-9a-f]{40})\/data\/(test|dev)-00000-of-00001\.parquet$/;

/**
 * A parquet file in the Hub release's schema: dataset, doc, claim (string), label (int64), contamination_identifier
 * (string).
 */
function hubParquet(rows: { dataset: string; doc: string; claim: string; label: number }[]): Buffer {
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'dataset', data: rows.map((r) => r.dataset), type: 'STRING' },
        { name: 'doc', data: rows.map((r) => r.doc), type: 'STRING' },
        { name: 'claim', data: rows.map((r) => r.claim), type: 'STRING' },
        { name: 'label', data: rows.map((r) => BigInt(r.label)), type: 'INT64' },
        {
          name: 'contamination_identifier',
          data: rows.map((_, i) => createHash('sha256').update(String(i)).digest('hex')),
          type: 'STRING',
        },
      ],
    }),
  );
}

const FILES = {
  test: hubParquet([
    { dataset: 'AggreFact-CNN', doc: 'The cat sat on the mat.', claim: 'A cat sat on a mat.', label: 1 },
    { dataset: 'AggreFact-CNN', doc: 'The cat sat on the mat.', claim: 'A dog sat on a mat.', label: 0 },
    { dataset: 'RAGTruth', doc: 'Paris is the capital of France.', claim: 'France’s capital is Paris.', label: 1 },
  ]),
  dev: hubParquet([
    { dataset: 'AggreFact-CNN', doc: 'It rained all day.', claim: 'It was dry.', label: 0 },
    {
      dataset: 'RAGTruth',
      doc: 'Water boils at 100 °C at sea level.',
      claim: 'At sea level water boils at 100 °C.',
      label: 1,
    },
  ]),
};
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function serveHub(): Promise<LoopbackServer> {
  return startLoopback((req, res) => {
    const resolve = REVISION_PATH.exec(req.url ?? '');
    if (resolve) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
      return void res.writeHead(302, { location: `/cdn/${resolve[2]}.parquet` }).end();
    }
    const cdn = /^\/cdn\/(test|dev)\.parquet$/.exec(req.url ?? '');
    if (!cdn) return void res.writeHead(404).end();
    const body = FILES[cdn[1] as 'test' | 'dev'];
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
}

describe('npm run data -- pull aggrefact: the download specs', () => {
  it('fetch the test and dev parquet of the gated Hub dataset at a pinned revision into the upstream layout', () => {
    expect(AGGREFACT_DOWNLOADS.map((s) => s.dest)).toEqual([OFFICIAL_FILES.test, OFFICIAL_FILES.dev]);
    for (const spec of AGGREFACT_DOWNLOADS) {
      expect(spec.gated).toBe(true);
      expect(spec.source).toMatchObject({ kind: 'hf-dataset', repo: 'lytang/LLM-AggreFact' });
      // No published size or sha256: the download reports itself unverified and prints the sha256.
      expect(spec.size).toBeUndefined();
      expect(spec.sha256).toBeUndefined();
      expect(new URL(downloadUrl(spec, {})).pathname).toMatch(REVISION_PATH);
    }
    expect(aggrefact.downloads).toEqual(AGGREFACT_DOWNLOADS);
    expect(aggrefactTuned.downloads).toEqual(AGGREFACT_DOWNLOADS);
  });
});

describe('LLM-AggreFact download on loopback', () => {
  it('sends HF_TOKEN, stores both splits unverified with their sha256, and the loader reads them', async () => {
    const server = await serveHub();
    const dataDir = tempDir();
    const env = { HF_ENDPOINT: server.url, HF_TOKEN: TOKEN };
    for (const spec of AGGREFACT_DOWNLOADS) {
      const split = spec.dest === OFFICIAL_FILES.test ? 'test' : 'dev';
      const result = await download(spec, dataDir, { env, progress: false });
      expect(result).toEqual({
        path: path.join(dataDir, spec.dest),
        status: 'downloaded',
        resumedFrom: 0,
        sha256: sha(FILES[split]),
        verified: false,
      });
      expect(fs.readFileSync(result.path).equals(FILES[split])).toBe(true);
    }
    const resolves = server.requests.filter((r) => REVISION_PATH.test(r.path));
    expect(resolves.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);

    const test = await aggrefact.load(dataDir);
    expect(test.map((i) => [i.dataset, i.label, i.file])).toEqual([
      ['AggreFact-CNN', true, OFFICIAL_FILES.test],
      ['AggreFact-CNN', false, OFFICIAL_FILES.test],
      ['RAGTruth', true, OFFICIAL_FILES.test],
    ]);
    const both = await aggrefactTuned.load(dataDir);
    expect(both.map((i) => i.split)).toEqual(['test', 'test', 'test', 'dev', 'dev']);
  });

  it('refuses the gated repo without a token, before sending anything', async () => {
    const server = await serveHub();
    const error = (await download(AGGREFACT_DOWNLOADS[0]!, tempDir(), {
      env: { HF_ENDPOINT: server.url },
      progress: false,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('gated on the Hugging Face Hub');
    expect(error.message).toContain('HF_TOKEN');
    expect(server.requests).toHaveLength(0);
  });

  it('a token the Hub refuses: says so without printing the token', async () => {
    const server = await serveHub();
    const dataDir = tempDir();
    const error = (await download(AGGREFACT_DOWNLOADS[1]!, dataDir, {
      env: { HF_ENDPOINT: server.url, HF_TOKEN: 'hf_wrong' },
      progress: false,
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('Check that HF_TOKEN is valid');
    expect(error.message).not.toContain('hf_wrong');
    expect(server.requests[0]!.authorization).toBe('Bearer hf_wrong');
    expect(fs.existsSync(path.join(dataDir, OFFICIAL_FILES.dev))).toBe(false);
  });
});
