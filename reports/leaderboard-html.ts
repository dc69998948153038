/**
 * The nightly leaderboard as one self-contained HTML page: the table (Table 1 and Table 2 columns, 95% intervals,
 * published rows marked, cost), a line chart of each judge over the kept nights and a bar chart of tonight's values
 * with their intervals. Chart.js is inlined, so the page needs no network; all data reaches the page script as
 * escaped JSON, never as markup. The output depends only on its inputs: same data and history, same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { escapeHtml, inlineScript, jsonForScript } from './html-escape.ts';
import type { Cell, HistoryPoint, LeaderboardColumn, LeaderboardData, LeaderboardRow } from './leaderboard-data.ts';

let chartJs: string | undefined;

/** Chart.js's UMD bundle (defines window.Chart). Its license comments are kept; the source-map pointer is not. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package's exports map does not expose dist/chart.umd.min.js, but its main entry lives in the same folder.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const code = readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
    chartJs = inlineScript(code.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n'), 'chart.js');
  }
  return chartJs;
}

function byDate(a: LeaderboardData, b: LeaderboardData): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
}

/** The kept nights, one per date, oldest first; `data` replaces any kept copy of its own night. */
function nightsOf(data: LeaderboardData, history: readonly LeaderboardData[]): LeaderboardData[] {
  const nights = new Map<string, LeaderboardData>();
  for (const night of history) nights.set(night.date, night);
  nights.set(data.date, data);
  return [...nights.values()].sort(byDate);
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * One point per night, judge measured here, and column of tonight's leaderboard. Published rows are left out: they
 * are the same number every night.
 */
export function buildHistory(data: LeaderboardData, history: readonly LeaderboardData[]): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (const night of nightsOf(data, history)) {
    for (const row of night.rows) {
      if (row.source !== 'this run') continue;
      for (const column of data.columns) {
        points.push({
          date: night.date,
          judge: row.judge,
          column: column.id,
          value: finite(row.cells[column.id]?.value),
        });
      }
    }
  }
  return points;
}

/** Columns grouped by paper table, then benchmark, each in order of first appearance (so columns[0] stays first). */
function groupColumns(
  columns: readonly LeaderboardColumn[],
): { table: string; benchmarks: { benchmark: string; columns: LeaderboardColumn[] }[] }[] {
  const tables: { table: string; benchmarks: { benchmark: string; columns: LeaderboardColumn[] }[] }[] = [];
  for (const column of columns) {
    let table = tables.find((t) => t.table === column.table);
    if (!table) tables.push((table = { table: column.table, benchmarks: [] }));
    let group = table.benchmarks.find((b) => b.benchmark === column.benchmark);
    if (!group) table.benchmarks.push((group = { benchmark: column.benchmark, columns: [] }));
    group.columns.push(column);
  }
  return tables;
}

function oneDecimal(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

function formatTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return 'unpriced';
  return usd > 0 && usd < 0.005 ? '< $0.01' : `$${usd.toFixed(2)}`;
}

/** A number for the sort script's data-v attribute (already safe: digits, '-', '.', 'e'). */
function sortKey(value: number | null): string {
  return value === null ? '' : String(value);
}

function valueCell(cell: Cell | undefined): string {
  const value = finite(cell?.value);
  if (value === null) return '<td class="num none" data-v="">—</td>';
  const ci = cell?.ci ?? null;
  const lo = finite(ci?.[0]);
  const hi = finite(ci?.[1]);
  const interval = lo !== null && hi !== null ? `<span class="ci">[${oneDecimal(lo)}, ${oneDecimal(hi)}]</span>` : '';
  const n = cell?.n;
  const title = n !== null && n !== undefined && Number.isFinite(n) ? ` title="${escapeHtml(`${n} items`)}"` : '';
  return (
    `<td class="num" data-v="${sortKey(value)}"${title}>` +
    `<span class="v">${oneDecimal(value)}</span>${interval}</td>`
  );
}

