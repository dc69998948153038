/**
 * Bad input through the real CLI: each broken file gives one message naming the file (and the line or row where
 * there is one) and a non-zero exit, never a stack trace. The bad files are made at test time from the real ones
 * in a temporary data folder laid out like the real one; nothing is committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { REWARDBENCH_FILES } from '../benchmarks/rewardbench/loader.ts';
import { DATA_DIR, runCli, tempDir, type CliResult } from './helpers.ts';

const RENAMED = REWARDBENCH_FILES[1];
const OFFICIAL = REWARDBENCH_FILES[0];

/** Copies a real data file into `dir` at the same relative path (made writable), for the test to break. */
function copyInto(dir: string, rel: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(path.join(DATA_DIR, rel), file);
  fs.chmodSync(file, 0o644);
  return file;
}

/** A fresh data folder holding copies of the given real files. */
function dataWith(...rels: string[]): { dir: string; files: string[] } {
  const dir = tempDir('autorater-bad-');
  return { dir, files: rels.map((rel) => copyInto(dir, rel)) };
}

function expectOneMessage(result: CliResult, code: number, ...parts: string[]): void {
  expect(result.code, result.stderr).toBe(code);
  // Every run first says where its judge sends requests ("judge <id>: ..."); the failure is the one line after it.
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => !/^judge \S+: /.test(line));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^autorater: /);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(result.stderr).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  expect(result.stderr).not.toContain('unexpected error');
}

function evalArgs(dataDir: string, ...rest: string[]): string[] {
  return ['eval', '--data', dataDir, '--store', path.join(dataDir, 'runs.sqlite'), '--no-progress', ...rest];
}

describe('bad input gives one clear message and a non-zero exit', () => {
  it('a truncated parquet file', async () => {
    const {
      dir,
      files: [file],
    } = dataWith(RENAMED);
    const size = fs.statSync(file!).size;
    fs.truncateSync(file!, Math.floor(size / 2));
    const result = await runCli(evalArgs(dir, '--judge', 'longer-wins', '--benchmark', 'rewardbench'));
    expectOneMessage(result, 3, file!, 'not a readable parquet file');
  });

  it('a JSONL file with a broken line', async () => {
    const {
      dir,
      files: [file],
    } = dataWith('aggrefact/rebuilt/test.jsonl');
    const lines = fs.readFileSync(file!, 'utf8').split('\n').slice(0, 20);
    lines[11] = lines[11]!.slice(0, 40); // line 12 ends mid-string, as a cut-off write would leave it
    fs.writeFileSync(file!, lines.join('\n') + '\n');
    const result = await runCli(evalArgs(dir, '--judge', 'random', '--benchmark', 'aggrefact'));
    expectOneMessage(result, 3, `${file}: line 12: not valid JSON`);
  });

  it('a CSV file with a wrong header', async () => {
    const { dir, files } = dataWith(
      'heldout/rankgen/human-eval-data/gpt2_medium.csv',
      'heldout/rankgen/human-eval-data/t5_xxl_c4.csv',
    );
    const target = files[1]!;
    // A renamed first column, as a spreadsheet round trip can leave it.
    fs.writeFileSync(target, fs.readFileSync(target, 'utf8').replace(/^HITId,/, 'HIT ID,'));
    const result = await runCli(evalArgs(dir, '--judge', 'longer-wins', '--benchmark', 'rankgen'));
    expectOneMessage(result, 3, `${target}: line 1: missing column(s) "HITId"`);
  });

  it('a RewardBench row with an unknown subset', async () => {
    const dir = tempDir('autorater-bad-');
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(path.join(DATA_DIR, RENAMED)) })).slice(
      0,
      30,
    ) as Record<string, unknown>[];
    rows[7] = { ...rows[7], subset: 'chat-hardest' };
    const column = (name: string, from: string, type: 'STRING' | 'INT64') => ({
      name,
      type,
      data: rows.map((r) => (type === 'INT64' ? BigInt(r[from] as number | bigint) : String(r[from]))),
    });
    const file = path.join(dir, OFFICIAL);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const columnData = [
      column('prompt', 'question', 'STRING'),
      column('chosen', 'response_A', 'STRING'),
      column('chosen_model', 'chosen_model', 'STRING'),
      column('rejected', 'response_B', 'STRING'),
      column('rejected_model', 'rejected_model', 'STRING'),
      column('subset', 'subset', 'STRING'),
      column('id', 'id', 'INT64'),
    ];
    fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData })));
    const result = await runCli(evalArgs(dir, '--judge', 'longer-wins', '--benchmark', 'rewardbench'));
    expectOneMessage(result, 3, `${file}: row 7: unknown subset "chat-hardest"`);
  });

  it('an unknown benchmark (or RewardBench subset) named on the command line', async () => {
    const result = await runCli(
      evalArgs(tempDir('autorater-bad-'), '--judge', 'longer-wins', '--benchmark', 'rewardbench,chat-hard'),
    );
    expectOneMessage(result, 2, 'unknown benchmark "chat-hard"', 'Known benchmarks: ');
  });

  it('a judge config with a value of the wrong type', async () => {
    const dir = tempDir('autorater-bad-');
    const config = path.join(dir, 'judges.json');
    fs.writeFileSync(
      config,
      JSON.stringify(
        {
          judges: {
            'llama-local': { extends: 'llama-3-70b', baseURL: 'http://127.0.0.1:9/v1', limits: { concurrency: '8' } },
          },
        },
        null,
        2,
      ) + '\n',
    );
    const result = await runCli(evalArgs(dir, '--judge', 'llama-local', '--config', config));
    // The seventh line of the file is "concurrency": "8".
    expectOneMessage(
      result,
      2,
      `${config}: judges.llama-local.limits.concurrency: Invalid input: expected number, received string (line 7)`,
    );
  });
});
