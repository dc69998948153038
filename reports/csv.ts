/**
 * A ReportTable as CSV (csv-stringify), numbers to 6 significant digits (csvNumber, reports/format.ts), with a source
 * column marking published rows. Judge ids, citations and column names can come from user files and data, so text
 * cells a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a leading quote
 * (escape_formulas); numbers, negative ones included, stay numbers.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from '../core/table.ts';
import { csvNumber } from './format.ts';

/** Each value column, then (when any row has intervals) its 95% interval as `<column> ci_low` / `<column> ci_high`. */
export function renderCsv(table: ReportTable): string {
  const withIntervals = table.rows.some((r) => r.intervals?.some(Boolean));
  const header = [
    'model',
    'source',
    'citation',
    ...table.columns,
    ...(withIntervals ? table.columns.flatMap((c) => [`${c} ci_low`, `${c} ci_high`]) : []),
  ];
  const rows = table.rows.map((row) => [
    row.label,
    row.source,
    row.citation ?? '',
    ...row.values.map(csvNumber),
    ...(withIntervals
      ? table.columns.flatMap((_, i) => [csvNumber(row.intervals?.[i]?.[0]), csvNumber(row.intervals?.[i]?.[1])])
      : []),
  ]);
  return stringify([header, ...rows], { escape_formulas: true });
}
