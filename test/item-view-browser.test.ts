/**
 * The per-item pages in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), opened from
 * file:// with every other request refused: a run page whose data and replies hold markup (each filter and the
 * search change the shown count as the data says; a `<script>` in a reply or prompt stays text; a long text says
 * it was truncated), the full RewardBench page (only the rows on screen exist, however far it scrolls), and the
 * pages `npm run eval --out`, `npm run view` and `npm run compare --out` write (compare's wins and losses per
 * category are compare.json's McNemar counts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import type { BenchmarkComparison } from '../harness/compare.ts';
import { Store } from '../harness/store.ts';
import { storedRun } from '../harness/stored-run.ts';
import { longerWins } from '../judges/length.ts';
import { buildRunView, type ItemViewData, type ViewItem } from '../reports/item-view-data.ts';
import { renderItemViewHtml } from '../reports/item-view-html.ts';
import { IMG_TAG, SCRIPT_TAG, SEPARATORS, hostileLlmbar, markupJudge, runOn } from './fixtures/item-view-runs.ts';
import { launchOffline } from './chromium.ts';
import { DATA_DIR, REPO, runCli, tempDir } from './helpers.ts';

let context: BrowserContext;
let userDataDir: string;
let store: Store;
const pagesDir = tempDir('autorater-item-view-pages-');
const allowed = new Set<string>();
const requests: string[] = [];

/** What one opened page reported. */
interface Opened {
  page: Page;
  errors: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  const url = pathToFileURL(file).href;
  allowed.add(url);
  const page = await context.newPage();
  const opened: Opened = { page, errors: [], dialogs: [] };
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  return opened;
}

function writePage(name: string, html: string): string {
  const file = path.join(pagesDir, name);
  fs.writeFileSync(file, html);
  return file;
}

/** Runs browser code given as text: the project compiles without the DOM library, so it is not type-checked. */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** The count the page shows for its current filters. */
async function shown(page: Page): Promise<number> {
  const text = await page.locator('#counts .shown').textContent();
  return Number(text!.replace(/,/g, ''));
}

/** The page's own data, parsed back from its JSON element. */
function pageData(page: Page): Promise<ItemViewData> {
  return inPage(page, `JSON.parse(document.getElementById('item-data').textContent)`);
}

/** The page's search, independently: an item matches when any of its fields or texts contains the query. */
function matches(data: ItemViewData, item: ViewItem, query: string): boolean {
  const q = query.toLowerCase();
  const fields = [
    item.id,
    item.sub,
    item.gold,
    data.benchmarks[item.b]!,
    ...item.j.flatMap((j) => j.o.map((o) => o.v)),
  ];
  const texts = [
    ...item.j.flatMap((j) => j.o.flatMap((o) => (o.r === null ? [] : [o.r]))),
    ...item.p.flatMap((p) => p ?? []),
  ].map((t) => data.texts[t]!);
  return [...fields, ...texts].some((t) => t.toLowerCase().includes(q));
}

beforeAll(async () => {
  // Every request but the pages themselves is recorded and refused: a page must need none.
  ({ context, userDataDir } = await launchOffline({
    allow: (url) => allowed.has(url),
    refused: requests,
    viewport: { width: 1400, height: 900 },
  }));
  store = Store.open(path.join(tempDir('autorater-item-view-store-'), 'runs.sqlite'));
});

