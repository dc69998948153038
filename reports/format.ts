import type { ReportRow } from '../core/table.ts';

/** Tables print one decimal; files keep more (csvNumber, JSON in full). */
export function oneDecimal(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(1);
}

/** The Source column: our rows say "this run"; every other row says it is published, and where. */
export function sourceText(row: Pick<ReportRow, 'source' | 'citation'>): string {
  if (row.source === 'this run') return 'this run';
  if (row.source === 'baseline') return 'baseline, same items';
  return `published: ${row.citation ?? row.source}`;
}

/** A value and the half-width of its 95% interval, "45.7 ±2.1": compact enough for the terminal's wide tables. */
export function plusMinus(value: number | null, interval: [number, number] | null | undefined): string {
  const text = oneDecimal(value);
  if (value === null || !interval) return text;
  return `${text} ±${((interval[1] - interval[0]) / 2).toFixed(1)}`;
}

/** A value and its 95% interval in full, "45.7 [43.6, 47.9]" (bootstrap intervals need not be symmetric). */
export function withInterval(value: number | null, interval: [number, number] | null | undefined): string {
  const text = oneDecimal(value);
  if (value === null || !interval) return text;
  return `${text} [${interval[0].toFixed(1)}, ${interval[1].toFixed(1)}]`;
}

/** The note every table with intervals carries. */
export const INTERVAL_NOTE =
  '± / [lo, hi]: 95% interval, stratified bootstrap over items ' +
  '(the benchmark’s own scoring re-applied to each resample).';

const CSV_SIGNIFICANT_DIGITS = 6;

/**
 * A number as every CSV file writes it: rounded to 6 significant digits, integers (counts, tokens) exactly as they
 * are, null, missing and non-finite values as an empty cell. Rounding drops float noise (92.17999999999999 → 92.18);
 * 6 significant digits are 4 decimals of a percentage from 10 to 100, three more than the tables print, enough to
 * recover an accuracy's count exactly (k of n items, n below a million), and they keep tiny values such as a
 * p-value or a cost of $0.0000123 that a fixed number of decimals would turn into 0. summary.json keeps full precision.
 */
export function csvNumber(value: number | null | undefined): number | '' {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return value === 0 ? 0 : value; // -0 too
  return Number(value.toPrecision(CSV_SIGNIFICANT_DIGITS));
}
