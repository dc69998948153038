/**
 * JudgeBench through the CLI as a user runs it (the bundled launcher): eval of a baseline on both splits, compare of
 * two published judges' replays, the nightly leaderboard, and what --help and a wrong name say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

const env = { AUTORATER_DATA: DATA_DIR };

/**
 * longer-wins on JudgeBench, computed once with python3 from the pinned pair files: both orders agree for a length
 * judge, so a pair is correct exactly when its correct response has more code points (len) than the other.
 * Knowledge, Reasoning, Math, Coding, Overall, two decimals.
 */
const LONGER_WINS = {
  'judgebench-gpt': ['44.16', '41.84', '51.79', '54.76', '46.00'],
  'judgebench-claude': ['44.16', '43.14', '41.18', '45.16', '43.70'],
};

describe('npm run eval -- --benchmark judgebench', () => {
  it('runs both splits in both orders and reports each in the paper layout', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const args = ['eval', '--judge', 'longer-wins', '--benchmark', 'judgebench', '--store', path.join(dir, 's.sqlite')];
    const { code, stdout, stderr } = await runCli([...args, '--out', out, '--no-progress'], { env });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('JudgeBench, GPT-4o pairs (paper layout): 350 pairs, 0 invalid, 0 errors');
    expect(stdout).toContain('JudgeBench, Claude-3.5-Sonnet pairs (paper layout): 270 pairs, 0 invalid, 0 errors');
    expect(stdout).toContain('Arena-Hard Judge (o1-mini)');
    expect(stderr).toContain('judgebench-gpt: 350 items (×2 orders): 700 asked, 0 from the store');
    // One Claude pair has two identical responses: both orders are the same prompt, stored once.
    expect(stderr).toContain('judgebench-claude: 270 items (×2 orders): 540 asked');
    expect(stdout).not.toContain('FLAMe Table 1 layout'); // JudgeBench fills no Table 1 column

    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.benchmarks)).toEqual(['judgebench-gpt', 'judgebench-claude']);
    for (const [id, expected] of Object.entries(LONGER_WINS)) {
      const s = summary.benchmarks[id];
      const values = [...['Knowledge', 'Reasoning', 'Math', 'Coding'].map((c) => s.categories[c]), s.score];
      expect(
        values.map((v: number) => v.toFixed(2)),
        id,
      ).toEqual(expected);
      expect(s.bothOrders).toBe(s.n);
    }
    const csv = fs.readFileSync(path.join(out, 'judgebench-gpt.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^model,source,citation,Knowledge,Reasoning,Math,Coding,Overall,Knowledge ci_low,/);
    expect(csv[1]).toMatch(/^longer-wins,this run,,44\.1558,41\.8367,51\.7857,54\.7619,46(,|$)/);
    expect(
      csv.some((l) => l.startsWith('Skywork-Reward-Gemma-2-27B,paper,') && l.includes(',59.74,66.33,83.93,50,')),
    ).toBe(true);
  });

  it('--help lists the splits among the benchmarks "all" runs; an unknown id names the group', async () => {
    const help = await runCli(['eval', '--help'], { env });
    expect(help.stdout).toContain('Also in "all" (--benchmark judgebench names both splits):');
    expect(help.stdout).toMatch(/judgebench-gpt\s+JudgeBench, 350 GPT-4o response pairs/);
    const unknown = await runCli(['eval', '--judge', 'random', '--benchmark', 'judgebench-gpt4'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('judgebench (judgebench-gpt and judgebench-claude), or "all".');
  });
});

describe('a replay of one split among other benchmarks', () => {
  const judge = 'replay:judgebench/arena_hard/o1-mini-2024-09-12'; // published for the GPT-4o split only

  it('--benchmark all skips what it has no answers for, in one line, instead of failing every item', async () => {
    const dir = tempDir();
    const store = path.join(dir, 's.sqlite');
    const args = ['eval', '--judge', judge, '--benchmark', 'all', '--limit', '4', '--store', store];
    const { code, stderr } = await runCli([...args, '--no-progress'], { env });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('judgebench-gpt: 4 items (×2 orders): 8 asked');
    const skippedLine = stderr.split('\n').find((l) => l.includes('has answers for judgebench-gpt only'));
    expect(skippedLine).toMatch(/^rewardbench, .*hhh.*judgebench-claude: skipped: /);
    expect(stderr).toMatch(/aggrefact: skipped: .* does not answer classification tasks/);
    expect(stderr).not.toContain('Items without an answer');
  });

  it('a named benchmark it has no answers for fails at once, naming what it has; the group skips it', async () => {
    const dir = tempDir();
    const store = path.join(dir, 's.sqlite');
    const named = ['eval', '--judge', judge, '--benchmark', 'judgebench-claude', '--store', store, '--no-progress'];
    const refused = await runCli(named, { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`judge ${judge} has answers for judgebench-gpt only, not judgebench-claude.`);
    expect(refused.stderr).not.toContain('items:'); // nothing was asked

    const group = ['eval', '--judge', judge, '--benchmark', 'judgebench', '--store', store, '--no-progress'];
    const ran = await runCli(group, { env });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('judgebench-gpt: 350 items (×2 orders): 700 asked');
    expect(ran.stderr).toContain(`judgebench-claude: skipped: ${judge} has answers for judgebench-gpt only`);

    const none = await runCli(['eval', '--judge', 'constant', '--benchmark', 'judgebench', '--store', store], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Nothing to run: constant answers none of judgebench.');
  });
});

describe('compare and leaderboard on JudgeBench', () => {
  it('compares two replays per category, one asked in both orders and one (a reward model) once', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const args = ['compare', '--judge', 'replay:judgebench/arena_hard/o1-mini-2024-09-12'].concat(
      ['--baseline', 'replay:judgebench/reward_model/Skywork_Skywork-Reward-Gemma-2-27B'],
      ['--benchmark', 'judgebench-gpt', '--run-missing', '--store', path.join(dir, 's.sqlite'), '--out', out],
      ['--no-progress'],
    );
    const { code, stderr } = await runCli(args, { env });
    expect(code, stderr).toBe(0);
    const [comparison] = JSON.parse(fs.readFileSync(path.join(out, 'compare.json'), 'utf8')).comparisons;
    expect(comparison.compared).toBe(350);
    const categories = comparison.categories.map((c: { category: string }) => c.category);
    expect(categories).toEqual(['Overall', 'Knowledge', 'Reasoning', 'Math', 'Coding']);
    const overall = comparison.categories[0];
    // The published numbers: 65.71 (o1-mini, both orders) against 64.29 (Skywork-Reward-Gemma-2-27B, one order).
    expect([overall.candidate.toFixed(2), overall.baseline.toFixed(2)]).toEqual(['65.71', '64.29']);
    // Every pair is right or wrong for both judges, so McNemar's exact test applies in every column.
    for (const c of comparison.categories) expect(c.test).toBe('McNemar exact');
  });

  it('the leaderboard runs the group "judgebench" and a replay limited to its split', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'board.json');
    const judges = [
      'longer-wins',
      { id: 'replay:judgebench/arena_hard/o1-mini-2024-09-12', benchmarks: ['judgebench-gpt'] },
    ];
    fs.writeFileSync(
      config,
      JSON.stringify({ judges, benchmarks: ['judgebench'], seed: 0, sample: 256, resamples: 0 }),
    );
    const out = path.join(dir, 'out');
    const args = ['leaderboard', '--leaderboard-config', config, '--store', path.join(dir, 's.sqlite'), '--out', out];
    const { code, stderr } = await runCli([...args, '--no-progress'], { env });
    expect(code, stderr).toBe(0);
    const board = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8'));
    expect(board.columns.map((c: { id: string }) => c.id)).toEqual([
      'judgebench-gpt:Overall',
      'judgebench-claude:Overall',
    ]);
    const cell = (judge: string, column: string) =>
      board.rows.find((r: { judge: string }) => r.judge === judge).cells[column];
    // --sample leaves JudgeBench whole: every pair, as the paper scores it.
    expect(cell('longer-wins', 'judgebench-gpt:Overall')).toMatchObject({ value: 46, n: 350 });
    expect(cell('longer-wins', 'judgebench-claude:Overall').n).toBe(270);
    expect(cell('replay:judgebench/arena_hard/o1-mini-2024-09-12', 'judgebench-gpt:Overall').value.toFixed(2)).toBe(
      '65.71',
    );
  });
});
