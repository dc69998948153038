/** Every measured row of an `eval` report carries its 95% interval: terminal, CSV, Markdown and summary.json. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvNumber } from '../reports/format.ts';
import { runCli, tempDir } from './helpers.ts';

describe('intervals in eval reports', () => {
  it('prints ± in the terminal and writes [lo, hi] to every file, the same on a cached rerun', async () => {
    const dir = tempDir();
    const args = [
      'eval',
      '--judge',
      'longer-wins',
      '--benchmark',
      'hhh',
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      dir,
      '--resamples',
      '300',
      '--no-progress',
    ];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    // This run's row and the baseline rows: value ± half the interval; published rows: none.
    expect(first.stdout).toMatch(/longer-wins\s+│\s+63\.3 ±\d\.\d/);
    expect(first.stdout).toMatch(/random\s+│\s+\d\d\.\d ±\d\.\d/);
    expect(first.stdout).toMatch(/FLAMe-RM-24B\s+│\s+90\.0 │/);
    expect(first.stdout).toContain('95% interval, stratified bootstrap over items');

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
      resamples: number;
      benchmarks: { hhh: { score: number } };
      intervals: { hhh: Record<string, [number, number]> };
    };
    expect(summary.resamples).toBe(300);
    const [lo, hi] = summary.intervals.hhh.Accuracy!;
    expect(lo).toBeLessThan(summary.benchmarks.hhh.score);
    expect(hi).toBeGreaterThan(summary.benchmarks.hhh.score);
    expect(Object.keys(summary.intervals.hhh)).toEqual(['Accuracy', 'harmless', 'helpful', 'honest', 'other']);

    const csv = fs.readFileSync(path.join(dir, 'hhh.csv'), 'utf8').split('\n');
    expect(csv[0]).toContain('Accuracy ci_low,Accuracy ci_high');
    const ours = csv.find((l) => l.startsWith('longer-wins,'))!;
    expect(ours).toContain(String(csvNumber(lo))); // the CSV's 6 significant digits
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(
      /\| \*\*longer-wins\*\* \| 63\.3 \[\d\d\.\d, \d\d\.\d\]/,
    );

    const again = await runCli(args);
    expect(again.stdout).toBe(first.stdout);
  }, 60_000);

  it("a Likert set's correlation table carries intervals too (bootstrapped, not compare categories)", async () => {
    const dir = tempDir();
    const { code, stdout } = await runCli([
      'eval',
      '--judge',
      'random',
      '--benchmark',
      'newsroom',
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      dir,
      '--resamples',
      '100',
      '--no-progress',
    ]);
    expect(code).toBe(0);
    const correlation = stdout.slice(stdout.indexOf('correlation of random'));
    for (const criterion of ['Informativeness', 'Relevance', 'Fluency', 'Coherence']) {
      expect(correlation).toMatch(
        new RegExp(
          `${criterion}\\s+│\\s+-?\\d+\\.\\d ±\\d+\\.\\d\\s+│` +
            `\\s+-?\\d+\\.\\d ±\\d+\\.\\d\\s+│` +
            `\\s+-?\\d+\\.\\d ±\\d+\\.\\d`,
        ),
      );
    }
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
      intervals: { newsroom: Record<string, [number, number]> };
    };
    expect(summary.intervals.newsroom['Coherence: Kendall τb']).toHaveLength(2);
  }, 60_000);
});
