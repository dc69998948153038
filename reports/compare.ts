/**
 * `compare` results as terminal tables, Markdown and CSV; compare.json is the BenchmarkComparison list itself plus
 * the verdict (CompareVerdict: the regression gate's settings, outcome and exit code, and each regression with the
 * items that decided it).
 */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { BenchmarkComparison, CategoryComparison, DecidingItems, regressions } from '../harness/compare.ts';
import { csvNumber, oneDecimal } from './format.ts';
import { displayWidth, knownWidth, wrapText } from './terminal.ts';

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

export function comparisonTitle(c: BenchmarkComparison): string {
  return (
    `${c.benchmark}: ${c.candidate} vs ${c.baseline}: ${c.compared} items both judged ` +
    `(of ${c.items}; ${c.candidate} answered ${c.candidateAnswered}, ${c.baseline} ${c.baselineAnswered})`
  );
}

export function cells(c: CategoryComparison): string[] {
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

export function header(c: BenchmarkComparison): string[] {
  return ['Category', c.candidate, c.baseline, 'Δ', '95% CI of Δ', 'Test', 'p', 'p (Holm)', ''];
}

export const COMPARE_NOTES = [
  'Δ = candidate − baseline on the items both judged; 95% CI: paired bootstrap over those items ' +
    '(within strata, the benchmark’s own scoring).',
  'McNemar b/c: exact test on the items only the candidate / only the baseline got right; ' +
    'permutation: paired permutation test.',
  'p (Holm): adjusted across this benchmark’s categories; ▲/▼ mark significant differences at the chosen alpha.',
];

/**
 * One benchmark's comparison as a table; on a terminal narrower than the table (`columns`, undefined: no limit), each
 * category becomes a few wrapped lines of the same cells instead, so nothing is cut.
 */
export function renderComparisonTerminal(
  c: BenchmarkComparison,
  color = process.stdout.isTTY,
  columns?: number,
): string {
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
  const text = table.toString();
  const width = knownWidth(columns);
  if (width === undefined || text.split('\n').every((line) => displayWidth(line) <= width)) {
    return `${bold(comparisonTitle(c))}\n${text}\n`;
  }
  const heads = header(c);
  const lines = c.categories.flatMap((category) => {
    const row = cells(category);
    const fields = heads.slice(1, -1).map((head, i) => `${head}: ${row[i + 1]}`);
    const mark = row.at(-1) ? ` ${row.at(-1)}` : '';
    const entry = wrapText(`${row[0]}${mark} · ${fields.join(' · ')}`, width, '  ', '      ');
    return category.verdict === 'win' || category.verdict === 'loss' ? entry.map(bold) : entry;
  });
  return `${wrapText(comparisonTitle(c), width, '', '  ').map(bold).join('\n')}\n${lines.join('\n')}\n`;
}

function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** One regression as compare.json lists it. */
export interface RegressionEntry {
  candidate: string;
  baseline: string;
  benchmark: string;
  category: string;
  /** candidate − baseline (negative), in the benchmark's unit. */
  delta: number;
  /** Its paired 95% bootstrap interval. */
  interval: [number, number] | null;
  test: CategoryComparison['test'];
  p: number | null;
  /** Holm-adjusted: what alpha is compared with. */
  pHolm: number | null;
  decidingItems: DecidingItems | null;
}

/** The regression gate: its settings, what it found and how the command ended. */
export interface CompareVerdict {
  /** Some category is significantly worse than a baseline by more than `threshold` points. */
  regression: boolean;
  threshold: number;
  alpha: number;
  failOnRegression: boolean;
  /** The command's exit code (6: a regression with --fail-on-regression; 4: a judge had nothing stored). */
  exitCode: number;
  regressions: RegressionEntry[];
}

export function compareVerdict(
  worse: ReturnType<typeof regressions>,
  gate: Omit<CompareVerdict, 'regression' | 'regressions'>,
): CompareVerdict {
  return {
    regression: worse.length > 0,
    ...gate,
    regressions: worse.map(({ comparison, category }) => ({
      candidate: comparison.candidate,
      baseline: comparison.baseline,
      benchmark: comparison.benchmark,
      category: category.category,
      delta: category.difference!,
      interval: category.ci,
      test: category.test,
      p: category.p,
      pHolm: category.pHolm,
      decidingItems: category.decidingItems ?? null,
    })),
  };
}

function itemCounts(r: RegressionEntry): string {
  const d = r.decidingItems;
  if (!d) return '';
  if (d.basis === 'answered differently') return `; ${d.answeredDifferently?.count ?? 0} items answered differently`;
  const [did, only] = d.basis === 'right/wrong' ? ['got right', 'only '] : ['did better on', ''];
  return (
    `; items ${only}${r.baseline} ${did}: ${d.baselineBetter?.count ?? 0}, ` +
    `${only}${r.candidate}: ${d.candidateBetter?.count ?? 0}`
  );
}

/** The verdict in one line (the item ids are in compare.json). */
export function verdictLine(v: CompareVerdict): string {
  if (!v.regression) {
    return (
      `No regression: no category is significantly worse than a baseline (alpha ${v.alpha}, Holm) ` +
      `by more than ${v.threshold} points; exit ${v.exitCode}.`
    );
  }
  const each = v.regressions.map(
    (r) =>
      `${r.candidate} is worse than ${r.baseline} on ${r.benchmark} ${r.category} by ${(-r.delta).toFixed(1)} ` +
      `points (95% CI ${interval(r.interval)}, p Holm ${pValue(r.pHolm)}${itemCounts(r)})`,
  );
  const gate = v.failOnRegression ? ' (--fail-on-regression)' : ' (without --fail-on-regression)';
  return `Regression: ${each.join('; ')}. Exit ${v.exitCode}${gate}.`;
}

export function renderComparisonMarkdown(
  comparisons: readonly BenchmarkComparison[],
  alpha: number,
  verdict?: CompareVerdict,
): string {
  const lines = ['# Judge comparison', '', ...(verdict ? [`**Verdict**: ${mdCell(verdictLine(verdict))}`, ''] : [])];
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
  // The same number rule as every CSV the harness writes (reports/format.ts).
  const blank = csvNumber;
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
