/**
 * The per-item view's data and page text (reports/item-view-data.ts, reports/item-view-html.ts), on real runs:
 * every item with its subset, gold, verdicts, outcome and flips as predictions.jsonl records them, the exact
 * prompt from its stored parts, compare's wins and losses against its McNemar counts, and every hostile text kept
 * inside the JSON element. The page in Chromium: test/item-view-browser.test.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { compareJudges } from '../harness/compare.ts';
import { prepareItems } from '../harness/prepare.ts';
import type { RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { storedRun } from '../harness/stored-run.ts';
import { longerWins, shorterWins } from '../judges/length.ts';
import type { Judge } from '../judges/judge.ts';
import { buildCompareView, buildRunView, type ItemViewData, TEXT_CAP } from '../reports/item-view-data.ts';
import { renderItemViewHtml } from '../reports/item-view-html.ts';
import { predictionLines } from '../reports/summary.ts';
import {
  IMG_TAG,
  LONG_TEXT,
  PRICE,
  SCRIPT_TAG,
  SEPARATORS,
  hostileLlmbar,
  markupJudge,
  runOn,
} from './fixtures/item-view-runs.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

type PredictionRecord = Record<string, unknown> & {
  verdict: { choice: string } | null;
  swapped?: { verdict: { choice: string } | null; status: string };
};

function records(run: RunResult): PredictionRecord[] {
  return [...predictionLines(run)].map((line) => JSON.parse(line) as PredictionRecord);
}

/** A prompt from its parts as the page joins them: head, then each field as "name:", value, "" (then trimmed). */
function joinPrompt(data: ItemViewData, ref: number[]): string {
  let text = data.texts[ref[0]!]!;
  for (let k = 1; k < ref.length; k += 2)
    text += `${k === 1 ? '\n' : '\n\n'}${data.texts[ref[k]!]}:\n${data.texts[ref[k + 1]!]}`;
  return `${text.trimEnd()}\n`;
}

/** The JSON element's text as written. */
function jsonText(html: string): string {
  const match = /<script type="application\/json" id="item-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no JSON data element');
  return match[1]!;
}

let store: Store;
let judges: { longer: Judge; shorter: Judge };

beforeAll(async () => {
  store = Store.open(path.join(tempDir('autorater-item-view-'), 'runs.sqlite'));
  judges = {
    longer: await longerWins.create(undefined, { dataDir: DATA_DIR, seed: 0 }),
    shorter: await shorterWins.create(undefined, { dataDir: DATA_DIR, seed: 0 }),
  };
});

afterAll(() => store.close());

describe('a run page on real RewardBench items (longer-wins, --limit 60 --swap)', () => {
  let run: RunResult;
  let data: ItemViewData;
  let lines: PredictionRecord[];

  beforeAll(async () => {
    run = await runOn(judges.longer, rewardbench, DATA_DIR, store, { limit: 60, swap: true });
    data = buildRunView(run, ['note']);
    lines = records(run);
  });

  it('lists every item, in order, with the subset, gold and verdicts predictions.jsonl records', () => {
    expect(data.kind).toBe('run');
    expect(data.benchmarks).toEqual(['rewardbench']);
    expect(data.swap).toBe(true);
    expect(data.items.map((i) => i.id)).toEqual(lines.map((l) => l.item_id));
    data.items.forEach((item, k) => {
      const line = lines[k]!;
      expect(item.sub).toBe(line.subset);
      expect(item.gold).toBe(line.chosen_slot);
      const [first, second] = item.j[0]!.o;
      expect(first!.v).toBe(line.verdict?.choice);
      expect(second!.v).toBe(line.swapped?.verdict?.choice);
      // longer-wins notes the two lengths it compared: that is the reply text shown.
      expect(data.texts[first!.r!]).toBe(line.raw);
      expect(first!.ms).toBe(line.latency_ms);
    });
  });

  it('gives each item the outcome of its score (1 right, 0 wrong, ½ tie) and marks the orders that disagree', () => {
    const expected = lines.map((l) => (l.score === 1 ? 'correct' : l.score === 0 ? 'wrong' : 'tie'));
    expect(data.items.map((i) => i.j[0]!.out)).toEqual(expected);
    // Order 2 shows A and B exchanged: the same response preferred is the other letter.
    const flips = lines.map((l) => {
      const a = l.verdict?.choice;
      const b = l.swapped?.verdict?.choice;
      return a !== 'tie' && b !== 'tie' && a === b;
    });
    expect(data.items.map((i) => i.j[0]!.flip)).toEqual(flips);
    expect(expected).toContain('correct');
  });

  it('keeps each order`s exact prompt as shared parts', async () => {
    const entries = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 60, swap: true });
    data.items.forEach((item, k) => {
      expect(joinPrompt(data, item.p[0]!)).toBe(entries[k]!.prompt);
      expect(joinPrompt(data, item.p[1]!)).toBe(entries[k]!.swapped!.prompt);
    });
    // Every prompt starts with the same instructions, kept once.
    expect(new Set(data.items.map((i) => i.p[0]![0])).size).toBe(1);
  });

  it('reads the same items back from the store alone (npm run view), with nothing asked', async () => {
    const stored = await storedRun(judges.longer, [rewardbench], {
      dataDir: DATA_DIR,
      seed: 0,
      store,
      limit: 60,
      swap: true,
    });
    expect(buildRunView(stored, ['note'])).toEqual(data);
    // Beyond what was asked, items are "not judged" errors.
    const wider = await storedRun(judges.longer, [rewardbench], { dataDir: DATA_DIR, seed: 0, store, limit: 70 });
    const view = buildRunView(wider);
    expect(view.items.filter((i) => i.j[0]!.out === 'error').map((i) => i.id)).toEqual(
      view.items.slice(60).map((i) => i.id),
    );
    expect(view.items[65]!.j[0]!.o[0]!.v).toBe('not judged');
  });
});

