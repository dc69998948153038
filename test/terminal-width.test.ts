/**
 * Terminal tables fit the terminal's width (issue 20): at 80, 100 and 120 columns every line fits and every number is
 * printed whole; with no width (stdout piped) the output is byte for byte what it was before widths existed.
 */
import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import type { ReportTable } from '../core/table.ts';
import { INTERVAL_NOTE, plusMinus, sourceText } from '../reports/format.ts';
import { renderTerminal } from '../reports/terminal.ts';
import { EXPERT_LFQA, rewardbenchTable, table1Overview } from './fixtures/report-tables.ts';

/** renderTerminal as it was before it knew about widths, verbatim: the piped output must not change. */
function legacyRenderTerminal(table: ReportTable, color: boolean): string {
  const bold = (s: string): string => (color ? `\u001b[1m${s}\u001b[22m` : s);
  const dim = (s: string): string => (color ? `\u001b[2m${s}\u001b[22m` : s);
  const out = new Table({
    head: ['Model', ...table.columns, 'Source'],
    colAligns: ['left', ...table.columns.map(() => 'right' as const), 'left'],
    style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [], compact: true },
  });
  let previousSource: string | undefined;
  for (const row of table.rows) {
    const ours = (source: string | undefined): boolean => source === 'this run' || source === 'baseline';
    if (ours(previousSource) && !ours(row.source) && !row.nested) {
      out.push([dim('published:'), ...table.columns.map(() => ''), '']);
    }
    const label = row.nested ? `  ↳ ${row.label}` : row.label;
    const values = row.values.map((v, i) => plusMinus(v, row.intervals?.[i]));
    const cells = [label, ...values, sourceText(row)];
    out.push(row.source === 'this run' ? cells.map(bold) : row.nested ? cells.map(dim) : cells);
    if (!row.nested) previousSource = row.source;
  }
  const withIntervals = table.rows.some((r) => r.intervals?.some(Boolean));
  const notes = [...table.notes, ...(withIntervals ? [INTERVAL_NOTE] : [])].map((n) => `  ${n}`).join('\n');
  return `${bold(table.title)}\n${out.toString()}\n${notes}\n`;
}

const visible = (line: string): number => [...stripVTControlCharacters(line)].length;

/** Every value cell of the table part of an output (lines drawn with │), as printed: "45.7 ±1.6", "76.1", "—". */
function valueCells(output: string): string[] {
  return stripVTControlCharacters(output)
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .flatMap((l) => l.split('│').map((c) => c.trim()))
    .filter((c) => /^(-?\d+\.\d( ±\d+\.\d)?|—)$/.test(c))
    .sort();
}

/** The first column's text, whitespace removed: a label wrapped over several lines reads as one again. */
function labelColumn(output: string): string {
  return stripVTControlCharacters(output)
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│')[1]!.replace(/\s+/g, ''))
    .join('');
}

const WIDTHS = [80, 100, 120];

