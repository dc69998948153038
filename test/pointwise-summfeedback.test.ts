import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLE_1 } from '../benchmarks/flame-paper.ts';
import { SUMMFEEDBACK_CRITERIA, summfeedback } from '../benchmarks/pointwise/summfeedback/index.ts';
import { AXIS_EVAL_FILES, AXIS_EVAL_NAMES } from '../benchmarks/pointwise/summfeedback/loader.ts';
import type { LikertSummary } from '../benchmarks/pointwise/types.ts';
import { download, downloadUrl } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import { tempDir } from './helpers.ts';

// The axis evaluations are not in the shared data. These lines follow the published format: the
// openai/summarize-from-feedback README's "Axis evals" example (JSON Lines; info, split, summary with text,
// policy, note and axes, worker, batch) and the Hub loading script's `axis` features (TL;DR lines carry post,
// title and subreddit; CNN/DM lines site, title and article; an axis may be absent; `compatible` is a bool).
// The texts, ids and workers are ours.
const axes = (overall?: number, accuracy?: number, coverage?: number, coherence?: number): Record<string, number> =>
  Object.fromEntries(
    Object.entries({ overall, accuracy, coverage, coherence }).filter(([, v]) => v !== undefined),
  ) as Record<string, number>;
const tldr = (
  id: string,
  text: string,
  policy: string,
  worker: string,
  batch: string,
  a: Record<string, unknown>,
  split = 'valid2',
) => ({
  info: {
    id,
    post: `Post ${id}: my roommate keeps eating my food and I do not know how to bring it up.`,
    title: `Title ${id}`,
    subreddit: 'relationships',
  },
  split,
  summary: { text, policy, note: null, axes: a },
  worker,
  batch,
});
const cnndm = (id: string, text: string, worker: string, batch: string, a: Record<string, unknown>) => ({
  info: {
    id,
    site: 'dailymail',
    title: `Headline ${id}`,
    article: `Article ${id}.\n\nThe club said on Monday that the player would miss two matches.`,
  },
  split: 'test',
  summary: { text, policy: 'ref', note: 'Misses the result.', axes: a },
  worker,
  batch,
});

const FILES: Record<(typeof AXIS_EVAL_NAMES)[number], object[]> = {
  tldraxis1: [
    tldr('t3_a', ' roommate eats my food, how do I talk to them?', 'ref', 'w1', 'tldraxis1', axes(4, 5, 6, 7)),
    // same summary, 2 axes
    tldr('t3_a', ' roommate eats my food, how do I talk to them?', 'ref', 'w2', 'tldraxis1', axes(5, 6)),
    tldr('t3_a', ' food problems.', 'sup4_ppo_rm4', 'w1', 'tldraxis1', { ...axes(4, 4, 3, 6), compatible: true }),
  ],
  tldraxis2: [tldr('t3_b', ' I want to move out.', 'sup4', 'w3', 'tldraxis2', axes(2, 3, 4, 5), 'valid1')],
  cnndm1: [cnndm('c1', 'Player banned for two matches.', 'w4', 'cnndm1', axes(3, 5, 4, 2))],
  cnndm3: [cnndm('c1', 'Player banned for two matches.', 'w5', 'cnndm3', axes(4, 4, 4, 4))], // the same summary again
  cnndm4: [cnndm('c2', 'A summary everyone loved.', 'w6', 'cnndm4', axes(7, 7, 7, 7))],
};
const jsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// Labels worked out by hand: the mean of the workers on that axis, rounded half up. Summaries in file order
// (cnndm1, cnndm3, cnndm4, tldraxis1, tldraxis2): c1 (rated in cnndm1 and cnndm3), c2, t3_a ref, t3_a sup4_ppo_rm4,
// t3_b.
const LABELS: Record<string, number[]> = {
  overall: [4 /* (3+4)/2 = 3.5 */, 7, 5 /* (4+5)/2 = 4.5 */, 4, 2],
  accuracy: [5 /* 4.5 */, 7, 6 /* 5.5 */, 4, 3],
  coverage: [4, 7, 6, 3, 4],
  coherence: [3, 7, 7, 6, 5],
};