/** Two halves of a cost line, each kept whole: the line may wrap between them, so the cost column can stay narrow. */
function halves(first: string, second: string): string {
  return `<span class="ci"><span>${escapeHtml(first)}</span> <span>${escapeHtml(second)}</span></span>`;
}

function costCell(row: LeaderboardRow): string {
  if (!row.cost) return '<td class="num none" data-v="">—</td>';
  const { usd, inputTokens, outputTokens, asked, cached } = row.cost;
  return (
    `<td class="num cost" data-v="${sortKey(finite(usd))}"><span class="v">${formatUsd(usd)}</span>` +
    halves(`${formatTokens(inputTokens)} in /`, `${formatTokens(outputTokens)} out`) +
    halves(`${asked} asked,`, `${cached} cached`) +
    '</td>'
  );
}

/**
 * A judge id with break hints after "/", ":" and "_" (browsers already break after "-"), so a long id such as
 * replay:Skywork/Skywork-Reward-Gemma-2-27B wraps between its parts, not inside one. Each part is escaped.
 */
function breakableName(name: string): string {
  return name
    .split(/(?<=[/:_])(?=[^/:_])/)
    .map(escapeHtml)
    .join('<wbr>');
}

/** The judge's name; a published row adds its one marker (the "published" tag) and its citation. */
function judgeCell(row: LeaderboardRow): string {
  const paper = row.source === 'paper';
  const tag = paper ? ' <span class="tag">published</span>' : '';
  const citation = paper && row.citation ? `<span class="cite">${escapeHtml(row.citation)}</span>` : '';
  return (
    `<th scope="row" class="judge" data-v="${escapeHtml(row.judge)}">` +
    `<span class="name">${breakableName(row.judge)}</span>${tag}${citation}</th>`
  );
}

function renderTable(data: LeaderboardData, columns: readonly LeaderboardColumn[]): string {
  const groups = groupColumns(data.columns);
  const sortable = (label: string, kind: 'text' | 'num', extra = '') =>
    `<th scope="col" class="sortable${kind === 'num' ? ' num' : ''}"${extra} data-kind="${kind}" ` +
    `tabindex="0" aria-sort="none">${label}</th>`;
  const top = [
    '<th scope="col" rowspan="3" class="sortable judge" data-kind="text" tabindex="0" aria-sort="none">Judge</th>',
    ...groups.map(
      (t) =>
        `<th scope="colgroup" colspan="${t.benchmarks.reduce((n, b) => n + b.columns.length, 0)}" ` +
        `class="group table-group">${escapeHtml(t.table)}</th>`,
    ),
    sortable('Tonight’s cost', 'num', ' rowspan="3"'),
  ];
  const middle = groups.flatMap((t) =>
    t.benchmarks.map(
      (b) => `<th scope="colgroup" colspan="${b.columns.length}" class="group">${escapeHtml(b.benchmark)}</th>`,
    ),
  );
  const bottom = columns.map((c) =>
    sortable(escapeHtml(c.label), 'num', ` title="${escapeHtml(`${c.table} · ${c.benchmark} · ${c.label}`)}"`),
  );
  const body = data.rows.map(
    (row) =>
      `<tr class="${row.source === 'paper' ? 'paper' : 'measured'}">${judgeCell(row)}${columns
        .map((c) => valueCell(row.cells[c.id]))
        .join('')}${costCell(row)}</tr>`,
  );
  const total = data.cost;
  const foot =
    `<tr><th scope="row" class="judge">Total for the night</th><td colspan="${columns.length}"></td>` +
    `<td class="num cost"><span class="v">${formatUsd(total.usd)}</span>` +
    `${halves(`${formatTokens(total.inputTokens)} in /`, `${formatTokens(total.outputTokens)} out`)}</td></tr>`;
  // The table scrolls sideways inside its own box (the judge column stays put); the frame shows a shadow on the side
  // that has more columns to scroll to.
  return [
    '<div class="table-frame"><div class="table-wrap" tabindex="0" role="region" ' +
      'aria-label="Leaderboard (scrolls sideways)"><table id="leaderboard">',
    `<thead><tr>${top.join('')}</tr><tr>${middle.join('')}</tr><tr>${bottom.join('')}</tr></thead>`,
    `<tbody>${body.join('\n')}</tbody>`,
    `<tfoot>${foot}</tfoot>`,
    '</table></div></div>',
  ].join('\n');
}

