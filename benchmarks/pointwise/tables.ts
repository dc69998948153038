/**
 * A Likert set's report: exact match per criterion (this run, the baselines on the same items, and FLAMe's
 * Table 1 column where the paper has one), then this run's correlations with the human mean per criterion.
 */
import { alignIntervals, byColumn, type ReportRow, type ReportTable } from '../../core/table.ts';
import { incompleteNote, type TableContext } from '../benchmark.ts';
import { TABLE_1, TABLE_1_CITATION, type Table1Column } from '../flame-paper.ts';
import type { Criterion, LikertSummary } from './types.ts';

interface TableSpec {
  id: string;
  title: string;
  criteria: readonly Criterion[];
  paperColumn?: Table1Column;
  /** How the exact-match label is made, one sentence. */
  labelNote: string;
  /** Which items and criteria are kept, and why; one sentence each. */
  selectionNotes: readonly string[];
}

function exactValues(summary: LikertSummary, criteria: readonly Criterion[]): (number | null)[] {
  const byId = new Map(summary.criteria.map((c) => [c.criterion, c.exactMatch]));
  return [summary.score, ...criteria.map((c) => byId.get(c.id) ?? null)];
}

function exactColumns(criteria: readonly Criterion[]): string[] {
  return ['Avg', ...criteria.map((c) => c.title)];
}

const CORRELATIONS = ['Pearson r', 'Spearman ρ', 'Kendall τb'] as const;

function correlationKey(criterion: string, coefficient: string): string {
  return `${criterion}: ${coefficient}`;
}

/**
 * The correlation table's values (× 100) by "<criterion>: <coefficient>": MetricSpec.secondary, so they get
 * intervals.
 */
export function likertCorrelationValues(summary: LikertSummary): Record<string, number | null> {
  return Object.fromEntries(
    summary.criteria.flatMap((c) => [
      [correlationKey(c.title, CORRELATIONS[0]), percent(c.pearson)],
      [correlationKey(c.title, CORRELATIONS[1]), percent(c.spearman)],
      [correlationKey(c.title, CORRELATIONS[2]), percent(c.kendallTauB)],
    ]),
  );
}

/** The headline values by column: exact match, the average over criteria then each criterion. */
export function likertMetricValues(
  summary: LikertSummary,
  criteria: readonly Criterion[],
): Record<string, number | null> {
  return byColumn(exactColumns(criteria), exactValues(summary, criteria));
}

function exactRow(
  label: string,
  source: ReportRow['source'],
  summary: LikertSummary,
  spec: TableSpec,
  context: TableContext<LikertSummary>,
): ReportRow {
  return {
    label,
    source,
    values: exactValues(summary, spec.criteria),
    intervals: alignIntervals(exactColumns(spec.criteria), context.intervals?.(summary)),
  };
}

const percent = (v: number | null): number | null => (v === null ? null : 100 * v);

export function likertTables(
  spec: TableSpec,
  summary: LikertSummary,
  context: TableContext<LikertSummary>,
): ReportTable[] {
  const rows: ReportRow[] = [exactRow(context.judgeId, 'this run', summary, spec, context)];
  for (const baseline of context.baselines ?? [])
    rows.push(exactRow(baseline.judgeId, 'baseline', baseline.summary, spec, context));
  if (spec.paperColumn) {
    const column = spec.paperColumn;
    for (const paper of TABLE_1) {
      rows.push({
        label: paper.model,
        source: 'paper',
        citation: TABLE_1_CITATION,
        values: [paper.values[column], ...spec.criteria.map(() => null)],
      });
    }
  }

  const counts = summary.criteria.map((c) => `${c.title} ${c.items}`).join(', ');
  const notes = [
    "Exact match (%) of the judge's rating with the human label; Avg is the plain mean over criteria. " +
      `Items per criterion: ${counts}.`,
    spec.labelNote,
    ...spec.selectionNotes,
  ];
  if (spec.paperColumn) {
    notes.push(
      `Published rows: ${TABLE_1_CITATION}, column ${spec.paperColumn}. The paper gives one number per benchmark ` +
        '(no per-criterion breakdown) and names no metric; its values read as exact-match agreement. It sampled 256 ' +
        'items per task: compare with --sample 256.',
    );
  }
  if ((context.baselines ?? []).some((b) => b.judgeId === 'constant')) {
    const middles = spec.criteria.map((c) => `${c.title} ${Math.ceil((c.scale.min + c.scale.max) / 2)}`).join(', ');
    notes.push(
      `Baseline constant answers the middle of each scale, rounded up (${middles}); random ` +
        'answers uniformly on the scale.',
    );
  }
  if (summary.invalid > 0) {
    notes.push(
      `${summary.invalid} replies had no readable rating on the scale: each counts as a miss for exact match ` +
        'and is left out of the correlations.',
    );
  }
  notes.push(...incompleteNote(summary, 'items', '; they are left out.'));
  if (summary.missingCriteria.length > 0)
    notes.push(`Not comparable with published rows: criteria not run: ${summary.missingCriteria.join(', ')}.`);

  const correlationIntervals = context.intervals?.(summary);
  const correlation: ReportTable = {
    id: `${spec.id}-correlation`,
    title: `${spec.title}: correlation of ${context.judgeId}'s ratings with the human mean (coefficient × 100)`,
    columns: [...CORRELATIONS],
    rows: summary.criteria.map((c) => ({
      label: c.title,
      source: 'this run' as const,
      values: [percent(c.pearson), percent(c.spearman), percent(c.kendallTauB)],
      intervals: alignIntervals(
        CORRELATIONS.map((k) => correlationKey(c.title, k)),
        correlationIntervals,
      ),
    })),
    notes: [
      'Pairs per criterion (readable ratings only): ' +
        `${summary.criteria.map((c) => `${c.title} ${c.correlated}`).join(', ')}.`,
      '— where a coefficient is undefined: a judge that gives every item the same rating (the ' +
        'constant baseline) has no correlation.',
    ],
  };
  return [
    {
      id: spec.id,
      title: `${spec.title}: ${summary.n} items, ${summary.invalid} invalid, ${summary.errors} errors`,
      columns: exactColumns(spec.criteria),
      rows,
      notes,
    },
    correlation,
  ];
}
