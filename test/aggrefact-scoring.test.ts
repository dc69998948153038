import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { mean } from 'simple-statistics';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, type Dataset } from '../benchmarks/aggrefact/datasets.ts';
import { aggrefact, aggrefactTuned, type AggreFactSummary } from '../benchmarks/aggrefact/index.ts';
import { OFFICIAL_FILES } from '../benchmarks/aggrefact/loader.ts';
import { LEADERBOARD } from '../benchmarks/aggrefact/published.ts';
import {
  datasetBacc,
  predict,
  scoreAggreFact,
  tuneThreshold,
  type ScoredOutcome,
} from '../benchmarks/aggrefact/scoring.ts';
import type { Outcome } from '../benchmarks/benchmark.ts';
import { TABLE_1 } from '../benchmarks/flame-paper.ts';
import { runEval, type RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const PRESENT: Dataset[] = ['Wice', 'FactCheck-GPT', 'Lfqa'];
// Class sizes of the rebuild, as SOURCES.md states them.
const CLASS_SIZES: Partial<Record<Dataset, { supported: number; unsupported: number }>> = {
  Wice: { supported: 111, unsupported: 247 },
  'FactCheck-GPT': { supported: 637, unsupported: 2456 },
  Lfqa: { supported: 2290, unsupported: 1567 },
};

/** Writes a parquet file in the Hub release's schema: dataset, doc, claim (strings), label (int64). */
function writeAggreFactParquet(
  file: string,
  rows: { dataset: string; doc: string; claim: string; label: number }[],
): void {
  const columnData = [
    { name: 'dataset', data: rows.map((r) => r.dataset), type: 'STRING' as const },
    { name: 'doc', data: rows.map((r) => r.doc), type: 'STRING' as const },
    { name: 'claim', data: rows.map((r) => r.claim), type: 'STRING' as const },
    { name: 'label', data: rows.map((r) => BigInt(r.label)), type: 'INT64' as const },
  ];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData })));
}

async function run(judge: Judge | string, benchmark = aggrefact, dataDir = DATA_DIR): Promise<RunResult> {
  const j = typeof judge === 'string' ? await createJudge(judge, { dataDir, seed: 0 }) : judge;
  return runEval({
    judge: j,
    benchmarks: [benchmark],
    dataDir,
    seed: 0,
    store: Store.open(':memory:'),
    progress: false,
  });
}

const summaryOf = (result: RunResult): AggreFactSummary => result.benchmarks[0]!.summary as AggreFactSummary;

describe('item predictions', () => {
  const item = (label: boolean, outcome: Outcome): ScoredOutcome => ({
    dataset: 'Wice',
    split: 'test',
    label,
    outcome,
  });
  const verdict = (supported: boolean, probability?: number): Outcome => ({
    status: 'verdict',
    verdict: { kind: 'classification', supported, ...(probability === undefined ? {} : { probability }) },
  });

  it('a probability is thresholded (p > t, as MiniCheck); a plain Yes/No counts as given', () => {
    expect(predict(item(true, verdict(false, 0.51)), 0.5)).toBe(true);
    expect(predict(item(true, verdict(true, 0.5)), 0.5)).toBe(false); // not strictly above
    expect(predict(item(true, verdict(true)), 0.5)).toBe(true);
    expect(predict(item(true, verdict(true)), 0.99)).toBe(true);
    expect(predict(item(true, verdict(false)), 0.01)).toBe(false);
  });

  it('an invalid reply is wrong whatever the label; an error is left out', () => {
    const invalid: Outcome = { status: 'invalid', reason: 'no Yes/No answer found' };
    expect(predict(item(true, invalid), 0.5)).toBe(false);
    expect(predict(item(false, invalid), 0.5)).toBe(true);
    expect(predict(item(true, { status: 'error', message: 'timeout' }), 0.5)).toBeNull();
    // 2 supported (one right, one invalid), 2 not (one right, one error): TPR 1/2, TNR 1/1.
    const items = [
      item(true, verdict(true)),
      item(true, invalid),
      item(false, verdict(false)),
      item(false, { status: 'error', message: 'x' }),
    ];
    expect(datasetBacc(items, 0.5)).toBe(75);
  });

  it('the summary lists present and missing datasets and averages over the present ones only', () => {
    const scored: ScoredOutcome[] = [
      { dataset: 'Lfqa', split: 'test', label: true, outcome: verdict(true) },
      { dataset: 'Lfqa', split: 'test', label: false, outcome: verdict(true) },
      { dataset: 'Reveal', split: 'test', label: true, outcome: verdict(true) },
      { dataset: 'Reveal', split: 'test', label: false, outcome: verdict(false) },
      { dataset: 'ExpertQA', split: 'test', label: true, outcome: { status: 'error', message: 'x' } },
    ];
    const scores = scoreAggreFact(scored, 'fixed');
    expect(scores.present).toEqual(['Reveal', 'Lfqa']);
    expect(scores.missing).toEqual(DATASETS.filter((d) => d !== 'Reveal' && d !== 'Lfqa'));
    expect(scores.score).toBe(75); // (100 + 50) / 2
    expect(scores.datasets.ExpertQA).toMatchObject({ bacc: null, n: 1, errors: 1 });
  });
});

