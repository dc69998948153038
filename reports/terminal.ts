/** A ReportTable as a terminal table (cli-table3), laid out like the paper's tables. */
import Table from 'cli-table3';
import { INTERVAL_NOTE, plusMinus, sourceText } from './format.ts';
import type { ReportTable } from '../core/table.ts';

export function renderTerminal(table: ReportTable, color = process.stdout.isTTY): string {
  const bold = (s: string): string => (color ? `\u001b[1m${s}\u001b[22m` : s);
  const dim = (s: string): string => (color ? `\u001b[2m${s}\u001b[22m` : s);
  const out = new Table({
    head: ['Model', ...table.columns, 'Source'],
    colAligns: ['left', ...table.columns.map(() => 'right' as const), 'left'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [], compact: true },
  });
  let previousSource: string | undefined;
  for (const row of table.rows) {
    // A rule between our rows (this run, baselines) and the published ones, so nobody mistakes one for the other.
    const ours = (source: string | undefined): boolean => source === 'this run' || source === 'baseline';
    if (ours(previousSource) && !ours(row.source) && !row.nested) {
      out.push([dim('published:'), ...table.columns.map(() => ''), '']);
    }
    const label = row.nested ? `  ↳ ${row.label}` : row.label;
    const values = row.values.map((v, i) => plusMinus(v, row.intervals?.[i]));
    const cells = [label, ...values, sourceText(row)];
    out.push(row.source === 'this run' ? cells.map(bold) : row.nested ? cells.map(dim) : cells);
    if (!row.nested) previousSource = row.source;
  }
  const withIntervals = table.rows.some((r) => r.intervals?.some(Boolean));
  const notes = [...table.notes, ...(withIntervals ? [INTERVAL_NOTE] : [])].map((n) => `  ${n}`).join('\n');
  return `${bold(table.title)}\n${out.toString()}\n${notes}\n`;
}
