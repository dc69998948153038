/**
 * Every held-out loader refuses a data file whose row count is not the one its source ships (SOURCES.md): a copy of
 * the real file with rows removed, or one added, is an error naming the file and both counts, never a smaller (or
 * larger) benchmark run without a word. The copies are small temp folders holding only the set's own files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { CONTRASTIVE_SEARCH_PATH, loadContrastiveSearch } from '../benchmarks/heldout/contrastive-search/loader.ts';
import { COPOEM_BATCH_PATH, COPOEM_POEMS_PATH, loadCopoem } from '../benchmarks/heldout/copoem/loader.ts';
import { EXPERT_LFQA_FILES, loadExpertLfqa } from '../benchmarks/heldout/expert-lfqa/loader.ts';
import { HHH_PATH, loadHhh } from '../benchmarks/heldout/hhh/loader.ts';
import { LITMT_PATH, loadLitmt } from '../benchmarks/heldout/litmt/loader.ts';
import { LLMBAR_DIR, LLMBAR_SUBSETS, loadLlmbar } from '../benchmarks/heldout/llmbar/loader.ts';
import { RANKGEN_DIR, RANKGEN_PATHS, loadRankgen } from '../benchmarks/heldout/rankgen/loader.ts';
import { DataError } from '../core/errors.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

/** A temp data folder with copies of the real files `rels` (writable: the shared copies are read-only). */
function copyOf(rels: readonly string[]): string {
  const dataDir = tempDir('autorater-rows-');
  for (const rel of rels) {
    const file = path.join(dataDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, fs.readFileSync(path.join(DATA_DIR, rel)));
  }
  return dataDir;
}

function editJson(dataDir: string, rel: string, edit: (rows: unknown[]) => unknown[]): string {
  const file = path.join(dataDir, rel);
  fs.writeFileSync(file, JSON.stringify(edit(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[]), null, 2));
  return file;
}

/** Rewrites a CSV with the same header and the records `edit` returns. */
function editCsv(dataDir: string, rel: string, edit: (records: string[][], header: string[]) => string[][]): string {
  const file = path.join(dataDir, rel);
  const [header, ...records] = parse(fs.readFileSync(file, 'utf8'), { bom: true }) as string[][];
  fs.writeFileSync(file, stringify([header!, ...edit(records, header!)]));
  return file;
}

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return (error as Error).message;
}

const fewer = (file: string, found: number, pinned: number, id: string, noun = 'rows'): string =>
  `${file}: ${found} ${noun}, fewer than the ${pinned} of the pinned release; the file is truncated or another ` +
  `version. Download it again with: npm run data -- pull ${id}`;
const more = (file: string, found: number, pinned: number, id: string, noun = 'rows'): string =>
  `${file}: ${found} ${noun}, more than the ${pinned} of the pinned release; the file is another version. ` +
  `Download it again with: npm run data -- pull ${id}`;

describe('CoPoem: 153 votes (51 HITs × 3) in the batch CSV, 51 poem pairs in the JSON', () => {
  const batch = `heldout/copoem/${COPOEM_BATCH_PATH}`;
  const poems = `heldout/copoem/${COPOEM_POEMS_PATH}`;

  it('the real files load: 51 items', async () => {
    expect((await loadCopoem(copyOf([batch, poems]))).items).toHaveLength(51);
  });

  it('the batch CSV with the 30 votes of 10 HITs removed (41 of 51 HITs)', async () => {
    const dataDir = copyOf([batch, poems]);
    const file = editCsv(dataDir, batch, (records, header) => {
      const hit = header.indexOf('HITId');
      const kept = [...new Set(records.map((r) => r[hit]))].slice(0, 41);
      return records.filter((r) => kept.includes(r[hit]));
    });
    expect(await message(loadCopoem(dataDir))).toBe(fewer(file, 123, 153, 'copoem'));
  });

  it('the poems JSON with 41 of its 51 pairs', async () => {
    const dataDir = copyOf([batch, poems]);
    const file = editJson(dataDir, poems, (rows) => rows.slice(0, 41));
    expect(await message(loadCopoem(dataDir))).toBe(fewer(file, 41, 51, 'copoem', 'poem pairs'));
  });

  it('one vote and one poem pair too many', async () => {
    const extraVote = copyOf([batch, poems]);
    const csv = editCsv(extraVote, batch, (records) => [...records, records[0]!]);
    expect(await message(loadCopoem(extraVote))).toBe(more(csv, 154, 153, 'copoem'));

    const extraPoem = copyOf([batch, poems]);
    const json = editJson(extraPoem, poems, (rows) => [
      ...rows,
      { title: 'Not a HIT', 'solo poem': 'a', 'collab poem': 'b' },
    ]);
    expect(await message(loadCopoem(extraPoem))).toBe(more(json, 52, 51, 'copoem', 'poem pairs'));
  });
});