function writeAxisFiles(dataDir: string, files: Partial<typeof FILES> = FILES): void {
  AXIS_EVAL_NAMES.forEach((name, i) => {
    const rows = files[name];
    if (!rows) return;
    const file = path.join(dataDir, AXIS_EVAL_FILES[i]!);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, jsonl(rows));
  });
}

describe('SummFeedback loader (published axis_evals format)', () => {
  it(
    "groups each summary's ratings across workers and files: one item per rated axis, " + 'the mean rounded half up',
    async () => {
      const dataDir = tempDir();
      writeAxisFiles(dataDir);
      const items = await summfeedback.load(dataDir);
      expect(items).toHaveLength(20);
      for (const c of SUMMFEEDBACK_CRITERIA) {
        const group = items.filter((i) => i.sampleGroup === c.id);
        expect(group.map((i) => i.human.label)).toEqual(LABELS[c.id]);
      }
      const twice = items.find((i) => i.criterion === 'overall' && i.meta.post === 'c1')!;
      expect(twice.human).toEqual({ ratings: [3, 4], mean: 3.5, label: 4 });
      expect(twice.meta).toMatchObject({ batch: 'cnndm1,cnndm3', split: 'test', source: 'cnndm', policy: 'ref' });
      expect(twice.context).toBe(
        'Headline c1\n\nArticle c1.\n\nThe club said on Monday that the player would miss two matches.',
      );
      expect(twice.labels).toEqual({ context: 'news article', response: 'summary' });
      // An axis a worker left out is simply not rated by that worker.
      expect(
        items.find((i) => i.criterion === 'coverage' && i.meta.post === 't3_a' && i.meta.policy === 'ref')!.human
          .ratings,
      ).toEqual([6]);
      const post = items.find((i) => i.meta.post === 't3_b')!;
      expect(post.context).toBe(
        'SUBREDDIT: r/relationships\nTITLE: Title t3_b\nPOST: Post t3_b: my roommate ' +
          'keeps eating my food and I do not know how to bring it up.',
      );
      expect(post.response).toBe('I want to move out.');
      expect(post.labels).toEqual({ context: 'Reddit post', response: 'summary' });
      expect(new Set(items.map((i) => i.id)).size).toBe(20);
    },
  );

  it("constant answers 4 on the 1-7 scale; random runs; the table carries FLAMe Table 1's SumFB column", async () => {
    const dataDir = tempDir();
    writeAxisFiles(dataDir);
    const constant = await createJudge('constant', { dataDir, seed: 0 });
    const summary = (
      await runEval({
        judge: constant,
        benchmarks: [summfeedback],
        dataDir,
        seed: 0,
        store: Store.open(':memory:'),
        progress: false,
      })
    ).benchmarks[0]!.summary as LikertSummary;
    expect(summary.criteria.map((c) => c.exactMatch)).toEqual(
      SUMMFEEDBACK_CRITERIA.map((c) => (100 * LABELS[c.id]!.filter((l) => l === 4).length) / 5),
    );
    const random = await createJudge('random', { dataDir, seed: 0 });
    const randomSummary = (
      await runEval({
        judge: random,
        benchmarks: [summfeedback],
        dataDir,
        seed: 0,
        store: Store.open(':memory:'),
        progress: false,
      })
    ).benchmarks[0]!.summary as LikertSummary;
    expect(randomSummary).toMatchObject({ n: 20, errors: 0, complete: true });
    const [table] = await summfeedback.tables(summary, { dataDir, judgeId: 'constant' });
    expect(table!.rows.filter((r) => r.source === 'paper').map((r) => r.values[0])).toEqual(
      TABLE_1.map((row) => row.values.SumFB),
    );
  });

  it('malformed lines: the file, the line and what was expected', async () => {
    const dataDir = tempDir();
    writeAxisFiles(dataDir, {
      ...FILES,
      tldraxis2: [FILES.tldraxis2[0]!, tldr('t3_c', 'x', 'ref', 'w9', 'tldraxis2', axes(4, 4, 8, 4))],
    });
    const file = path.join(dataDir, AXIS_EVAL_FILES[AXIS_EVAL_NAMES.indexOf('tldraxis2')]!);
    await expect(summfeedback.load(dataDir)).rejects.toThrow(
      `${file}: line 2, "summary.axes.coverage": 8 is not on the 1-7 scale`,
    );

    const noText = tempDir();
    const bare = {
      info: { id: 'x', title: 'no post, no article' },
      split: 'test',
      summary: { text: 's', policy: 'ref', axes: axes(1, 1, 1, 1) },
      worker: 'w',
      batch: 'cnndm4',
    };
    writeAxisFiles(noText, { ...FILES, cnndm4: [bare] });
    const cnndm4 = path.join(noText, AXIS_EVAL_FILES[AXIS_EVAL_NAMES.indexOf('cnndm4')]!);
    await expect(summfeedback.load(noText)).rejects.toThrow(
      `${cnndm4}: line 1, "info": expected a Reddit "post" or a news "article"`,
    );

    const noWorker = tempDir();
    const { worker: _dropped, ...withoutWorker } = FILES.cnndm1[0] as { worker: string };
    writeAxisFiles(noWorker, { ...FILES, cnndm1: [withoutWorker] });
    const error = (await summfeedback.load(noWorker).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/cnndm1\.json: line 1, "worker": .*Expected an axis evaluation/);
  });

  it('missing files: lists the ones not found and the ones found, and the pull command', async () => {
    const dataDir = tempDir();
    writeAxisFiles(dataDir, { ...FILES, cnndm3: undefined });
    const error = (await summfeedback.load(dataDir).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('1 of 5 files not found');
    expect(error.message).toContain(path.join(dataDir, AXIS_EVAL_FILES[1]!));
    expect(error.message).toContain(
      `Found (a partial set is not comparable with published numbers, so it is not used):\n` +
        `  ${path.join(dataDir, AXIS_EVAL_FILES[0]!)}`,
    );
    expect(error.message).toContain('npm run data -- pull summfeedback');
  });
});

describe('SummFeedback download from OpenAI blob storage (loopback server)', () => {
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

  it('fetches the five axis_evals files from $SUMMARIZE_FROM_FEEDBACK_ENDPOINT and the loader reads them', async () => {
    const spec = summfeedback.downloads[0]!;
    expect(downloadUrl(spec, {})).toBe(
      'https://openaipublic.blob.core.windows.net/summarize-from-feedback/dataset/axis_evals/cnndm1.json',
    );

    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const name = /^\/summarize-from-feedback\/dataset\/axis_evals\/(\w+)\.json$/.exec(req.url ?? '')?.[1] as
        | keyof typeof FILES
        | undefined;
      const rows = name ? FILES[name] : undefined;
      if (!rows) return void res.writeHead(404).end();
      const body = Buffer.from(jsonl(rows));
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const env = {
      SUMMARIZE_FROM_FEEDBACK_ENDPOINT:
        `http://127.0.0.1:${(server.address() as AddressInfo).port}` + `/summarize-from-feedback`,
    };

    const dataDir = tempDir();
    expect(summfeedback.downloads).toHaveLength(5);
    for (const d of summfeedback.downloads) {
      const result = await download(d, dataDir, { env, progress: false });
      expect(result.status).toBe('downloaded');
    }
    expect(requests.sort()).toEqual(
      AXIS_EVAL_NAMES.map((n) => `/summarize-from-feedback/dataset/axis_evals/${n}.json`).sort(),
    );
    expect(await summfeedback.load(dataDir)).toHaveLength(20);
  });
});
