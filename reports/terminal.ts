/**
 * A ReportTable as a terminal table (cli-table3), laid out like the paper's tables.
 *
 * Width: the caller passes `columns`, the terminal's width, when stdout is a terminal, and nothing when it is piped:
 * then every table is printed at full width, byte for byte as always (scripts read it). A table wider than `columns`
 * is fitted by these steps, each tried only when the ones before it are not enough:
 *   1. wrap long column heads onto several lines (at spaces and after - _ /);
 *   2. move the Source column's long texts (citations) to numbered footnotes under the table;
 *   3. abbreviate the heads still wider than their numbers ("RewardBe."), with a legend under the table;
 *   4. wrap long row labels, down to LABEL_FLOOR characters;
 *   5. split the value columns into consecutive blocks that each fit, every block with the row labels.
 * A column is never narrower than its widest value: numbers are never cut or wrapped. The title, notes, footnotes and
 * legend are word-wrapped to the width.
 */
import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';
import { INTERVAL_NOTE, plusMinus, sourceText } from './format.ts';
import type { ReportTable } from '../core/table.ts';

export interface TerminalOptions {
  /** Bold and dim text, grey borders: on when stdout is a terminal. */
  color?: boolean;
  /** The width to fit, e.g. `process.stdout.isTTY ? process.stdout.columns : undefined`; undefined: no limit. */
  columns?: number;
}

/**
 * A terminal that reports no size (0 columns: a pseudo-terminal nobody sized, e.g. under `script`) is as wide as
 * $COLUMNS says, or has no limit.
 */
export function knownWidth(columns: number | undefined): number | undefined {
  if (columns === undefined || columns > 0) return columns;
  const fromEnv = Number(process.env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
}

/** Labels are wrapped no narrower than this (or their own width), so a model id stays readable. */
const LABEL_FLOOR = 20;
/** Abbreviated heads keep at least this many characters, the trailing "." included. */
const ABBREVIATION_FLOOR = 4;
/** Source texts up to this width stay in the column ("this run"); longer ones become footnotes. */
const SHORT_SOURCE = 'this run'.length;
/** Below this, wrapping text makes no sense: a narrower terminal gets lines of this width. */
const MIN_WIDTH = 20;

type RowStyle = 'bold' | 'dim' | 'plain' | 'divider';

interface Row {
  label: string;
  values: string[];
  source: string;
  style: RowStyle;
}

/** What the fitting steps change: wrap widths of the heads and labels, footnoted sources, abbreviations. */
interface Layout {
  heads: (number | undefined)[];
  label: number | undefined;
  footnotes: boolean;
  abbreviate: boolean;
}

/** `color` alone (a boolean) is still accepted, as before `columns` existed. */
export function renderTerminal(table: ReportTable, options: TerminalOptions | boolean = {}): string {
  const { color = process.stdout.isTTY, columns: given } = typeof options === 'boolean' ? { color: options } : options;
  const columns = knownWidth(given);
  const paint = (code: [number, number]) => (s: string) =>
    color
      ? s
          .split('\n')
          .map((line) => `\u001b[${code[0]}m${line}\u001b[${code[1]}m`)
          .join('\n')
      : s;
  const bold = paint([1, 22]);
  const dim = paint([2, 22]);
  const rows = tableRows(table);
  const withIntervals = table.rows.some((r) => r.intervals?.some(Boolean));
  const notes = [...table.notes, ...(withIntervals ? [INTERVAL_NOTE] : [])];

  // A block: the value columns to show, by index; the index columns.length stands for the Source column.
  const everything = [...table.columns.keys(), table.columns.length];
  const render = (layout: Layout, block: readonly number[] = everything): string => {
    const values = block.filter((i) => i < table.columns.length);
    const withSource = block.includes(table.columns.length);
    const sources = sourceColumn(rows, layout.footnotes);
    const out = new Table({
      head: [
        'Model',
        ...values.map((i) => headText(table.columns[i]!, layout.heads[i], layout.abbreviate)),
        ...(withSource ? ['Source'] : []),
      ],
      colAligns: ['left', ...values.map(() => 'right' as const), ...(withSource ? ['left' as const] : [])],
      style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [], compact: true },
    });
    rows.forEach((row, r) => {
      const label = wrapLabel(row.label, layout.label);
      const cells = [label, ...values.map((i) => row.values[i]!), ...(withSource ? [sources.cells[r]!] : [])];
      if (row.style === 'divider') out.push([dim(label), ...cells.slice(1)]);
      else out.push(row.style === 'bold' ? cells.map(bold) : row.style === 'dim' ? cells.map(dim) : cells);
    });
    return out.toString();
  };

  if (columns === undefined) {
    const natural: Layout = { heads: [], label: undefined, footnotes: false, abbreviate: false };
    const text = notes.map((n) => `  ${n}`).join('\n');
    return `${bold(table.title)}\n${render(natural)}\n${text}\n`;
  }

  const width = Math.max(columns, MIN_WIDTH);
  const blocks = layOut(table, rows, width);
  const { layout } = blocks[0]!;
  const legendLines = legend(table.columns, layout);
  const below = [
    ...sourceColumn(rows, layout.footnotes).footnotes.flatMap((f) => wrapText(f, width, '  ', '      ')),
    ...legendLines.flatMap((l) => wrapText(l, width, '  ', '    ')),
    ...notes.flatMap((n) => wrapText(n, width, '  ', '    ')),
  ];
  const title = wrapText(table.title, width, '', '  ').map(bold);
  const tables = blocks.map((b) => render(b.layout, b.columns));
  return `${title.join('\n')}\n${tables.join('\n')}\n${below.join('\n')}\n`;
}

