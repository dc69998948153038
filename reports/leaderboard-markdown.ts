/**
 * The nightly leaderboard as Markdown: one table per paper table (Table 1, Table 2), one decimal with the 95%
 * interval, published rows marked with their citation, then cost, notes and versions. Judge and dataset text is
 * escaped: `|` would split a cell, and `<`/`>` would let a judge id inject HTML where Markdown renders it.
 */
import type { Cell, LeaderboardColumn, LeaderboardData, LeaderboardRow } from './leaderboard-data.ts';

/** Escapes what would change a table cell's structure or turn text into markup, links or emphasis. */
function markdownText(text: string): string {
  return text
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ');
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

function cellText(cell: Cell | undefined): string {
  const value = finite(cell?.value);
  if (value === null) return '—';
  const lo = finite(cell?.ci?.[0]);
  const hi = finite(cell?.ci?.[1]);
  return lo !== null && hi !== null ? `${value.toFixed(1)} [${lo.toFixed(1)}, ${hi.toFixed(1)}]` : value.toFixed(1);
}

function judgeText(row: LeaderboardRow): string {
  return row.source === 'this run' ? `**${markdownText(row.judge)}**` : `*${markdownText(row.judge)}*`;
}

function sourceText(row: LeaderboardRow): string {
  return row.source === 'this run' ? 'this run' : `published: ${markdownText(row.citation ?? 'paper')}`;
}

function formatUsd(usd: number | null): string {
  return usd === null || !Number.isFinite(usd) ? 'unpriced' : `$${usd.toFixed(2)}`;
}

function tableSection(data: LeaderboardData, table: string, columns: readonly LeaderboardColumn[]): string[] {
  // A row with nothing in this table (e.g. a published Table 2 row under Table 1) would be a line of dashes.
  const rows = data.rows.filter((row) => columns.some((c) => finite(row.cells[c.id]?.value) !== null));
  const header = ['Judge', ...columns.map((c) => markdownText(`${c.benchmark} ${c.label}`)), 'Source'];
  return [
    `## ${markdownText(table)}`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map(
      (row) => `| ${[judgeText(row), ...columns.map((c) => cellText(row.cells[c.id])), sourceText(row)].join(' | ')} |`,
    ),
    '',
  ];
}

export function renderLeaderboardMarkdown(data: LeaderboardData): string {
  const tables: string[] = [];
  for (const c of data.columns) if (!tables.includes(c.table)) tables.push(c.table);
  const sample = data.sample === null ? 'all items' : `${data.sample} items per task`;
  const lines = [
    `# Autorater leaderboard, ${markdownText(data.date)}`,
    '',
    `Harness ${markdownText(data.harnessVersion)}, prompt version ${markdownText(data.promptVersion)}, ` +
      `${sample}, seed ${data.seed}.`,
    '',
    `Scores are percentages; [lo, hi] is the 95% bootstrap interval over items (${data.resamples} resamples). ` +
      'Rows marked *published* are the paper’s reported numbers, not measured here.',
    '',
    ...tables.flatMap((t) =>
      tableSection(
        data,
        t,
        data.columns.filter((c) => c.table === t),
      ),
    ),
  ];
  lines.push(
    '## Cost of the night',
    '',
    '| Judge | Asked | Cached | Input tokens | Output tokens | USD |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of data.rows) {
    const cost = row.cost;
    if (!cost) continue; // published rows cost nothing tonight
    lines.push(
      `| ${markdownText(row.judge)} | ${cost.asked} | ${cost.cached} | ` +
        `${cost.inputTokens} | ${cost.outputTokens} | ${formatUsd(cost.usd)} |`,
    );
  }
  lines.push(
    `| **Total** | | | ${data.cost.inputTokens} | ${data.cost.outputTokens} | ${formatUsd(data.cost.usd)} |`,
    '',
  );
  const notes = data.rows.flatMap((row) =>
    (row.notes ?? []).map((note) => `- ${markdownText(row.judge)}: ${markdownText(note)}`),
  );
  if (notes.length > 0) lines.push('## Notes', '', ...notes, '');
  const benchmarks = Object.keys(data.dataVersions).sort();
  if (benchmarks.length > 0) {
    lines.push(
      '## Data versions',
      '',
      ...benchmarks.map((b) => `- ${markdownText(b)}: ${markdownText(data.dataVersions[b] ?? '')}`),
      '',
    );
  }
  return lines.join('\n');
}
