/** ReportTables as Markdown (one decimal, published rows marked). Cell text is escaped: labels come from data. */
import { oneDecimal, sourceText } from './format.ts';
import type { ReportTable } from './table.ts';

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
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
    const label = row.source === 'this run' ? `**${cell(row.label)}**` : row.nested ? `↳ ${cell(row.label)}` : cell(row.label);
    lines.push(`| ${[label, ...row.values.map(oneDecimal), cell(sourceText(row))].join(' | ')} |`);
  }
  if (table.notes.length > 0) lines.push('', ...table.notes.map((n) => `- ${cell(n)}`));
  return lines.join('\n') + '\n';
}

export function renderMarkdown(title: string, tables: readonly ReportTable[]): string {
  return [`# ${cell(title)}`, '', ...tables.map(renderMarkdownTable)].join('\n');
}
