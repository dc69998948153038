/**
 * Issue 21's "done when": a jury of three loopback judges with known per-item answers gives the expected majority
 * and kappas. Three config judges share one OpenAI double, which answers each by model and item from a script; the
 * jury runs from the command line (a judge config written here), reruns without asking anything, and is accepted by
 * compare (as jury:a,b,c) and by the leaderboard (as a named jury of the config).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getBenchmark } from '../benchmarks/index.ts';
import { prepareItems } from '../harness/prepare.ts';
import { completion, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

const KEY = `sk-test-${'jury'.repeat(10)}`;

/**
 * What each member answers on CoPoem's 12 items of `--sample 12` (seed 0), by position as shown; '-' is a reply
 * with no verdict. The same script as test/jury.test.ts.
 */
const SCRIPT: Record<string, string[]> = {
  'model-1': 'A B A A B B A B A B - A'.split(' '),
  'model-2': 'A A A B B A A B B B A B'.split(' '),
  'model-3': 'B B A A A A B B A B B A'.split(' '),
};
/** The majority by hand: item 10 (one A, one B, one unreadable) is split, a tie. */
const MAJORITY = 'A B A A B A A B A B tie A'.split(' ');

let double: OpenAIDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

function writeConfig(dir: string, baseURL: string): string {
  const member = (model: string) => ({
    extends: 'gpt-4o',
    model,
    baseURL,
    limits: { concurrency: 4, timeoutMs: 5000, maxAttempts: 2, baseDelayMs: 1 },
  });
  const file = path.join(dir, 'judges.json');
  const config = {
    judges: { m1: member('model-1'), m2: member('model-2'), m3: member('model-3') },
    juries: { panel: { members: ['m1', 'm2', 'm3'], description: 'three loopback judges' } },
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe('a jury of three loopback judges from the command line', () => {
  it('gives the majority and the kappas, reuses its members, and works in compare and leaderboard', async () => {
    const copoem = getBenchmark('copoem');
    const entries = await prepareItems(copoem, DATA_DIR, 0, { sample: 12 });
    expect(entries).toHaveLength(12);
    const itemOf = new Map(entries.map((e, i) => [e.prompt, i]));
    double = await startOpenAIDouble({
      apiKey: KEY,
      script: (call) => {
        const i = itemOf.get(call.prompt);
        const answer = i === undefined ? undefined : SCRIPT[call.body.model]?.[i];
        if (answer === undefined) throw new Error(`no scripted answer for ${call.body.model}`);
        return completion(
          call,
          answer === '-'
            ? 'Both poems have their merits.'
            : `explanation: it reads better.\nbetter response: ${answer}`,
        );
      },
    });
    const dir = tempDir();
    const config = writeConfig(dir, double.baseURL);
    const store = path.join(dir, 'runs.sqlite');
    const env = { env: { OPENAI_API_KEY: KEY } };
    const select = ['--benchmark', 'copoem', '--sample', '12', '--config', config, '--store', store, '--no-progress'];

    const run = await runCli(['eval', '--judge', 'jury:m1,m2,m3', ...select, '--out', path.join(dir, 'out')], env);
    expect(run.code, run.stderr).toBe(0);
    expect(double.calls).toHaveLength(36); // each member asked each item once
    expect(run.stderr).toContain('judge jury:m1,m2,m3: a jury of 3');
    expect(run.stderr).toMatch(
      /member m1: run #\d+ \(complete\): copoem 12 asked, 0 from the store, 0 errors, 1 invalid/,
    );
    expect(run.stdout).toContain('CoPoem: jury:m1,m2,m3 beside its members (12 items)');
    expect(run.stdout).toContain('CoPoem: agreement among the members of jury:m1,m2,m3 (κ × 100)');
    expect(run.stdout).toContain('Split decisions (no option had the most votes alone: counted as a tie): 1 of 12.');

    // The jury's verdict on every item is the scripted majority; each member's verdict is beside it.
    const predictions = fs
      .readFileSync(path.join(dir, 'out', 'predictions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const byItem = new Map(predictions.map((p) => [p.item_id, p]));
    entries.forEach((e, i) => {
      const p = byItem.get(e.item.id);
      expect(p.verdict, e.item.id).toEqual({ kind: 'pairwise', choice: MAJORITY[i] });
      const m1 = SCRIPT['model-1']![i]!;
      expect(p.members.m1).toEqual(m1 === '-' ? { invalid: expect.any(String) } : { kind: 'pairwise', choice: m1 });
    });

    // Its score is the benchmark's accuracy of those verdicts (a right pick 1, the tie 0.5), counted here by hand.
    const points = MAJORITY.map((m, i): number => {
      const gold = (entries[i]!.prepared.gold as { chosenSlot: 'A' | 'B' }).chosenSlot;
      return m === 'tie' ? 0.5 : m === gold ? 1 : 0;
    });
    const accuracy = (100 * points.reduce((a, b) => a + b, 0)) / 12;
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.benchmarks.copoem.score).toBeCloseTo(accuracy, 10);
    const jury = summary.jury.benchmarks.copoem;
    expect({ decisions: jury.decisions, split: jury.split, partial: jury.partial }).toEqual({
      decisions: 12,
      split: 1,
      partial: 0,
    });
    // Kappas on the 11 items all three answered, computed independently with python3 (test/jury.test.ts).
    expect(jury.agreement.rated).toBe(11);
    const kappas = jury.agreement.pairs.map((p: { a: string; b: string; kappa: number }) => [p.a, p.b, p.kappa]);
    expect(kappas.map((k: unknown[]) => k.slice(0, 2))).toEqual([
      ['m1', 'm2'],
      ['m1', 'm3'],
      ['m2', 'm3'],
    ]);
    expect(kappas[0][2]).toBeCloseTo(0.09836065573770492, 12);
    expect(kappas[1][2]).toBeCloseTo(0.26666666666666666, 12);
    expect(kappas[2][2]).toBeCloseTo(-0.26229508196721313, 12);
    expect(jury.agreement.fleiss.kappa).toBeCloseTo(0.029411764705882353, 12);
    // The jury against its best member, per headline column.
    expect(jury.beatBestMember.compared).toBe(Object.keys(copoem.metrics!.values(summary.benchmarks.copoem)).length);
    // Costs add up over the members.
    const memberCost = summary.jury.members.reduce(
      (total: number, m: { run: { spend: { costUsd: number } } }) => total + m.run.spend.costUsd,
      0,
    );
    expect(memberCost).toBeGreaterThan(0);
    expect(summary.run.spend.costUsd).toBeCloseTo(memberCost, 12);
    expect(fs.readFileSync(path.join(dir, 'out', 'copoem-jury-agreement.csv'), 'utf8')).toContain('all 3 (Fleiss)');

    // A rerun asks nothing: every member's judgments are in the store.
    const rerun = await runCli(['eval', '--judge', 'jury:m1,m2,m3', ...select], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(double.calls).toHaveLength(36);
    expect(rerun.stderr).toContain('copoem: 12 items: 0 asked, 36 from the store');

    // compare reads the jury from its members' stored judgments.
    const compared = await runCli(['compare', '--judge', 'jury:m1,m2,m3', '--baseline', 'm2', ...select], env);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toContain('copoem: jury:m1,m2,m3 vs m2: 12 items both judged');
    expect(compared.stdout).toMatch(new RegExp(`Accuracy\\s+│\\s+${accuracy.toFixed(1)}\\s+│`));
    expect(double.calls).toHaveLength(36);

    // The per-item page of the jury, from the store, with no API key: every item has the jury's verdict.
    const shown = [...select.filter((a) => a !== '--no-progress'), '--out', path.join(dir, 'view')];
    const viewed = await runCli(['view', '--judge', 'jury:m1,m2,m3', ...shown], { env: { OPENAI_API_KEY: '' } });
    expect(viewed.code, viewed.stderr).toBe(0);
    expect(viewed.stderr).not.toContain('have no answer');
    const page = fs.readFileSync(path.join(dir, 'view', 'items.html'), 'utf8');
    expect(page).toContain('jury:m1,m2,m3');
    expect(double.calls).toHaveLength(36);

    // The leaderboard takes the named jury as a judge: the same numbers, nothing asked, the members' costs.
    const board = path.join(dir, 'board.json');
    fs.writeFileSync(
      board,
      JSON.stringify({ judges: ['panel', 'm2'], benchmarks: ['copoem'], sample: 12, resamples: 0 }),
    );
    const out = path.join(dir, 'leaderboard');
    const night = await runCli(
      ['leaderboard', '--leaderboard-config', board, '--config', config, '--store', store, '--out', out],
      { env: { OPENAI_API_KEY: KEY } },
    );
    expect(night.code, night.stderr).toBe(0);
    expect(double.calls).toHaveLength(36);
    const data = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8'));
    const panel = data.rows.find((r: { judge: string }) => r.judge === 'panel');
    expect(panel.cells['copoem:Accuracy'].value).toBeCloseTo(accuracy, 10);
    expect(panel.cost.usd).toBeCloseTo(memberCost, 12); // made today, by its members
  });
});
