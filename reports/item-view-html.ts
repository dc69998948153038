/**
 * The per-item view as one self-contained HTML page (items.html for a run, compare.html for compare): the data
 * (./item-view-data.ts) as escaped JSON in a `<script type="application/json">` element, the page script
 * (./item-view-page.js) and the style inlined, so it opens from file:// with no network. Only the page's own labels
 * and compare's test table (escaped) are markup; every item's text reaches the page through textContent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../core/repo-root.ts';
import type { BenchmarkComparison } from '../harness/compare.ts';
import { cells, comparisonTitle, header } from './compare.ts';
import { escapeHtml, inlineScript, jsonForScript } from './html-escape.ts';
import type { ItemViewData } from './item-view-data.ts';

let pageScript: string | undefined;

/** The page script, read once (from the repository: the CLI's bundle does not carry it). */
function itemViewScript(): string {
  pageScript ??= inlineScript(
    readFileSync(path.join(REPO_ROOT, 'reports', 'item-view-page.js'), 'utf8'),
    'the item view script',
  );
  return pageScript;
}

const STYLE = `
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { height: 100%; margin: 0; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2939; background: #fff;
  display: flex; flex-direction: column; }
header { padding: 12px 16px 8px; border-bottom: 1px solid #d0d5dd; background: #f9fafb; }
h1 { font-size: 18px; margin: 0 0 4px; overflow-wrap: anywhere; }
.notes { margin: 0 0 8px; color: #475467; font-size: 13px; }
.notes p { margin: 2px 0; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.controls label { display: inline-flex; gap: 6px; align-items: center; font-size: 13px; color: #344054; }
.controls select, .controls input[type=search] { font: inherit; padding: 3px 6px; border: 1px solid #98a2b3;
  border-radius: 4px; background: #fff; max-width: 16rem; }
.controls input[type=search] { width: 18rem; }
#counts { margin: 8px 0 0; font-size: 13px; color: #344054; }
.tests { margin: 6px 0 10px; max-height: 30vh; overflow: auto; }
.tests h2 { font-size: 14px; margin: 8px 0 4px; overflow-wrap: anywhere; }
.tests table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
.tests th, .tests td { border: 1px solid #d0d5dd; padding: 2px 8px; text-align: right; white-space: nowrap; }
.tests th:first-child, .tests td:first-child, .tests td:last-child { text-align: left; }
.tests tr.win td, .tests tr.loss td { font-weight: 600; }
.tests p { margin: 2px 0; font-size: 12px; color: #475467; }
.main { flex: 1; min-height: 0; display: flex; }
#list { flex: 1; min-width: 0; overflow: auto; position: relative; outline: none; }
#list:focus-visible { box-shadow: inset 0 0 0 2px #2f6fde; }
.grid { display: grid; grid-template-columns: var(--columns); min-width: var(--min-width); }
.thead { position: sticky; top: 0; z-index: 1; background: #eef2f6; border-bottom: 1px solid #d0d5dd;
  font-weight: 600; font-size: 12.5px; height: 28px; align-items: center; }
#rows { position: relative; min-width: var(--min-width); }
.row { position: absolute; left: 0; right: 0; height: 30px; display: grid; grid-template-columns: var(--columns);
  align-items: center; border-bottom: 1px solid #eaecf0; cursor: pointer; font-size: 13px; }
.row:hover { background: #f2f4f7; }
.row.selected { background: #e0eaff; }
.c, .thead > span { padding: 0 8px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.c.num { text-align: right; font-variant-numeric: tabular-nums; }
.c.reply { color: #475467; }
.empty { padding: 16px; color: #475467; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; line-height: 18px;
  background: #eaecf0; color: #344054; margin-right: 4px; }
.badge.correct, .badge.win { background: #d1fadf; color: #05603a; }
.badge.wrong, .badge.loss { background: #fee4e2; color: #912018; }
.badge.tie, .badge.differ { background: #fef0c7; color: #93370d; }
.badge.invalid { background: #f4ebff; color: #53389e; }
.badge.error { background: #344054; color: #fff; }
.badge.flip { background: #fff; border: 1px solid #d92d20; color: #b42318; }
.count b { font-variant-numeric: tabular-nums; }
#detail { width: min(40rem, 42%); border-left: 1px solid #d0d5dd; overflow: auto; padding: 0 16px 24px;
  background: #fcfcfd; }
.detail-head { display: flex; justify-content: space-between; align-items: start; gap: 8px; position: sticky; top: 0;
  background: #fcfcfd; padding-top: 10px; }
.detail-head h2 { font-size: 16px; margin: 0 0 6px; overflow-wrap: anywhere; }
.close { font: inherit; font-size: 20px; line-height: 1; border: 0; background: none; cursor: pointer;
  padding: 2px 6px; }
#detail h3 { font-size: 14px; margin: 14px 0 4px; overflow-wrap: anywhere; }
#detail h4 { font-size: 13px; margin: 10px 0 2px; color: #344054; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; font-size: 13px; }
dl.meta dt { color: #475467; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #eaecf0; padding: 8px;
  margin: 4px 0; font-size: 12.5px; max-height: 60vh; overflow: auto; }
.trunc { display: block; margin-top: 6px; color: #b42318; font-style: italic; }
.muted { color: #667085; }
.show-prompt { font: inherit; margin: 12px 8px 0 0; padding: 4px 10px; border: 1px solid #98a2b3; border-radius: 4px;
  background: #fff; cursor: pointer; }
@media (max-width: 900px) {
  .main { flex-direction: column; }
  #detail { width: auto; max-height: 55%; border-left: 0; border-top: 1px solid #d0d5dd; }
}
`;

