/** ReportTables as Markdown (one decimal, published rows marked). Cell text is escaped: labels come from data. */
import { formatSpend } from '../harness/progress.ts';
import type { RunResult } from '../harness/run.ts';
import { INTERVAL_NOTE, sourceText, withInterval } from './format.ts';
import { breakerLine, endpointLine, runFailures } from './failures.ts';
import type { ReportTable } from '../core/table.ts';

/**
 * Markdown viewers render raw HTML, and judge ids, citations and notes can carry text from user files and data, so
 * `&`, `<` and `>` become entities (shown as the same characters) besides the table's own `\` and `|`.
 */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ');
}

export function renderMarkdownTable(table: ReportTable): string {
  const header = ['Model', ...table.columns, 'Source'];
  const lines = [
    `## ${cell(table.title)}`,
    '',
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of table.rows) {
    const label =
      row.source === 'this run' ? `**${cell(row.label)}**` : row.nested ? `↳ ${cell(row.label)}` : cell(row.label);
    const values = row.values.map((v, i) => withInterval(v, row.intervals?.[i]));
    lines.push(`| ${[label, ...values, cell(sourceText(row))].join(' | ')} |`);
  }
  const notes = [...table.notes, ...(table.rows.some((r) => r.intervals?.some(Boolean)) ? [INTERVAL_NOTE] : [])];
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${cell(n)}`));
  return lines.join('\n') + '\n';
}

/** A short run section: status, items asked and cached, errors, tokens and cost. */
function renderRunSection(run: RunResult): string {
  const priced = run.judge.price !== undefined;
  const lines = [
    '## Run',
    '',
    `- Judge \`${cell(run.judge.id)}\` (config fingerprint \`${run.fingerprint.slice(0, 12)}\`), ` +
      `run #${run.runId}, status ${run.status}, ${(run.durationMs / 1000).toFixed(1)} s.`,
    `- This run's requests: ${formatSpend(run.spend, priced)}.`,
  ];
  for (const b of run.benchmarks) {
    lines.push(
      `- ${b.benchmark.id}: ${b.results.length} items, ${b.asked} asked, ${b.cached} from the store, ` +
        `${b.summary.errors} errors, ` +
        `${b.summary.invalid} invalid; all its judgments: ${formatSpend(b.usage, priced)}.`,
    );
  }
  for (const s of run.skipped)
    lines.push(`- ${s.benchmark.id}: skipped, ${s.why === 'no data' ? 'data not found' : s.reason}.`);
  if (run.judge.endpoint) lines.splice(3, 0, `- ${cell(endpointLine(run.judge))}.`);
  const broke = breakerLine(run);
  if (broke) lines.push(`- ${cell(broke)}`);
  const causes = runFailures(run);
  if (causes.length > 0) {
    lines.push('', '### Items without an answer, by cause', '', '| items | cause |', '|---:|---|');
    for (const c of causes) lines.push(`| ${c.count} | ${cell(c.cause)} |`);
  }
  return lines.join('\n') + '\n';
}

export function renderMarkdown(title: string, tables: readonly ReportTable[], run?: RunResult): string {
  return [`# ${cell(title)}`, '', ...tables.map(renderMarkdownTable), ...(run ? [renderRunSection(run)] : [])].join(
    '\n',
  );
}
