/**
 * The nightly leaderboard as CSV (csv-stringify): one row per judge, each column's value and its 95% interval, then
 * tonight's cost; numbers to 6 significant digits, counts exact (csvNumber, reports/format.ts). Cells that a
 * spreadsheet would run as a formula (a judge id starting with "=") are prefixed with a quote by csv-stringify's
 * escape_formulas: judge ids and citations come from user files.
 */
import { stringify } from 'csv-stringify/sync';
import { csvNumber } from './format.ts';
import type { LeaderboardData } from './leaderboard-data.ts';

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
      return [csvNumber(cell?.value), csvNumber(cell?.ci?.[0]), csvNumber(cell?.ci?.[1])];
    }),
    csvNumber(row.cost?.inputTokens),
    csvNumber(row.cost?.outputTokens),
    csvNumber(row.cost?.usd),
    csvNumber(row.cost?.asked),
    csvNumber(row.cost?.cached),
    row.citation ?? '',
  ]);
  return stringify([header, ...rows], { escape_formulas: true });
}