/** Nights whose prompt or data differ from the night before: their values are not comparable with earlier ones. */
function changes(nights: readonly LeaderboardData[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < nights.length; i++) {
    const before = nights[i - 1]!;
    const night = nights[i]!;
    const what: string[] = [];
    if (night.promptVersion !== before.promptVersion) what.push('the prompt');
    const benchmarks = [...new Set([...Object.keys(before.dataVersions), ...Object.keys(night.dataVersions)])]
      .filter((b) => before.dataVersions[b] !== night.dataVersions[b])
      .sort();
    if (benchmarks.length > 0) what.push(`the data of ${benchmarks.join(', ')}`);
    if (what.length > 0) out.push(`${night.date}: ${what.join(' and ')} changed`);
  }
  return out;
}

function renderMeta(data: LeaderboardData): string {
  const sample = data.sample === null ? 'all items' : `${data.sample} items per task`;
  const items: [string, string][] = [
    ['Night', escapeHtml(data.date)],
    ['Harness', escapeHtml(data.harnessVersion)],
    ['Prompt version', `<code>${escapeHtml(data.promptVersion)}</code>`],
    ['Sample', escapeHtml(sample)],
    ['Seed', escapeHtml(String(data.seed))],
    ['Bootstrap resamples', escapeHtml(String(data.resamples))],
    [
      'Cost of the night',
      `${formatUsd(data.cost.usd)} <span class="muted">(${formatTokens(data.cost.inputTokens)} in / ` +
        `${formatTokens(data.cost.outputTokens)} out tokens)</span>`,
    ],
  ];
  return `<dl class="meta">${items.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>`;
}

function renderVersions(data: LeaderboardData): string {
  const benchmarks = Object.keys(data.dataVersions).sort();
  if (benchmarks.length === 0) return '';
  const rows = benchmarks.map(
    (b) =>
      `<tr><th scope="row">${escapeHtml(b)}</th><td><code>${escapeHtml(data.dataVersions[b] ?? '')}</code></td></tr>`,
  );
  return (
    `<details class="versions"><summary>Data versions (${benchmarks.length} benchmarks)</summary>` +
    `<table>${rows.join('')}</table></details>`
  );
}

function renderNotes(data: LeaderboardData): string {
  const notes = data.rows.flatMap((row) =>
    (row.notes ?? []).map((note) => `<li><strong>${escapeHtml(row.judge)}</strong>: ${escapeHtml(note)}</li>`),
  );
  return notes.length === 0 ? '' : `<section class="notes"><h2>Notes</h2><ul>${notes.join('')}</ul></section>`;
}

/** Everything the charts draw, with a fixed key order so the JSON (and the page) is byte-stable. */
function chartData(
  data: LeaderboardData,
  columns: readonly LeaderboardColumn[],
  nights: readonly LeaderboardData[],
  history: readonly HistoryPoint[],
) {
  return {
    date: data.date,
    nights: nights.map((n) => n.date),
    columns: columns.map((c) => ({ id: c.id, benchmark: c.benchmark, label: c.label, table: c.table })),
    history: history.map((p) => ({ date: p.date, judge: p.judge, column: p.column, value: p.value })),
    latest: data.rows
      .filter((row) => row.source === 'this run')
      .map((row) => ({
        judge: row.judge,
        cells: columns.map((c) => {
          const cell = row.cells[c.id];
          const value = finite(cell?.value);
          const lo = finite(cell?.ci?.[0]);
          const hi = finite(cell?.ci?.[1]);
          return { value, ci: value !== null && lo !== null && hi !== null ? [lo, hi] : null, n: finite(cell?.n) };
        }),
      })),
  };
}