function tableRows(table: ReportTable): Row[] {
  const rows: Row[] = [];
  let previousSource: string | undefined;
  for (const row of table.rows) {
    // A rule between our rows (this run, baselines) and the published ones, so nobody mistakes one for the other.
    const ours = (source: string | undefined): boolean => source === 'this run' || source === 'baseline';
    if (ours(previousSource) && !ours(row.source) && !row.nested) {
      rows.push({ label: 'published:', values: table.columns.map(() => ''), source: '', style: 'divider' });
    }
    rows.push({
      label: row.nested ? `  ↳ ${row.label}` : row.label,
      values: row.values.map((v, i) => plusMinus(v, row.intervals?.[i])),
      source: sourceText(row),
      style: row.source === 'this run' ? 'bold' : row.nested ? 'dim' : 'plain',
    });
    if (!row.nested) previousSource = row.source;
  }
  return rows;
}

/** The Source cells, in full or with each long text replaced by a footnote number: "[1]". */
function sourceColumn(rows: readonly Row[], footnotes: boolean): { cells: string[]; footnotes: string[] } {
  if (!footnotes) return { cells: rows.map((r) => r.source), footnotes: [] };
  const numbered = new Map<string, number>();
  const cells = rows.map(({ source }) => {
    if (displayWidth(source) <= SHORT_SOURCE) return source;
    if (!numbered.has(source)) numbered.set(source, numbered.size + 1);
    return `[${numbered.get(source)}]`;
  });
  return { cells, footnotes: [...numbered].map(([text, n]) => `[${n}] ${text}`) };
}

/** A column head wrapped to `target`; with `abbreviate`, a piece still wider is cut to fit and ends in ".". */
function headText(head: string, target: number | undefined, abbreviate: boolean): string {
  if (target === undefined) return head;
  const lines = wrapPieces(head, target, '', '');
  return lines.map((l) => (abbreviate && displayWidth(l) > target ? `${cutTo(l, target - 1)}.` : l)).join('\n');
}

function legend(columns: readonly string[], layout: Layout): string[] {
  if (!layout.abbreviate) return [];
  const pairs = columns.flatMap((c, i) => {
    const shown = headText(c, layout.heads[i], true);
    const same = shown === headText(c, layout.heads[i], false);
    return same ? [] : [`${shown.replace(/\n/g, ' ')} = ${c}`.replace(/ /g, '\u00a0')];
  });
  return pairs.length > 0 ? [`Abbreviated column heads: ${pairs.join('; ')}.`] : [];
}

/** A row label wrapped to `target`: a nested row's continuation lines stay under its text, others indent 2. */
function wrapLabel(label: string, target: number | undefined): string {
  if (target === undefined) return label;
  const prefix = /^\s*(↳ )?/.exec(label)![0];
  const indent = ' '.repeat(Math.max(2, displayWidth(prefix)));
  return wrapPieces(label.slice(prefix.length), target, prefix, indent).join('\n');
}

/** The widest line of a multi-line cell. */
function cellWidth(text: string): number {
  return Math.max(...text.split('\n').map(displayWidth));
}

