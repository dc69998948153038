/** `compare` results as terminal tables, Markdown and CSV (JSON is the BenchmarkComparison list itself). */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { BenchmarkComparison, CategoryComparison } from '../harness/compare.ts';
import { oneDecimal } from './format.ts';

const MARK: Record<CategoryComparison['verdict'], string> = {
  win: '▲ better',
  loss: '▼ worse',
  'no significant difference': '',
  'not tested': 'not tested',
};

function signed(value: number | null): string {
  if (value === null) return '—';
  return `${value > 0 ? '+' : ''}${value.toFixed(1)}`;
}

function interval(ci: [number, number] | null): string {
  return ci ? `[${signed(ci[0])}, ${signed(ci[1])}]` : '—';
}

function pValue(p: number | null): string {
  if (p === null) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

function testText(c: CategoryComparison): string {
  return c.discordant ? `McNemar ${c.discordant.candidateOnly}/${c.discordant.baselineOnly}` : 'permutation';
}

function comparisonTitle(c: BenchmarkComparison): string {
  return (
    `${c.benchmark}: ${c.candidate} vs ${c.baseline}: ${c.compared} items both judged ` +
    `(of ${c.items}; ${c.candidate} answered ${c.candidateAnswered}, ${c.baseline} ${c.baselineAnswered})`
  );
}

function cells(c: CategoryComparison): string[] {
  return [
    c.category,
    oneDecimal(c.candidate),
    oneDecimal(c.baseline),
    signed(c.difference),
    interval(c.ci),
    testText(c),
    pValue(c.p),
    pValue(c.pHolm),
    MARK[c.verdict],
  ];
}

function header(c: BenchmarkComparison): string[] {
  return ['Category', c.candidate, c.baseline, 'Δ', '95% CI of Δ', 'Test', 'p', 'p (Holm)', ''];
}

export const COMPARE_NOTES = [
  'Δ = candidate − baseline on the items both judged; 95% CI: paired bootstrap over those items ' +
    '(within strata, the benchmark’s own scoring).',
  'McNemar b/c: exact test on the items only the candidate / only the baseline got right; ' +
    'permutation: paired permutation test.',
  'p (Holm): adjusted across this benchmark’s categories; ▲/▼ mark significant differences at the chosen alpha.',
];

export function renderComparisonTerminal(c: BenchmarkComparison, color = process.stdout.isTTY): string {
  const bold = (s: string): string => (color ? `\u001b[1m${s}\u001b[22m` : s);
  if (c.categories.length === 0)
    return `${bold(comparisonTitle(c))}\n  Nothing to compare: no item has an answer from both judges.\n`;
  const table = new Table({
    head: header(c),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'left'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [], compact: true },
  });
  for (const category of c.categories) {
    const row = cells(category);
    table.push(category.verdict === 'win' || category.verdict === 'loss' ? row.map(bold) : row);
  }
  return `${bold(comparisonTitle(c))}\n${table.toString()}\n`;
}

function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderComparisonMarkdown(comparisons: readonly BenchmarkComparison[], alpha: number): string {
  const lines = ['# Judge comparison', ''];
  for (const c of comparisons) {
    lines.push(`## ${mdCell(comparisonTitle(c))}`, '');
    if (c.categories.length === 0) {
      lines.push('Nothing to compare: no item has an answer from both judges.', '');
      continue;
    }
    const head = header(c);
    lines.push(
      `| ${head.map(mdCell).join(' | ')} |`,
      `| ${head.map((_, i) => (i === 0 || i >= 5 ? '---' : '---:')).join(' | ')} |`,
    );
    for (const category of c.categories) lines.push(`| ${cells(category).map(mdCell).join(' | ')} |`);
    lines.push('');
  }
  lines.push(...COMPARE_NOTES.map((n) => `- ${n}`), `- alpha = ${alpha}.`);
  return lines.join('\n') + '\n';
}

export function renderComparisonCsv(comparisons: readonly BenchmarkComparison[]): string {
  const rows: (string | number)[][] = [
    [
      'benchmark',
      'candidate',
      'baseline',
      'compared_items',
      'category',
      'candidate_value',
      'baseline_value',
      'difference',
      'ci_low',
      'ci_high',
      'test',
      'candidate_only',
      'baseline_only',
      'p',
      'p_holm',
      'verdict',
    ],
  ];
  const blank = (v: number | null | undefined): number | string => (v === null || v === undefined ? '' : v);
  for (const c of comparisons) {
    for (const k of c.categories) {
      rows.push([
        c.benchmark,
        c.candidate,
        c.baseline,
        c.compared,
        k.category,
        blank(k.candidate),
        blank(k.baseline),
        blank(k.difference),
        blank(k.ci?.[0]),
        blank(k.ci?.[1]),
        k.test,
        blank(k.discordant?.candidateOnly),
        blank(k.discordant?.baselineOnly),
        blank(k.p),
        blank(k.pHolm),
        k.verdict,
      ]);
    }
  }
  // Judge ids and category names come from user files and data: text a spreadsheet would run as a formula gets a
  // leading quote. Differences such as -0.5 are numbers, which escape_formulas leaves alone.
  return stringify(rows, { escape_formulas: true });
}
