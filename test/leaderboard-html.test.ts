/**
 * The HTML leaderboard: pure checks on the text (escaping, determinism, history), then the page in a real headless
 * Chromium (Debian's /usr/bin/chromium driven by playwright-core): no network, no injected markup, both charts drawn.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaderboardColumn, LeaderboardData, LeaderboardRow } from '../reports/leaderboard-data.ts';
import { buildHistory, renderLeaderboardHtml } from '../reports/leaderboard-html.ts';
import { launchOffline } from './chromium.ts';
import { REPO, tempDir } from './helpers.ts';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(1)</script>';
const COMMENT = 'note <!-- with\u2028separators\u2029 & "quotes"';

const COLUMNS: LeaderboardColumn[] = [
  { id: 'hhh:Accuracy', benchmark: 'hhh', label: 'Accuracy', table: 'Table 1' },
  { id: 'llmbar:Accuracy', benchmark: 'llmbar', label: 'Accuracy', table: 'Table 1' },
  { id: 'rankgen:Accuracy', benchmark: 'rankgen', label: 'Accuracy', table: 'Table 1' },
  { id: 'copoem:Accuracy', benchmark: 'copoem', label: 'Accuracy', table: 'Table 1' },
  { id: 'rewardbench:Avg', benchmark: 'rewardbench', label: 'Avg', table: 'Table 2' },
  { id: 'rewardbench:Chat', benchmark: 'rewardbench', label: 'Chat', table: 'Table 2' },
  { id: 'rewardbench:Chat Hard', benchmark: 'rewardbench', label: 'Chat Hard', table: 'Table 2' },
  { id: 'rewardbench:Safety', benchmark: 'rewardbench', label: `Safety${SCRIPT}`, table: 'Table 2' },
  { id: 'rewardbench:Reasoning', benchmark: 'rewardbench', label: 'Reasoning', table: 'Table 2' },
];

const MEASURED = ['longer-wins', 'gpt-4o', IMG, SCRIPT];

/** A deterministic score per night, judge and column, spread over 40-95 so the charts have visible differences. */
function score(night: number, judge: number, column: number): number {
  return 40 + ((judge * 17 + column * 7 + night * 3) % 55) + 0.25 * judge;
}

function measuredRow(night: number, j: number): LeaderboardRow {
  const cells: LeaderboardRow['cells'] = {};
  COLUMNS.forEach((c, k) => {
    // One hole so a missing value is drawn as a gap, not a zero.
    if (j === 1 && k === 3) return;
    const value = score(night, j, k);
    cells[c.id] = { value, ci: [value - 2.5 - j * 0.5, value + 2.5 + j * 0.5], n: 200 + k };
  });
  return {
    judge: MEASURED[j]!,
    source: 'this run',
    cells,
    cost: {
      inputTokens: 120_000 * (j + 1),
      outputTokens: 9_000 * (j + 1),
      usd: j === 0 ? 0 : 0.37 * j,
      asked: 200 * j,
      cached: 1800 - 200 * j,
    },
    ...(j === 2 ? { notes: [COMMENT, `aggrefact skipped: ${IMG}`] } : {}),
  };
}

const PAPER: LeaderboardRow[] = [
  {
    judge: 'FLAMe-RM-24B',
    source: 'paper',
    citation: 'FLAMe (Vu et al. 2024) Table 2',
    cells: Object.fromEntries(
      COLUMNS.slice(4).map((c, k) => [c.id, { value: [87.8, 92.2, 75.7, 89.6, 93.8][k]!, ci: null, n: null }]),
    ),
  },
  {
    judge: 'GPT-4-0125',
    source: 'paper',
    citation: `FLAMe (Vu et al. 2024) Table 1 ${SCRIPT}`,
    cells: Object.fromEntries(COLUMNS.map((c, k) => [c.id, { value: 70 + k * 2.1, ci: null, n: null }])),
  },
];

