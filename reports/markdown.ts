/** ReportTables as Markdown (one decimal, published rows marked). Cell text is escaped: labels come from data. */
import type { DownloadSource } from '../core/download.ts';
import { formatSpend } from '../harness/progress.ts';
import type { DataFile, Provenance } from '../harness/provenance.ts';
import type { RunResult } from '../harness/run.ts';
import { INTERVAL_NOTE, sourceText, withInterval } from './format.ts';
import { batchLines, countsText } from './batch-lines.ts';
import { breakerLine, endpointLine, runFailures } from './failures.ts';
import { juryRunLines } from './jury.ts';
import { skippedByReason } from './skipped.ts';
import { hasPrice } from '../judges/jury.ts';
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
  const priced = hasPrice(run.judge); // a jury: every member has a price
  const lines = [
    '## Run',
    '',
    `- Judge \`${cell(run.judge.id)}\` (config fingerprint \`${run.fingerprint.slice(0, 12)}\`), ` +
      `run #${run.runId}, status ${run.status}, ${(run.durationMs / 1000).toFixed(1)} s.`,
    `- This run's requests: ${formatSpend(run.spend, priced)}.`,
  ];
  for (const b of run.benchmarks) {
    lines.push(
      `- ${b.benchmark.id}: ${b.results.length} items, ${countsText(b)}; all its judgments: ` +
        `${formatSpend(b.usage, priced)}.`,
    );
  }
  for (const s of skippedByReason(run.skipped))
    lines.push(`- ${s.ids.join(', ')}: skipped, ${s.why === 'no data' ? 'data not found' : s.reason}.`);
  if (run.judge.endpoint) lines.splice(3, 0, `- ${cell(endpointLine(run.judge))}.`);
  for (const line of juryRunLines(run)) {
    lines.push(line.startsWith(' ') ? `  - ${cell(line.trim())}` : `- ${cell(line)}`); // a jury: its members' runs
  }
  for (const line of batchLines(run)) lines.push(`- ${cell(line)}`);
  const broke = breakerLine(run);
  if (broke) lines.push(`- ${cell(broke)}`);
  const causes = runFailures(run);
  if (causes.length > 0) {
    lines.push('', '### Items without an answer, by cause', '', '| items | cause |', '|---:|---|');
    for (const c of causes) lines.push(`| ${c.count} | ${cell(c.cause)} |`);
  }
  return lines.join('\n') + '\n';
}

function downloadText(source: DownloadSource): string {
  switch (source.kind) {
    case 'hf-dataset':
      return `Hugging Face ${source.repo} @ ${source.revision}: ${source.path}`;
    case 'github':
      return `GitHub ${source.repo} @ ${source.commit}: ${source.path}`;
    case 'url':
      return `${source.base.replace(/\/+$/, '')}/${source.path}`;
  }
}

/** The command that runs the same thing again: the flags that shape results, as given. */
function commandLine(p: Provenance): string {
  const { flags } = p;
  const args = ['--judge', p.judge.id, '--benchmark', flags.benchmark, '--seed', String(p.seed)];
  if (flags.sample !== null) args.push('--sample', String(flags.sample));
  if (flags.limit !== null) args.push('--limit', String(flags.limit));
  if (flags.swap) args.push('--swap');
  args.push('--resamples', String(flags.resamples));
  if (flags.concurrency !== null) args.push('--concurrency', String(flags.concurrency));
  if (flags.maxCost !== null) args.push('--max-cost', String(flags.maxCost));
  if (flags.juryAggregate) args.push('--jury-aggregate', flags.juryAggregate);
  return `npm run ${p.command} -- ${args.join(' ')}`;
}

/** When, with which harness, data, seed, flags and judge: enough to run it again. */
function renderProvenanceSection(p: Provenance): string {
  const { harness, judge } = p;
  const commit = harness.commit
    ? `commit \`${harness.commit.replace(/-dirty$/, '')}\`` +
      (harness.commit.endsWith('-dirty') ? ' with uncommitted changes to tracked files' : '')
    : 'no git commit (not a git checkout)';
  const where = judge.endpoint
    ? `model ${judge.endpoint.model} at ${judge.endpoint.url} (from ${judge.endpoint.source})`
    : 'answers in this process (no network)';
  const lines = [
    '## Provenance',
    '',
    `- Started ${p.startedAt} with ${cell(harness.name)} ${cell(harness.version)}, ${commit}, Node ${harness.node}.`,
    `- Command (the flags that shape results): \`${cell(commandLine(p))}\`.`,
    `- Judge \`${cell(judge.id)}\`, config fingerprint \`${judge.fingerprint}\`: ${cell(where)}.`,
  ];
  const rows: [string, DataFile][] = [
    ...Object.entries(p.data.benchmarks).flatMap(([id, files]) => files.map((f): [string, DataFile] => [id, f])),
    ...p.data.judge.map((f): [string, DataFile] => [`judge ${judge.id}`, f]),
  ];
  if (rows.length > 0) {
    lines.push('', '| read by | file | bytes | sha256 | pinned download |', '|---|---|---:|---|---|');
    for (const [who, f] of rows) {
      const pinned = f.download ? cell(downloadText(f.download)) : '';
      lines.push(`| ${cell(who)} | ${cell(f.path)} | ${f.bytes} | \`${f.sha256}\` | ${pinned} |`);
    }
  }
  return lines.join('\n') + '\n';
}

export function renderMarkdown(
  title: string,
  tables: readonly ReportTable[],
  run?: RunResult,
  provenance?: Provenance,
): string {
  return [
    `# ${cell(title)}`,
    '',
    ...tables.map(renderMarkdownTable),
    ...(run ? [renderRunSection(run)] : []),
    ...(provenance ? [renderProvenanceSection(provenance)] : []),
  ].join('\n');
}