/**
 * The page's styles. The page itself never scrolls sideways: the table scrolls in its own box (.table-wrap) with the
 * judge column sticky, and a shadow on the frame's right edge while there is more to see; on a laptop the paper's
 * columns fit without scrolling. Judge names break only where breakableName allows (overflow-wrap: break-word is the
 * last resort for a part wider than the column's max-width). On a phone the bar chart scrolls in its own box too.
 */
const STYLE =
  `
:root { --fg: #1d2430; --muted: #667085; --line: #e4e7ec; --head: #f4f6f9; --accent: #2f6fde; --paper: #8a8f98; ` +
  `--row: #fff; --row-even: #fbfcfd; --row-paper: #f7f7f8; --row-hover: #eef4ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, ` +
  `sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; padding: 12px 16px; ` +
  `background: var(--head); border-radius: 8px; }
.meta div { min-width: 0; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.legend { color: var(--muted); margin: 8px 0 12px; max-width: 70em; }
.tag { display: inline-block; white-space: nowrap; font-style: normal; font-size: 10px; font-weight: 600; ` +
  `letter-spacing: .03em; text-transform: uppercase; color: #6b5a2e; background: #f6edd4; border-radius: 4px; ` +
  `padding: 0 5px; vertical-align: 1px; }
.table-frame { position: relative; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.table-wrap { overflow-x: auto; }
.table-wrap:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.table-frame::after { content: ""; position: absolute; top: 0; right: 0; bottom: 0; width: 18px; ` +
  `pointer-events: none; opacity: 0; transition: opacity .15s; ` +
  `background: linear-gradient(to left, rgba(29, 36, 48, .14), rgba(29, 36, 48, 0)); }
.table-frame.more-right::after { opacity: 1; }
table#leaderboard { border-collapse: separate; border-spacing: 0; width: 100%; font-variant-numeric: tabular-nums; }
#leaderboard th, #leaderboard td { padding: 6px 8px; border-bottom: 1px solid var(--line); ` +
  `text-align: left; vertical-align: top; background: var(--row); }
#leaderboard thead th { background: var(--head); font-weight: 600; font-size: 12px; }
#leaderboard thead th.num { white-space: normal; overflow-wrap: break-word; }
#leaderboard thead th.group { text-align: center; border-left: 1px solid var(--line); }
#leaderboard thead th.table-group { font-size: 13px; }
#leaderboard .num { text-align: right; white-space: nowrap; padding-left: 6px; padding-right: 6px; }
#leaderboard td.num .v, #leaderboard td.num .ci { display: block; }
#leaderboard .ci { font-size: 11px; color: var(--muted); }
#leaderboard td.cost { white-space: normal; min-width: 6em; }
#leaderboard td.cost .ci span { white-space: nowrap; }
#leaderboard .none { color: #b0b5bd; }
#leaderboard th.judge { position: sticky; left: 0; z-index: 1; font-weight: 600; min-width: 13em; max-width: 18em; ` +
  `word-break: normal; overflow-wrap: break-word; box-shadow: inset -1px 0 0 var(--line); }
#leaderboard thead th.judge { z-index: 2; }
#leaderboard .judge .tag { margin-left: 2px; }
#leaderboard .cite { display: block; font-size: 11px; font-weight: 400; color: var(--paper); ` +
  `overflow-wrap: break-word; }
#leaderboard tbody tr:nth-child(even) > * { background: var(--row-even); }
#leaderboard tr.paper > * { font-style: italic; color: var(--paper); font-weight: 400; background: var(--row-paper); }
#leaderboard tbody tr:hover > * { background: var(--row-hover); }
#leaderboard tfoot th, #leaderboard tfoot td { background: var(--head); font-weight: 600; border-bottom: 0; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable:hover { color: var(--accent); }
th.sortable[aria-sort="ascending"]::after { content: " ▲"; font-size: 9px; }
th.sortable[aria-sort="descending"]::after { content: " ▼"; font-size: 9px; }
.chart-scroll { overflow-x: auto; }
.chart-box { position: relative; height: 360px; }
.chart-box.bars { height: 420px; }
.caption { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
label.pick { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; margin: 0 0 8px; }
select { font: inherit; padding: 3px 6px; border: 1px solid #c9ced6; border-radius: 6px; background: #fff; ` +
  `min-width: 0; max-width: 100%; }
.versions { margin-top: 24px; }
.versions summary { cursor: pointer; color: var(--muted); }
.versions table { border-collapse: collapse; margin-top: 6px; }
.versions th, .versions td { text-align: left; padding: 2px 12px 2px 0; font-weight: 400; }
.notes ul { margin: 0; padding-left: 20px; }
.notes li { overflow-wrap: break-word; }
.muted { color: var(--muted); }
@media (max-width: 1320px) {
  main { padding-left: 20px; padding-right: 20px; }
}
@media (max-width: 600px) {
  main { padding: 16px 14px 40px; }
  h1 { font-size: 21px; }
  #leaderboard th.judge { min-width: 10.5em; max-width: 12em; }
  #leaderboard td.cost { white-space: nowrap; }
}
`;

