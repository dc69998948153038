/**
 * Every CSV the harness writes has one rule for numbers (issue 20): 6 significant digits, so no float noise
 * (92.17999999999999), integers exactly, an empty cell for a missing value; text cells still defused as formulas.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ReportTable } from '../core/table.ts';
import { renderCsv } from '../reports/csv.ts';
import { csvNumber } from '../reports/format.ts';
import { renderLeaderboardCsv } from '../reports/leaderboard-csv.ts';
import type { LeaderboardData } from '../reports/leaderboard-data.ts';

const cells = (csv: string): string[][] => parse(csv) as string[][];

describe('csvNumber', () => {
  it('drops float noise and keeps 4 decimals of a percentage', () => {
    expect(csvNumber(92.17999999999999)).toBe(92.18);
    expect(csvNumber(0.1 + 0.2)).toBe(0.3);
    expect(csvNumber(45.68077658153132)).toBe(45.6808);
    expect(csvNumber(100 / 3)).toBe(33.3333);
    expect(csvNumber(-12.345678)).toBe(-12.3457);
  });

  it('keeps integers exactly, however large, and small values that decimals would round to 0', () => {
    expect(csvNumber(2985)).toBe(2985);
    expect(csvNumber(123_456_789_012)).toBe(123_456_789_012);
    expect(csvNumber(100)).toBe(100);
    expect(csvNumber(-0)).toBe(0);
    expect(String(csvNumber(-0))).toBe('0');
    expect(csvNumber(0.0000123456789)).toBe(0.0000123457);
    expect(csvNumber(3.2e-9)).toBe(3.2e-9);
  });

  it('leaves missing and non-finite values empty', () => {
    expect(csvNumber(null)).toBe('');
    expect(csvNumber(undefined)).toBe('');
    expect(csvNumber(Number.NaN)).toBe('');
    expect(csvNumber(Number.POSITIVE_INFINITY)).toBe('');
  });

  it('recovers every count behind an accuracy over fewer than a million items', () => {
    for (const n of [7, 999, 2985, 99_991, 999_983]) {
      for (const k of [1, Math.floor(n / 3), n - 1]) {
        expect(Math.round(((csvNumber((100 * k) / n) as number) * n) / 100)).toBe(k);
      }
    }
  });
});

describe('renderCsv (eval: <benchmark>.csv)', () => {
  const table: ReportTable = {
    id: 't',
    title: 'T',
    columns: ['Avg', 'Chat', '=cmd'],
    rows: [
      {
        label: 'judge',
        source: 'this run',
        values: [92.17999999999999, 80, null],
        intervals: [[90.12345678, 94.00000000000001], null, null],
      },
      { label: '-judge', source: 'paper', citation: '@cite', values: [64.5, 92.2, 1e-7] },
    ],
    notes: [],
  };

  it('writes values and intervals at 6 significant digits, integers as integers, nothing for null', () => {
    const csv = renderCsv(table);
    expect(csv.split('\n')[1]).toBe('judge,this run,,92.18,80,,90.1235,94,,,,');
    expect(cells(csv)[2]).toEqual(["'-judge", 'paper', "'@cite", '64.5', '92.2', '1e-7', '', '', '', '', '', '']);
    expect(cells(csv)[0]).toContain("'=cmd");
    expect(csv).not.toMatch(/\d{7}/);
  });
});

describe('renderLeaderboardCsv', () => {
  const data: LeaderboardData = {
    date: '2025-06-03',
    harnessVersion: '0.1.0',
    promptVersion: 'f'.repeat(64),
    dataVersions: {},
    seed: 0,
    resamples: 1000,
    sample: null,
    columns: [{ id: 'rewardbench:Avg', benchmark: 'rewardbench', label: 'Avg', table: 'Table 2' }],
    rows: [
      {
        judge: 'gpt-4o',
        source: 'this run',
        cells: { 'rewardbench:Avg': { value: 92.17999999999999, ci: [90.00000000000001, 94.3], n: 2985 } },
        cost: { inputTokens: 12_345_678_901, outputTokens: 45_678, usd: 0.000012345678, asked: 300, cached: 2685 },
      },
      { judge: 'paper-row', source: 'paper', cells: { 'rewardbench:Avg': { value: 87.8, ci: null, n: null } } },
    ],
    cost: { inputTokens: 12_345_678_901, outputTokens: 45_678, usd: 0.000012345678 },
  };

  it('writes the same rule: no float noise, token counts exact, a tiny cost kept, missing cells empty', () => {
    const [header, ours, paper] = cells(renderLeaderboardCsv(data));
    const at = (row: string[] | undefined, column: string): string => row![header!.indexOf(column)]!;
    expect(at(ours, 'rewardbench:Avg')).toBe('92.18');
    expect(at(ours, 'rewardbench:Avg ci_low')).toBe('90');
    expect(at(ours, 'rewardbench:Avg ci_high')).toBe('94.3');
    expect(at(ours, 'input_tokens')).toBe('12345678901');
    expect(at(ours, 'usd')).toBe('0.0000123457');
    expect(at(paper, 'rewardbench:Avg')).toBe('87.8');
    expect(at(paper, 'rewardbench:Avg ci_low')).toBe('');
    expect(at(paper, 'usd')).toBe('');
  });
});
