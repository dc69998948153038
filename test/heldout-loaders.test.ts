/**
 * The held-out loaders on the real files: every count below is a fact stated in data/heldout/SOURCES.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { contrastiveSearch } from '../benchmarks/heldout/contrastive-search/index.ts';
import { loadContrastiveSearch } from '../benchmarks/heldout/contrastive-search/loader.ts';
import { copoem } from '../benchmarks/heldout/copoem/index.ts';
import { loadCopoem } from '../benchmarks/heldout/copoem/loader.ts';
import { expertLfqa } from '../benchmarks/heldout/expert-lfqa/index.ts';
import { loadExpertLfqa } from '../benchmarks/heldout/expert-lfqa/loader.ts';
import { hhh } from '../benchmarks/heldout/hhh/index.ts';
import { loadHhh } from '../benchmarks/heldout/hhh/loader.ts';
import type { HumanPair, LoadedSet } from '../benchmarks/heldout/human-pair.ts';
import { HELDOUT_PAIRWISE } from '../benchmarks/heldout/index.ts';
import { litmt } from '../benchmarks/heldout/litmt/index.ts';
import { loadLitmt } from '../benchmarks/heldout/litmt/loader.ts';
import { llmbar } from '../benchmarks/heldout/llmbar/index.ts';
import { loadLlmbar } from '../benchmarks/heldout/llmbar/loader.ts';
import type { HeldoutBenchmark } from '../benchmarks/heldout/pairwise-set.ts';
import { rankgen } from '../benchmarks/heldout/rankgen/index.ts';
import { loadRankgen, parseChoice } from '../benchmarks/heldout/rankgen/loader.ts';
import { prepareItems } from '../harness/run.ts';
import { codePointLength } from '../core/text.ts';
import { DATA_DIR } from './helpers.ts';

const HELDOUT = path.join(DATA_DIR, 'heldout');

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const winner = (item: HumanPair): string => item.systems![item.better];
const votesOf = (set: LoadedSet): number => set.items.reduce((n, i) => n + i.votes!.first + i.votes!.second, 0);

/** Every prompt a judge would see for the benchmark, joined (to check what is never shown). */
async function allPrompts(benchmark: HeldoutBenchmark): Promise<string> {
  return (await prepareItems(benchmark, DATA_DIR, 0)).map((e) => e.prompt).join('\n');
}

function csvRecords(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
}

describe('ids', () => {
  it.each(HELDOUT_PAIRWISE.filter((b) => b.id !== 'alpacafarm').map((b) => [b.id, b] as const))(
    '%s: unique and the same on every load',
    async (_id, benchmark) => {
      const items = await benchmark.load(DATA_DIR);
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      // Another spelling of the same folder is another cache key: the files are read and parsed again.
      const again = await benchmark.load(`${DATA_DIR}${path.sep}`);
      expect(again).not.toBe(items);
      expect(again.map((i) => i.id)).toEqual(items.map((i) => i.id));
    },
  );
});

describe('LLMBar', () => {
  it('419 items: Natural 100 + Adversarial 319, labels as in each dataset.json, Processed/* left out', async () => {
    const { items } = await loadLlmbar(DATA_DIR);
    expect(items).toHaveLength(419);
    const labels = countBy(items, (i) => `${i.group} ${i.better === 'first' ? 1 : 2}`);
    expect(labels).toEqual({
      'Natural 1': 42,
      'Natural 2': 58,
      'Neighbor 1': 75,
      'Neighbor 2': 59,
      'GPTInst 1': 45,
      'GPTInst 2': 47,
      'GPTOut 1': 22,
      'GPTOut 2': 25,
      'Manual 1': 22,
      'Manual 2': 24,
    });
    expect(items[0]!.id).toBe('natural/0');
  });
});

describe('Contrastive Search', () => {
  it('113 majority items of 150 (37 ties dropped), prefixes stripped, votes as SOURCES.md counts them', async () => {
    const set = await loadContrastiveSearch(DATA_DIR);
    expect(set.items).toHaveLength(113);
    expect(set.droppedTies!.pairs).toBe(37);
    expect(countBy(set.items, winner)).toEqual({ contrastive_search: 95, contrastive_decoding: 18 });
    expect(countBy(set.items, (i) => i.group)).toEqual({ book: 33, wikinews: 42, wikitext: 38 });
    // 590 non-tie votes over all 150 pairs (the dropped pairs included).
    expect(votesOf(set) + set.droppedTies!.votes).toBe(590);

    const raw = JSON.parse(
      fs.readFileSync(
        path.join(HELDOUT, 'contrastive_search/human_evaluation_annotations/human_evaluation_annotations.json'),
        'utf8',
      ),
    ) as {
      prompt: string;
      system_a_result: string;
    }[];
    for (const item of set.items) {
      const row = raw[Number(item.id.split('/')[1])]!;
      expect(item.context).toBe(row.prompt);
      expect(row.prompt + item.first).toBe(row.system_a_result);
      expect(item.first.startsWith(row.prompt)).toBe(false);
    }
  });
});