/**
 * The page's own script: parses the JSON data element, draws both charts and makes the table sortable. It never
 * writes markup: chart text goes to the canvas and sorting only moves existing rows.
 */
const PAGE_SCRIPT =
  `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('leaderboard-data').textContent);
  var palette = ['#2f6fde', '#e0593b', '#2a9d6f', '#9b59b6', '#d4a017', '#17a2b8', '#c2417d', '#6c757d', ` +
  `'#7a5c3e', '#4b8b3b'];
  function color(i) { return palette[i % palette.length]; }
  function fmt(v) { return v === null || v === undefined ? '—' : v.toFixed(1); }
  // Axis and legend text is shortened so one long id cannot squeeze the plot; tooltips keep the full text.
  function short(text, max) { return text.length > max ? text.slice(0, max - 1) + '…' : text; }
  var legend = {
    position: 'bottom',
    labels: {
      generateLabels: function (chart) {
        return Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (item) { item.text ` +
  `= short(item.text, 40); return item; });
      }
    }
  };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#475467';

  // Score over time: one line per judge measured here, one point per kept night, for the selected column.
  var judges = [];
  data.history.forEach(function (p) { if (judges.indexOf(p.judge) < 0) judges.push(p.judge); });
  function series(columnId) {
    return judges.map(function (judge) {
      return data.nights.map(function (date) {
        for (var i = 0; i < data.history.length; i++) {
          var p = data.history[i];
          if (p.date === date && p.judge === judge && p.column === columnId) return p.value;
        }
        return null;
      });
    });
  }
  var select = document.getElementById('history-column');
  var first = series(select.value);
  var lineChart = new Chart(document.getElementById('history-chart'), {
    type: 'line',
    data: {
      labels: data.nights,
      datasets: judges.map(function (judge, i) {
        return { label: judge, data: first[i], borderColor: color(i), backgroundColor: color(i), ` +
  `pointRadius: 3, tension: 0, spanGaps: false };
      })
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: { offset: true }, y: { title: { display: true, text: 'score (%)' } } },
      plugins: {
        legend: legend,
        tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ': ' + fmt(ctx.parsed.y); } } }
      }
    }
  });
  select.addEventListener('change', function () {
    var values = series(select.value);
    lineChart.data.datasets.forEach(function (dataset, i) { dataset.data = values[i]; });
    lineChart.update();
  });

  // Tonight per column: bars with the 95% interval drawn as whiskers and given in the tooltip.
  var intervals = data.latest.map(function (row) { return row.cells.map(function (c) { return c.ci; }); });
  var whiskers = {
    id: 'whiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var y = chart.scales.y;
      ctx.save();
      ctx.strokeStyle = '#1d2430';
      ctx.lineWidth = 1.2;
      chart.data.datasets.forEach(function (dataset, i) {
        if (!chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach(function (bar, j) {
          var ci = intervals[i][j];
          if (!ci) return;
          var top = y.getPixelForValue(ci[1]);
          var bottom = y.getPixelForValue(ci[0]);
          var cap = Math.max(2, Math.min(6, bar.width / 4));
          ctx.beginPath();
          ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - cap, top); ctx.lineTo(bar.x + cap, top);
          ctx.moveTo(bar.x - cap, bottom); ctx.lineTo(bar.x + cap, bottom);
          ctx.stroke();
        });
      });
      ctx.restore();
    }
  };
  new Chart(document.getElementById('category-chart'), {
    type: 'bar',
    data: {
      labels: data.columns.map(function (c) { return [short(c.benchmark, 18), short(c.label, 18)]; }),
      datasets: data.latest.map(function (row, i) {
        return { label: row.judge, data: row.cells.map(function (c) { return c.value; }), ` +
  `backgroundColor: color(judges.indexOf(row.judge) < 0 ? i : judges.indexOf(row.judge)) };
      })
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: 'score (%)' } }, ` +
  `x: { ticks: { autoSkip: false, maxRotation: 60 } } },
      plugins: {
        // Left-aligned: where the chart scrolls sideways (a phone) the legend starts in view.
        legend: Object.assign({}, legend, { align: 'start' }),
        tooltip: {
          callbacks: {
            title: function (items) { var c = data.columns[items[0].dataIndex]; ` +
  `return c.table + ' · ' + c.benchmark + ' · ' + c.label; },
            label: function (ctx) {
              var cell = data.latest[ctx.datasetIndex].cells[ctx.dataIndex];
              var text = ctx.dataset.label + ': ' + fmt(cell.value);
              if (cell.ci) text += ' [' + fmt(cell.ci[0]) + ', ' + fmt(cell.ci[1]) + ']';
              if (cell.n !== null) text += ', ' + cell.n + ' items';
              return text;
            }
          }
        }
      }
    },
    plugins: [whiskers]
  });

  // Sorting: click (or Enter on) a column header; numbers descending first, missing values always last.
  var table = document.getElementById('leaderboard');
  var headers = Array.prototype.slice.call(table.querySelectorAll('th.sortable'));
  var position = {};
  var col = 0;
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (th.classList.contains('sortable')) { position[headers.indexOf(th)] = col; col += 1; }
    else { col += th.colSpan; }
  });
  var valueStart = 1;
  Array.prototype.forEach.call(table.tHead.rows[2].cells, function (th) {
    position[headers.indexOf(th)] = valueStart; valueStart += 1;
  });
  headers.forEach(function (th, h) {
    function sort() {
      var numeric = th.dataset.kind === 'num';
      var dir = th.getAttribute('aria-sort') === (numeric ? 'descending' : 'ascending') ? -1 : 1;
      if (numeric) dir = -dir;
      headers.forEach(function (other) { other.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[position[h]].dataset.v;
        var y = b.cells[position[h]].dataset.v;
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        if (numeric) return dir * (Number(x) - Number(y));
        return dir * (x < y ? -1 : x > y ? 1 : 0);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { ` +
  `event.preventDefault(); sort(); } });
  });

  // A shadow on the table's right edge while there are columns to scroll to.
  var wrap = table.parentNode;
  function edge() {
    wrap.parentNode.classList.toggle('more-right', wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
  }
  wrap.addEventListener('scroll', edge, { passive: true });
  window.addEventListener('resize', edge);
  edge();
})();
`;

