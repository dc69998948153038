import type { ReportRow } from './table.ts';

/** Tables print one decimal; files keep full precision. */
export function oneDecimal(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(1);
}

/** The Source column: our rows say "this run"; every other row says it is published, and where. */
export function sourceText(row: Pick<ReportRow, 'source' | 'citation'>): string {
  if (row.source === 'this run') return 'this run';
  if (row.source === 'baseline') return 'baseline, same items';
  return `published: ${row.citation ?? row.source}`;
}
