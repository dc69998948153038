/**
 * Juries (issue 21): the kappas against independent values, the per-decision rules (majority, split, invalid and
 * missing members, ratings by mean or median), the combination of real prepared items and its score, the best-member
 * comparison, and how jury ids and named juries are read and refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemResult, Outcome } from '../benchmarks/benchmark.ts';
import { getBenchmark } from '../benchmarks/index.ts';
import { cohenKappa, fleissKappa } from '../core/kappa.ts';
import {
  beatBestMember,
  combineOutcomes,
  combineRatings,
  combineResults,
  juryAgreement,
  juryRun,
  runJudge,
} from '../harness/jury.ts';
import { prepareItems } from '../harness/prepare.ts';
import { judgeFingerprint } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { loadJuryConfig } from '../judges/config.ts';
import { checkJudgeId, createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { createJury, isJury } from '../judges/jury.ts';
import type { PairwiseChoice, Task } from '../protocol/tasks.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

// Expected kappas were computed independently with python3 (statsmodels and scikit-learn are not installed here), by
// the textbook formulas in exact fractions:
//   cohen(a, b): po = share equal; pe = Σ_k (count_a(k)/n)(count_b(k)/n); (po − pe)/(1 − pe)
//   fleiss(rows): P_i = (Σ_j n_ij² − m)/(m(m − 1)); P̄ = mean P_i; p_j = Σ_i n_ij/(N m); Pe = Σ p_j²;
//   (P̄ − Pe)/(1 − Pe)
describe("Cohen's and Fleiss' kappa", () => {
  it("Cohen's kappa: Wikipedia's worked example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no) is 0.4", () => {
    const a = [...Array(25).fill('Yes'), ...Array(25).fill('No')];
    const b = [...Array(20).fill('Yes'), ...Array(5).fill('No'), ...Array(10).fill('Yes'), ...Array(15).fill('No')];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it("Fleiss' kappa: Wikipedia's worked example (10 subjects, 14 raters, 5 categories) is 0.210, P̄ 0.378", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const subjects = table.map((counts) => counts.flatMap((n, category) => Array<string>(n).fill(String(category))));
    const { kappa, observed } = fleissKappa(subjects);
    expect(kappa).toBeCloseTo(0.20993070442195524, 12); // python3: 0.20993070442195524
    expect(observed).toBeCloseTo(0.378021978021978, 12);
  });

  it('ratings as categories (unweighted): the values python3 gives', () => {
    const p1 = ['1', '2', '3', '4', '5', '3', '2'];
    const p2 = ['1', '2', '4', '4', '5', '2', '2'];
    const p3 = ['2', '2', '3', '5', '5', '3', '1'];
    expect(cohenKappa(p1, p2)).toBeCloseTo(0.6410256410256411, 12);
    expect(cohenKappa(p1, p3)).toBeCloseTo(0.4473684210526316, 12);
    expect(cohenKappa(p2, p3)).toBeCloseTo(0.125, 12);
    const rows = p1.map((r, i) => [r, p2[i]!, p3[i]!]);
    expect(fleissKappa(rows).kappa).toBeCloseTo(0.38596491228070173, 12);
    expect(fleissKappa(rows).observed).toBeCloseTo(0.5238095238095238, 12);
  });

  it('is undefined (null) without subjects, or when every rating is the one category', () => {
    expect(cohenKappa([], [])).toBeNull();
    expect(cohenKappa(['A', 'A'], ['A', 'A'])).toBeNull();
    expect(fleissKappa([]).kappa).toBeNull();
    expect(fleissKappa([['A', 'A', 'A']]).kappa).toBeNull();
    // Always opposite: perfect disagreement.
    expect(cohenKappa(['A', 'B', 'A', 'B'], ['B', 'A', 'B', 'A'])).toBeCloseTo(-1, 12);
    expect(() => cohenKappa(['A'], ['A', 'B'])).toThrow(/different numbers/);
  });
});

const PAIRWISE: Task = { kind: 'pairwise', context: 'c', responseA: 'a', responseB: 'b' };
const CLAIM: Task = { kind: 'classification', document: 'd', claim: 'c' };
const RATING: Task = { kind: 'pointwise', context: 'c', response: 'r', criterion: 'x', scale: { min: 1, max: 5 } };
const pick = (choice: PairwiseChoice): Outcome => ({ status: 'verdict', verdict: { kind: 'pairwise', choice } });
const yes = (supported: boolean): Outcome => ({ status: 'verdict', verdict: { kind: 'classification', supported } });
const rate = (score: number): Outcome => ({ status: 'verdict', verdict: { kind: 'pointwise', score } });
const invalid: Outcome = { status: 'invalid', reason: 'no verdict' };
const choiceOf = (o: Outcome | undefined): string =>
  o?.status === 'verdict' && o.verdict.kind === 'pairwise' ? o.verdict.choice : '?';
const failed: Outcome = { status: 'error', message: 'HTTP 500' };

describe('one decision of a jury', () => {
  it('pairwise: the majority wins; a shared top is a split, decided as a tie', () => {
    expect(combineOutcomes([pick('A'), pick('B'), pick('A')], PAIRWISE, 'mean')).toEqual({
      outcome: pick('A'),
      split: false,
      partial: false,
    });
    // The issue's example: 1 A, 1 B, 1 invalid.
    expect(combineOutcomes([pick('A'), pick('B'), invalid], PAIRWISE, 'mean')).toEqual({
      outcome: pick('tie'),
      split: true,
      partial: false,
    });
    // Members' own tie verdicts are an option like A and B: two ties outvote one A without a split.
    expect(combineOutcomes([pick('tie'), pick('tie'), pick('A')], PAIRWISE, 'mean').outcome).toEqual(pick('tie'));
    expect(combineOutcomes([pick('tie'), pick('B'), pick('A')], PAIRWISE, 'mean').split).toBe(true);
  });

  it('members without an answer or a readable verdict do not vote; nobody answering is an error', () => {
    expect(combineOutcomes([pick('B'), invalid, invalid], PAIRWISE, 'mean')).toEqual({
      outcome: pick('B'),
      split: false,
      partial: false,
    });
    expect(combineOutcomes([pick('B'), failed, pick('A')], PAIRWISE, 'mean')).toEqual({
      outcome: pick('tie'),
      split: true,
      partial: true,
    });
    expect(combineOutcomes([invalid, failed, invalid], PAIRWISE, 'mean')).toMatchObject({
      outcome: { status: 'invalid' },
      partial: true,
    });
    const none = combineOutcomes([failed, failed, failed], PAIRWISE, 'mean');
    expect(none.outcome).toEqual({ status: 'error', message: 'no member of the jury answered: HTTP 500' });
  });

  it('classification: majority; a split has no tie verdict, so it is an unreadable answer', () => {
    expect(combineOutcomes([yes(true), yes(false), yes(true)], CLAIM, 'mean').outcome).toEqual(yes(true));
    expect(combineOutcomes([yes(true), yes(false), invalid], CLAIM, 'mean')).toEqual({
      outcome: { status: 'invalid', reason: 'the jury is split: 1 Yes, 1 No' },
      split: true,
      partial: false,
    });
  });

  it('ratings: the mean or the median, rounded half up; exactly halfway is a split', () => {
    // mean 10/3 = 3.33 → 3; median 3
    expect(combineOutcomes([rate(2), rate(3), rate(5)], RATING, 'mean').outcome).toEqual(rate(3));
    expect(combineOutcomes([rate(2), rate(3), rate(5)], RATING, 'median').outcome).toEqual(rate(3));
    // mean 11/3 = 3.67 → 4; median 3
    expect(combineOutcomes([rate(1), rate(5), rate(5)], RATING, 'mean').outcome).toEqual(rate(4));
    expect(combineOutcomes([rate(1), rate(5), rate(5)], RATING, 'median').outcome).toEqual(rate(5));
    // One member unreadable: mean of 2 and 5 is 3.5 → 4, halfway; median of two is their mean, the same
    expect(combineOutcomes([rate(2), invalid, rate(5)], RATING, 'mean')).toEqual({
      outcome: rate(4),
      split: true,
      partial: false,
    });
    expect(combineRatings([2, 5], 'median')).toEqual({ score: 4, split: true });
    expect(combineRatings([1, 2, 2, 5], 'median')).toEqual({ score: 2, split: false });
    expect(combineRatings([1, 2, 3, 5], 'median')).toEqual({ score: 3, split: true }); // 2.5 → 3
    expect(combineRatings([1, 2, 3, 4], 'mean')).toEqual({ score: 3, split: true }); // 2.5 → 3
    expect(combineRatings([1, 1, 2], 'mean')).toEqual({ score: 1, split: false }); // 1.33 → 1
  });
});

/** The members' scripted verdicts on CoPoem's first 12 sampled items (absolute positions; '-': unreadable). */
const SCRIPT = {
  m1: 'A B A A B B A B A B - A',
  m2: 'A A A B B A A B B B A B',
  m3: 'B B A A A A B B A B B A',
};
/** Their majority by hand: item 10 is 1 A, 1 B and one unreadable reply, a split scored as a tie. */
const MAJORITY = 'A B A A B A A B A B tie A'.split(' ');

