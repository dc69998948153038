/** The leaderboard's Markdown and CSV: values with intervals, published rows marked, cost, hostile text escaped. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { renderLeaderboardCsv } from '../reports/leaderboard-csv.ts';
import type { LeaderboardData } from '../reports/leaderboard-data.ts';
import { renderLeaderboardMarkdown } from '../reports/leaderboard-markdown.ts';

const HOSTILE = '<img src=x onerror=alert(1)>|=cmd';

const DATA: LeaderboardData = {
  date: '2025-06-03',
  harnessVersion: '0.1.0',
  promptVersion: 'f'.repeat(64),
  dataVersions: { rewardbench: 'sha256:abc', hhh: 'ids:123' },
  seed: 0,
  resamples: 1000,
  sample: null,
  columns: [
    { id: 'hhh:Accuracy', benchmark: 'hhh', label: 'Accuracy', table: 'Table 1' },
    { id: 'rewardbench:Avg', benchmark: 'rewardbench', label: 'Avg', table: 'Table 2' },
    { id: 'rewardbench:Chat Hard', benchmark: 'rewardbench', label: 'Chat Hard', table: 'Table 2' },
  ],
  rows: [
    {
      judge: 'gpt-4o',
      source: 'this run',
      cells: {
        'hhh:Accuracy': { value: 88.23456, ci: [84.04, 92.15], n: 221 },
        'rewardbench:Avg': { value: 84.55, ci: [83.1, 85.9], n: 2985 },
      },
      cost: { inputTokens: 1_234_567, outputTokens: 45_678, usd: 3.456, asked: 300, cached: 2906 },
      notes: ['aggrefact: no data'],
    },
    {
      judge: HOSTILE,
      source: 'this run',
      cells: { 'rewardbench:Chat Hard': { value: 50, ci: [45, 55], n: 450 } },
      cost: { inputTokens: 0, outputTokens: 0, usd: null, asked: 0, cached: 450 },
    },
    {
      judge: 'FLAMe-RM-24B',
      source: 'paper',
      citation: 'FLAMe (Vu et al. 2024) Table 2',
      cells: {
        'rewardbench:Avg': { value: 87.8, ci: null, n: null },
        'rewardbench:Chat Hard': { value: 75.7, ci: null, n: null },
      },
    },
  ],
  cost: { inputTokens: 1_234_567, outputTokens: 45_678, usd: 3.456 },
};

describe('renderLeaderboardMarkdown', () => {
  const md = renderLeaderboardMarkdown(DATA);

  it('writes one table per paper table with one decimal, intervals and the published rows marked', () => {
    expect(md).toContain('## Table 1\n\n| Judge | hhh Accuracy | Source |');
    expect(md).toContain('| **gpt-4o** | 88.2 [84.0, 92.2] | this run |');
    expect(md).toContain('## Table 2\n\n| Judge | rewardbench Avg | rewardbench Chat Hard | Source |');
    expect(md).toContain('| *FLAMe-RM-24B* | 87.8 | 75.7 | published: FLAMe (Vu et al. 2024) Table 2 |');
    // A published row with no Table 1 value is left out of Table 1 rather than shown as a line of dashes.
    expect(md.split('## Table 2')[0]).not.toContain('FLAMe-RM-24B');
    expect(md).toContain('95% bootstrap interval over items (1000 resamples)');
  });

  it('escapes judge text so it can neither split a cell nor become HTML', () => {
    expect(md).toContain('| **&lt;img src=x onerror=alert(1)&gt;\\|=cmd** | — | 50.0 [45.0, 55.0] | this run |');
    expect(md).not.toContain('<img');
  });

  it('lists each judge’s cost and the total, notes and data versions', () => {
    expect(md).toContain('| gpt-4o | 300 | 2906 | 1234567 | 45678 | $3.46 |');
    expect(md).toContain('| &lt;img src=x onerror=alert(1)&gt;\\|=cmd | 0 | 450 | 0 | 0 | unpriced |');
    expect(md).toContain('| **Total** | | | 1234567 | 45678 | $3.46 |');
    expect(md).toContain('- gpt-4o: aggrefact: no data');
    expect(md).toContain('- hhh: ids:123\n- rewardbench: sha256:abc');
    expect(renderLeaderboardMarkdown(structuredClone(DATA))).toBe(md);
  });
});

describe('renderLeaderboardCsv', () => {
  const rows = parse(renderLeaderboardCsv(DATA)) as string[][];

  it('has judge, source, value and interval per column, then cost and citation', () => {
    expect(rows[0]).toEqual([
      'judge',
      'source',
      'hhh:Accuracy',
      'hhh:Accuracy ci_low',
      'hhh:Accuracy ci_high',
      'rewardbench:Avg',
      'rewardbench:Avg ci_low',
      'rewardbench:Avg ci_high',
      'rewardbench:Chat Hard',
      'rewardbench:Chat Hard ci_low',
      'rewardbench:Chat Hard ci_high',
      'input_tokens',
      'output_tokens',
      'usd',
      'asked',
      'cached',
      'citation',
    ]);
    expect(rows[1]).toEqual([
      'gpt-4o',
      'this run',
      '88.2346', // 88.23456 to 6 significant digits
      '84.04',
      '92.15',
      '84.55',
      '83.1',
      '85.9',
      '',
      '',
      '',
      '1234567',
      '45678',
      '3.456',
      '300',
      '2906',
      '',
    ]);
    expect(rows[3]).toEqual([
      'FLAMe-RM-24B',
      'paper',
      '',
      '',
      '',
      '87.8',
      '',
      '',
      '75.7',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'FLAMe (Vu et al. 2024) Table 2',
    ]);
  });

  it('keeps hostile judge text intact apart from defusing spreadsheet formulas', () => {
    expect(rows[2]![0]).toBe(HOSTILE);
    const formula = parse(
      renderLeaderboardCsv({ ...DATA, rows: [{ ...DATA.rows[1]!, judge: '=HYPERLINK("x")' }] }),
    ) as string[][];
    expect(formula[1]![0]).toBe('\'=HYPERLINK("x")');
    expect(rows[2]![13]).toBe('');
  });
});

describe('the HTML line chart', () => {
  it('opens on the first column a measured judge has a value in, not one only published rows fill', async () => {
    const { renderLeaderboardHtml } = await import('../reports/leaderboard-html.ts');
    const onlyPublishedFirst: LeaderboardData = {
      ...DATA,
      columns: [{ id: 'aggrefact:Avg', benchmark: 'aggrefact', label: 'AggreFact', table: 'Table 1' }, ...DATA.columns],
      rows: [
        ...DATA.rows,
        {
          judge: 'FLAMe-24B',
          source: 'paper',
          citation: 'FLAMe Table 1',
          cells: { 'aggrefact:Avg': { value: 80.4, ci: null, n: null } },
        },
      ],
    };
    const html = renderLeaderboardHtml(onlyPublishedFirst, []);
    expect(html).toContain('<option value="hhh:Accuracy" selected>');
    expect(html).not.toContain('<option value="aggrefact:Avg" selected>');
  });
});
