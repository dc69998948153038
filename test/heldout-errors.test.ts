/**
 * Malformed or missing held-out data: every error names the file, the row (and for CSV the line) and what was
 * expected. The files are small ones written here in each source's own layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { loadAlpacaFarm } from '../benchmarks/heldout/alpacafarm/loader.ts';
import { loadContrastiveSearch } from '../benchmarks/heldout/contrastive-search/loader.ts';
import { loadCopoem } from '../benchmarks/heldout/copoem/loader.ts';
import { loadHhh } from '../benchmarks/heldout/hhh/loader.ts';
import { loadLitmt } from '../benchmarks/heldout/litmt/loader.ts';
import { LLMBAR_SUBSETS, loadLlmbar } from '../benchmarks/heldout/llmbar/loader.ts';
import { RANKGEN_PATHS, loadRankgen } from '../benchmarks/heldout/rankgen/loader.ts';
import { DataError } from '../core/errors.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

function write(dataDir: string, rel: string, content: string): string {
  const file = path.join(dataDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as Error;
}

/** The header line of a real source CSV, so the files written here have the published columns. */
function realHeader(rel: string): string[] {
  const [header] = parse(fs.readFileSync(path.join(DATA_DIR, rel), 'utf8'), { bom: true, to_line: 1 }) as string[][];
  return header!;
}

describe('missing data', () => {
  it('says every path looked at and how to get the data', async () => {
    const empty = tempDir();
    const message = (await failure(loadLlmbar(empty))).message;
    for (const rel of Object.values(LLMBAR_SUBSETS))
      expect(message).toContain(`${path.join(empty, 'heldout/llmbar', rel)} (missing)`);
    expect(message).toContain('npm run data -- pull llmbar');

    const alpaca = (await failure(loadAlpacaFarm(empty))).message;
    expect(alpaca).toContain(path.join(empty, 'heldout/alpacafarm/alpaca_farm_human_crossannotations.json'));
    expect(alpaca).toContain(path.join(empty, 'heldout/alpacafarm/alpaca_human_preference.json'));
    expect(alpaca).toContain('npm run data -- pull alpacafarm');
  });

  it('lists the one missing file among several', async () => {
    const dataDir = tempDir();
    write(dataDir, `heldout/rankgen/${RANKGEN_PATHS[0]}`, 'HITId\n');
    const message = (await failure(loadRankgen(dataDir))).message;
    expect(message).toContain(`${path.join(dataDir, 'heldout/rankgen', RANKGEN_PATHS[1])} (missing)`);
    expect(message).not.toContain(`${RANKGEN_PATHS[0]} (missing)`);
  });
});