describe('a jury on real items (CoPoem, --sample 12)', () => {
  async function members(swap = false) {
    const copoem = getBenchmark('copoem');
    const entries = await prepareItems(copoem, DATA_DIR, 0, { sample: 12, swap });
    const results = Object.values(SCRIPT).map((line) =>
      entries.map((e, i): ItemResult => {
        const answer = line.split(' ')[i]!;
        const outcome = answer === '-' ? invalid : pick(answer as PairwiseChoice);
        // The mirrored order gets the mirrored answer (the same preference), unreadable stays unreadable.
        const mirrored = answer === '-' ? invalid : pick(answer === 'A' ? 'B' : 'A');
        return {
          item: e.item,
          prepared: e.prepared,
          outcome,
          ...(e.swapped ? { swapped: { prepared: e.swapped.prepared, outcome: mirrored } } : {}),
        };
      }),
    );
    return { copoem, entries, results };
  }

  it('gives the majority per item, one split, and the score of those verdicts', async () => {
    const { copoem, entries, results } = await members();
    expect(entries).toHaveLength(12);
    const jury = combineResults(results, 'mean');
    expect(jury.results.map((r) => choiceOf(r.outcome))).toEqual(MAJORITY);
    expect({ decisions: jury.decisions, split: jury.split, partial: jury.partial }).toEqual({
      decisions: 12,
      split: 1,
      partial: 0,
    });
    // Accuracy counted by hand from the gold slots: a right pick 1, the tie 0.5.
    const points = MAJORITY.map((m, i): number => {
      const gold = (entries[i]!.prepared.gold as { chosenSlot: 'A' | 'B' }).chosenSlot;
      return m === 'tie' ? 0.5 : m === gold ? 1 : 0;
    });
    const expected = (100 * points.reduce((a, b) => a + b, 0)) / 12;
    const summary = copoem.score(jury.results);
    expect(summary.score).toBeCloseTo(expected, 10);
    expect(summary.errors).toBe(0);

    // Against the best member, per headline column (Accuracy, Per-annotation).
    const memberSummaries = ['m1', 'm2', 'm3'].map((judgeId, k) => ({ judgeId, summary: copoem.score(results[k]!) }));
    const beat = beatBestMember(copoem, summary, memberSummaries);
    expect(beat.map((c) => c.column)).toEqual(Object.keys(copoem.metrics!.values(summary)));
    const accuracy = beat.find((c) => c.column === 'Accuracy')!;
    const best = Math.max(...memberSummaries.map((m) => m.summary.score!));
    expect(accuracy.best).toBeCloseTo(best, 10);
    expect(accuracy.beat).toBe(summary.score! >= best - 1e-9);
  });

  it('kappas on the 11 decisions where all three gave a verdict, as python3 computes them', async () => {
    const { results } = await members();
    const agreement = juryAgreement(['m1', 'm2', 'm3'], results);
    expect({ rated: agreement.rated, decisions: agreement.decisions }).toEqual({ rated: 11, decisions: 12 });
    const [m12, m13, m23] = agreement.pairs;
    expect(m12!.kappa).toBeCloseTo(0.09836065573770492, 12);
    expect(m13!.kappa).toBeCloseTo(0.26666666666666666, 12);
    expect(m23!.kappa).toBeCloseTo(-0.26229508196721313, 12);
    expect(m12!.agreement).toBeCloseTo(100 * 0.5454545454545454, 10);
    expect(agreement.fleiss.kappa).toBeCloseTo(0.029411764705882353, 12);
    expect(agreement.fleiss.observed).toBeCloseTo(100 * 0.5151515151515151, 10);
  });

  it('with --swap each order is a decision of its own, combined from the members asked it', async () => {
    const { entries, results } = await members(true);
    expect(entries.every((e) => e.swapped)).toBe(true);
    const jury = combineResults(results, 'mean');
    expect(jury.decisions).toBe(24);
    expect(jury.split).toBe(2);
    const mirrored = jury.results.map((r) => choiceOf(r.swapped?.outcome));
    expect(mirrored).toEqual(MAJORITY.map((m) => (m === 'tie' ? 'tie' : m === 'A' ? 'B' : 'A')));
    // Both orders' verdicts as shown (A/B of each presentation), on twice the decisions; python3 on the same 22 rows.
    const agreement = juryAgreement(['m1', 'm2', 'm3'], results);
    expect(agreement.rated).toBe(22);
    expect(agreement.pairs[0]!.kappa).toBeCloseTo(0.09090909090909091, 12);
    expect(agreement.fleiss.kappa).toBeCloseTo(0.030303030303030304, 12);
  });

  it('refuses members judged on different items', async () => {
    const { results } = await members();
    expect(() => combineResults([results[0]!, results[1]!.slice(1)], 'mean')).toThrow(/same items/);
  });

  it('CoBBLEr says lower is better, and the best-member comparison follows it', () => {
    expect(getBenchmark('cobbler').metrics?.lowerIsBetter).toBe(true);
    expect(getBenchmark('copoem').metrics?.lowerIsBetter).toBeUndefined();
  });
});

