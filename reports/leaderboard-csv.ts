/**
 * The nightly leaderboard as CSV (csv-stringify): one row per judge, full precision, each column's value and its 95%
 * interval, then tonight's cost. Cells that a spreadsheet would run as a formula (a judge id starting with "=") are
 * prefixed with a quote by csv-stringify's escape_formulas: judge ids and citations come from user files.
 */
import { stringify } from 'csv-stringify/sync';
import type { LeaderboardData } from './leaderboard-data.ts';

function num(value: number | null | undefined): number | '' {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : value;
}

export function renderLeaderboardCsv(data: LeaderboardData): string {
  const header = [
    'judge',
    'source',
    ...data.columns.flatMap((c) => [c.id, `${c.id} ci_low`, `${c.id} ci_high`]),
    'input_tokens',
    'output_tokens',
    'usd',
    'asked',
    'cached',
    'citation',
  ];
  const rows = data.rows.map((row) => [
    row.judge,
    row.source,
    ...data.columns.flatMap((c) => {
      const cell = row.cells[c.id];
      return [num(cell?.value), num(cell?.ci?.[0]), num(cell?.ci?.[1])];
    }),
    num(row.cost?.inputTokens),
    num(row.cost?.outputTokens),
    num(row.cost?.usd),
    num(row.cost?.asked),
    num(row.cost?.cached),
    row.citation ?? '',
  ]);
  return stringify([header, ...rows], { escape_formulas: true });
}