/**
 * The table's layout at `width`: the fitting steps in order (see the top of this file). One block, or when the table
 * had to be split, consecutive blocks of its columns, each with its own layout (index columns.length: Source).
 */
function layOut(table: ReportTable, rows: readonly Row[], width: number): { layout: Layout; columns: number[] }[] {
  const n = table.columns.length;
  const all = [...table.columns.keys()];
  const everything = [...all, n];
  const valueWidths = all.map((i) => Math.max(1, ...rows.map((r) => displayWidth(r.values[i]!))));
  const labels = rows.map((r) => r.label);
  const labelNatural = Math.max(displayWidth('Model'), ...labels.map(displayWidth));
  const labelMin = Math.max(displayWidth('Model'), ...labels.map((l) => cellWidth(wrapLabel(l, 0))));
  const labelFloor = Math.max(labelMin, Math.min(labelNatural, LABEL_FLOOR));

  const headWidth = (layout: Layout, i: number): number =>
    Math.max(valueWidths[i]!, cellWidth(headText(table.columns[i]!, layout.heads[i], layout.abbreviate)));
  const labelWidth = (layout: Layout): number =>
    Math.max(displayWidth('Model'), ...labels.map((l) => cellWidth(wrapLabel(l, layout.label))));
  const sourceWidth = (layout: Layout): number =>
    Math.max(displayWidth('Source'), ...sourceColumn(rows, layout.footnotes).cells.map(displayWidth));
  // cli-table3: a border, then per column one space each side of the content and a border.
  const tableWidth = (layout: Layout, block: readonly number[]): number =>
    block.reduce((sum, i) => sum + (i < n ? headWidth(layout, i) : sourceWidth(layout)) + 3, labelWidth(layout) + 4);
  const fits = (layout: Layout, block: readonly number[] = everything): boolean => tableWidth(layout, block) <= width;

  // The narrowest a head gets: its widest value, and its longest unbreakable piece unless abbreviated.
  const headFloor = (i: number, abbreviate: boolean): number =>
    Math.max(
      valueWidths[i]!,
      abbreviate
        ? Math.min(ABBREVIATION_FLOOR, displayWidth(table.columns[i]!))
        : cellWidth(headText(table.columns[i]!, 0, false)),
    );
  /** Narrows the block's widest head a step at a time until the block fits or its heads are at their floors. */
  const narrowHeads = (layout: Layout, block: readonly number[] = everything): Layout => {
    const heads = block.filter((i) => i < n);
    while (!fits(layout, block)) {
      const over = heads.filter((i) => headWidth(layout, i) > headFloor(i, layout.abbreviate));
      if (over.length === 0) break;
      const widest = over.reduce((a, b) => (headWidth(layout, b) > headWidth(layout, a) ? b : a));
      layout.heads[widest] = headWidth(layout, widest) - 1;
    }
    return layout;
  };
  const unwrapped = all.map(() => undefined);

  // 1. wrap heads
  const wrapped = narrowHeads({ heads: [...unwrapped], label: undefined, footnotes: false, abbreviate: false });
  if (fits(wrapped)) return [{ layout: wrapped, columns: everything }];
  // 2. footnotes, and the heads wrapped again from their full width: only as much as still needed
  const footnoted = narrowHeads({ ...wrapped, heads: [...unwrapped], footnotes: true });
  if (fits(footnoted)) return [{ layout: footnoted, columns: everything }];
  // 3. abbreviate the heads still wider than their values, as far as needed, unless two would look alike
  const abbreviated = narrowHeads({ ...footnoted, heads: [...footnoted.heads], abbreviate: true });
  const unique = abbreviationsUnique(table.columns, abbreviated);
  if (fits(abbreviated) && unique) return [{ layout: abbreviated, columns: everything }];
  // 4. wrap the labels, as little as needed: with the heads in full if that is enough, else abbreviated
  const wrapLabels = (base: Layout): Layout => {
    const layout: Layout = { ...base, heads: [...base.heads] };
    for (let target = labelWidth(layout) - 1; target >= labelFloor && !fits(layout); target--) layout.label = target;
    return layout;
  };
  const labelled = wrapLabels(footnoted);
  if (fits(labelled)) return [{ layout: labelled, columns: everything }];
  const both = wrapLabels(abbreviated);
  if (fits(both) && unique) return [{ layout: both, columns: everything }];
  // 5. blocks of consecutive columns, heads wrapped but not abbreviated (a block has room for them), as even as the
  // fewest blocks allow; the Source column ends the last block. Each block then wraps its heads only as needed.
  // The last value column and Source go together, so no block holds the Source column alone.
  const units = n === 0 ? [[n]] : [...all.slice(0, -1).map((i) => [i]), [n - 1, n]];
  const packWith = (layout: Layout, cap: number): number[][] => {
    const blocks: number[][] = [[]];
    for (const unit of units) {
      const current = blocks[blocks.length - 1]!;
      if (current.length > 0 && tableWidth(layout, [...current, ...unit]) > cap) blocks.push([...unit]);
      else current.push(...unit);
    }
    return blocks;
  };
  const pack = (cap: number): number[][] => packWith(labelled, cap);
  const fewest = pack(width).length;
  // The labels as wide as that many blocks allow: fewer of them wrapped.
  while (labelled.label !== undefined && labelled.label < labelNatural) {
    const wider = { ...labelled, label: labelled.label + 1 };
    if (packWith(wider, width).length > fewest) break;
    labelled.label = wider.label;
  }
  if (labelled.label === labelNatural) labelled.label = undefined;
  let low = 1;
  let high = width;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (pack(mid).length <= fewest) high = mid;
    else low = mid + 1;
  }
  return pack(high).map((columns) => ({
    layout: narrowHeads({ ...labelled, heads: [...unwrapped] }, columns),
    columns,
  }));
}