function configFile(content: unknown): string {
  const file = path.join(tempDir(), 'judges.json');
  fs.writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

describe('jury ids and named juries', () => {
  const context = { dataDir: DATA_DIR, seed: 0 };

  it('jury:a,b,c makes a jury of built-in judges; its identity ignores the order of its members', async () => {
    const jury = await createJudge('jury:longer-wins,shorter-wins,random', context);
    const reordered = await createJudge('jury: random , longer-wins,shorter-wins', context);
    expect(isJury(jury)).toBe(true);
    if (!isJury(jury)) return;
    expect(jury.jury.members.map((m) => m.id)).toEqual(['longer-wins', 'shorter-wins', 'random']);
    expect(jury.jury.aggregate).toBe('mean');
    expect(jury.tasks).toEqual(['pairwise']); // the kinds every member answers
    expect(judgeFingerprint(reordered)).toBe(judgeFingerprint(jury));
    const median = await createJudge('jury:longer-wins,shorter-wins,random', { ...context, juryAggregate: 'median' });
    expect(judgeFingerprint(median)).not.toBe(judgeFingerprint(jury));
    await expect(jury.judge({} as never, new AbortController().signal)).rejects.toThrow(/is a jury/);
  });

  it('refuses a jury of one, a member named twice, an unknown member, a nested jury, no common task kind', async () => {
    await expect(createJudge('jury:random', context)).rejects.toThrow(/at least 2 members/);
    await expect(createJudge('jury:random,random', context)).rejects.toThrow(/"random" is listed twice/);
    await expect(createJudge('jury:random,', context)).rejects.toThrow(/empty member id/);
    await expect(createJudge('jury:random,nope', context)).rejects.toThrow(/unknown judge "nope"/);
    expect(() => checkJudgeId('jury:random,nope')).toThrow(/unknown judge "nope"/);
    expect(() => checkJudgeId('jury:random,longer-wins')).not.toThrow();
    await expect(createJudge('jury:longer-wins,constant', context)).rejects.toThrow(/no task kind in common/);
    const file = configFile({ juries: { panel: { members: ['random', 'longer-wins'] } } });
    await expect(createJudge('jury:panel,random', { ...context, configFile: file })).rejects.toThrow(
      /member "panel" is a jury; juries do not nest/,
    );
  });

  it('a named jury in the config: its members and aggregate, and --jury-aggregate over it', async () => {
    const file = configFile({
      juries: { panel: { members: ['random', 'longer-wins', 'shorter-wins'], aggregate: 'median' } },
    });
    expect(loadJuryConfig({ userFile: file }).get('panel')?.entry.members).toEqual([
      'random',
      'longer-wins',
      'shorter-wins',
    ]);
    const panel = await createJudge('panel', { ...context, configFile: file });
    expect(isJury(panel) && panel.jury.aggregate).toBe('median');
    const mean = await createJudge('panel', { ...context, configFile: file, juryAggregate: 'mean' });
    expect(isJury(mean) && mean.jury.aggregate).toBe('mean');
    expect(() => checkJudgeId('panel', file)).not.toThrow();
  });

  it('a bad jury entry is refused naming the file, the entry and its line', () => {
    const one = configFile({ juries: { panel: { members: ['random'] } } });
    expect(() => loadJuryConfig({ userFile: one })).toThrow(
      new RegExp(`${one}: juries\\.panel\\.members: a jury needs at least 2 members \\(line 4\\)`),
    );
    const typo = configFile({ juries: { panel: { members: ['random', 'constant'], agregate: 'median' } } });
    expect(() => loadJuryConfig({ userFile: typo })).toThrow(/juries\.panel: Unrecognized key: "agregate"/);
    const how = configFile({ juries: { panel: { members: ['random', 'constant'], aggregate: 'mode' } } });
    expect(() => loadJuryConfig({ userFile: how })).toThrow(/juries\.panel\.aggregate: .*"mean"/);
    const both = configFile({
      judges: { panel: { extends: 'gpt-4o' } },
      juries: { panel: { members: ['random', 'longer-wins'] } },
    });
    expect(() => loadJuryConfig({ userFile: both })).toThrow(
      `${both}: "panel" is both a judge and a jury: give one of them another id.`,
    );
  });
});

describe('a jury run through its members', () => {
  it('ratings (Newsroom): each member stored as itself, the jury the rounded mean of their ratings', async () => {
    const newsroom = getBenchmark('newsroom');
    const store = Store.open(path.join(tempDir(), 'runs.sqlite'));
    try {
      const judge = await createJudge('jury:constant,constant:1,random', { dataDir: DATA_DIR, seed: 0 });
      const options = { judge, benchmarks: [newsroom], dataDir: DATA_DIR, seed: 0, store, limit: 9, progress: false };
      const run = await runJudge(options);
      expect(run.status).toBe('complete');
      const jury = juryRun(run)!;
      expect(jury.runs.map((r) => r.judge.id)).toEqual(['constant', 'constant:1', 'random']);
      // Every member's judgments are in the store under its own fingerprint; none under the jury's.
      for (const member of jury.runs) expect(store.answeredKeys(member.fingerprint, 'newsroom').size).toBe(9);
      expect(store.answeredKeys(run.fingerprint, 'newsroom').size).toBe(0);
      const [b] = run.benchmarks;
      const rating = (o: Outcome): number =>
        o.status === 'verdict' && o.verdict.kind === 'pointwise' ? o.verdict.score : NaN;
      b!.results.forEach((r, i) => {
        const scores = jury.benchmarks[0]!.members.map((m) => rating(m.results[i]!.outcome));
        expect(scores.every(Number.isInteger)).toBe(true);
        // By hand: the mean of the three, rounded half up (a third is never exactly a half).
        const expected = Math.floor(scores.reduce((x, y) => x + y, 0) / 3 + 0.5);
        expect(r.outcome).toEqual({ status: 'verdict', verdict: { kind: 'pointwise', score: expected } });
      });
      expect(b!.summary).toEqual(newsroom.score(b!.results));
      expect(b!.asked).toBe(27);
      // A rerun asks nothing.
      const again = await runJudge(options);
      expect(again.benchmarks[0]!.asked).toBe(0);
      expect(again.benchmarks[0]!.cached).toBe(27);
      expect(again.benchmarks[0]!.results).toEqual(b!.results);
    } finally {
      store.close();
    }
  });

  it('a stop ends the jury there: the members not reached take part with what is stored', async () => {
    const store = Store.open(path.join(tempDir(), 'runs.sqlite'));
    const stop = new AbortController();
    // The second member is Ctrl-C'd while it answers its first item (a real judge, `shorter-wins`, that also stops).
    const create = async (id: string): Promise<Judge> => {
      const judge = await createJudge(id, { dataDir: DATA_DIR, seed: 0 });
      if (id !== 'shorter-wins') return judge;
      const judgeAndStop: Judge['judge'] = (request, signal) => {
        stop.abort();
        return judge.judge(request, signal);
      };
      return { ...judge, judge: judgeAndStop };
    };
    try {
      const judge = await createJury(
        'jury:x',
        { members: ['longer-wins', 'shorter-wins', 'random'], aggregate: 'mean' },
        create,
      );
      const options = { judge, benchmarks: [getBenchmark('copoem')], dataDir: DATA_DIR, seed: 0, store, sample: 6 };
      const run = await runJudge({ ...options, progress: false, signal: stop.signal });
      expect(run.status).toBe('interrupted');
      const jury = juryRun(run)!;
      expect(jury.notRun).toEqual(['random']);
      expect(jury.runs.map((r) => r.benchmarks[0]!.asked)).toEqual([6, 1]);
      const b = run.benchmarks[0]!;
      // Decided by the members that answered: longer-wins on every item, shorter-wins on one; random on none.
      expect(jury.benchmarks[0]!.partial).toBe(6);
      expect(b.summary.errors).toBe(0);
      const own = jury.benchmarks[0]!.members[2]!.results[0]!.outcome;
      expect(own).toEqual({ status: 'error', message: 'not judged: the run stopped first' });
      // --max-cost is one budget for the whole jury: every member needs a price.
      await expect(runJudge({ ...options, maxCostUsd: 1, progress: false })).rejects.toThrow(
        /--max-cost needs a price for every member of jury:x: add "price" to longer-wins's entry/,
      );
    } finally {
      store.close();
    }
  });
});
