/**
 * The LLM-AggreFact report table. Columns are the datasets this run has, plus an average whose header says how many
 * of the 11 it covers: a run on part of the benchmark never prints something that reads as the 11-dataset average.
 * Published rows are recomputed over the same datasets so they stay comparable.
 */
import path from 'node:path';
import { mean } from 'simple-statistics';
import { alignIntervals, byColumn, type ReportRow, type ReportTable } from '../../core/table.ts';
import { type BenchmarkSummary, incompleteNote, type TableContext } from '../benchmark.ts';
import { TABLE_1, TABLE_1_CITATION } from '../flame-paper.ts';
import { DATASETS, type Dataset } from './datasets.ts';
import { OFFICIAL_FILES, REBUILT_TEST_FILE } from './loader.ts';
import { LEADERBOARD, LEADERBOARD_CITATION, PAPER_NOTE, type LeaderboardRow } from './published.ts';
import type { AggreFactScores, ThresholdSetting } from './scoring.ts';

export interface AggreFactSummary extends BenchmarkSummary, AggreFactScores {
  thresholdSetting: ThresholdSetting;
  /** Test claims in the run (n also counts dev claims asked for tuning). */
  testItems: number;
  devItems: number;
  /** The data files the items came from, relative to the data directory. */
  files: string[];
}

/** "Avg (3 of 11)": the average column always says how many of the benchmark's datasets it covers. */
function averageHeader(present: readonly Dataset[]): string {
  return `Avg (${present.length} of ${DATASETS.length})`;
}

/** [average over `datasets`, ...per-dataset values]; the average is null unless every value is there. */
function rowValues(datasets: readonly Dataset[], value: (d: Dataset) => number | null | undefined): (number | null)[] {
  const values = datasets.map((d) => value(d) ?? null);
  const avg = values.length > 0 && values.every((v): v is number => v !== null) ? mean(values) : null;
  return [avg, ...values];
}

function leaderboardRow(row: LeaderboardRow, datasets: readonly Dataset[], nested = false): ReportRow {
  return {
    label: row.model,
    source: 'leaderboard',
    citation: LEADERBOARD_CITATION,
    values: rowValues(datasets, (d) => row.bacc[d]),
    ...(nested ? { nested } : {}),
  };
}

function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : 'none';
}

function thresholdNotes(summary: AggreFactSummary, dataDir: string): string[] {
  if (summary.thresholdSetting === 'fixed') {
    return [
      'A verdict with P(supported) counts as supported when p > 0.5 (MiniCheck’s fixed ' +
        'threshold); a plain Yes/No counts as given.',
    ];
  }
  const notes: string[] = [];
  const tuned = summary.present.filter((d) => summary.datasets[d]?.tuning);
  if (tuned.length > 0) {
    const parts = tuned.map((d) => {
      const s = summary.datasets[d]!;
      const tuning = s.tuning!;
      return `${d} ${s.threshold.toFixed(2)} (dev BAcc ${tuning.devBacc.toFixed(1)} on ${tuning.devItems} claims)`;
    });
    notes.push(
      'Thresholds tuned per dataset on the dev split (FactCG’s --threshold-setting tune, t = 0.01 … 0.99, ' +
        `predict p > t): ${parts.join('; ')}.`,
    );
  }
  if (summary.devItems === 0) {
    notes.push(
      `No dev split found (looked for ${path.join(dataDir, OFFICIAL_FILES.dev)}), so nothing was tuned: every ` +
        'threshold is 0.5. Get it with: npm run data -- pull aggrefact',
    );
  } else if (summary.untuned.length > 0) {
    notes.push(
      `No answered dev claims for ${list(summary.untuned)}: threshold left at 0.5, so these are not tuned results.`,
    );
  }
  return notes;
}

/** The headline values by column: "Avg (k of 11)" then each dataset present. */
export function aggrefactMetricValues(summary: AggreFactSummary): Record<string, number | null> {
  const datasets = summary.present;
  return byColumn(
    [averageHeader(datasets), ...datasets],
    rowValues(datasets, (d) => summary.datasets[d]?.bacc),
  );
}

export function aggrefactTables(
  id: string,
  summary: AggreFactSummary,
  context: TableContext<AggreFactSummary>,
): ReportTable[] {
  const datasets = summary.present;
  const columns = [averageHeader(datasets), ...datasets];
  const rows: ReportRow[] = [
    {
      label: context.judgeId,
      source: 'this run',
      values: rowValues(datasets, (d) => summary.datasets[d]?.bacc),
      intervals: alignIntervals(columns, context.intervals?.(summary)),
    },
  ];
  const own = context.publishedAs ? LEADERBOARD.find((r) => r.model === context.publishedAs) : undefined;
  if (own) rows.push({ ...leaderboardRow(own, datasets, true), label: `leaderboard: ${own.model}` });
  for (const baseline of context.baselines ?? []) {
    rows.push({
      label: baseline.judgeId,
      source: 'baseline',
      values: rowValues(datasets, (d) => baseline.summary.datasets[d]?.bacc),
      intervals: alignIntervals(columns, context.intervals?.(baseline.summary)),
    });
  }
  for (const row of LEADERBOARD) rows.push(leaderboardRow(row, datasets));
  for (const paper of TABLE_1) {
    rows.push({
      label: paper.model,
      source: 'paper',
      citation: `${TABLE_1_CITATION}, v1 avg`,
      values: [paper.values.AggreFact, ...datasets.map(() => null)],
    });
  }

  const notes: string[] = [];
  if (summary.missing.length === 0) {
    notes.push('Avg is the plain mean of the per-dataset balanced accuracies (MiniCheck’s macro average).');
  } else {
    notes.push(
      `Not the LLM-AggreFact average: ${datasets.length} of ${DATASETS.length} datasets were scored ` +
        `(${list(datasets)}); missing: ${list(summary.missing)}. Avg is the plain mean over the ${datasets.length} ` +
        `present, and the leaderboard rows’ Avg is recomputed over the same ${datasets.length}.`,
    );
  }
  if (summary.files.includes(REBUILT_TEST_FILE)) {
    notes.push(
      `Loaded ${REBUILT_TEST_FILE}: a partial rebuild from the datasets’ own upstream releases, NOT the benchmark. ` +
        'Wice is the same source split as the official test set; FactCheck-GPT and Lfqa are approximations: whole ' +
        'annotation pools, about twice the official test size, that overlap the official dev split. Scores are not ' +
        'comparable one-for-one with the published rows. Get the benchmark with: npm run data -- pull aggrefact ' +
        '(gated on the Hugging Face Hub: set HF_TOKEN).',
    );
  }
  notes.push(`Published rows: ${LEADERBOARD_CITATION} (zero-shot, fixed thresholds); ${PAPER_NOTE}`);
  notes.push(...thresholdNotes(summary, context.dataDir));
  if (summary.invalid > 0) notes.push(`${summary.invalid} replies had no readable Yes/No and count as wrong.`);
  notes.push(...incompleteNote(summary, 'claims'));

  const tuning = summary.thresholdSetting === 'tune' ? `, thresholds tuned on ${summary.devItems} dev claims` : '';
  return [
    {
      id,
      title:
        `LLM-AggreFact (balanced accuracy): ${summary.testItems} claims from ${datasets.length} of ` +
        `${DATASETS.length} datasets${tuning}, ${summary.invalid} invalid, ${summary.errors} errors`,
      columns,
      rows,
      notes,
    },
  ];
}
