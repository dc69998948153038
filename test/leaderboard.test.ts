/**
 * `npm run leaderboard` through the real CLI on real data: runs what is missing, reuses the store (nothing asked
 * twice), writes the four files plus history, keeps earlier nights, marks published rows, and rewrites identical
 * bytes when nothing is new. Bad configs get one clear message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeaderboardData } from '../reports/leaderboard-data.ts';
import { runCli, tempDir } from './helpers.ts';

function writeConfig(dir: string, config: unknown): string {
  const file = path.join(dir, 'leaderboard.config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

const FILES = ['index.html', 'leaderboard.md', 'leaderboard.csv', 'leaderboard.json'];

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('npm run leaderboard', () => {
  it('runs what is missing, writes the files, keeps history, and is byte-identical on a rerun', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'leaderboard');
    const store = path.join(dir, 'runs.sqlite');
    const config = writeConfig(dir, {
      judges: [
        'longer-wins',
        'random',
        { id: 'replay:Skywork/Skywork-Reward-Gemma-2-27B', benchmarks: ['rewardbench'] },
      ],
      benchmarks: ['rewardbench', 'hhh', 'copoem'],
      seed: 0,
      sample: null,
      resamples: 100,
    });
    const args = ['leaderboard', '--leaderboard-config', config, '--store', store, '--out', out, '--no-progress'];
    // A night's cost counts the judgments made on that (UTC) date, so the first run files itself under today.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

    const first = await runCli([...args, '--date', today]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      'longer-wins: rewardbench 2985 asked, 0 stored; hhh 221 asked, 0 stored; copoem 51 asked, 0 stored',
    );
    const data = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8')) as LeaderboardData;
    expect(data.date).toBe(today);
    expect(data.columns.map((c) => c.id)).toEqual([
      'rewardbench:Avg',
      'rewardbench:Chat',
      'rewardbench:Chat Hard',
      'rewardbench:Safety',
      'rewardbench:Reasoning',
      'hhh:Accuracy',
      'copoem:Accuracy',
    ]);
    expect(data.columns.find((c) => c.id === 'hhh:Accuracy')).toMatchObject({ label: 'HHH', table: 'Table 1' });
    const measured = data.rows.filter((r) => r.source === 'this run').map((r) => r.judge);
    expect(measured).toEqual(['longer-wins', 'random', 'replay:Skywork/Skywork-Reward-Gemma-2-27B']);
    const longer = data.rows.find((r) => r.judge === 'longer-wins')!;
    // longer-wins on RewardBench, as `eval` prints it (45.7 / 80.4 / 29.4 / 41.9 / 31.0), with an interval around it.
    expect(longer.cells['rewardbench:Avg']!.value).toBeCloseTo(45.7, 1);
    expect(longer.cells['rewardbench:Chat']!.value).toBeCloseTo(80.4, 1);
    const [lo, hi] = longer.cells['rewardbench:Avg']!.ci!;
    expect(lo).toBeLessThan(45.7);
    expect(hi).toBeGreaterThan(45.7);
    expect(longer.cost).toMatchObject({ asked: 2985 + 221 + 51, cached: 0 });
    // The replay has results for RewardBench only: its Table 1 cells are empty.
    expect(data.rows.find((r) => r.judge.startsWith('replay:'))!.cells['hhh:Accuracy']).toBeUndefined();
    // Published rows: marked, cited, never with an interval. FLAMe-RM-24B joins its Table 1 and Table 2 numbers.
    const flameRm = data.rows.find((r) => r.judge === 'FLAMe-RM-24B')!;
    expect(flameRm.source).toBe('paper');
    expect(flameRm.citation).toContain('FLAMe Table 1');
    expect(flameRm.citation).toContain('FLAMe Table 2');
    expect(flameRm.cells['rewardbench:Avg']).toEqual({ value: 86.7, ci: null, n: null });
    expect(flameRm.cells['hhh:Accuracy']!.value).toBe(90.0);
    expect(Object.keys(data.dataVersions)).toEqual(['rewardbench', 'hhh', 'copoem']);
    expect(data.promptVersion).toMatch(/^[0-9a-f]{16}$/);
    for (const f of FILES) expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'leaderboard.md'), 'utf8')).toContain('longer-wins');

    // Same night again: nothing asked, identical bytes.
    const before = snapshot(out);
    const again = await runCli([...args, '--date', today]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      'longer-wins: rewardbench 0 asked, 2985 stored; hhh 0 asked, 221 stored; copoem 0 asked, 51 stored',
    );
    expect(snapshot(out)).toEqual(before);

    // The next night: the earlier night is kept, and only the date (and the night's cost: nothing asked) changes.
    const next = await runCli([...args, '--date', tomorrow]);
    expect(next.code).toBe(0);
    expect(fs.readdirSync(path.join(out, 'history')).sort()).toEqual([`${today}.json`, `${tomorrow}.json`]);
    const nextNight = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8')) as LeaderboardData;
    expect(nextNight.rows.find((r) => r.judge === 'longer-wins')!.cost).toMatchObject({
      asked: 0,
      cached: 2985 + 221 + 51,
    });
    const strip = (d: LeaderboardData) => ({ ...d, date: '', rows: d.rows.map((r) => ({ ...r, cost: undefined })) });
    expect(strip(nextNight)).toEqual(strip(data));
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(today);
  }, 180_000);

  it('names the file and the field of a bad config', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { judges: ['random'], seed: 'zero' });
    const { code, stderr } = await runCli([
      'leaderboard',
      '--leaderboard-config',
      config,
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      dir,
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain(`${config}: seed:`);
    expect(stderr).not.toContain('    at ');
    const missing = await runCli(['leaderboard', '--leaderboard-config', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json not found');
  });
});