describe('hostile texts: markup in the data and in the replies', () => {
  let run: RunResult;
  let data: ItemViewData;
  let html: string;

  beforeAll(async () => {
    const dataDir = hostileLlmbar();
    run = await runOn(markupJudge(), llmbar, dataDir, store, { swap: true });
    data = buildRunView(run);
    html = renderItemViewHtml(data);
  });

  it('records replies, tokens and cost per order, the invalid replies and the position flips', () => {
    expect(data.items).toHaveLength(419);
    const natural2 = data.items.find((i) => i.id === 'natural/2')!; // n % 5 = 2: "A" in both orders
    expect(natural2.j[0]!.flip).toBe(true);
    expect(natural2.j[0]!.out).toBe('tie');
    const natural3 = data.items.find((i) => i.id === 'natural/3')!; // n % 7 = 3: no verdict
    expect(natural3.j[0]!.out).toBe('invalid');
    expect(natural3.j[0]!.o[0]!.s).toBe('invalid');
    const first = data.items[0]!.j[0]!.o[0]!;
    expect(data.texts[first.r!]).toBe(
      `explanation: ${SCRIPT_TAG} ${IMG_TAG} ${SEPARATORS} (item 0)\nbetter response: A`,
    );
    expect([first.it, first.ot]).toEqual([1000, 40]);
    expect(first.usd).toBeCloseTo((1000 * PRICE.inputPerMillion + 40 * PRICE.outputPerMillion) / 1e6, 12);
    expect(data.items.filter((i) => i.j[0]!.flip).length).toBeGreaterThan(40);
  });

  it('cuts a text over the cap and keeps its full length', () => {
    const long = data.texts.findIndex((t) => t.startsWith('long response'));
    expect(data.texts[long]).toHaveLength(TEXT_CAP);
    expect(data.truncated[long]).toBe(LONG_TEXT.length);
  });

  it('writes the data as JSON no text can end, which parses back to the same data', () => {
    const text = jsonText(html);
    expect(text).not.toMatch(/[<>\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(data)));
    expect(data.texts.some((t) => t.includes(SCRIPT_TAG) && t.includes(SEPARATORS))).toBe(true);
    // Only the page's own two script elements; no hostile markup anywhere in the file.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    for (const hostile of [SCRIPT_TAG, IMG_TAG, '<img', 'alert(1)</']) expect(html.includes(hostile)).toBe(false);
    expect(html).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
  });

  it('leaves texts out past the page`s budget and says so, listing every item still', () => {
    const small = buildRunView(run, [], { budget: 20_000 });
    expect(small.items).toHaveLength(419);
    expect(small.omitted).toBeGreaterThan(0);
    expect(small.texts.reduce((n, t) => n + t.length, 0)).toBeLessThanOrEqual(20_000);
    expect(small.items.at(-1)!.p[0]).toBeNull();
    expect(renderItemViewHtml(small)).toContain(`${small.omitted} texts were left out`);
  });
});

describe('a compare page (longer-wins vs shorter-wins on RewardBench)', () => {
  it('lists the items judged differently; in a McNemar category, wins and losses = discordant pairs', async () => {
    const selection = { dataDir: DATA_DIR, seed: 0, store };
    for (const judge of [judges.longer, judges.shorter]) await runOn(judge, rewardbench, DATA_DIR, store);
    const comparisons = await compareJudges(judges.longer, [judges.shorter], [rewardbench], {
      ...selection,
      resamples: 50,
      permutations: 50,
      alpha: 0.05,
    });
    const candidate = await storedRun(judges.longer, [rewardbench], selection);
    const baseline = await storedRun(judges.shorter, [rewardbench], selection);
    const data = buildCompareView(candidate, [baseline], comparisons);
    expect(data.pairs).toEqual([{ benchmark: 'rewardbench', candidate: 'longer-wins', baseline: 'shorter-wins' }]);
    const mcnemar = comparisons[0]!.categories.filter((c) => c.discordant);
    // Chat and Chat Hard hold equal-length pairs (a tie is neither right nor wrong): permutation tests there.
    expect(mcnemar.map((c) => c.category)).toEqual(['Safety']);
    for (const c of mcnemar) {
      const side = (s: string) => data.items.filter((i) => i.side === s && i.cats!.includes(c.category)).length;
      expect([side('win'), side('loss')]).toEqual([c.discordant!.candidateOnly, c.discordant!.baselineOnly]);
    }
    // Exactly the items answered differently, each on the side its two scores put it.
    const score = (run: RunResult) => new Map(records(run).map((r) => [r.item_id, r as PredictionRecord]));
    const ours = score(candidate as RunResult);
    const theirs = score(baseline as RunResult);
    const differing = [...ours.keys()].filter(
      (id) => ours.get(id)!.verdict?.choice !== theirs.get(id)!.verdict?.choice,
    );
    expect(data.items.map((i) => i.id)).toEqual(differing);
    for (const item of data.items) {
      const a = ours.get(item.id)!.score as number;
      const b = theirs.get(item.id)!.score as number;
      expect(item.side).toBe(a > b ? 'win' : a < b ? 'loss' : 'differ');
    }
    expect(new Set(data.items.map((i) => i.side))).toEqual(new Set(['win', 'loss']));
    const html = renderItemViewHtml(data, { comparisons });
    expect(html).toContain('McNemar');
    expect(html).toContain(`${comparisons[0]!.compared} items both judged`);
  });
});
