import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { usrPersonaChat } from '../benchmarks/pointwise/usr-personachat/index.ts';
import { PERSONACHAT_FILE, readPersonaChatFile } from '../benchmarks/pointwise/usr-personachat/loader.ts';
import { usrTopicalChat } from '../benchmarks/pointwise/usr-topicalchat/index.ts';
import { TOPICALCHAT_FILE, readTopicalChatFile } from '../benchmarks/pointwise/usr-topicalchat/loader.ts';
import type { LikertBenchmark } from '../benchmarks/pointwise/likert-set.ts';
import type { LikertSummary, RatedItem } from '../benchmarks/pointwise/types.ts';
import { DataError } from '../core/errors.ts';
import { prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

// The raw files, read here independently of the loaders.
type RawResponse = Record<string, number[]> & { response: string; model: string };
const personaRaw = JSON.parse(fs.readFileSync(path.join(DATA_DIR, PERSONACHAT_FILE), 'utf8')) as {
  context: string;
  fact: string;
  annotators: string[];
  responses: RawResponse[];
}[];
const topicalRaw = JSON.parse(fs.readFileSync(path.join(DATA_DIR, TOPICALCHAT_FILE), 'utf8')) as {
  system_id: string;
  scores: Record<string, number>;
}[];

// USR's qualities and scales (SOURCES.md), in the file's own names.
const PERSONA_KEYS = ['Understandable', 'Natural', 'Maintains Context', 'Engaging', 'Uses Knowledge', 'Overall'];
const TOPICAL_KEYS = ['understandability', 'naturalness', 'coherence', 'engagingness', 'groundedness', 'overall'];
const SCALES = [
  [0, 1],
  [1, 3],
  [1, 3],
  [1, 3],
  [0, 1],
  [1, 5],
] as const;
const middle = (i: number): number => Math.ceil((SCALES[i]![0] + SCALES[i]![1]) / 2);

function majorityElseRoundedMean(ratings: number[]): number {
  for (const r of ratings) if (ratings.filter((s) => s === r).length * 2 > ratings.length) return r;
  return Math.floor(ratings.reduce((a, b) => a + b, 0) / ratings.length + 0.5);
}
/** A mean of 3 ratings rounded half up, in thirds so that 2.5-like floats cannot mislead. */
const roundedThirds = (mean: number): number => Math.floor((2 * Math.round(mean * 3) + 3) / 6);

function roundedMeanJudge(items: RatedItem[]): Judge {
  const mean = new Map(items.map((i) => [i.id, i.human.mean]));
  return {
    id: 'rounded-mean',
    config: { adapter: 'rounded-mean' },
    tasks: ['pointwise'],
    concurrency: 8,
    async judge(request) {
      return { type: 'verdict', verdict: { kind: 'pointwise', score: Math.floor(mean.get(request.itemId)! + 0.5) } };
    },
  };
}

async function summaryOf(benchmark: LikertBenchmark, judge: Judge): Promise<LikertSummary> {
  const result = await runEval({
    judge,
    benchmarks: [benchmark],
    dataDir: DATA_DIR,
    seed: 0,
    store: Store.open(':memory:'),
    progress: false,
  });
  return result.benchmarks[0]!.summary as LikertSummary;
}

let persona: RatedItem[];
let topical: RatedItem[];
beforeAll(async () => {
  persona = await usrPersonaChat.load(DATA_DIR);
  topical = await usrTopicalChat.load(DATA_DIR);
});

describe('USR PersonaChat on the original release', () => {
  it('60 contexts × 5 responses = 300 responses per quality, 6 qualities, 3 of the 4 annotators each', () => {
    expect(personaRaw).toHaveLength(60);
    expect(persona).toHaveLength(1800);
    for (const c of usrPersonaChat.criteria) expect(persona.filter((i) => i.sampleGroup === c.id)).toHaveLength(300);
    expect(new Set(personaRaw.flatMap((c) => c.annotators)).size).toBe(4);
    const systems = new Map<string | number, number>();
    for (const item of persona.filter((i) => i.criterion === 'overall'))
      systems.set(item.meta.system!, (systems.get(item.meta.system!) ?? 0) + 1);
    expect(Object.fromEntries(systems)).toEqual({
      'Original Ground Truth': 60,
      'New Human Generated': 60,
      'KV-MemNN': 60,
      Seq2Seq: 60,
      'Language Model': 60,
    });
  });

  it(
    'labels are computed from the raw ratings: majority of 3, else the rounded mean; ' +
      'the mean kept for correlation',
    () => {
      personaRaw.forEach((context, c) => {
        context.responses.forEach((response, r) => {
          usrPersonaChat.criteria.forEach((criterion, k) => {
            const ratings = response[PERSONA_KEYS[k]!]!;
            const item = persona.find((i) => i.id === `${c}-${r}/${criterion.id}`)!;
            expect(item.human.ratings).toEqual(ratings);
            expect(item.human.label).toBe(majorityElseRoundedMean(ratings));
            expect(item.human.mean).toBeCloseTo(ratings.reduce((a, b) => a + b, 0) / 3, 12);
            expect(item.response).toBe(response.response.trim());
          });
        });
      });
      // The first response by hand: Engaging [1, 2, 1] -> 1 (two raters), Overall [3, 4, 4] -> 4.
      expect(personaRaw[0]!.responses[0]!.Engaging).toEqual([1, 2, 1]);
      expect(persona.find((i) => i.id === '0-0/engaging')!.human).toEqual({
        ratings: [1, 2, 1],
        mean: 4 / 3,
        label: 1,
      });
      expect(persona.find((i) => i.id === '0-0/overall')!.human.label).toBe(4);
    },
  );

  it('the judge sees the persona, the turns and the response, and a 0-1 or 1-3 scale where USR used one', async () => {
    const [first, second] = await prepareItems(usrPersonaChat, DATA_DIR, 0, { limit: 2 });
    expect(first!.prompt).toContain(
      "persona and conversation history:\nThe responding speaker's persona:\n" +
        'your persona: i also have a dog walking business.',
    );
    expect(first!.prompt).toContain("really would you share or are you shy\n\nresponse:\nha ha i'm so shy\n");
    expect(first!.prompt).toContain('an integer from 0 (worst) to 1 (best) for understandability');
    expect(second!.prompt).toContain('an integer from 1 (worst) to 3 (best) for naturalness');
    expect(second!.prompt).toContain('Is the response naturally written?');
  });
});

describe('USR Topical-Chat (UniEval copy: means only)', () => {
  it('360 responses per quality, 6 systems × 60, every score a multiple of 1/3', () => {
    expect(topicalRaw).toHaveLength(360);
    expect(topical).toHaveLength(2160);
    for (const c of usrTopicalChat.criteria) expect(topical.filter((i) => i.sampleGroup === c.id)).toHaveLength(360);
    const systems = new Set(topicalRaw.map((r) => r.system_id));
    expect(systems.size).toBe(6);
    for (const s of systems) expect(topicalRaw.filter((r) => r.system_id === s)).toHaveLength(60);
    expect(topical.every((i) => i.human.ratings.length === 0 && Number.isInteger(Math.round(i.human.mean * 3)))).toBe(
      true,
    );
  });

  it("the label is the file's mean rounded half up; the mean itself is kept", () => {
    topicalRaw.forEach((row, index) => {
      usrTopicalChat.criteria.forEach((criterion, k) => {
        const mean = row.scores[TOPICAL_KEYS[k]!]!;
        const item = topical.find((i) => i.id === `${index}/${criterion.id}`)!;
        expect(item.human.mean).toBeCloseTo(mean, 6);
        expect(item.human.label).toBe(roundedThirds(mean));
      });
    });
  });
});

describe.each([
  ['usr-personachat', () => usrPersonaChat, () => persona, 300],
  ['usr-topicalchat', () => usrTopicalChat, () => topical, 360],
] as const)('%s baselines and sampling', (_name, benchmark, loaded, perCriterion) => {
  it(
    'constant answers the middle of each scale: exact match = share of items labelled with it; ' + 'no correlation',
    async () => {
      const summary = await summaryOf(benchmark(), await createJudge('constant', { dataDir: DATA_DIR, seed: 0 }));
      expect(summary.complete).toBe(true);
      expect(summary.criteria).toHaveLength(6);
      summary.criteria.forEach((scores, k) => {
        // Labels recomputed from the raw file, not from the loader.
        const labels =
          benchmark() === usrPersonaChat
            ? personaRaw.flatMap((c) => c.responses.map((r) => majorityElseRoundedMean(r[PERSONA_KEYS[k]!]!)))
            : topicalRaw.map((r) => roundedThirds(r.scores[TOPICAL_KEYS[k]!]!));
        expect(labels).toHaveLength(perCriterion);
        expect(scores.exactMatch).toBeCloseTo((100 * labels.filter((l) => l === middle(k)).length) / perCriterion, 10);
        expect(scores.pearson).toBeNull();
        expect(scores.kendallTauB).toBeNull();
      });
    },
  );

  it('random runs on every item and scale, reproducibly', async () => {
    const random = await createJudge('random', { dataDir: DATA_DIR, seed: 0 });
    const a = await summaryOf(benchmark(), random);
    const b = await summaryOf(benchmark(), random);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ n: 6 * perCriterion, invalid: 0, errors: 0, complete: true });
    for (const c of a.criteria) expect(c.exactMatch!).toBeGreaterThan(0);
  });

  it('a judge answering the rounded human mean correlates highly with the annotators', async () => {
    const summary = await summaryOf(benchmark(), roundedMeanJudge(loaded()));
    for (const c of summary.criteria) {
      expect(c.pearson!, c.criterion).toBeGreaterThan(0.8);
      expect(c.spearman!, c.criterion).toBeGreaterThan(0.5);
      expect(c.kendallTauB!, c.criterion).toBeGreaterThan(0.5);
    }
    const overall = summary.criteria.find((c) => c.criterion === 'overall')!;
    expect(overall.pearson!).toBeGreaterThan(0.95);
  });

  it('--sample 256 draws 256 responses per quality', async () => {
    const sampled = await prepareItems(benchmark(), DATA_DIR, 0, { sample: 256 });
    expect(sampled).toHaveLength(6 * 256);
    for (const c of benchmark().criteria) expect(sampled.filter((p) => p.item.sampleGroup === c.id)).toHaveLength(256);
  });
});

