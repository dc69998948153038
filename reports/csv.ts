/** A ReportTable as CSV (csv-stringify), full precision, with a source column marking published rows. */
import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from './table.ts';

export function renderCsv(table: ReportTable): string {
  const header = ['model', 'source', 'citation', ...table.columns];
  const rows = table.rows.map((row) => [row.label, row.source, row.citation ?? '', ...row.values.map((v) => (v === null ? '' : v))]);
  return stringify([header, ...rows]);
}