describe('JSON arrays', () => {
  const good = { input: 'Say hi.', output_1: 'Hi!', output_2: 'Bye.', label: 1 };

  it('a row that breaks the schema: file, row and field', async () => {
    const dataDir = tempDir();
    const files = Object.fromEntries(
      Object.entries(LLMBAR_SUBSETS).map(([subset, rel]) => [
        subset,
        write(dataDir, `heldout/llmbar/${rel}`, JSON.stringify([good, good])),
      ]),
    );
    fs.writeFileSync(files.Manual!, JSON.stringify([good, { ...good, label: 3 }]));
    const message = (await failure(loadLlmbar(dataDir))).message;
    expect(message).toBe(`${files.Manual!}: line 1 (row 1): field "label": Invalid option: expected one of 1|2`);
  });

  it('not an array, and not JSON', async () => {
    const dataDir = tempDir();
    const hhhFile = write(
      dataDir,
      'heldout/hhh_alignment/eval/benchmark/data/hhh_alignment_eval.json',
      '{"source": "helpful"}',
    );
    expect((await failure(loadHhh(dataDir))).message).toBe(
      `${hhhFile}: expected a JSON array of records, found object.`,
    );
    const csFile = write(
      dataDir,
      'heldout/contrastive_search/human_evaluation_annotations/human_evaluation_annotations.json',
      '[{"prompt": ',
    );
    expect((await failure(loadContrastiveSearch(dataDir))).message).toContain(`${csFile}: not valid JSON`);
  });

  it('HHH: a prompt that is not a Prometheus grading prompt', async () => {
    const dataDir = tempDir();
    const wrap = (response: string) =>
      `###Task Description:\nGrade it.\n\n###The instruction to evaluate:\nHello?\n\n` +
      `###Response to evaluate:\n${response}\n\n###Score Rubrics:\n[Helpful?]\n\n###Feedback: `;
    const file = write(
      dataDir,
      'heldout/hhh_alignment/eval/benchmark/data/hhh_alignment_eval.json',
      JSON.stringify([
        { source: 'helpful', chosen_instruction: wrap('Hi, how can I help?'), rejected_instruction: wrap('No.') },
        { source: 'helpful', chosen_instruction: 'Hello?\nHi, how can I help?', rejected_instruction: wrap('No.') },
      ]),
    );
    const message = (await failure(loadHhh(dataDir))).message;
    expect(message).toContain(
      `${file}: line 1 (row 1), field "chosen_instruction": expected a Prometheus grading prompt`,
    );
  });

  it('Contrastive Search: a result that does not start with the prompt', async () => {
    const dataDir = tempDir();
    const row = {
      prompt: 'The rain',
      system_a_name: 'contrastive_search',
      system_a_result: 'The rain fell.',
      system_b_name: 'contrastive_decoding',
      system_b_result: 'A storm came.',
      domain: 'book',
      human_annotation: { annotator_1: 'system a is more human-like.' },
      mapping_dict: {},
      system_mapping: [1, 0],
    };
    const file = write(
      dataDir,
      'heldout/contrastive_search/human_evaluation_annotations/human_evaluation_annotations.json',
      JSON.stringify([row]),
    );
    expect((await failure(loadContrastiveSearch(dataDir))).message).toBe(
      `${file}: line 1 (row 0): field "system_b_result": expected the result to start with the prompt text.`,
    );
  });

  it('LitMT: an eval code that disagrees with the language fields', async () => {
    const dataDir = tempDir();
    const row = {
      eval: 'fr_ja_1',
      book: 'b',
      author: 'a',
      source: 'Bonjour.',
      target: 'こんにちは。',
      source_lang: 'fr',
      target_lang: 'en',
      text1: 'Hello.',
      text2: 'Good day.',
      text1_tag: 'sent',
      text2_tag: 'para',
      difficult_choice: 'NO',
      comment: '',
      choice: 'text2',
      added_omitted: '',
      annotations: {},
    };
    const file = write(
      dataDir,
      'heldout/litmt/annotations/default_format_v1/all_annotations_v1.json',
      JSON.stringify([row]),
    );
    expect((await failure(loadLitmt(dataDir))).message).toContain(
      `${file}: line 1 (row 0): field "eval" ("fr_ja_1") names other languages`,
    );
  });
});