describe('Topical-Chat: exact match against the rounded mean', () => {
  it('the rounded-mean judge matches every label (this file has no individual ratings to disagree with)', async () => {
    const summary = await summaryOf(usrTopicalChat, roundedMeanJudge(topical));
    expect(summary.score).toBe(100);
  });
});

describe('USR loader errors', () => {
  it('missing files name the path and the pull command', async () => {
    const empty = tempDir();
    for (const [benchmark, rel] of [
      [usrPersonaChat, PERSONACHAT_FILE],
      [usrTopicalChat, TOPICALCHAT_FILE],
    ] as const) {
      const error = (await benchmark.load(empty).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toContain(path.join(empty, rel));
      expect(error.message).toContain(`npm run data -- pull ${benchmark.id}`);
    }
  });

  it('PersonaChat: a rating off its scale, a missing quality, more ratings than annotators', async () => {
    const write = (mutate: (json: typeof personaRaw) => void): string => {
      const json = structuredClone(personaRaw.slice(0, 2));
      mutate(json);
      const file = path.join(tempDir(), 'persona_chat.json');
      fs.writeFileSync(file, JSON.stringify(json));
      return file;
    };
    const criteria = usrPersonaChat.criteria;
    const offScale = write((j) => (j[1]!.responses[2]!.Natural = [3, 4, 3]));
    await expect(readPersonaChatFile(offScale, criteria)).rejects.toThrow(
      `${offScale}: line 1 (context 1, response 2), "Natural": [3, 4, 3] is not on the 1-3 scale`,
    );
    const missing = write((j) => delete (j[0]!.responses[1] as Partial<RawResponse>)['Uses Knowledge']);
    await expect(readPersonaChatFile(missing, criteria)).rejects.toThrow(
      `${missing}: line 1 (context 0, response 1), "Uses Knowledge", "(record)"`,
    );
    const extra = write((j) => (j[0]!.responses[0]!.Overall = [3, 4, 4, 5]));
    await expect(readPersonaChatFile(extra, criteria)).rejects.toThrow(
      `${extra}: line 1 (context 0, response 0), "Overall": 4 ratings for 3 annotators`,
    );
  });

  it('Topical-Chat: a score that is not a mean of 3 ratings on the scale', async () => {
    const json = structuredClone(topicalRaw.slice(0, 3));
    json[2]!.scores.naturalness = 2.5;
    const file = path.join(tempDir(), 'topical_chat.json');
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(readTopicalChatFile(file, usrTopicalChat.criteria)).rejects.toThrow(
      `${file}: line 1 (item 2), "scores.naturalness": 2.5 is not a mean of 3 ratings on the 1-3 scale`,
    );
  });
});
