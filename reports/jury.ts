/**
 * What a jury's run adds to its report (harness/jury.ts): per benchmark, a table of the jury beside its members
 * (the benchmark's headline columns, with intervals) and a table of the members' agreement (Cohen's kappa per pair,
 * Fleiss' kappa overall); each member's own run on stderr and in report.md; the jury's part of summary.json; and
 * each member's verdict in predictions.jsonl.
 */
import type { BenchmarkSummary, ItemResult } from '../benchmarks/benchmark.ts';
import { alignIntervals, type ReportRow, type ReportTable } from '../core/table.ts';
import type { MeasuredRows } from '../harness/baselines.ts';
import { type JuryBenchmark, type JuryRun, juryRun } from '../harness/jury.ts';
import { formatSpend } from '../harness/progress.ts';
import type { BenchmarkRun, RunResult } from '../harness/run.ts';
import { judgeFingerprint } from '../harness/run.ts';
import { askingJudges } from '../judges/jury.ts';
import { countsText } from './batch-lines.ts';
import { breakerLine, failureLines, runFailures } from './failures.ts';
import { oneDecimal } from './format.ts';

/** The notes under a jury's table: how it decides, split and partial decisions, and the best-member comparison. */
function juryNotes(run: RunResult, jury: JuryRun, detail: JuryBenchmark): string[] {
  const kind = detail.benchmark.taskKind;
  const rule =
    kind === 'pointwise'
      ? `its rating is the ${jury.aggregate} of the members' ratings, rounded half up to the scale`
      : "its verdict is the members' majority";
  const notes = [
    `${run.judge.id}: ${rule}; a member with no answer or no readable verdict does not vote ` +
      '(an item no member answered has no answer). Its members run as themselves: their judgments are stored and ' +
      'reused under their own ids.',
  ];
  const split =
    kind === 'pairwise'
      ? 'no option had the most votes alone: counted as a tie'
      : kind === 'classification'
        ? 'as many Yes as No: counted as an unreadable reply'
        : 'the rating fell exactly halfway between two points: rounded up';
  notes.push(`Split decisions (${split}): ${detail.split} of ${detail.decisions}.`);
  if (detail.partial > 0) {
    notes.push(
      `${detail.partial} decisions were made without every member (a member had no answer; the next run asks it ` +
        'again, which may change them).',
    );
  }
  if (detail.beat.length > 0) {
    const beaten = detail.beat.filter((c) => c.beat).length;
    const short = detail.beat
      .filter((c) => !c.beat)
      .map((c) => `${c.column} (${oneDecimal(c.jury)} vs ${c.bestMember} ${oneDecimal(c.best)})`);
    const lower = detail.benchmark.metrics?.lowerIsBetter ? ' (lower is better here)' : '';
    notes.push(
      `Jury ≥ best member on ${beaten} of ${detail.beat.length} columns${lower}: in each column the jury is set ` +
        'against the member that did best in it.' +
        (short.length > 0 ? ` Below it: ${short.join(', ')}.` : ''),
    );
  }
  return notes;
}

function agreementTable(run: RunResult, detail: JuryBenchmark): ReportTable {
  const { agreement } = detail;
  const percent = (k: number | null): number | null => (k === null ? null : 100 * k);
  const rows: ReportRow[] = agreement.pairs.map((p) => ({
    label: `${p.a} · ${p.b}`,
    source: 'this run',
    values: [percent(p.kappa), p.agreement],
  }));
  rows.push({
    label: `all ${detail.members.length} (Fleiss)`,
    source: 'this run',
    values: [percent(agreement.fleiss.kappa), agreement.fleiss.observed],
  });
  const categories =
    detail.benchmark.taskKind === 'pairwise'
      ? 'A, B, tie'
      : detail.benchmark.taskKind === 'classification'
        ? 'Yes, No'
        : 'each rating value, unweighted';
  return {
    id: `${detail.benchmark.id}-jury-agreement`,
    title: `${detail.benchmark.title}: agreement among the members of ${run.judge.id} (κ × 100)`,
    columns: ['κ', 'Agreement %'],
    rows,
    notes: [
      `On the ${agreement.rated} of ${agreement.decisions} decisions where every member gave a verdict (an item ` +
        `asked in both orders is two decisions), over the verdict categories (${categories}).`,
      "Pairs: Cohen's κ and the share of decisions the two agree on; all: Fleiss' κ and the mean of the pairs' " +
        'agreement. — where κ is undefined (every verdict compared is the one same category).',
    ],
  };
}