describe('baselines on the partial rebuild', () => {
  let runs: Record<string, RunResult>;
  beforeAll(async () => {
    runs = {};
    for (const id of ['constant', 'constant:no', 'random']) runs[id] = await run(id);
  });

  it('always "supported" and always "not supported" score exactly 50 on every dataset', () => {
    for (const id of ['constant', 'constant:no']) {
      const s = summaryOf(runs[id]!);
      expect(s.present).toEqual(PRESENT);
      for (const d of PRESENT) expect(s.datasets[d]!.bacc).toBe(50);
      expect(s.score).toBe(50);
      expect(s).toMatchObject({ n: 7308, testItems: 7308, devItems: 0, invalid: 0, errors: 0, complete: false });
    }
  });

  it('random is near 50 on every dataset (within 4 standard errors of a coin flip)', () => {
    const s = summaryOf(runs.random!);
    for (const d of PRESENT) {
      const { supported, unsupported } = CLASS_SIZES[d]!;
      const se = 100 * 0.5 * Math.sqrt(0.25 / supported + 0.25 / unsupported);
      expect(Math.abs(s.datasets[d]!.bacc! - 50)).toBeLessThanOrEqual(4 * se);
      expect(s.datasets[d]).toMatchObject({ n: supported + unsupported, supported, unsupported, threshold: 0.5 });
    }
  });

  it('the report says 3 of 11 datasets and never presents an 11-dataset average', async () => {
    const s = summaryOf(runs.constant!);
    const baselines = ['constant:no', 'random'].map((judgeId) => ({ judgeId, summary: summaryOf(runs[judgeId]!) }));
    const [table] = await aggrefact.tables(s, { dataDir: DATA_DIR, judgeId: 'constant', baselines });
    expect(table!.columns).toEqual(['Avg (3 of 11)', ...PRESENT]);
    expect(table!.title).toContain('7308 claims from 3 of 11 datasets');
    const text = [table!.title, ...table!.columns, ...table!.rows.map((r) => r.label), ...table!.notes].join('\n');
    expect(table!.columns.filter((c) => /avg|average/i.test(c))).toEqual(['Avg (3 of 11)']);
    expect(text).not.toMatch(/\b11 of 11\b|(average|mean) (of|over) (the |all )?11\b|11-dataset average/i);

    const [ours, ...rest] = table!.rows;
    expect(ours).toEqual({ label: 'constant', source: 'this run', values: [50, 50, 50, 50] });
    expect(rest.filter((r) => r.source === 'baseline').map((r) => r.label)).toEqual(['constant:no', 'random']);

    // Leaderboard rows: the three datasets, and their average recomputed over those three.
    const bespoke = rest.find((r) => r.source === 'leaderboard' && r.label === 'Bespoke-MiniCheck-7B')!;
    expect(bespoke.values).toEqual([mean([83.0, 77.7, 86.7]), 83.0, 77.7, 86.7]);
    expect(rest.filter((r) => r.source === 'leaderboard')).toHaveLength(LEADERBOARD.length);

    // The paper's rows: Table 1's AggreFact value in the average column only.
    const paper = rest.filter((r) => r.source === 'paper');
    expect(paper.map((r) => r.values)).toEqual(TABLE_1.map((row) => [row.values.AggreFact, null, null, null]));
    expect(paper[0]!.citation).toContain('FLAMe Table 1');

    const notes = table!.notes.join('\n');
    expect(notes).toContain('Not the LLM-AggreFact average: 3 of 11 datasets were scored (Wice, FactCheck-GPT, Lfqa)');
    expect(notes).toContain(
      'missing: AggreFact-CNN, AggreFact-XSum, TofuEval-MediaS, TofuEval-MeetB, ' +
        'Reveal, ClaimVerify, ExpertQA, RAGTruth',
    );
    expect(notes).toContain('NOT the benchmark');
    expect(notes).toMatch(
      /Wice is the same source split.*FactCheck-GPT and Lfqa are approximations: whole annotation pools/,
    );
    expect(notes).toContain('10-dataset release');
    expect(notes).toContain('256');
  });
});