describe('the JSON-array sets: a row removed or added', () => {
  const cases = [
    ['contrastive-search', `heldout/contrastive_search/${CONTRASTIVE_SEARCH_PATH}`, 150, loadContrastiveSearch],
    ['hhh', `heldout/hhh_alignment/${HHH_PATH}`, 221, loadHhh],
    ['litmt', `heldout/litmt/${LITMT_PATH}`, 540, loadLitmt],
  ] as const;

  it.each(cases)('%s', async (id, rel, rows, load) => {
    const short = copyOf([rel]);
    const shortFile = editJson(short, rel, (records) => records.slice(1));
    expect(await message(load(short))).toBe(fewer(shortFile, rows - 1, rows, id));

    const long = copyOf([rel]);
    const longFile = editJson(long, rel, (records) => [...records, records.at(-1)]);
    expect(await message(load(long))).toBe(more(longFile, rows + 1, rows, id));
  });

  it('expert-lfqa: each of the 13 expert files holds 20 judgments', async () => {
    const rels = EXPERT_LFQA_FILES.map((f) => `heldout/expert_lfqa/${f}`);
    const short = copyOf(rels);
    const shortFile = editJson(short, rels[6]!, (records) => records.slice(0, 19));
    expect(await message(loadExpertLfqa(short))).toBe(fewer(shortFile, 19, 20, 'expert-lfqa'));

    const long = copyOf(rels);
    const longFile = editJson(long, rels[0]!, (records) => [...records, records[0]]);
    expect(await message(loadExpertLfqa(long))).toBe(more(longFile, 21, 20, 'expert-lfqa'));
  });

  it('llmbar: a real subset file one row short, and one row long', async () => {
    const rels = Object.values(LLMBAR_SUBSETS).map((f) => `${LLMBAR_DIR}/${f}`);
    const short = copyOf(rels);
    const shortFile = editJson(short, `${LLMBAR_DIR}/${LLMBAR_SUBSETS.GPTOut}`, (records) => records.slice(0, 46));
    expect(await message(loadLlmbar(short))).toBe(fewer(shortFile, 46, 47, 'llmbar'));

    const long = copyOf(rels);
    const longFile = editJson(long, `${LLMBAR_DIR}/${LLMBAR_SUBSETS.Manual}`, (records) => [...records, records[0]]);
    expect(await message(loadLlmbar(long))).toBe(more(longFile, 47, 46, 'llmbar'));
  });
});

describe('RankGen: 309 and 300 annotations', () => {
  const rels = RANKGEN_PATHS.map((f) => `${RANKGEN_DIR}/${f}`);

  it('a file with an annotation removed, and one with an annotation added', async () => {
    const short = copyOf(rels);
    const shortFile = editCsv(short, rels[1]!, (records) => records.slice(0, -1));
    expect(await message(loadRankgen(short))).toBe(fewer(shortFile, 299, 300, 'rankgen'));

    const long = copyOf(rels);
    const longFile = editCsv(long, rels[0]!, (records) => [...records, records[0]!]);
    expect(await message(loadRankgen(long))).toBe(more(longFile, 310, 309, 'rankgen'));
  });
});