/** A jury's tables for one benchmark of its run (none for another judge's run). */
export function juryTables(run: RunResult, b: BenchmarkRun, measured: MeasuredRows | undefined): ReportTable[] {
  const jury = juryRun(run);
  const detail = jury?.benchmarks.find((d) => d.benchmark.id === b.benchmark.id);
  if (!jury || !detail) return [];
  const metrics = b.benchmark.metrics;
  const valuesOf = (summary: BenchmarkSummary): Readonly<Record<string, number | null>> =>
    metrics ? metrics.values(summary) : { Score: summary.score };
  const columns = Object.keys(valuesOf(b.summary));
  const row = (label: string, summary: BenchmarkSummary, intervals: MeasuredRows['run']['intervals']): ReportRow => {
    const values = valuesOf(summary);
    const aligned = alignIntervals(columns, intervals);
    return {
      label,
      source: 'this run',
      values: columns.map((c) => values[c] ?? null),
      ...(aligned ? { intervals: aligned } : {}),
    };
  };
  const members = detail.members.map((m) =>
    row(m.judgeId, m.summary, measured?.members?.find((r) => r.judgeId === m.judgeId)?.intervals),
  );
  return [
    {
      id: `${b.benchmark.id}-jury`,
      title: `${b.benchmark.title}: ${run.judge.id} beside its members (${b.results.length} items)`,
      columns,
      rows: [row(`${run.judge.id} (jury)`, b.summary, measured?.run.intervals), ...members],
      notes: juryNotes(run, jury, detail),
    },
    agreementTable(run, detail),
  ];
}

/** Each member's own run, for stderr (eval) and report.md: counts, costs, failures, and any breaker. */
export function juryRunLines(run: RunResult): string[] {
  const jury = juryRun(run);
  if (!jury) return [];
  const lines: string[] = [];
  const members = askingJudges(run.judge);
  for (const [k, member] of members.entries()) {
    const own = jury.runs[k];
    if (!own) {
      lines.push(`member ${member.id}: not run (the run stopped first); its stored judgments were used.`);
      continue;
    }
    const priced = member.price !== undefined;
    const counts = own.benchmarks.map((b) => {
      const tokens = b.usage.inputTokens + b.usage.outputTokens > 0;
      const spend = tokens ? `; all its judgments: ${formatSpend(b.usage, priced)}` : '';
      return `${b.benchmark.id} ${countsText(b)}${spend}`;
    });
    lines.push(`member ${member.id}: run #${own.runId} (${own.status}): ${counts.join('; ')}.`);
    for (const line of failureLines(runFailures(own))) lines.push(`  ${line}`);
    const broke = breakerLine(own);
    if (broke) lines.push(`  ${broke}`);
  }
  return lines;
}

/** The jury's part of summary.json (undefined for another judge's run). */
export function jurySummary(run: RunResult): Record<string, unknown> | undefined {
  const jury = juryRun(run);
  if (!jury) return undefined;
  const members = askingJudges(run.judge);
  return {
    aggregate: jury.aggregate,
    members: members.map((m, k) => ({
      judge: m.id,
      judgeFingerprint: judgeFingerprint(m),
      run: jury.runs[k] ? { id: jury.runs[k].runId, status: jury.runs[k].status, spend: jury.runs[k].spend } : null,
    })),
    benchmarks: Object.fromEntries(
      jury.benchmarks.map((d) => [
        d.benchmark.id,
        {
          decisions: d.decisions,
          split: d.split,
          partial: d.partial,
          members: Object.fromEntries(d.members.map((m) => [m.judgeId, m.summary])),
          agreement: d.agreement,
          beatBestMember: {
            columns: d.beat,
            beaten: d.beat.filter((c) => c.beat).length,
            compared: d.beat.length,
          },
        },
      ]),
    ),
  };
}

function vote(outcome: ItemResult['outcome'] | undefined): unknown {
  if (!outcome) return null;
  if (outcome.status === 'verdict') return outcome.verdict;
  return outcome.status === 'invalid' ? { invalid: outcome.reason } : { error: outcome.message };
}

/** Item `i`'s member verdicts for predictions.jsonl: by member id, and the swapped order's when asked. */
export function juryVotes(run: object, b: BenchmarkRun, i: number): Record<string, unknown> | undefined {
  const detail = juryRun(run)?.benchmarks.find((d) => d.benchmark.id === b.benchmark.id);
  if (!detail) return undefined;
  const votes = Object.fromEntries(detail.members.map((m) => [m.judgeId, vote(m.results[i]?.outcome)]));
  if (!b.results[i]?.swapped) return { members: votes };
  const swapped = Object.fromEntries(detail.members.map((m) => [m.judgeId, vote(m.results[i]?.swapped?.outcome)]));
  return { members: votes, members_swapped: swapped };
}