function night(index: number, date: string): LeaderboardData {
  const rows = [...MEASURED.map((_, j) => measuredRow(index, j)), ...PAPER];
  const usd = rows.reduce((sum, r) => sum + (r.cost?.usd ?? 0), 0);
  return {
    date,
    harnessVersion: `0.1.0 ${IMG}`,
    promptVersion: index === 0 ? 'a'.repeat(64) : `${'b'.repeat(60)}<!--`,
    dataVersions: { rewardbench: `sha256:${'c'.repeat(16)}`, hhh: index === 2 ? `ids:${SCRIPT}` : 'ids:0001' },
    seed: 0,
    resamples: 1000,
    sample: 256,
    columns: COLUMNS,
    rows,
    cost: { inputTokens: 1_200_000, outputTokens: 90_000, usd },
  };
}

const NIGHTS = [night(0, '2025-06-01'), night(1, '2025-06-02'), night(2, '2025-06-03')];
const TODAY = NIGHTS[2]!;
const HISTORY = NIGHTS.slice(0, 2);

/** Runs browser code given as text: the project compiles without the DOM library, so it is not type-checked here. */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** The JSON data element's text as written. */
function jsonText(html: string): string {
  const match = /<script type="application\/json" id="leaderboard-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no JSON data element');
  return match[1]!;
}

