import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEWSROOM_FILE, readNewsroomFile } from '../benchmarks/pointwise/newsroom/loader.ts';
import { NEWSROOM_CRITERIA, newsroom } from '../benchmarks/pointwise/newsroom/index.ts';
import type { LikertSummary, RatedItem } from '../benchmarks/pointwise/types.ts';
import { DataError } from '../core/errors.ts';
import { prepareItems, runEval, type RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge, JudgeRequest } from '../judges/judge.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

// The raw file, read here independently of the loader, as JUDGE-BENCH publishes it.
interface RawScores {
  individual_human_scores: number[];
  mean_human: number;
  majority_human?: number;
}
interface RawInstance {
  id: number;
  instance: string;
  annotations: Record<string, RawScores>;
}
const RAW_FILE = path.join(DATA_DIR, NEWSROOM_FILE);
const raw = JSON.parse(fs.readFileSync(RAW_FILE, 'utf8')) as {
  annotations: { metric: string }[];
  instances: RawInstance[];
};
const METRICS = ['Informativeness', 'Relevance', 'Fluency', 'Coherence'];

/** The label as SOURCES.md defines it: the rating 2 of the 3 raters share, else the mean rounded half up. */
function expectedLabel(scores: number[]): number {
  for (const s of scores) if (scores.filter((t) => t === s).length >= 2) return s;
  const sum = scores.reduce((a, b) => a + b, 0);
  return Math.floor(sum / scores.length + 0.5);
}

/** A judge written for these tests: `answer` gives a rating, a text reply to parse, or an error to throw. */
function scriptedJudge(id: string, answer: (request: JudgeRequest) => number | string | Error): Judge {
  return {
    id,
    config: { adapter: id },
    tasks: ['pointwise'],
    concurrency: 8,
    async judge(request) {
      const a = answer(request);
      if (a instanceof Error) throw a;
      if (typeof a === 'string') return { type: 'text', text: a };
      return { type: 'verdict', verdict: { kind: 'pointwise', score: a } };
    },
  };
}

async function run(judge: Judge): Promise<RunResult> {
  return runEval({
    judge,
    benchmarks: [newsroom],
    dataDir: DATA_DIR,
    seed: 0,
    store: Store.open(':memory:'),
    progress: false,
  });
}

let items: RatedItem[];
beforeAll(async () => {
  items = await newsroom.load(DATA_DIR);
});

describe('Newsroom loader on the real file (JUDGE-BENCH newsroom.json)', () => {
  it('has 420 instances × 4 dimensions = 1,680 items, 420 per dimension, 3 ratings each on 1-5', () => {
    expect(raw.instances).toHaveLength(420);
    expect(items).toHaveLength(1680);
    for (const c of NEWSROOM_CRITERIA) expect(items.filter((i) => i.sampleGroup === c.id)).toHaveLength(420);
    expect(new Set(items.map((i) => i.id)).size).toBe(1680);
    expect(items.every((i) => i.human.ratings.length === 3 && i.human.ratings.every((r) => r >= 1 && r <= 5))).toBe(
      true,
    );
    // 60 articles: 7 summaries share each article text.
    expect(new Set(items.map((i) => i.context)).size).toBe(60);
  });

  it(
    "labels are computed from the raw ratings: the file's majority_human where 2 of 3 agree, " +
      'else the rounded mean (602 items)',
    () => {
      let withMajority = 0;
      for (const instance of raw.instances) {
        for (const [i, metric] of METRICS.entries()) {
          const scores = instance.annotations[metric]!;
          const item = items.find((it) => it.id === `${instance.id}/${NEWSROOM_CRITERIA[i]!.id}`)!;
          expect(item.human.ratings).toEqual(scores.individual_human_scores);
          expect(item.human.label).toBe(expectedLabel(scores.individual_human_scores));
          expect(item.human.mean).toBeCloseTo(scores.mean_human, 2);
          if (scores.majority_human !== undefined) {
            withMajority += 1;
            expect(item.human.label).toBe(scores.majority_human);
          }
        }
      }
      expect(1680 - withMajority).toBe(602);
    },
  );

  it('a few items by hand: instance 1 against its own majority_human and mean_human', () => {
    const first = raw.instances.find((i) => i.id === 1)!;
    for (const [i, metric] of METRICS.entries()) {
      const item = items.find((it) => it.id === `1/${NEWSROOM_CRITERIA[i]!.id}`)!;
      const scores = first.annotations[metric]!;
      if (scores.majority_human !== undefined) expect(item.human.label).toBe(scores.majority_human);
      else expect(item.human.label).toBe(Math.floor(scores.mean_human + 0.5));
      expect(Number(item.human.mean.toFixed(2))).toBe(scores.mean_human);
    }
  });

  it("splits summary from article and turns the crawl's <p> tags into paragraphs", () => {
    const item = items[0]!;
    const text = raw.instances[0]!.instance;
    expect(text.startsWith(`### Generated Summary\n\n${item.response}`)).toBe(true);
    expect(item.response).not.toContain('###');
    expect(item.context).not.toMatch(/<\/?p>/);
    expect(item.context.split('\n')[0]).toBe(text.split('### Source Article\n\n')[1]!.split('\n')[0]);
    expect(item.labels).toEqual({ context: 'article', response: 'summary' });
  });

  it('asks with the original MTurk question and the 1-5 scale, naming the fields article and summary', async () => {
    const [first] = await prepareItems(newsroom, DATA_DIR, 0, { limit: 1 });
    const question = raw.annotations.find((a) => a.metric === 'Informativeness') as unknown as { prompt: string };
    expect(first!.prompt).toContain(question.prompt.replace('\n\n{{ instance }}', ''));
    expect(first!.prompt).toContain('- rating: an integer from 1 (worst) to 5 (best) for informativeness');
    expect(first!.prompt).toContain('\narticle:\n');
    expect(first!.prompt).toContain('\nsummary:\n');
  });

  it('--sample 256 draws 256 items per dimension', async () => {
    const sampled = await prepareItems(newsroom, DATA_DIR, 0, { sample: 256 });
    expect(sampled).toHaveLength(1024);
    for (const c of NEWSROOM_CRITERIA) expect(sampled.filter((p) => p.item.sampleGroup === c.id)).toHaveLength(256);
  });
});