export function renderLeaderboardHtml(data: LeaderboardData, history: readonly LeaderboardData[]): string {
  const columns = groupColumns(data.columns).flatMap((t) => t.benchmarks.flatMap((b) => b.columns));
  const nights = nightsOf(data, history);
  const points = buildHistory(data, history);
  const changed = changes(nights);
  const measured = data.rows.filter((r) => r.source === 'this run').length;
  const published = data.rows.length - measured;
  // The line chart opens on the first column any measured judge has a value in (not one only published rows fill).
  const shown = (columns.find((c) => points.some((p) => p.column === c.id && p.value !== null)) ?? columns[0])?.id;
  const options = columns.map(
    (c) =>
      `<option value="${escapeHtml(c.id)}"${c.id === shown ? ' selected' : ''}>` +
      `${escapeHtml(`${c.table} · ${c.benchmark} · ${c.label}`)}</option>`,
  );
  const nightsText =
    `${nights.length} night${nights.length === 1 ? '' : 's'} kept ` +
    `(${escapeHtml(nights[0]?.date ?? data.date)} to ${escapeHtml(data.date)})`;
  // Room for each column's bars and its two-line label: on a phone the bar chart scrolls sideways instead.
  const barsWidth = 80 + columns.length * (16 + 8 * Math.max(1, measured));
  const changeText = changed.length > 0 ? ` Not comparable across: ${changed.map(escapeHtml).join('; ')}.` : '';

  return (
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Autorater leaderboard, ${escapeHtml(data.date)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Autorater leaderboard</h1>
<p class="sub">How well LLM judges agree with human judgments on the FLAMe paper's benchmarks (Table 1 ` +
    `and Table 2 columns), measured on ${escapeHtml(data.date)}: ${measured} judge${measured === 1 ? '' : 's'} ` +
    `measured here, ${published} published row${published === 1 ? '' : 's'} for reference.</p>
${renderMeta(data)}
<p class="legend">Scores are percentages, one decimal. The small <span class="muted">[lo, hi]</span> ` +
    `under a score is its 95% bootstrap interval over items (${escapeHtml(String(data.resamples))} resamples); ` +
    `hover a score for the number of items. Rows tagged <span class="tag">published</span> are the paper's ` +
    `reported numbers with their citation: they were not measured here and have no interval. Cost is what ` +
    `tonight's requests cost; answers reused from the store are free. Click a column header to sort; a table ` +
    `wider than the window scrolls sideways.</p>
${renderTable(data, columns)}
${renderNotes(data)}
<section class="charts">
<h2>Score over time</h2>
<label class="pick">Column <select id="history-column">${options.join('')}</select></label>
<div class="chart-box"><canvas id="history-chart" role="img" aria-label="Each measured judge's score per ` +
    `night for the selected column"></canvas></div>
<p class="caption">One point per night, ${nightsText}; judges measured here only (published numbers do ` +
    `not change).${changeText}</p>
<h2>Per column, ${escapeHtml(data.date)}</h2>
<div class="chart-scroll"><div class="chart-box bars" style="min-width: ${barsWidth}px">` +
    `<canvas id="category-chart" role="img" aria-label="Tonight's score per column for each measured judge, ` +
    `with 95% intervals"></canvas></div></div>
<p class="caption">Bars are tonight's scores of the judges measured here; whiskers are the 95% bootstrap ` +
    `intervals over items (also in the tooltips).</p>
</section>
${renderVersions(data)}
</main>
<script type="application/json" ` +
    `id="leaderboard-data">${jsonForScript(chartData(data, columns, nights, points))}</script>
<script>${chartJsSource()}</script>
<script>${inlineScript(PAGE_SCRIPT, 'the page script')}</script>
</body>
</html>
`
  );
}