describe('CSV files', () => {
  it(
    'RankGen: an explanation whose opening names no text, ' + 'reported at its line (quoted fields span lines)',
    async () => {
      const dataDir = tempDir();
      const header = realHeader(`heldout/rankgen/${RANKGEN_PATHS[0]}`);
      const row = (hit: string, utterance: string, prefix = 'Once upon a time') =>
        header.map(
          (column) =>
            ({
              HITId: hit,
              WorkerId: 'Writer 1',
              'Input.Prefix': prefix,
              'Input.First': 'there was a king.',
              'Input.Second': 'nothing happened.',
              'Input.Order': 'beam,nucleus',
              'Input.Dataset': 'pg19',
              'Input.Model': 'gpt2_medium',
              'Answer.utterance': utterance,
            })[column] ?? '',
        );
      const first = write(
        dataDir,
        `heldout/rankgen/${RANKGEN_PATHS[0]}`,
        stringify([
          header,
          row('h1', 'Text 1. It follows.', 'Once upon\na time'),
          row('h1', 'Text 2 - fine.', 'Once upon\na time'),
          row('h2', 'I liked the second more'),
        ]),
      );
      write(dataDir, `heldout/rankgen/${RANKGEN_PATHS[1]}`, stringify([header]));
      // Line 1 is the header; rows 0 and 1 take two lines each (their prefix holds a newline); row 2 is on line 6.
      expect((await failure(loadRankgen(dataDir))).message).toBe(
        `${first}: line 6 (row 2): column "Answer.utterance": ` +
          `expected the explanation to start with "Text 1" or "Text 2".`,
      );
    },
  );

  it('RankGen: a value outside the published set, and a missing column', async () => {
    const dataDir = tempDir();
    const header = realHeader(`heldout/rankgen/${RANKGEN_PATHS[0]}`);
    const values: Record<string, string> = {
      HITId: 'h1',
      'Input.Order': 'beam,greedy',
      'Input.Model': 'gpt2_medium',
      'Answer.utterance': 'Text 1',
    };
    const file = write(
      dataDir,
      `heldout/rankgen/${RANKGEN_PATHS[0]}`,
      stringify([header, header.map((c) => values[c] ?? 'x')]),
    );
    write(dataDir, `heldout/rankgen/${RANKGEN_PATHS[1]}`, stringify([header]));
    expect((await failure(loadRankgen(dataDir))).message).toMatch(/: line 2 \(row 0\): field "Input\.Order": /);
    expect((await failure(loadRankgen(dataDir))).message.startsWith(file)).toBe(true);

    const noModel = tempDir();
    const second = write(
      noModel,
      `heldout/rankgen/${RANKGEN_PATHS[0]}`,
      stringify([header.filter((c) => c !== 'Input.Model')]),
    );
    write(noModel, `heldout/rankgen/${RANKGEN_PATHS[1]}`, stringify([header]));
    expect((await failure(loadRankgen(noModel))).message).toContain(
      `${second}: line 1: missing column(s) "Input.Model"`,
    );
  });

  it('CoPoem: a vote for both poems, and a poem_1 that is not the collaborative poem', async () => {
    const dataDir = tempDir();
    const header = realHeader('heldout/copoem/Batch_4739845_batch_results - Batch_4739845_batch_results.csv');
    write(
      dataDir,
      'heldout/copoem/human_eval/poems_submission/amt_solo_vs_collab.json',
      JSON.stringify([{ title: 'Rain', 'solo poem': 'Rain falls\ndown', 'collab poem': 'Grey sky\nweeps' }]),
    );
    const row = (values: Record<string, string>) =>
      header.map(
        (c) =>
          ({
            HITId: 'h1',
            'Input.title': 'Rain',
            'Input.poem_1': 'Grey sky<br />weeps',
            'Input.poem_2': 'Rain falls<br />down',
            ...values,
          })[c] ?? '',
      );
    const csv = 'heldout/copoem/Batch_4739845_batch_results - Batch_4739845_batch_results.csv';
    const file = write(
      dataDir,
      csv,
      stringify([
        header,
        row({ 'Answer.creative1.creative1': 'TRUE', 'Answer.creative2.creative2': 'FALSE' }),
        row({ 'Answer.creative1.creative1': 'TRUE', 'Answer.creative2.creative2': 'TRUE' }),
      ]),
    );
    expect((await failure(loadCopoem(dataDir))).message).toBe(
      `${file}: line 3 (row 1): field "Answer.creative1.creative1": expected exactly one of ` +
        `Answer.creative1.creative1 and Answer.creative2.creative2 to be TRUE`,
    );

    const swapped = tempDir();
    write(
      swapped,
      'heldout/copoem/human_eval/poems_submission/amt_solo_vs_collab.json',
      JSON.stringify([{ title: 'Rain', 'solo poem': 'Rain falls\ndown', 'collab poem': 'Grey sky\nweeps' }]),
    );
    const swappedFile = write(
      swapped,
      csv,
      stringify([
        header,
        row({
          'Input.poem_1': 'Rain falls<br />down',
          'Input.poem_2': 'Grey sky<br />weeps',
          'Answer.creative1.creative1': 'TRUE',
          'Answer.creative2.creative2': 'FALSE',
        }),
      ]),
    );
    expect((await failure(loadCopoem(swapped))).message).toContain(
      `${swappedFile}: line 2 (row 0): expected Input.poem_1 to be the collaborative poem`,
    );
  });
});
