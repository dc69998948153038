/**
 * A benchmark's results as a table: our row(s) and the published rows beside them. Benchmarks build these;
 * reports/ renders them (terminal, Markdown, CSV) without knowing which benchmark they came from.
 */
/** 'baseline' rows are computed here, on the same items, by the baseline judges (sanity rows). */
export type RowSource = 'this run' | 'baseline' | 'paper' | 'leaderboard';

export interface ReportRow {
  label: string;
  source: RowSource;
  /** Where a published number comes from, e.g. "FLAMe Table 2 (ACL)". */
  citation?: string;
  /** Percentages 0-100 at full precision; null where there is no value. */
  values: (number | null)[];
  /** 95% confidence interval per value (bootstrap over items), same order as `values`; null where none. */
  intervals?: ([number, number] | null)[];
  /** Printed indented under the row before it (e.g. a leaderboard row under the paper's row for the same model). */
  nested?: boolean;
}

export interface ReportTable {
  /** Benchmark id, used for file names. */
  id: string;
  title: string;
  /** First column is the row label; these are the value columns. */
  columns: string[];
  rows: ReportRow[];
  notes: string[];
}

/** A row's `intervals` from intervals by column name (TableContext.intervals), in the table's column order. */
export function alignIntervals(
  columns: readonly string[],
  byColumn: Readonly<Record<string, [number, number] | null>> | undefined,
): ([number, number] | null)[] | undefined {
  return byColumn ? columns.map((c) => byColumn[c] ?? null) : undefined;
}

/** Row values keyed by column name: a MetricSpec's `values` from the same function that fills the table row. */
export function byColumn(
  columns: readonly string[],
  values: readonly (number | null)[],
): Record<string, number | null> {
  return Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null]));
}