describe('published leaderboard rows', () => {
  it('match the LLM-AggreFact leaderboard table in SOURCES.md, value for value', () => {
    const sources = fs.readFileSync(path.join(DATA_DIR, 'aggrefact/SOURCES.md'), 'utf8');
    const start = sources.indexOf('| model | CNN | XSum |');
    const lines = sources.slice(start).split('\n');
    const rows = lines.slice(
      2,
      lines.findIndex((l, i) => i > 1 && !l.startsWith('|')),
    );
    const parsed = rows.map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
    expect(parsed.map((c) => c[0])).toEqual(LEADERBOARD.map((r) => r.model));
    for (const [i, cells] of parsed.entries()) {
      const row = LEADERBOARD[i]!;
      expect(DATASETS.map((d) => row.bacc[d])).toEqual(cells.slice(1, 12).map(Number));
      expect(Math.abs(mean(DATASETS.map((d) => row.bacc[d])) - Number(cells[12]))).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('threshold tuning on a dev split (FactCG)', () => {
  // A judge that reads its P(supported) from the claim, so the test controls every probability.
  const probabilityJudge: Judge = {
    id: 'test-probability',
    config: { adapter: 'test-probability' },
    tasks: ['classification'],
    concurrency: 4,
    async judge(request) {
      if (request.task.kind !== 'classification') throw new Error('classification only');
      const p = Number(/p=([0-9.]+)/.exec(request.task.claim)![1]);
      return { type: 'verdict', verdict: { kind: 'classification', supported: p > 0.5, probability: p } };
    },
  };
  const rows = (dataset: string, supported: number[], unsupported: number[]) => [
    ...supported.map((p) => ({ dataset, doc: `${dataset} document`, claim: `claim with p=${p}`, label: 1 })),
    ...unsupported.map((p) => ({ dataset, doc: `${dataset} document`, claim: `claim with p=${p}`, label: 0 })),
  ];

  // Worked out by hand (predict p > t; the first t of 0.01 … 0.99 with the best dev BAcc wins):
  // Wice dev: supported 0.62 0.70 0.90, not 0.20 0.35 0.60. Every t in [0.60, 0.62) separates them (BAcc 100);
  //   the first grid point there is 0.60 (0.60 itself is not > 0.60). Test: supported 0.55 0.65 0.95, not 0.10 0.58
  //   0.59. At 0.60: TPR 2/3, TNR 1 -> 83.33. At 0.5: TPR 1, TNR 1/3 -> 66.67.
  // Lfqa dev: supported 0.25 0.40, not 0.05 0.15 0.30. BAcc by t: [0.05,0.15) 66.7, [0.15,0.25) 83.3,
  //   [0.25,0.30) 58.3, [0.30,0.40) 75, so t = 0.15. Test: supported 0.20 0.45, not 0.10 0.12. At 0.15: 100.
  //   At 0.5: TPR 0, TNR 1 -> 50.
  // FactCheck-GPT has test claims only: its threshold stays 0.5 (supported 0.9, not 0.2 -> 100).
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDir();
    writeAggreFactParquet(path.join(dataDir, OFFICIAL_FILES.dev), [
      ...rows('Wice', [0.62, 0.7, 0.9], [0.2, 0.35, 0.6]),
      ...rows('Lfqa', [0.25, 0.4], [0.05, 0.15, 0.3]),
    ]);
    writeAggreFactParquet(path.join(dataDir, OFFICIAL_FILES.test), [
      ...rows('Wice', [0.55, 0.65, 0.95], [0.1, 0.58, 0.59]),
      ...rows('Lfqa', [0.2, 0.45], [0.1, 0.12]),
      ...rows('FactCheck-GPT', [0.9], [0.2]),
    ]);
  });

  it('picks the threshold with the best dev BAcc per dataset and applies it to test', async () => {
    const s = summaryOf(await run(probabilityJudge, aggrefactTuned, dataDir));
    expect(s.thresholdSetting).toBe('tune');
    expect(s).toMatchObject({ testItems: 12, devItems: 11, n: 23, errors: 0 });
    expect(s.datasets.Wice).toMatchObject({ threshold: 0.6, tuning: { devItems: 6, devBacc: 100 } });
    expect(s.datasets.Lfqa!.threshold).toBe(0.15);
    expect(s.datasets.Lfqa!.tuning!.devBacc).toBeCloseTo(250 / 3, 10);
    expect(s.datasets.Wice!.bacc).toBeCloseTo(250 / 3, 10);
    expect(s.datasets.Lfqa!.bacc).toBe(100);
    expect(s.datasets['FactCheck-GPT']).toMatchObject({ threshold: 0.5, bacc: 100 });
    expect(s.datasets['FactCheck-GPT']!.tuning).toBeUndefined();
    expect(s.untuned).toEqual(['FactCheck-GPT']);
    expect(s.complete).toBe(false);
    expect(s.score).toBeCloseTo((250 / 3 + 100 + 100) / 3, 10);

    const [table] = await aggrefactTuned.tables(s, { dataDir, judgeId: probabilityJudge.id });
    const notes = table!.notes.join('\n');
    expect(notes).toContain('Wice 0.60 (dev BAcc 100.0 on 6 claims); Lfqa 0.15 (dev BAcc 83.3 on 5 claims)');
    expect(notes).toContain('No answered dev claims for FactCheck-GPT: threshold left at 0.5');
    expect(table!.title).toContain('12 claims from 3 of 11 datasets, thresholds tuned on 11 dev claims');
  });

  it('the fixed-threshold benchmark ignores dev and uses 0.5 on the same claims', async () => {
    const s = summaryOf(await run(probabilityJudge, aggrefact, dataDir));
    expect(s).toMatchObject({ thresholdSetting: 'fixed', testItems: 12, devItems: 0 });
    expect(s.datasets.Wice).toMatchObject({ threshold: 0.5 });
    expect(s.datasets.Wice!.bacc).toBeCloseTo(200 / 3, 10);
    expect(s.datasets.Lfqa!.bacc).toBe(50);
    expect(s.datasets['FactCheck-GPT']!.bacc).toBe(100);
  });

  it('a judge with plain Yes/No verdicts gets the same result tuned or not', () => {
    const yes = (label: boolean, supported: boolean, split: 'dev' | 'test'): ScoredOutcome => ({
      dataset: 'Wice',
      split,
      label,
      outcome: { status: 'verdict', verdict: { kind: 'classification', supported } },
    });
    const items = [
      yes(true, true, 'dev'),
      yes(false, true, 'dev'),
      yes(true, true, 'test'),
      yes(false, false, 'test'),
      yes(false, true, 'test'),
    ];
    expect(tuneThreshold(items.filter((i) => i.split === 'dev'))!.threshold).toBe(0.01);
    expect(scoreAggreFact(items, 'tune').datasets.Wice!.bacc).toBe(scoreAggreFact(items, 'fixed').datasets.Wice!.bacc);
  });
});