describe('HHH alignment', () => {
  it('221 items by source, instruction and responses taken out of the Prometheus wrapper', async () => {
    const { items } = await loadHhh(DATA_DIR);
    expect(items).toHaveLength(221);
    expect(countBy(items, (i) => i.group)).toEqual({ harmless: 58, helpful: 59, honest: 61, other: 43 });
    expect(new Set(items.map((i) => i.context)).size).toBe(102);
    expect(items.filter((i) => codePointLength(i.first) > codePointLength(i.second))).toHaveLength(139);
    expect(items.filter((i) => i.context.includes('Human:'))).toHaveLength(41);
    expect(items.every((i) => i.better === 'first')).toBe(true);
    for (const text of items.flatMap((i) => [i.context, i.first, i.second])) {
      expect(text).not.toMatch(/###|Score Rubrics|\[RESULT\]/);
    }
    const prompts = await allPrompts(hhh);
    expect(prompts).not.toContain('Score 1:');
  });
});

describe('CoPoem', () => {
  it('51 HITs: collab wins 29, solo 22, 12 unanimous, 153 votes; clean text from the JSON', async () => {
    const set = await loadCopoem(DATA_DIR);
    expect(set.items).toHaveLength(51);
    expect(set.droppedTies).toEqual({ pairs: 0, votes: 0 });
    expect(countBy(set.items, winner)).toEqual({ collab: 29, solo: 22 });
    expect(set.items.filter((i) => i.votes!.first === 0 || i.votes!.second === 0)).toHaveLength(12);
    expect(votesOf(set)).toBe(153);
    for (const item of set.items) expect(item.first + item.second).not.toContain('<br />');
  });

  it("never shows the workers' free-text answers", async () => {
    const prompts = await allPrompts(copoem);
    const rows = csvRecords(path.join(HELDOUT, 'copoem/Batch_4739845_batch_results - Batch_4739845_batch_results.csv'));
    const answers = rows.map((r) => r['Answer.submitcode']!.trim()).filter((a) => a.length >= 20);
    expect(answers.length).toBeGreaterThan(50);
    for (const answer of answers) expect(prompts).not.toContain(answer);
  });
});

describe('RankGen', () => {
  it(
    '200 HITs, 609 votes read from the explanations; ' + 'beam vs nucleus per model as SOURCES.md counts them',
    async () => {
      const set = await loadRankgen(DATA_DIR);
      expect(set.items).toHaveLength(200);
      expect(countBy(set.items, (i) => `${i.group} ${winner(i)}`)).toEqual({
        'gpt2_medium beam': 81,
        'gpt2_medium nucleus': 19,
        't5_xxl_descartes beam': 68,
        't5_xxl_descartes nucleus': 32,
      });
      expect(votesOf(set)).toBe(609);
      const beamVotes = set.items.reduce(
        (n, i) => n + (i.systems!.first === 'beam' ? i.votes!.first : i.votes!.second),
        0,
      );
      expect(beamVotes).toBe(425);
      expect(countBy(set.items, (i) => String(i.votes!.first + i.votes!.second))).toEqual({ '3': 193, '4': 5, '5': 2 });
    },
  );

  it('reads the choice as score_ab_text.py does', () => {
    expect(parseChoice('Text 1 - very unsure.')).toBe('first');
    expect(parseChoice('  text 2; the first one drifts')).toBe('second');
    expect(parseChoice('Test 1. Typo in the label')).toBe('first');
    expect(parseChoice('Neither of them sound like a good continuation to me, but I choose Text 1 because')).toBe(
      'first',
    );
    expect(parseChoice('I prefer the second')).toBeNull();
  });

  it("never shows the writers' explanations", async () => {
    const prompts = await allPrompts(rankgen);
    for (const file of ['gpt2_medium.csv', 't5_xxl_c4.csv']) {
      for (const row of csvRecords(path.join(HELDOUT, 'rankgen/human-eval-data', file))) {
        expect(prompts).not.toContain(row['Answer.utterance']!.trim());
      }
    }
  });
});

describe('Expert-LFQA', () => {
  it('140 unique (q_id, answer1, answer2) pairs → 129 majority items (11 ties), 260 expert judgments', async () => {
    const set = await loadExpertLfqa(DATA_DIR);
    expect(set.items).toHaveLength(129);
    expect(set.droppedTies!.pairs).toBe(11);
    expect(votesOf(set) + set.droppedTies!.votes).toBe(260);
    // 60 pairs with 1 expert, 40 with 2 and 40 with 3; a tie needs an even count, so the 11 dropped had 2.
    expect(countBy(set.items, (i) => String(i.votes!.first + i.votes!.second))).toEqual({
      '1': 60,
      '2': 40 - 11,
      '3': 40,
    });
    // q_id alone is not unique: 3 History questions carry several pairs.
    const multi = Object.entries(countBy(set.items, (i) => i.id.split('/')[0]!)).filter(([, n]) => n > 1);
    expect(multi).toHaveLength(3);
    expect(
      set.items.filter((i) => multi.some(([q]) => i.id.startsWith(`${q}/`))).every((i) => i.group === 'History'),
    ).toBe(true);
    for (const item of set.items) expect(item.context + item.first + item.second).not.toContain('<br />');
  });

  it("never shows the experts' comments", async () => {
    const prompts = await allPrompts(expertLfqa);
    const dir = path.join(HELDOUT, 'expert_lfqa/raw_annotation_data/Annotated_Dataset');
    let checked = 0;
    for (const file of fs.readdirSync(dir)) {
      for (const record of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { comments: string }[]) {
        const comment = record.comments.trim();
        if (comment.length < 20) continue;
        expect(prompts).not.toContain(comment);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('LitMT', () => {
  it('540 forced choices: 180 per comparison, PARA preferred 129 / 120 / 150, 18 language pairs × 30', async () => {
    const { items } = await loadLitmt(DATA_DIR);
    expect(items).toHaveLength(540);
    expect(countBy(items, (i) => i.group)).toEqual({
      'SENT vs PARA': 180,
      'PARA_SENT vs PARA': 180,
      'GTr vs PARA': 180,
    });
    expect(countBy(items, (i) => (i.better === 'first' ? 'text1' : 'text2'))).toEqual({ text1: 271, text2: 269 });
    expect(countBy(items, (i) => `${i.group} ${winner(i)}`)).toMatchObject({
      'SENT vs PARA para': 129,
      'PARA_SENT vs PARA para': 120,
      'GTr vs PARA para': 150,
    });
    const languages = countBy(items, (i) => String(i.meta!.languages));
    expect(Object.keys(languages)).toHaveLength(18);
    expect(Object.values(languages).every((n) => n === 30)).toBe(true);
    expect(items.filter((i) => i.meta!.difficult === false)).toHaveLength(327);
  });

  it(
    'shows the source paragraph and its languages, ' + "never the reference translation or the translator's notes",
    async () => {
      const entries = await prepareItems(litmt, DATA_DIR, 0);
      const first = entries[0]!;
      expect(first.prompt).toMatch(/^source paragraph \(\w+\):$/m);
      expect(first.prompt).toMatch(/^\w+ translation A:$/m);
      const prompts = entries.map((e) => e.prompt).join('\n');
      const raw = JSON.parse(
        fs.readFileSync(path.join(HELDOUT, 'litmt/annotations/default_format_v1/all_annotations_v1.json'), 'utf8'),
      ) as {
        source: string;
        target: string;
        comment: string;
      }[];
      for (const row of raw) {
        expect(prompts).toContain(row.source);
        expect(prompts).not.toContain(row.target);
        if (row.comment.trim().length >= 20) expect(prompts).not.toContain(row.comment.trim());
      }
    },
  );
});

describe('FLAMe prompt per set', () => {
  it("names the context fields of each task and keeps the annotators' own question", async () => {
    const expected: [HeldoutBenchmark, string[], string][] = [
      [rankgen, ['context:', 'continuation A:', 'continuation B:'], 'better continuation of the context'],
      [contrastiveSearch, ['prefix:', 'continuation A:'], 'more human-like'],
      [copoem, ['topic:', 'poem A:', 'poem B:'], 'more creative and interesting'],
      [expertLfqa, ['question:', 'answer A:', 'answer B:'], 'better to the question'],
      [hhh, ['prompt:', 'response A:', 'response B:'], 'helpful, honest and harmless'],
      [llmbar, ['instruction:', 'output A:', 'output B:'], 'executes the instruction'],
    ];
    for (const [benchmark, fields, phrase] of expected) {
      const [entry] = await prepareItems(benchmark, DATA_DIR, 0, { limit: 1 });
      for (const field of fields) expect(entry!.prompt, benchmark.id).toMatch(new RegExp(`^${field}$`, 'm'));
      expect(entry!.prompt, benchmark.id).toContain(phrase);
    }
  });
});