describe('renderLeaderboardHtml (text)', () => {
  const html = renderLeaderboardHtml(TODAY, HISTORY);

  it('is byte-identical for the same inputs, whether or not the history already holds tonight', () => {
    expect(renderLeaderboardHtml(TODAY, HISTORY)).toBe(html);
    expect(renderLeaderboardHtml(TODAY, NIGHTS)).toBe(html);
    // A stale copy of tonight in history/ (an earlier run the same night) loses to tonight's data.
    const stale = { ...TODAY, rows: TODAY.rows.map((r) => ({ ...r, cells: {} })) };
    expect(renderLeaderboardHtml(TODAY, [...HISTORY, stale])).toBe(html);
    expect(renderLeaderboardHtml(structuredClone(TODAY), structuredClone(HISTORY))).toBe(html);
  });

  it('builds one history point per night, measured judge and column, oldest first, without duplicate nights', () => {
    const points = buildHistory(TODAY, [NIGHTS[1]!, NIGHTS[0]!, NIGHTS[1]!, TODAY]);
    expect(points).toHaveLength(3 * MEASURED.length * COLUMNS.length);
    expect([...new Set(points.map((p) => p.date))]).toEqual(['2025-06-01', '2025-06-02', '2025-06-03']);
    expect(new Set(points.map((p) => p.judge))).toEqual(new Set(MEASURED));
    expect(
      points.find((p) => p.date === '2025-06-02' && p.judge === 'gpt-4o' && p.column === 'copoem:Accuracy')?.value,
    ).toBeNull();
    expect(
      points.find((p) => p.date === '2025-06-01' && p.judge === 'longer-wins' && p.column === 'hhh:Accuracy')?.value,
    ).toBe(score(0, 0, 0));
  });

  it('puts the chart data in an escaped JSON element that parses back to the hostile strings', () => {
    const text = jsonText(html);
    expect(text).not.toMatch(/<|>|\u2028|\u2029/);
    const parsed = JSON.parse(text) as { latest: { judge: string }[]; columns: { label: string }[]; nights: string[] };
    expect(parsed.latest.map((r) => r.judge)).toEqual(MEASURED);
    expect(parsed.columns.map((c) => c.label)).toContain(`Safety${SCRIPT}`);
    expect(parsed.nights).toEqual(['2025-06-01', '2025-06-02', '2025-06-03']);
  });

  it('escapes every judge and dataset string in the markup', () => {
    // Neither the renderer, the library nor the page script contains these, so any raw occurrence is an injection.
    for (const hostile of [IMG, SCRIPT, '<!--']) expect(html.includes(hostile)).toBe(false);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // Exactly the three script elements the renderer writes.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<img\b/g)).toBeNull();
  });

  it('has no URLs other than in the inlined Chart.js license comments, and no source-map pointer', () => {
    const withoutLicenses = html.replace(/\/\*![\s\S]*?\*\//g, '');
    // Matches, not the 200 kB page, are what a failure prints.
    expect(withoutLicenses.match(/.{0,40}:\/\/.{0,40}/)).toBeNull();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
    expect(style).toBeDefined();
    expect(style!.match(/.{0,40}(@import|url\().{0,40}/i)).toBeNull();
    expect(html.match(/.{0,40}sourceMappingURL.{0,40}/)).toBeNull();
  });
});

describe('the HTML leaderboard in headless Chromium', () => {
  let context: BrowserContext | undefined;
  let page: Page;
  let pageUrl: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  let userDataDir: string | undefined;
  let pageDir: string | undefined;

  beforeAll(async () => {
    pageDir = tempDir('autorater-leaderboard-');
    const file = path.join(pageDir, 'index.html');
    fs.writeFileSync(file, renderLeaderboardHtml(TODAY, HISTORY));
    pageUrl = pathToFileURL(file).href;
    // Every request except the page itself is recorded and refused: the page must not need any.
    ({ context, userDataDir } = await launchOffline({
      allow: (url) => url === pageUrl,
      refused: requests,
      viewport: { width: 1400, height: 900 },
    }));
    context.on('request', (request) => {
      if (request.url() !== pageUrl && !requests.includes(request.url())) requests.push(request.url());
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(pageUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
    for (const dir of [userDataDir, pageDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads without network requests, errors or dialogs', async () => {
    const resources = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(resources).toEqual([]);
    // Nothing in the DOM points anywhere: no URL-bearing attributes, no attribute value holding a URL.
    const links = await inPage<string[]>(
      page,
      `Array.from(document.querySelectorAll('*')).flatMap((element) =>
        Array.from(element.attributes)
          .filter((a) => ['src', 'href', 'srcset', 'action', 'formaction', 'poster', 'data', 'background']` +
        `.includes(a.name) || a.value.includes('://'))
          .map((a) => element.tagName + ' ' + a.name + '=' + a.value))`,
    );
    expect(links).toEqual([]);
    expect(requests).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows one row per judge with the hostile ids as literal text and the paper rows marked', async () => {
    const rows = page.locator('#leaderboard tbody tr');
    await expect(rows.count()).resolves.toBe(MEASURED.length + PAPER.length);
    const names = await page.locator('#leaderboard tbody th.judge .name').allTextContents();
    expect(names).toEqual([...MEASURED, ...PAPER.map((r) => r.judge)]);
    const paper = page.locator('#leaderboard tbody tr.paper');
    await expect(paper.count()).resolves.toBe(2);
    await expect(paper.first().locator('.tag').textContent()).resolves.toBe('published');
    await expect(paper.nth(1).locator('.cite').textContent()).resolves.toBe(PAPER[1]!.citation);
    const italic = await inPage<string>(
      page,
      `getComputedStyle(document.querySelector('#leaderboard tbody tr.paper td.num')).fontStyle`,
    );
    expect(italic).toBe('italic');
    // Nothing was injected: no image, only the renderer's three scripts, the hostile label shown as text.
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.locator('script').count()).resolves.toBe(3);
    await expect(page.locator('#leaderboard thead th', { hasText: `Safety${SCRIPT}` }).count()).resolves.toBe(1);
    await expect(page.locator('.notes li').first().textContent()).resolves.toBe(`${IMG}: ${COMMENT}`);
    // A value with its interval, and the night's total cost.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text as rendered
    const first = await rows.first().locator('td.num').first().innerText();
    const value = score(2, 0, 0);
    expect(first.replace(/\s+/g, ' ')).toBe(
      `${value.toFixed(1)} [${(value - 2.5).toFixed(1)}, ${(value + 2.5).toFixed(1)}]`,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text as rendered
    await expect(page.locator('#leaderboard tfoot').innerText()).resolves.toContain(`$${TODAY.cost.usd!.toFixed(2)}`);
  });

  it('draws both charts with the expected datasets and visible pixels', async () => {
    const charts = await inPage<
      { width: number; height: number; labels: number; datasets: string[]; painted: number; colors: number }[]
    >(
      page,
      `['history-chart', 'category-chart'].map((id) => {
        const canvas = document.getElementById(id);
        const chart = Chart.getChart(canvas);
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        const colors = new Set();
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i + 3] > 0) {
            painted += 1;
            colors.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
          }
        }
        return {
          width: canvas.width,
          height: canvas.height,
          labels: chart ? chart.data.labels.length : -1,
          datasets: chart ? chart.data.datasets.map((d) => d.label) : [],
          painted: painted / (canvas.width * canvas.height),
          colors: colors.size,
        };
      })`,
    );
    const [history, category] = charts;
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(200);
      expect(chart.height).toBeGreaterThan(200);
      expect(chart.painted).toBeGreaterThan(0.02);
      expect(chart.colors).toBeGreaterThan(MEASURED.length);
    }
    expect(history!.datasets).toEqual(MEASURED);
    expect(history!.labels).toBe(3);
    expect(category!.datasets).toEqual(MEASURED);
    expect(category!.labels).toBe(COLUMNS.length);
  });

  it('switches the over-time chart to the column picked in the select', async () => {
    const values = () =>
      inPage<(number | null)[]>(page, `Chart.getChart(document.getElementById('history-chart')).data.datasets[0].data`);
    await expect(page.locator('#history-column').inputValue()).resolves.toBe(COLUMNS[0]!.id);
    expect(await values()).toEqual([0, 1, 2].map((n) => score(n, 0, 0)));
    await page.selectOption('#history-column', 'rewardbench:Chat Hard');
    expect(await values()).toEqual([0, 1, 2].map((n) => score(n, 0, 6)));
    await page.selectOption('#history-column', COLUMNS[0]!.id);
  });

  it('sorts the table by a clicked column, highest first, missing values last', async () => {
    const header = page.locator('#leaderboard thead tr').nth(2).locator('th').nth(3); // copoem Accuracy
    await header.click();
    const names = await page.locator('#leaderboard tbody th.judge .name').allTextContents();
    const expected = [...TODAY.rows]
      .filter((r) => r.cells['copoem:Accuracy'])
      .sort((a, b) => b.cells['copoem:Accuracy']!.value! - a.cells['copoem:Accuracy']!.value!)
      .map((r) => r.judge);
    expect(names.slice(0, expected.length)).toEqual(expected);
    expect(new Set(names.slice(expected.length))).toEqual(new Set(['gpt-4o', 'FLAMe-RM-24B']));
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    // Back to the data's order for the screenshot.
    await page.reload({ waitUntil: 'load' });
    expect(pageErrors).toEqual([]);
  });

  it('saves a full-page screenshot to test-results/leaderboard.png', async () => {
    const out = path.join(REPO, 'test-results', 'leaderboard.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    expect(fs.statSync(out).size).toBeGreaterThan(10_000);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

/**
 * The page as people read it, on a laptop (1280 px) and a phone (390 px), with the real leaderboard's columns, its
 * long replay judge ids, a priced judge and published rows: the page never scrolls sideways (only the table's own
 * scroller does), no cell's content spills out of its box, judge names wrap only between their parts and a
 * published row says so once. Screenshots go to test-results/leaderboard-<width>.png.
 */
describe('the HTML leaderboard at 1280 and 390 px (headless Chromium)', () => {
  const TABLE_1: [string, string][] = [
    ['aggrefact', 'AggreFact'],
    ['rankgen', 'RankG'],
    ['contrastive-search', 'ContS'],
    ['litmt', 'LitMT'],
    ['hhh', 'HHH'],
    ['copoem', 'CoPoem'],
    ['expert-lfqa', 'EQA'],
  ];
  const LAYOUT_COLUMNS: LeaderboardColumn[] = [
    ...TABLE_1.map(
      ([benchmark, label]): LeaderboardColumn => ({
        id: `${benchmark}:${label}`,
        benchmark,
        label,
        table: 'Table 1',
      }),
    ),
    ...['Avg', 'Chat', 'Chat Hard', 'Safety', 'Reasoning'].map(
      (label): LeaderboardColumn => ({ id: `rewardbench:${label}`, benchmark: 'rewardbench', label, table: 'Table 2' }),
    ),
  ];
  const SKYWORK = 'replay:Skywork/Skywork-Reward-Gemma-2-27B';
  const PRICED = 'openai:gpt-4o-2024-08-06';
  const PRICED_COST = { inputTokens: 1_234_567, outputTokens: 98_765, usd: 12.34, asked: 3955, cached: 0 };

  function cells(j: number, only?: string): LeaderboardRow['cells'] {
    return Object.fromEntries(
      LAYOUT_COLUMNS.filter((c) => !only || c.benchmark === only).map((c, k) => {
        const value = score(1, j, k);
        return [c.id, { value, ci: [value - 3.1, value + 2.9], n: 256 }];
      }),
    );
  }
  const unpriced = (asked: number) => ({ inputTokens: 0, outputTokens: 0, usd: null, asked, cached: 0 });
  const published = (judge: string, tables: string): LeaderboardRow => ({
    judge,
    source: 'paper',
    citation: tables,
    cells: Object.fromEntries(LAYOUT_COLUMNS.map((c, k) => [c.id, { value: 60 + k * 2.3, ci: null, n: null }])),
  });
  const BOARD: LeaderboardData = {
    ...night(2, '2026-12-07'),
    harnessVersion: '0.1.0',
    promptVersion: '2e322e565c1036fb'.repeat(4),
    dataVersions: { hhh: 'ids:0001', rewardbench: `sha256:${'c'.repeat(64)}` },
    columns: LAYOUT_COLUMNS,
    rows: [
      { judge: 'longer-wins', source: 'this run', cells: cells(0), cost: unpriced(3955) },
      { judge: 'random', source: 'this run', cells: cells(1), cost: unpriced(4723) },
      { judge: PRICED, source: 'this run', cells: cells(2), cost: PRICED_COST },
      { judge: SKYWORK, source: 'this run', cells: cells(3, 'rewardbench'), cost: unpriced(2985) },
      {
        judge: 'replay:NCSOFT/Llama-3-OffsetBias-RM-8B',
        source: 'this run',
        cells: cells(4, 'rewardbench'),
        cost: unpriced(2985),
      },
      published('Llama-3-70B-Inst', 'FLAMe Table 1 (ACL); FLAMe Table 2 (ACL)'),
      published('FLAMe-RM-24B', 'FLAMe Table 1 (ACL); FLAMe Table 2 (ACL)'),
      published('Gemini-1.5-Pro', 'FLAMe Table 2 (ACL)'),
    ],
    cost: { inputTokens: PRICED_COST.inputTokens, outputTokens: PRICED_COST.outputTokens, usd: PRICED_COST.usd },
  };

  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let pageDir: string | undefined;
  let pageUrl: string;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    pageDir = tempDir('autorater-leaderboard-layout-');
    const file = path.join(pageDir, 'index.html');
    fs.writeFileSync(file, renderLeaderboardHtml(BOARD, []));
    pageUrl = pathToFileURL(file).href;
    ({ context, userDataDir } = await launchOffline({ allow: (url) => url === pageUrl, refused: requests }));
  });

  afterAll(async () => {
    await context?.close();
    for (const dir of [userDataDir, pageDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    describe(`at ${width}×${height}`, () => {
      let page: Page;

      beforeAll(async () => {
        page = await context!.newPage();
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await page.setViewportSize({ width, height });
        await page.goto(pageUrl, { waitUntil: 'load' });
      });

      afterAll(async () => {
        await page?.close();
      });

      it('never scrolls the page sideways: the table (on a phone the bar chart too) scrolls in its box', async () => {
        const sizes = await inPage<{ page: number; body: number; window: number; wrap: string; wide: string[] }>(
          page,
          `({
            page: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            window: window.innerWidth,
            wrap: getComputedStyle(document.querySelector('.table-wrap')).overflowX,
            // Any element reaching past the window's right edge, outside the two scrollers.
            wide: Array.from(document.querySelectorAll('body *'))
              .filter((e) => !e.closest('.table-wrap, .chart-scroll') && e.getBoundingClientRect().right > ` +
            `window.innerWidth + 0.5)
              .map((e) => e.tagName + '.' + e.className),
          })`,
        );
        expect(sizes.page).toBeLessThanOrEqual(sizes.window);
        expect(sizes.body).toBeLessThanOrEqual(sizes.window);
        expect(sizes.wrap).toBe('auto');
        expect(sizes.wide).toEqual([]);
        expect(pageErrors).toEqual([]);
        expect(requests).toEqual([]);
      });

      it('keeps every cell’s content inside its box, and the cost column reachable in full', async () => {
        const spills = await inPage<string[]>(
          page,
          `(() => {
            const spills = [];
            for (const cell of document.querySelectorAll('#leaderboard th, #leaderboard td')) {
              const what = cell.tagName + ' "' + cell.textContent.slice(0, 40) + '"';
              if (cell.scrollWidth > cell.clientWidth + 1) {
                spills.push(what + ': scrollWidth ' + cell.scrollWidth + ' > clientWidth ' + cell.clientWidth);
              }
              const box = cell.getBoundingClientRect();
              const range = document.createRange();
              range.selectNodeContents(cell);
              for (const r of range.getClientRects()) {
                if (r.width === 0) continue;
                if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || ` +
            `r.bottom > box.bottom + 1) {
                  spills.push(what + ': text at ' + [r.left, r.right, r.top, r.bottom].map(Math.round) + ` +
            `' outside ' + [box.left, box.right, box.top, box.bottom].map(Math.round));
                }
              }
            }
            return spills;
          })()`,
        );
        expect(spills).toEqual([]);
        // Scrolled to its right end, the table shows the whole cost column, the judge column still in place.
        const scrolled = await inPage<{
          fits: boolean;
          shadow: boolean;
          costs: { left: number; right: number; text: string }[];
          wrap: { left: number; right: number };
          judges: number[];
          shadowAtEnd: boolean;
        }>(
          page,
          `(() => {
            const wrap = document.querySelector('.table-wrap');
            const frame = wrap.parentElement;
            const fits = wrap.scrollWidth <= wrap.clientWidth + 1;
            const shadow = frame.classList.contains('more-right');
            wrap.scrollLeft = wrap.scrollWidth;
            wrap.dispatchEvent(new Event('scroll'));
            const box = wrap.getBoundingClientRect();
            const result = {
              fits,
              shadow,
              costs: Array.from(document.querySelectorAll('#leaderboard td.cost')).map((td) => {
                const r = td.getBoundingClientRect();
                return { left: r.left, right: r.right, text: td.innerText };
              }),
              wrap: { left: box.left, right: box.left + wrap.clientWidth },
              judges: Array.from(document.querySelectorAll('#leaderboard th.judge'))
                .map((th) => th.getBoundingClientRect().left - box.left),
              shadowAtEnd: frame.classList.contains('more-right'),
            };
            wrap.scrollLeft = 0;
            wrap.dispatchEvent(new Event('scroll'));
            return result;
          })()`,
        );
        expect(scrolled.costs).toHaveLength(BOARD.rows.filter((r) => r.cost).length + 1);
        for (const cost of scrolled.costs) {
          expect(cost.left).toBeGreaterThanOrEqual(scrolled.wrap.left - 1);
          expect(cost.right).toBeLessThanOrEqual(scrolled.wrap.right + 1);
        }
        expect(scrolled.costs.map((c) => c.text.replace(/\s+/g, ' '))).toContain('$12.34 1.2M in / 98.8k out');
        for (const left of scrolled.judges) expect(Math.abs(left)).toBeLessThanOrEqual(1);
        if (width === 1280) {
          // The issue: on a laptop the cost column was cut off. The real leaderboard's columns now fit.
          expect(scrolled.fits).toBe(true);
          expect(scrolled.shadow).toBe(false);
        } else {
          expect(scrolled.fits).toBe(false);
          expect(scrolled.shadow).toBe(true);
          expect(scrolled.shadowAtEnd).toBe(false);
        }
      });

      it('wraps judge names only after "/", ":", "_", "-" or a space, never inside a word', async () => {
        const names = await inPage<
          { text: string; lines: string[]; wordBreak: string; overflowWrap: string; width: number }[]
        >(
          page,
          `Array.from(document.querySelectorAll('#leaderboard tbody th.judge .name')).map((name) => {
            const cell = name.closest('th');
            const lines = [];
            let line = '';
            let top = null;
            const walker = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (let i = 0; i < node.data.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = Array.from(range.getClientRects()).find((r) => r.width > 0);
                if (rect && top !== null && rect.top > top + 1) {
                  lines.push(line);
                  line = '';
                }
                if (rect) top = rect.top;
                line += node.data[i];
              }
            }
            lines.push(line);
            const style = getComputedStyle(cell);
            return {
              text: name.textContent,
              lines,
              wordBreak: style.wordBreak,
              overflowWrap: style.overflowWrap,
              width: cell.clientWidth,
            };
          })`,
        );
        expect(names.map((n) => n.text)).toEqual(BOARD.rows.map((r) => r.judge));
        for (const name of names) {
          // Breaking anywhere is only the last resort for a part wider than the column, which these names have none of.
          expect(name.wordBreak).toBe('normal');
          expect(name.overflowWrap).toBe('break-word');
          expect(name.lines.join('')).toBe(name.text);
          for (const line of name.lines.slice(0, -1)) expect(line, `${name.text}: ${name.lines}`).toMatch(/[/:_\- ]$/);
        }
        // The long replay id does wrap at both widths, so the check above had line breaks to look at.
        expect(names.find((n) => n.text === SKYWORK)!.lines.length).toBeGreaterThan(1);
      });

      it('labels each published row once, and no measured row', async () => {
        const rows = await inPage<{ judge: string; paper: boolean; tags: number; mentions: number }[]>(
          page,
          `Array.from(document.querySelectorAll('#leaderboard tbody tr')).map((tr) => ({
            judge: tr.querySelector('.name').textContent,
            paper: tr.classList.contains('paper'),
            tags: tr.querySelectorAll('.tag').length,
            mentions: (tr.innerText.match(/published/gi) || []).length,
          }))`,
        );
        expect(rows).toEqual(
          BOARD.rows.map((r) => ({
            judge: r.judge,
            paper: r.source === 'paper',
            tags: r.source === 'paper' ? 1 : 0,
            mentions: r.source === 'paper' ? 1 : 0,
          })),
        );
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text as rendered
        const head = await page.locator('#leaderboard thead').innerText();
        expect(head).not.toMatch(/source|published/i);
      });

      it(`saves a full-page screenshot to test-results/leaderboard-${width}.png`, async () => {
        const out = path.join(REPO, 'test-results', `leaderboard-${width}.png`);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        await page.screenshot({ path: out, fullPage: true });
        expect(fs.statSync(out).size).toBeGreaterThan(10_000);
        expect(pageErrors).toEqual([]);
        expect(requests).toEqual([]);
      });
    });
  }
});

/**
 * Every string a leaderboard can carry from user files or data (judge ids, citations, notes, benchmark ids, column
 * labels and ids, data and prompt versions) set to a payload that would set window.__pwned if it ever ran. The same
 * page built from plain strings gives the element counts the renderer itself writes.
 */
describe('hostile text everywhere in the HTML leaderboard (headless Chromium)', () => {
  const PAYLOADS = [
    `<img src=x onerror="window.__pwned='img'">`,
    `"><svg onload="window.__pwned='svg'"></svg>`,
    `'><iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
    `</script><script>window.__pwned='script'</script>`,
    `<!--<script>window.__pwned='comment'</script>-->`,
    `<a href="javascript:window.__pwned='href'" autofocus onfocus="window.__pwned='focus'">x</a>`,
    `</title></style></textarea><body onload="window.__pwned='body'">\u2028\u2029`,
  ];

  function leaderboard(text: (k: number) => string): LeaderboardData {
    const columns: LeaderboardColumn[] = [
      { id: `hhh:${text(3)}`, benchmark: `hhh${text(1)}`, label: text(0), table: 'Table 1' },
      { id: `rb:${text(4)}`, benchmark: `rb${text(2)}`, label: text(5), table: 'Table 2' },
    ];
    const cells = (j: number): LeaderboardRow['cells'] =>
      Object.fromEntries(
        columns.map((c, k) => [c.id, { value: 50 + 10 * j + k, ci: [45 + 10 * j, 55 + 10 * j + k], n: 100 }]),
      );
    const cost = { inputTokens: 1000, outputTokens: 100, usd: 0.01, asked: 10, cached: 0 };
    return {
      date: '2025-07-01',
      harnessVersion: `0.1.0 ${text(6)}`,
      promptVersion: text(3),
      dataVersions: { [`hhh${text(1)}`]: text(4), [`rb${text(2)}`]: `sha256:${text(0)}` },
      seed: 0,
      resamples: 1000,
      sample: null,
      columns,
      rows: [
        ...PAYLOADS.map((_, j) => ({
          judge: text(j),
          source: 'this run' as const,
          cells: cells(j),
          cost,
          notes: [text((j + 1) % PAYLOADS.length)],
        })),
        { judge: `paper ${text(5)}`, source: 'paper' as const, citation: text(2), cells: cells(0) },
      ],
      cost: { inputTokens: 7000, outputTokens: 700, usd: 0.07 },
    };
  }
  const HOSTILE_BOARD = leaderboard((k) => PAYLOADS[k % PAYLOADS.length]!);
  const PLAIN_BOARD = leaderboard((k) => `plain ${k}`);

  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let pageDir: string | undefined;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];

  async function open(name: string, data: LeaderboardData): Promise<Page> {
    const file = path.join(pageDir!, `${name}.html`);
    fs.writeFileSync(file, renderLeaderboardHtml(data, []));
    const page = await context!.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return page;
  }

  /**
   * How many of each element the page has, apart from the <wbr> break hints the renderer puts after "/", ":" and "_"
   * in judge names (the payloads have more of those than the plain text): those must be bare and inside a name.
   */
  const tagCounts = async (page: Page) => {
    const stray = await inPage<string[]>(
      page,
      `Array.from(document.querySelectorAll('wbr'))
        .filter((e) => e.attributes.length > 0 || !e.parentElement.matches('#leaderboard th.judge > .name'))
        .map((e) => e.outerHTML + ' in ' + e.parentElement.outerHTML)`,
    );
    expect(stray).toEqual([]);
    return inPage<Record<string, number>>(
      page,
      `Array.from(document.querySelectorAll('*')).filter((e) => e.tagName !== 'WBR')
        .reduce((n, e) => ((n[e.tagName] = (n[e.tagName] || 0) + 1), n), {})`,
    );
  };

  beforeAll(async () => {
    pageDir = tempDir('autorater-leaderboard-hostile-');
    // Only the pages themselves may load; anything else (an injected image or frame) is recorded and refused.
    ({ context, userDataDir } = await launchOffline({
      allow: (url) => url.startsWith('file://') && url.endsWith('.html'),
      refused: requests,
      viewport: { width: 1400, height: 900 },
    }));
  });

  afterAll(async () => {
    await context?.close();
    for (const dir of [userDataDir, pageDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs none of it, even after sorting, picking every column, hovering and tabbing through the page', async () => {
    const page = await open('hostile', HOSTILE_BOARD);
    const headers = page.locator('#leaderboard thead th.sortable');
    for (let k = 0; k < (await headers.count()); k++) await headers.nth(k).click();
    const options = await page
      .locator('#history-column option')
      .evaluateAll((list) => list.map((o) => (o as unknown as { value: string }).value));
    for (const value of options) await page.selectOption('#history-column', value);
    const cellsOnPage = page.locator('#leaderboard td, #leaderboard th, .notes li, code');
    for (let k = 0; k < (await cellsOnPage.count()); k++) {
      const cell = cellsOnPage.nth(k);
      if (await cell.isVisible()) await cell.hover();
    }
    for (let k = 0; k < 40; k++) await page.keyboard.press('Tab');
    await page.reload({ waitUntil: 'load' });

    expect(await inPage<unknown>(page, 'window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    // Exactly the elements the renderer writes for plain text: nothing was parsed out of the payloads.
    const plain = await open('plain', PLAIN_BOARD);
    expect(await tagCounts(page)).toEqual(await tagCounts(plain));
    await plain.close();
    await page.close();
  });

  it('shows every payload as literal text where it belongs', async () => {
    const page = await open('hostile-text', HOSTILE_BOARD);
    const names = await page.locator('#leaderboard tbody th.judge .name').allTextContents();
    expect(names).toEqual(HOSTILE_BOARD.rows.map((r) => r.judge));
    await expect(page.locator('#leaderboard tbody tr.paper .cite').textContent()).resolves.toBe(PAYLOADS[2]);
    const notes = await page.locator('.notes li').allTextContents();
    expect(notes).toEqual(HOSTILE_BOARD.rows.flatMap((r) => (r.notes ?? []).map((n) => `${r.judge}: ${n}`)));
    const body = await inPage<string>(page, 'document.body.textContent');
    for (const payload of PAYLOADS) expect(body).toContain(payload);
    const options = await page.locator('#history-column option').allTextContents();
    expect(options).toEqual(HOSTILE_BOARD.columns.map((c) => `${c.table} · ${c.benchmark} · ${c.label}`));
    expect(await inPage<unknown>(page, 'window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