describe('Newsroom baselines and scoring', () => {
  it(
    'constant answers 3: its exact match is the share of items whose human label is 3; ' + 'correlations are undefined',
    async () => {
      const judge = await createJudge('constant', { dataDir: DATA_DIR, seed: 0 });
      const summary = (await run(judge)).benchmarks[0]!.summary as LikertSummary;
      expect(summary.complete).toBe(true);
      for (const [i, metric] of METRICS.entries()) {
        const labels = raw.instances.map((inst) => expectedLabel(inst.annotations[metric]!.individual_human_scores));
        const share = (100 * labels.filter((l) => l === 3).length) / labels.length;
        const scores = summary.criteria[i]!;
        expect(scores.title).toBe(metric);
        expect(scores.exactMatch).toBeCloseTo(share, 10);
        expect([scores.pearson, scores.spearman, scores.kendallTauB]).toEqual([null, null, null]);
      }
      expect(summary.score).toBeCloseTo(summary.criteria.reduce((a, c) => a + c.exactMatch!, 0) / 4, 10);

      const [table, correlation] = await newsroom.tables(summary, { dataDir: DATA_DIR, judgeId: 'constant' });
      expect(table!.columns).toEqual(['Avg', ...METRICS]);
      expect(table!.rows[0]!.values).toEqual([summary.score, ...summary.criteria.map((c) => c.exactMatch)]);
      expect(table!.notes.join(' ')).toContain('Informativeness 420, Relevance 420, Fluency 420, Coherence 420');
      expect(correlation!.rows.every((r) => r.values.every((v) => v === null))).toBe(true);
    },
  );

  it('random is reproducible per seed and lands near chance (1 in 5) on every dimension', async () => {
    const a = (await run(await createJudge('random', { dataDir: DATA_DIR, seed: 0 }))).benchmarks[0]!
      .summary as LikertSummary;
    const b = (await run(await createJudge('random', { dataDir: DATA_DIR, seed: 0 }))).benchmarks[0]!
      .summary as LikertSummary;
    expect(a).toEqual(b);
    for (const c of a.criteria) {
      // 420 draws at p = 0.2: within 4 standard deviations.
      expect(Math.abs(c.exactMatch! - 20)).toBeLessThan(4 * 100 * Math.sqrt(0.16 / 420));
      expect(Math.abs(c.pearson!)).toBeLessThan(0.2);
    }
  });

  it('a judge answering the rounded human mean correlates highly with the raters', async () => {
    const mean = new Map(items.map((i) => [i.id, i.human.mean]));
    const summary = (await run(scriptedJudge('rounded-mean', (r) => Math.floor(mean.get(r.itemId)! + 0.5))))
      .benchmarks[0]!.summary as LikertSummary;
    for (const c of summary.criteria) {
      expect(c.pearson!).toBeGreaterThan(0.9);
      expect(c.spearman!).toBeGreaterThan(0.9);
      expect(c.kendallTauB!).toBeGreaterThan(0.8);
      expect(c.correlated).toBe(420);
    }
  });

  it(
    'unreadable replies miss and leave the correlations; ' + 'errors are left out and make the run incomplete',
    async () => {
      const label = new Map(items.map((i) => [i.id, i.human.label]));
      const instanceOf = (id: string): number => Number(id.split('/')[0]);
      const judge = scriptedJudge('scripted', (r) => {
        const instance = instanceOf(r.itemId);
        if (instance <= 10) return 'rating: 9/10'; // another scale: invalid, never rescaled
        if (instance <= 15) return new Error('HTTP 500');
        return `explanation: fine.\nrating: ${label.get(r.itemId)}`;
      });
      const result = await run(judge);
      expect(result.status).toBe('incomplete');
      const summary = result.benchmarks[0]!.summary as LikertSummary;
      expect(summary).toMatchObject({ n: 1680, invalid: 40, errors: 20, complete: false });
      for (const c of summary.criteria) {
        expect(c).toMatchObject({ items: 420, invalid: 10, errors: 5, correlated: 405 });
        expect(c.exactMatch).toBeCloseTo((100 * 405) / 415, 10);
      }
      const [table] = await newsroom.tables(summary, { dataDir: DATA_DIR, judgeId: 'scripted' });
      const notes = table!.notes.join('\n');
      expect(notes).toContain('40 replies had no readable rating');
      expect(notes).toContain('20 of 1680 items have no answer');
    },
  );
});