afterAll(async () => {
  await context?.close();
  store?.close();
  for (const dir of [userDataDir, pagesDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a run page with markup in its data and replies (419 LLMBar items, --swap, read back as view does)', () => {
  let opened: Opened;
  let data: ItemViewData;

  beforeAll(async () => {
    const dataDir = hostileLlmbar();
    const judge = markupJudge();
    // 400 of 419 items asked: the rest show as "not judged" errors.
    await runOn(judge, llmbar, dataDir, store, { limit: 400, swap: true });
    const run = await storedRun(judge, [llmbar], { dataDir, seed: 0, store, swap: true });
    data = buildRunView(run, ['419 items of llmbar; seed 0, --swap']);
    opened = await open(writePage('hostile.html', renderItemViewHtml(data)));
  });

  it('opens from file:// without requests, errors or dialogs, with only its own two scripts', async () => {
    const { page } = opened;
    expect(page.url().startsWith('file://')).toBe(true);
    expect(await inPage(page, `performance.getEntriesByType('resource').length`)).toBe(0);
    expect(requests).toEqual([]);
    expect(opened.errors).toEqual([]);
    expect(opened.dialogs).toEqual([]);
    await expect(page.locator('script').count()).resolves.toBe(2);
    await expect(page.locator('img').count()).resolves.toBe(0);
    expect(await shown(page)).toBe(419);
  });

  it('shows markup in a reply and in the prompt as literal text, and marks a truncated text', async () => {
    const { page } = opened;
    await page.locator('.row', { hasText: 'natural/1' }).first().click();
    const reply = await page.locator('#detail pre.reply').first().textContent();
    const choice = data.items.find((i) => i.id === 'natural/1')!.j[0]!.o[0]!.v;
    expect(reply).toBe(`explanation: ${SCRIPT_TAG} ${IMG_TAG} ${SEPARATORS} (item 1)\nbetter response: ${choice}`);
    await page.locator('#detail .show-prompt').first().click();
    const prompt = await page.locator('#detail pre.prompt').textContent();
    expect(prompt).toContain('long response long response');
    await expect(page.locator('#detail pre.prompt .trunc').textContent()).resolves.toMatch(
      /truncated: the first 20,000 of 35,011 characters are shown/,
    );
    await page.locator('.row', { hasText: 'natural/0' }).first().click();
    await page.locator('#detail .show-prompt').first().click();
    expect(await page.locator('#detail pre.prompt').textContent()).toContain(
      `Natural question ${SCRIPT_TAG} ${SEPARATORS}`,
    );
    // Nothing became markup, and no script ran.
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.locator('script').count()).resolves.toBe(2);
    expect(opened.dialogs).toEqual([]);
    expect(opened.errors).toEqual([]);
  });

  it('filters by outcome, position flip and subset, counting what the data says', async () => {
    const { page } = opened;
    const outcomes = ['correct', 'wrong', 'tie', 'invalid', 'error'] as const;
    for (const outcome of outcomes) {
      await page.selectOption('#f-outcome', outcome);
      const expected = data.items.filter((i) => i.j[0]!.out === outcome).length;
      expect(await shown(page), outcome).toBe(expected);
      const badges = await page.locator('.row .out .badge:first-child').allTextContents();
      expect(new Set(badges)).toEqual(new Set([outcome]));
    }
    expect(data.items.filter((i) => i.j[0]!.out === 'error')).toHaveLength(19);
    await page.selectOption('#f-outcome', '');
    await page.check('#f-flip');
    expect(await shown(page)).toBe(data.items.filter((i) => i.j[0]!.flip).length);
    await page.uncheck('#f-flip');
    await page.selectOption('#f-sub', 'GPTOut');
    expect(await shown(page)).toBe(47);
    await page.selectOption('#f-outcome', 'wrong');
    expect(await shown(page)).toBe(data.items.filter((i) => i.sub === 'GPTOut' && i.j[0]!.out === 'wrong').length);
    await page.selectOption('#f-outcome', '');
    await page.selectOption('#f-sub', '');
    expect(await shown(page)).toBe(419);
  });

  it('walks the list with the arrow keys', async () => {
    const { page } = opened;
    await page.locator('.row').first().click();
    await page.focus('#list');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#detail h2').textContent()).resolves.toBe(data.items[2]!.id);
    await page.keyboard.press('ArrowUp');
    await expect(page.locator('#detail h2').textContent()).resolves.toBe(data.items[1]!.id);
    await expect(page.locator('.row.selected').count()).resolves.toBe(1);
  });

  it('searches ids, verdicts, replies and prompts', async () => {
    const { page } = opened;
    for (const query of ['manual/4', 'NOT JUDGED', '(item 12)', 'Neighbor question 7', SCRIPT_TAG]) {
      await page.fill('#f-search', query);
      const expected = data.items.filter((i) => matches(data, i, query)).length;
      expect(expected, query).toBeGreaterThan(0);
      await expect.poll(() => shown(page), { timeout: 5000 }).toBe(expected);
    }
    await page.fill('#f-search', 'no item has this text');
    await expect.poll(() => page.locator('.empty').count(), { timeout: 5000 }).toBe(1);
    await page.fill('#f-search', '');
    await expect.poll(() => shown(page), { timeout: 5000 }).toBe(419);
  });
});

describe('the full RewardBench page (2,985 items, longer-wins)', () => {
  let opened: Opened;
  let bytes: number;

  beforeAll(async () => {
    const judge = await longerWins.create(undefined, { dataDir: DATA_DIR, seed: 0 });
    const run = await runOn(judge, rewardbench, DATA_DIR, store);
    const html = renderItemViewHtml(buildRunView(run));
    bytes = Buffer.byteLength(html);
    opened = await open(writePage('rewardbench.html', html));
  });

  it('renders only the rows on screen, at the top and after scrolling to the end', async () => {
    const { page } = opened;
    expect(await shown(page)).toBe(2985);
    const ready = await inPage<number>(page, `performance.getEntriesByName('item-view-ready')[0].startTime`);
    console.log(`full RewardBench page: ${(bytes / 1e6).toFixed(1)} MB, first render at ${ready.toFixed(0)} ms`);
    const rows = () => page.locator('.row').count();
    expect(await rows()).toBeGreaterThan(10);
    expect(await rows()).toBeLessThan(60);
    await page.locator('#list').evaluate((list) => {
      list.scrollTop = list.scrollHeight;
    });
    const last = (await pageData(page)).items.at(-1)!.id;
    await expect.poll(() => page.locator('.row', { hasText: last }).count(), { timeout: 5000 }).toBe(1);
    expect(await rows()).toBeLessThan(60);
    expect(opened.errors).toEqual([]);
  });

  it('saves a screenshot of a selected item with its prompt to test-results/item-view.png', async () => {
    const { page } = opened;
    await page.locator('#list').evaluate((list) => {
      list.scrollTop = 0;
    });
    await page.selectOption('#f-sub', 'llmbar-adver-neighbor');
    await page.locator('.row').nth(2).click();
    await page.locator('#detail .show-prompt').click();
    const out = path.join(REPO, 'test-results', 'item-view.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    expect(fs.statSync(out).size).toBeGreaterThan(10_000);
  });
});

describe('the pages the commands write (eval --out, view, compare --out)', () => {
  const storeFile = path.join(tempDir('autorater-item-view-cli-'), 'runs.sqlite');
  const out = tempDir('autorater-item-view-out-');

  it('eval --out writes items.html; view writes the same data from the store and prints its file:// URL', async () => {
    const args = ['--benchmark', 'rewardbench', '--limit', '80', '--swap', '--store', storeFile];
    const evalRun = await runCli(['eval', '--judge', 'longer-wins', ...args, '--out', out, '--resamples', '0']);
    expect(evalRun.code, evalRun.stderr).toBe(0);
    expect(evalRun.stderr).toContain(path.join(out, 'items.html'));
    const viewed = await runCli(['view', '--judge', 'longer-wins', ...args, '--out', path.join(out, 'view')]);
    expect(viewed.code, viewed.stderr).toBe(0);
    const url = viewed.stdout.trim();
    expect(url).toBe(pathToFileURL(path.join(out, 'view', 'items.html')).href);
    const fromEval = await open(path.join(out, 'items.html'));
    const fromView = await open(fileURLToPath(url));
    expect(await pageData(fromView.page)).toEqual(await pageData(fromEval.page));
    expect(await shown(fromView.page)).toBe(80);
    expect([...fromEval.errors, ...fromView.errors]).toEqual([]);

    const nothing = await runCli(['view', '--judge', 'shorter-wins', ...args, '--out', path.join(out, 'none')]);
    expect(nothing.code).toBe(4);
    expect(nothing.stderr).toContain('Nothing stored for shorter-wins');
  });

  it('compare --out writes compare.html: per category, wins and losses are compare.json`s McNemar counts', async () => {
    const dir = path.join(out, 'compare');
    const args = ['--benchmark', 'rewardbench,llmbar', '--store', storeFile, '--out', dir];
    const result = await runCli([
      'compare',
      '--judge',
      'longer-wins',
      '--baseline',
      'shorter-wins',
      ...args,
      '--resamples',
      '100',
      '--permutations',
      '100',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'compare.json'), 'utf8')) as {
      comparisons: BenchmarkComparison[];
    };
    const { page, errors } = await open(path.join(dir, 'compare.html'));
    // The tests' table at the top, as compare printed it.
    for (const c of json.comparisons) {
      await expect(
        page.locator('.tests h2', { hasText: `${c.benchmark}: longer-wins vs shorter-wins` }).count(),
      ).resolves.toBe(1);
    }
    const data = await pageData(page);
    const checked: string[] = [];
    for (const c of json.comparisons) {
      for (const category of c.categories.filter((k) => k.discordant)) {
        await page.selectOption('#f-pair', String(data.pairs.findIndex((p) => p.benchmark === c.benchmark)));
        await page.selectOption('#f-cat', category.category);
        await page.selectOption('#f-side', 'win');
        expect(await shown(page), `${c.benchmark} ${category.category}`).toBe(category.discordant!.candidateOnly);
        await page.selectOption('#f-side', 'loss');
        expect(await shown(page), `${c.benchmark} ${category.category}`).toBe(category.discordant!.baselineOnly);
        checked.push(`${c.benchmark} ${category.category}`);
      }
    }
    expect(requests).toEqual([]);
    expect(checked).toContain('rewardbench Safety');
    // An equal-length pair is a tie for both judges: a category holding one is permutation-tested instead.
    expect(checked.filter((c) => c.startsWith('llmbar ')).length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