interface Column {
  label: string;
  width: string;
  /** The header's tooltip, when the label says less. */
  title?: string;
}

const RUN_COLUMNS: Column[] = [
  { label: 'Benchmark', width: '9rem' },
  { label: 'Subset', width: '9rem' },
  { label: 'Item', width: '14rem' },
  { label: 'Gold', width: '5rem' },
  { label: 'Verdict', width: '7rem' },
  { label: 'Outcome', width: '8.5rem' },
  { label: 'Latency', width: '5.5rem' },
  { label: 'Tokens in / out', width: '8rem' },
  { label: 'Cost', width: '6rem' },
  { label: 'Reply', width: 'minmax(14rem, 1fr)' },
];

function compareColumns(data: ItemViewData): Column[] {
  const candidate = data.pairs[0]?.candidate ?? 'candidate';
  const baselines = [...new Set(data.pairs.map((p) => p.baseline))];
  const baseline = baselines.length === 1 ? baselines[0]! : 'baseline';
  return [
    { label: 'Benchmark', width: '9rem' },
    { label: 'Subset', width: '9rem' },
    { label: 'Item', width: '14rem' },
    { label: 'Gold', width: '5rem' },
    { label: 'Side', width: '5.5rem', title: `win: ${candidate} scored higher on the item; loss: lower` },
    { label: candidate, width: 'minmax(7rem, 1fr)', title: `${candidate}'s verdict` },
    { label: 'Outcome', width: '8.5rem', title: `${candidate}'s outcome` },
    { label: baseline, width: 'minmax(7rem, 1fr)', title: `${baseline}'s verdict` },
    { label: 'Outcome', width: '8.5rem', title: `${baseline}'s outcome` },
  ];
}

function headerCell(c: Column): string {
  const title = escapeHtml(c.title ?? c.label);
  return `<span role="columnheader" title="${title}">${escapeHtml(c.label)}</span>`;
}

function select(id: string, label: string, hidden = false): string {
  return (
    `<label${hidden ? ' hidden' : ''}>${escapeHtml(label)} <select id="${id}">` +
    `<option value="">all</option></select></label>`
  );
}

function controls(data: ItemViewData): string {
  const compare = data.kind === 'compare';
  const many = (n: number): boolean => n > 1;
  return `<div class="controls" role="search">
${select('f-bench', 'Benchmark', !many(data.benchmarks.length))}
${select('f-sub', 'Subset')}
${select('f-outcome', 'Outcome', compare)}
${select('f-pair', 'Baseline', !compare || !many(data.pairs.length))}
${select('f-side', 'Side', !compare)}
${select('f-cat', 'Category', !compare)}
<label${data.swap ? '' : ' hidden'}><input type="checkbox" id="f-flip"> position flips only</label>
<label>Search <input type="search" id="f-search" placeholder="ids, verdicts, replies, prompts"></label>
</div>
<p id="counts" aria-live="polite"></p>`;
}

/** Compare's numbers per benchmark and baseline, as its terminal table and compare.md show them. */
function testTables(comparisons: readonly BenchmarkComparison[], notes: readonly string[]): string {
  const tables = comparisons.map((c) => {
    const title = `<h2>${escapeHtml(comparisonTitle(c))}</h2>`;
    if (c.categories.length === 0) return `${title}<p>Nothing to compare: no item has an answer from both judges.</p>`;
    const head = header(c)
      .map((h) => `<th>${escapeHtml(h)}</th>`)
      .join('');
    const body = c.categories
      .map((category) => {
        const row = cells(category)
          .map((text) => `<td>${escapeHtml(text)}</td>`)
          .join('');
        const mark = category.verdict === 'win' || category.verdict === 'loss' ? ` class="${category.verdict}"` : '';
        return `<tr${mark}>${row}</tr>`;
      })
      .join('\n');
    return `${title}<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
  });
  const lines = notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('');
  return `<section class="tests">${tables.join('\n')}${lines}</section>`;
}

export interface PageOptions {
  /** Compare's page: its results, shown above the items. */
  comparisons?: readonly BenchmarkComparison[];
  /** Lines under the test tables (compare's notes). */
  testNotes?: readonly string[];
}

export function renderItemViewHtml(data: ItemViewData, options: PageOptions = {}): string {
  const columns =
    data.kind === 'compare'
      ? compareColumns(data)
      : RUN_COLUMNS.map((c) => (c.label === 'Verdict' && data.swap ? { ...c, label: 'Verdicts (order 1 · 2)' } : c));
  const template = columns.map((c) => c.width).join(' ');
  const minWidth = `${columns.reduce((n, c) => n + Number.parseFloat(/[\d.]+/.exec(c.width)![0]), 0)}rem`;
  const notes = [
    ...data.notes,
    `Texts longer than ${data.textCap.toLocaleString('en-US')} characters are cut and marked as truncated.` +
      (data.omitted > 0 ? ` ${data.omitted} texts were left out to keep the page loadable.` : ''),
    'Click a row for its replies and prompt; ↑/↓ move through the list.',
  ];
  const tests = options.comparisons ? testTables(options.comparisons, options.testNotes ?? []) : '';
  return (
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<div class="notes">${notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>
${tests}
${controls(data)}
</header>
<div class="main">
<div id="list" tabindex="0" role="grid" aria-label="Items" style="--columns: ${escapeHtml(template)}; ` +
    `--min-width: ${minWidth}">
<div class="grid thead" role="row">${columns.map(headerCell).join('')}</div>
<div id="rows"></div>
</div>
<aside id="detail" hidden aria-label="The selected item"></aside>
</div>
<script type="application/json" id="item-data">${jsonForScript(data)}</script>
<script>${itemViewScript()}</script>
</body>
</html>
`
  );
}