describe('Newsroom loader errors name the file, the record and what was expected', () => {
  function writeNewsroom(mutate: (json: { annotations: unknown[]; instances: unknown[] }) => void): string {
    const json = JSON.parse(fs.readFileSync(RAW_FILE, 'utf8')) as { annotations: unknown[]; instances: unknown[] };
    json.instances = json.instances.slice(0, 3);
    mutate(json);
    const file = path.join(tempDir(), 'newsroom.json');
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  }

  it('missing data: every path looked at and how to get it', async () => {
    const empty = tempDir();
    const error = (await newsroom.load(empty).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(path.join(empty, NEWSROOM_FILE));
    expect(error.message).toContain('npm run data -- pull newsroom');
  });

  it('a rating off the scale, a broken instance string, a mean that does not match the ratings', async () => {
    const offScale = writeNewsroom((j) => {
      (j.instances[1] as RawInstance).annotations.Fluency!.individual_human_scores = [3, 6, 3];
    });
    await expect(readNewsroomFile(offScale, NEWSROOM_CRITERIA)).rejects.toThrow(
      `${offScale}: line 1 (instance 1), "annotations.Fluency.individual_human_scores": ` +
        `[3, 6, 3] is not on the 1-5 scale`,
    );
    const broken = writeNewsroom((j) => {
      (j.instances[2] as RawInstance).instance = 'no headers here';
    });
    await expect(readNewsroomFile(broken, NEWSROOM_CRITERIA)).rejects.toThrow(
      `${broken}: line 1 (instance 2), "instance": expected "### Generated Summary"`,
    );
    const mean = writeNewsroom((j) => {
      (j.instances[0] as RawInstance).annotations.Coherence!.mean_human = 1;
    });
    await expect(readNewsroomFile(mean, NEWSROOM_CRITERIA)).rejects.toThrow(
      `${mean}: line 1 (instance 0), "annotations.Coherence": mean_human 1`,
    );
    const shape = writeNewsroom((j) => {
      (j.instances[0] as Record<string, unknown>).annotations = 'none';
    });
    await expect(readNewsroomFile(shape, NEWSROOM_CRITERIA)).rejects.toThrow(
      new RegExp(`${shape}: line 1 \\(instance 0\\), "annotations": .*Expected id, instance and annotations`),
    );
  });

  it('a file declaring other metrics or scales', async () => {
    const other = writeNewsroom((j) => {
      (j.annotations[2] as { best: number }).best = 7;
    });
    const error = (await readNewsroomFile(other, NEWSROOM_CRITERIA).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toContain(`${other}: "annotations" must declare metric "Fluency" with worst 1 and best 5`);
  });
});
