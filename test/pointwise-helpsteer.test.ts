import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLE_1 } from '../benchmarks/flame-paper.ts';
import { HELPSTEER_CRITERIA, helpsteer } from '../benchmarks/pointwise/helpsteer/index.ts';
import { HELPSTEER_FILE, readHelpSteerFile } from '../benchmarks/pointwise/helpsteer/loader.ts';
import type { LikertSummary } from '../benchmarks/pointwise/types.ts';
import { download } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { tempDir } from './helpers.ts';

// HelpSteer's validation.jsonl.gz is not in the shared data: these rows are written here in its published format
// (the nvidia/HelpSteer card: one JSON object per line with prompt, response and five integer attributes 0-4,
// gzip-compressed). The texts are ours; the field names, types and order are the card's.
const ROWS = [
  {
    prompt: 'What is the capital of France?',
    response: 'Paris.',
    helpfulness: 4,
    correctness: 4,
    coherence: 4,
    complexity: 0,
    verbosity: 0,
  },
  {
    prompt: 'Explain photosynthesis to a child.',
    response: 'Plants eat sunlight and make sugar.',
    helpfulness: 2,
    correctness: 2,
    coherence: 3,
    complexity: 1,
    verbosity: 1,
  },
  {
    prompt: 'List three prime numbers.',
    response: '2, 3, 5, and here is a long digression about primes...',
    helpfulness: 3,
    correctness: 4,
    coherence: 2,
    complexity: 2,
    verbosity: 4,
  },
];
const jsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function writeHelpSteer(dataDir: string, content: Buffer | string): string {
  const file = path.join(dataDir, HELPSTEER_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('HelpSteer loader (published format: gzip JSON Lines)', () => {
  it('one item per response × attribute, the published rating as label and mean, sampled per attribute', async () => {
    const dataDir = tempDir();
    writeHelpSteer(dataDir, gzipSync(jsonl(ROWS)));
    const items = await helpsteer.load(dataDir);
    expect(items).toHaveLength(15);
    expect(items.map((i) => i.id).slice(0, 5)).toEqual([
      '1/helpfulness',
      '1/correctness',
      '1/coherence',
      '1/complexity',
      '1/verbosity',
    ]);
    const verbosity3 = items.find((i) => i.id === '3/verbosity')!;
    expect(verbosity3).toMatchObject({
      sampleGroup: 'verbosity',
      context: ROWS[2]!.prompt,
      response: ROWS[2]!.response,
    });
    expect(verbosity3.human).toEqual({ ratings: [4], mean: 4, label: 4 });
    for (const c of HELPSTEER_CRITERIA) expect(items.filter((i) => i.sampleGroup === c.id)).toHaveLength(3);

    const sampled = await prepareItems(helpsteer, dataDir, 0, { sample: 2 });
    for (const c of HELPSTEER_CRITERIA) expect(sampled.filter((p) => p.item.sampleGroup === c.id)).toHaveLength(2);
    const prompt = sampled.find((p) => p.item.sampleGroup === 'complexity')!.prompt;
    expect(prompt).toContain('an integer from 0 (worst) to 4 (best) for complexity');
    expect(prompt).toContain('requires deep domain expertise (4)');
  });

  it("baselines run; constant answers 2; the table carries FLAMe Table 1's H-Steer column", async () => {
    const dataDir = tempDir();
    writeHelpSteer(dataDir, gzipSync(jsonl(ROWS)));
    const judge = await createJudge('constant', { dataDir, seed: 0 });
    const run = await runEval({
      judge,
      benchmarks: [helpsteer],
      dataDir,
      seed: 0,
      store: Store.open(':memory:'),
      progress: false,
    });
    const summary = run.benchmarks[0]!.summary as LikertSummary;
    // Rows rated 2: helpfulness 1 of 3, correctness 1, coherence 1, complexity 1, verbosity 0.
    expect(summary.criteria.map((c) => c.exactMatch)).toEqual([100 / 3, 100 / 3, 100 / 3, 100 / 3, 0]);
    const random = await createJudge('random', { dataDir, seed: 0 });
    const randomRun = await runEval({
      judge: random,
      benchmarks: [helpsteer],
      dataDir,
      seed: 0,
      store: Store.open(':memory:'),
      progress: false,
    });
    expect(randomRun.benchmarks[0]!.summary.complete).toBe(true);

    const [table] = await helpsteer.tables(summary, {
      dataDir,
      judgeId: 'constant',
      baselines: [{ judgeId: 'random', summary: randomRun.benchmarks[0]!.summary as LikertSummary }],
    });
    expect(table!.columns).toEqual(['Avg', 'Helpfulness', 'Correctness', 'Coherence', 'Complexity', 'Verbosity']);
    expect(table!.rows.map((r) => r.source).slice(0, 2)).toEqual(['this run', 'baseline']);
    const paper = table!.rows.filter((r) => r.source === 'paper');
    expect(paper.map((r) => [r.label, r.values[0]])).toEqual(TABLE_1.map((row) => [row.model, row.values['H-Steer']]));
    expect(paper.every((r) => r.values.slice(1).every((v) => v === null))).toBe(true);
  });

  it('malformed files: named file and line, and what was expected', async () => {
    const dir = tempDir();
    const offScale = writeHelpSteer(dir, gzipSync(jsonl([ROWS[0]!, { ...ROWS[1]!, verbosity: 5 }])));
    await expect(readHelpSteerFile(offScale, HELPSTEER_CRITERIA)).rejects.toThrow(
      `${offScale}: line 2, "verbosity": 5 is not on the 0-4 scale`,
    );

    const missing = writeHelpSteer(
      tempDir(),
      gzipSync(jsonl([ROWS[0]!, ROWS[1]!, { prompt: 'p', response: 'r', helpfulness: 1 }])),
    );
    const error = (await readHelpSteerFile(missing, HELPSTEER_CRITERIA).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(
      new RegExp(`^${missing}: line 3, "correctness": .*Expected prompt, response and the five attributes`),
    );

    const notJson = writeHelpSteer(tempDir(), gzipSync(`${JSON.stringify(ROWS[0])}\n{oops\n`));
    await expect(readHelpSteerFile(notJson, HELPSTEER_CRITERIA)).rejects.toThrow(
      `${notJson}: line 2: not a JSON object`,
    );

    const plain = writeHelpSteer(tempDir(), jsonl(ROWS));
    await expect(readHelpSteerFile(plain, HELPSTEER_CRITERIA)).rejects.toThrow(`${plain}: not a readable gzip file`);
  });

  it('missing data: the path looked at and the pull command', async () => {
    const empty = tempDir();
    const error = (await helpsteer.load(empty).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(path.join(empty, HELPSTEER_FILE));
    expect(error.message).toContain('npm run data -- pull helpsteer');
  });
});

describe('HelpSteer download from the Hub (loopback server)', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  });

  it('fetches validation.jsonl.gz at the pinned revision, reports its sha256, and the loader reads it', async () => {
    const body = gzipSync(jsonl(ROWS));
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      // Like the Hub: /resolve/ redirects to the file's storage.
      if (
        req.url === '/datasets/nvidia/HelpSteer/resolve/526c4da745cbf55b7a99f4d40d44bef2c44f1e4a/validation.jsonl.gz'
      ) {
        res.writeHead(302, { location: '/lfs/validation.jsonl.gz' }).end();
      } else if (req.url === '/lfs/validation.jsonl.gz') {
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } else res.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const dataDir = tempDir();
    expect(helpsteer.downloads).toHaveLength(1);
    const result = await download(helpsteer.downloads[0]!, dataDir, {
      env: { HF_ENDPOINT: endpoint },
      progress: false,
    });
    expect(result).toMatchObject({ path: path.join(dataDir, HELPSTEER_FILE), status: 'downloaded', verified: false });
    expect(result.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(requests[0]).toContain('/resolve/526c4da745cbf55b7a99f4d40d44bef2c44f1e4a/');
    expect(await helpsteer.load(dataDir)).toHaveLength(15);
  });
});
