import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Outcome } from '../benchmarks/benchmark.ts';
import { dipper } from '../benchmarks/pointwise/dipper/index.ts';
import {
  humanRating,
  majority,
  ratingFromMean,
  roundedMean,
  type HumanRating,
} from '../benchmarks/pointwise/labels.ts';
import { newsroom } from '../benchmarks/pointwise/newsroom/index.ts';
import { scoreLikert, type LikertResult } from '../benchmarks/pointwise/scoring.ts';
import type { Criterion } from '../benchmarks/pointwise/types.ts';
import { usrPersonaChat } from '../benchmarks/pointwise/usr-personachat/index.ts';
import { usrTopicalChat } from '../benchmarks/pointwise/usr-topicalchat/index.ts';
import { download } from '../core/download.ts';
import { DataError } from '../core/errors.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

describe('human labels', () => {
  it('rounds means half up, exactly', () => {
    expect(roundedMean([4, 5])).toBe(5); // 4.5
    expect(roundedMean([1, 2])).toBe(2); // 1.5
    expect(roundedMean([3, 4, 4])).toBe(4); // 3.67
    expect(roundedMean([1, 2, 2])).toBe(2); // 1.67
    expect(roundedMean([4, 3, 1])).toBe(3); // 2.67
    expect(roundedMean([1, 1, 2])).toBe(1); // 1.33
    expect(roundedMean([0, 1])).toBe(1); // 0.5
  });

  it('the majority is a rating more than half of the raters gave', () => {
    expect(majority([3, 5, 3])).toBe(3);
    expect(majority([1, 2, 3])).toBeUndefined();
    expect(majority([2, 2, 3, 3])).toBeUndefined();
    expect(humanRating([3, 5, 3], 'majority')).toEqual({ ratings: [3, 5, 3], mean: 11 / 3, label: 3 });
    expect(humanRating([3, 5, 3], 'mean')).toEqual({ ratings: [3, 5, 3], mean: 11 / 3, label: 4 });
    expect(humanRating([1, 2, 4], 'majority').label).toBe(2); // no majority: the mean 2.33, rounded
  });

  it('a published mean of 3 ratings is read in thirds; anything else is rejected', () => {
    expect(ratingFromMean(2.6666666666666665, 3)).toEqual({ ratings: [], mean: 8 / 3, label: 3 });
    expect(ratingFromMean(0.3333333, 3)).toEqual({ ratings: [], mean: 1 / 3, label: 0 });
    expect(ratingFromMean(2.5, 3)).toBeUndefined();
  });
});

describe('scoring a criterion', () => {
  const criterion: Criterion = { id: 'c', title: 'C', name: 'c', scale: { min: 1, max: 5 }, guideline: 'g' };
  const other: Criterion = { ...criterion, id: 'd', title: 'D' };
  const rated = (score: number): Outcome => ({ status: 'verdict', verdict: { kind: 'pointwise', score } });
  function result(id: string, human: HumanRating, outcome: Outcome, on = criterion): LikertResult {
    const item = { id, sampleGroup: on.id, criterion: on.id, context: 'x', response: 'y', labels: {}, human, meta: {} };
    const task = { kind: 'pointwise' as const, context: 'x', response: 'y', criterion: on.name, scale: on.scale };
    return {
      item,
      prepared: { task, instructions: { taskDefinition: 't', evaluationInstructions: 'e' }, gold: human },
      outcome,
    };
  }

  it('exact match over answered items (invalid = miss), correlations over readable ratings, errors left out', () => {
    const h = (ratings: number[]): HumanRating => humanRating(ratings, 'mean');
    const results = [
      result('1', h([1, 1]), rated(1)), // hit
      result('2', h([2, 3]), rated(3)), // hit (2.5 -> 3)
      result('3', h([3, 4]), rated(5)), // miss (3.5 -> 4)
      result('4', h([5, 5]), { status: 'invalid', reason: 'no rating found' }), // miss, not correlated
      result('5', h([3, 3]), { status: 'error', message: 'timeout' }), // not scored
    ];
    const summary = scoreLikert(results, [criterion, other]);
    expect(summary).toMatchObject({ n: 5, invalid: 1, errors: 1, complete: false, missingCriteria: ['d'] });
    const c = summary.criteria[0]!;
    expect(c).toMatchObject({ items: 5, invalid: 1, errors: 1, correlated: 3 });
    expect(c.exactMatch).toBe(50); // 2 of the 4 answered
    // ratings [1, 3, 5] against means [1, 2.5, 3.5] (numpy.corrcoef)
    expect(c.pearson).toBeCloseTo(0.9933992677987828, 12);
    expect(c.spearman).toBeCloseTo(1, 12);
    expect(c.kendallTauB).toBeCloseTo(1, 12);
    expect(summary.score).toBe(50); // mean over the criteria that were run
  });

  it('the score is the plain mean over criteria, however many items each has', () => {
    const h = (r: number): HumanRating => humanRating([r], 'mean');
    const results = [result('1', h(1), rated(1)), result('2', h(2), rated(1)), result('3', h(3), rated(3), other)];
    const summary = scoreLikert(results, [criterion, other]);
    expect(summary.criteria.map((c) => c.exactMatch)).toEqual([50, 100]);
    expect(summary.score).toBe(75);
    expect(summary.complete).toBe(true);
  });
});

describe('Dipper', () => {
  it('says plainly that its human ratings were never published, and has nothing to download', async () => {
    expect(dipper.downloads).toEqual([]);
    expect(dipper.paperColumn).toBe('Dipper');
    const error = (await dipper.load(DATA_DIR).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain('no downloadable file of them has been published');
    expect(error.message).toContain('martiansideofthemoon/ai-detection-paraphrases');
  });
});

describe('downloads of the three real sets, served from a loopback "GitHub"', () => {
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

  it(
    "fetch the pinned paths and verify the pinned size and sha256 (the shared data's bytes, " +
      'recorded in SOURCES.md)',
    async () => {
      const served = new Map<string, Buffer>();
      for (const benchmark of [newsroom, usrPersonaChat, usrTopicalChat]) {
        const spec = benchmark.downloads[0]!;
        if (spec.source.kind !== 'github') throw new Error('expected a GitHub download');
        served.set(
          `/${spec.source.repo}/${spec.source.commit}/${spec.source.path}`,
          fs.readFileSync(path.join(DATA_DIR, spec.dest)),
        );
      }
      const server = http.createServer((req, res) => {
        const body = served.get(req.url ?? '');
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': body.length }).end(body);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const env = { GITHUB_RAW_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };

      const dataDir = tempDir();
      for (const benchmark of [newsroom, usrPersonaChat, usrTopicalChat]) {
        const result = await download(benchmark.downloads[0]!, dataDir, { env, progress: false });
        expect(result).toMatchObject({ status: 'downloaded', verified: true });
      }
      expect(await newsroom.load(dataDir)).toHaveLength(1680);
      expect(await usrPersonaChat.load(dataDir)).toHaveLength(1800);
      expect(await usrTopicalChat.load(dataDir)).toHaveLength(2160);
    },
  );
});