/** Two heads abbreviated alike would make the legend ambiguous: then no head is abbreviated. */
function abbreviationsUnique(columns: readonly string[], layout: Layout): boolean {
  const shown = columns.map((c, i) => headText(c, layout.heads[i], true));
  return new Set(shown).size === new Set(columns).size;
}

/**
 * Greedy line filling, never breaking inside a piece, so a line is wider than `target` only when one piece is. Pieces
 * end at spaces (dropped at a line end); unless `prose`, also after "/", and a piece still too wide for a line is
 * broken after its - and _ as well. The first line starts with `prefix`, the others with `indent`.
 */
function wrapPieces(text: string, target: number, prefix: string, indent: string, prose = false): string[] {
  const coarse = (prose ? text.match(/ +|[^ ]+/g) : text.match(/\s+|[^\s/]*\/+|[^\s/]+/g)) ?? [];
  const pieces = prose
    ? coarse
    : coarse.flatMap((p) => (displayWidth(indent + p) > target ? (p.match(/[^-_]*[-_]+|[^-_]+/g) ?? []) : [p]));
  const lines: string[] = [];
  let line = prefix;
  let start = prefix.length;
  let space = '';
  for (const piece of pieces) {
    if (/^[ \t\r\n]+$/.test(piece)) {
      space = line.length > start ? piece : '';
      continue;
    }
    if (line.length > start && displayWidth(line + space + piece) > target) {
      lines.push(line);
      line = indent;
      start = indent.length;
      space = '';
    }
    line += space + piece;
    space = '';
  }
  lines.push(line);
  return lines;
}

/**
 * Prose (title, notes) wrapped at spaces to `width`, the first line indented by `first`, the others by `indent`; a
 * word longer than a line is broken, as nothing else can fit it. A no-break space holds words together.
 */
export function wrapText(text: string, width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  for (const line of wrapPieces(text, width, first, indent, true)) {
    let rest = line;
    while (displayWidth(rest) > width) {
      const head = cutTo(rest, width);
      lines.push(head);
      rest = indent + rest.slice(head.length);
    }
    lines.push(rest.replace(/\u00a0/g, ' '));
  }
  return lines;
}

function cutTo(text: string, width: number): string {
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width) break;
    out += ch;
  }
  return out;
}

/** Code points a terminal shows 0 columns wide: controls, combining marks, zero-width spaces, variation selectors. */
const ZERO_WIDTH: readonly [number, number][] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x300, 0x36f],
  [0x200b, 0x200f],
  [0xfe00, 0xfe0f],
];
/** Code point ranges shown 2 columns wide: Hangul, CJK, fullwidth forms, emoji. */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
const within = (ranges: readonly [number, number][], code: number): boolean =>
  ranges.some(([low, high]) => code >= low && code <= high);

/** Terminal columns of a text, as cli-table3 (string-width) counts them: CJK and emoji 2, combining marks 0. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of stripVTControlCharacters(text)) {
    const code = ch.codePointAt(0)!;
    width += within(ZERO_WIDTH, code) ? 0 : within(WIDE, code) ? 2 : 1;
  }
  return width;
}