describe('renderTerminal fits the terminal width', async () => {
  const tables: [string, ReportTable][] = [
    ['RewardBench', await rewardbenchTable()],
    ['Table 1 overview', table1Overview()],
    ['Expert-LFQA', EXPERT_LFQA],
  ];

  it.each(tables)('%s: no width (piped) prints exactly what it printed before', (_, table) => {
    for (const color of [false, true]) {
      expect(renderTerminal(table, { color })).toBe(legacyRenderTerminal(table, color));
      expect(renderTerminal(table, color)).toBe(legacyRenderTerminal(table, color));
    }
    // The real tables are the wide ones the issue is about.
    expect(Math.max(...legacyRenderTerminal(table, false).split('\n').map(visible))).toBeGreaterThan(120);
  });

  for (const columns of WIDTHS) {
    it.each(tables)(`%s at ${columns} columns: every line fits, every number is printed whole`, (_, table) => {
      for (const color of [false, true]) {
        const text = renderTerminal(table, { color, columns });
        const long = text.split('\n').filter((l) => visible(l) > columns);
        expect(long).toEqual([]);
        expect(valueCells(text)).toEqual(valueCells(legacyRenderTerminal(table, false)));
        // Every row label is still there in full, if wrapped then over consecutive lines.
        for (const row of table.rows) expect(labelColumn(text)).toContain(row.label.replace(/\s+/g, ''));
      }
    });
  }

  it('RewardBench at 100 columns: citations become footnotes, long labels wrap, one table', async () => {
    const text = renderTerminal(await rewardbenchTable(), { color: false, columns: 100 });
    expect(text.match(/│ Model/g)).toHaveLength(1);
    expect(text).toContain('│ this run │');
    expect(text).toMatch(/│ \[1\]\s+│/);
    expect(text).toContain('\n  [1] baseline, same items\n  [2] published: FLAMe Table 2 (ACL)\n');
    expect(text).not.toContain('│ published: FLAMe');
  });

  it('Table 1 at 80 columns: split into blocks of consecutive columns, each with every row label', () => {
    const table = table1Overview();
    const text = renderTerminal(table, { color: false, columns: 80 });
    const blocks = text.split('┌').slice(1);
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) {
      for (const row of table.rows) expect(block).toMatch(new RegExp(`│ ${row.label}\\s+│`));
      expect(block).toContain('│ published:');
    }
    // The columns keep their order across the blocks, and Source comes last.
    const heads = blocks.flatMap((b) =>
      b
        .split('\n')[1]!
        .split('│')
        .map((c) => c.trim())
        .filter(Boolean)
        .slice(1),
    );
    expect(heads.filter((h) => h !== 'Source')).toEqual([...table.columns]);
    expect(blocks.at(-1)!.split('\n')[1]).toMatch(/│ Source\s+│$/);
    expect(blocks[0]!.split('\n')[1]).not.toContain('Source');
  });

  it('wraps column heads first, and stops there when that is enough', () => {
    const table: ReportTable = {
      id: 't',
      title: 'Correlations',
      columns: ['Informativeness correlation', 'Relevance correlation', 'Fluency correlation'],
      rows: [
        { label: 'random', source: 'this run', values: [1.25, -3.5, 12] },
        { label: 'GPT-4', source: 'paper', citation: 'Liu (2023)', values: [40.1, 38.2, 35.7] },
      ],
      notes: [],
    };
    expect(renderTerminal(table, { color: false }).split('\n')[1]!.length).toBe(114);
    // At 90 wrapping the heads is enough: the Source column keeps its citation.
    expect(renderTerminal(table, { color: false, columns: 90 })).toBe(
      [
        'Correlations',
        '┌────────────┬─────────────────┬─────────────┬─────────────┬───────────────────────┐',
        '│ Model      │ Informativeness │   Relevance │     Fluency │ Source                │',
        '│            │     correlation │ correlation │ correlation │                       │',
        '├────────────┼─────────────────┼─────────────┼─────────────┼───────────────────────┤',
        '│ random     │             1.3 │        -3.5 │        12.0 │ this run              │',
        '│ published: │                 │             │             │                       │',
        '│ GPT-4      │            40.1 │        38.2 │        35.7 │ published: Liu (2023) │',
        '└────────────┴─────────────────┴─────────────┴─────────────┴───────────────────────┘',
        '',
        '',
      ].join('\n'),
    );
    // At 80 it is not: the citation becomes a footnote, and then one head fewer needs wrapping.
    expect(renderTerminal(table, { color: false, columns: 80 })).toBe(
      [
        'Correlations',
        '┌────────────┬─────────────────┬─────────────┬─────────────────────┬──────────┐',
        '│ Model      │ Informativeness │   Relevance │ Fluency correlation │ Source   │',
        '│            │     correlation │ correlation │                     │          │',
        '├────────────┼─────────────────┼─────────────┼─────────────────────┼──────────┤',
        '│ random     │             1.3 │        -3.5 │                12.0 │ this run │',
        '│ published: │                 │             │                     │          │',
        '│ GPT-4      │            40.1 │        38.2 │                35.7 │ [1]      │',
        '└────────────┴─────────────────┴─────────────┴─────────────────────┴──────────┘',
        '  [1] published: Liu (2023)',
        '',
      ].join('\n'),
    );
  });

  it('abbreviates heads wider than their numbers, with a legend, before splitting the table', () => {
    const table: ReportTable = {
      id: 't',
      title: 'Wide heads',
      columns: ['Interannotator', 'Consistency', 'Informativeness', 'Verbosity'],
      rows: [
        { label: 'judge', source: 'this run', values: [50, 60, 70, 80] },
        { label: 'paper', source: 'paper', citation: 'Some Paper (2024) Table 3', values: [1, 2, 3, 4] },
      ],
      notes: ['A note.'],
    };
    const text = renderTerminal(table, { color: false, columns: 56 });
    expect(text.split('\n').filter((l) => l.length > 56)).toEqual([]);
    expect(text.match(/│ Model/g)).toHaveLength(1);
    expect(text).toContain('  [1] published: Some Paper (2024) Table 3');
    expect(text).toContain('│ Model      │ Int. │ Cons. │ Info. │ Verb. │ Source   │');
    // The legend keeps each "abbreviation = head" pair on one line.
    expect(text).toContain(
      '  Abbreviated column heads: Int. = Interannotator;\n    Cons. = Consistency; Info. = Informativeness;\n' +
        '    Verb. = Verbosity.\n',
    );
    expect(valueCells(text)).toEqual(valueCells(legacyRenderTerminal(table, false)));
  });
});
