import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SUBSETS } from '../benchmarks/rewardbench/constants.ts';
import { REWARDBENCH_FILES } from '../benchmarks/rewardbench/loader.ts';
import { runCli, tempDir } from './helpers.ts';

describe('npm run eval -- --help', () => {
  it('explains the flags and lists the registered judges and benchmarks', async () => {
    const { code, stdout } = await runCli(['eval', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--judge',
      '--benchmark',
      '--data',
      '--store',
      '--out',
      '--seed',
      '--concurrency',
      '--limit',
      '--print-prompt',
    ]) {
      expect(stdout).toContain(flag);
    }
    for (const judge of ['longer-wins', 'shorter-wins', 'random', 'constant\\[:<n>\\|:no\\]', 'replay:<model>'])
      expect(stdout).toMatch(new RegExp(`^  ${judge}\\s`, 'm'));
    expect(stdout).toMatch(/^ {2}rewardbench\s+RewardBench/m);
    expect(stdout).toContain('AUTORATER_DATA');
  });
});

describe('errors', () => {
  it('an unknown judge lists the known ones and exits 2', async () => {
    const { code, stderr } = await runCli(['eval', '--judge', 'gpt-5']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'unknown judge "gpt-5". Known judges: longer-wins, shorter-wins, random, constant[:<n>|:no], replay:<model>, ' +
        'local:<file.gguf>; configured: gpt-4-0125, gpt-4o,',
    );
    expect(stderr).toContain('flame-rm.');
  });

  it('an unknown benchmark lists the known ones', async () => {
    const { code, stderr } = await runCli(['eval', '--judge', 'random', '--benchmark', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'unknown benchmark "nope". Known benchmarks: aggrefact, rewardbench, helpsteer, dipper, summfeedback, ' +
        'alpacafarm, rankgen, contrastive-search, litmt, hhh, copoem, expert-lfqa, judgebench-gpt, ' +
        'judgebench-claude, llmbar, aggrefact-tuned, newsroom, usr-personachat, usr-topicalchat, cobbler, ' +
        'judgebench (judgebench-gpt and judgebench-claude), or "all".',
    );
  });

  it('missing data says where it looked and how to get it, and exits 3', async () => {
    const empty = tempDir();
    const { code, stderr } = await runCli([
      'eval',
      '--judge',
      'longer-wins',
      '--data',
      empty,
      '--store',
      path.join(empty, 's.sqlite'),
    ]);
    expect(code).toBe(3);
    for (const rel of REWARDBENCH_FILES) expect(stderr).toContain(path.join(empty, rel));
    expect(stderr).toContain('npm run data -- pull rewardbench');
    expect(stderr).not.toContain('    at '); // no stack trace for a user error
  });

  it('a corrupt data file is named', async () => {
    const dir = tempDir();
    const file = path.join(dir, REWARDBENCH_FILES[0]);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'PAR1 truncated');
    const { code, stderr } = await runCli([
      'eval',
      '--judge',
      'longer-wins',
      '--data',
      dir,
      '--store',
      path.join(dir, 's.sqlite'),
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain(`${file}: not a readable parquet file`);
  });

  it('a bad flag value is refused', async () => {
    const { code, stderr } = await runCli(['eval', '--judge', 'random', '--seed', 'abc']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--seed must be an integer');
  });

  it('no judge', async () => {
    const { code, stderr } = await runCli(['eval']);
    expect(code).toBe(2);
    expect(stderr).toContain('missing --judge <id>');
  });
});

describe('a full run from the command line', () => {
  it('prints the Table 2 layout, writes the reports, and a rerun asks the judge for nothing', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    const out = path.join(dir, 'out');
    const first = await runCli([
      'eval',
      '--judge',
      'longer-wins',
      '--benchmark',
      'rewardbench',
      '--store',
      store,
      '--out',
      out,
    ]);
    expect(first.code, first.stderr).toBe(0);

    // Terminal table: our row, the paper's rows and leaderboard rows, marked as published.
    const table = first.stdout;
    expect(table).toMatch(/Model\s+│\s+Avg\s+│\s+Chat\s+│\s+Chat Hard\s+│\s+Safety\s+│\s+Reasoning/);
    expect(table).toMatch(
      new RegExp(
        /longer-wins\s+│\s+45\.7 ±1\.\d\s+│\s+80\.4 ±\d\.\d\s+│/.source +
          /\s+29\.4 ±\d\.\d\s+│\s+41\.9 ±\d\.\d\s+│\s+31\.0 ±\d\.\d\s+│ this run/.source,
      ),
    );
    expect(table).toMatch(
      new RegExp(
        /FLAMe-RM\s+│\s+86\.7\s+│\s+94\.7\s+│\s+71\.7\s+│/.source +
          /\s+85\.7\s+│\s+94\.8\s+│ published: FLAMe Table 2 \(ACL\)/.source,
      ),
    );
    expect(table).toMatch(
      new RegExp(
        /leaderboard: google\/flame-1\.0-24B-july-2024\s+│/.source +
          /\s+87\.8\s+│\s+92\.2\s+│\s+75\.7\s+│\s+89\.6\s+│\s+93\.8\s+│ published: leaderboard/.source,
      ),
    );
    expect(first.stderr).toContain('2985 items: 2985 asked, 0 from the store, 0 errors, 0 invalid');

    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.judge).toBe('longer-wins');
    const rb = summary.benchmarks.rewardbench;
    expect(rb.n).toBe(2985);
    expect(rb.invalid).toBe(0);
    expect(rb.score).toBeCloseTo(45.68077658153132, 12); // full precision, percent
    expect(Object.keys(rb.sections)).toEqual(['Chat', 'Chat Hard', 'Safety', 'Reasoning']);
    expect(Object.keys(rb.subsets).sort()).toEqual([...SUBSETS].sort());
    for (const v of [...Object.values(rb.sections), ...Object.values(rb.subsets)] as number[]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }

    const csv = parse(fs.readFileSync(path.join(out, 'rewardbench.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(csv[0]).toMatchObject({ model: 'longer-wins', source: 'this run' });
    expect(csv[0]!.Avg).toBe('45.6808'); // 6 significant digits of rb.score
    expect(csv.some((r) => r.source === 'paper' && r.model === 'GPT-4-0125' && r.Avg === '85.9')).toBe(true);

    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    // Each measured value with its 95% bootstrap interval.
    expect(md).toMatch(
      new RegExp(
        /\| \*\*longer-wins\*\* \| 45\.7 \[4\d\.\d, 4\d\.\d\] \| 80\.4 \[\d\d\.\d, \d\d\.\d\] /.source +
          /\| 29\.4 \[[^\]]+\] \| 41\.9 \[[^\]]+\] \| 31\.0 \[[^\]]+\] \| this run \|/.source,
      ),
    );

    const predictions = fs
      .readFileSync(path.join(out, 'predictions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(predictions).toHaveLength(2985);
    expect(new Set(predictions.map((p) => p.item_id)).size).toBe(2985);
    expect(predictions.find((p) => p.item_id === 'alpacaeval-easy/30')).toMatchObject({
      subset: 'alpacaeval-easy',
      status: 'verdict',
      score: 1,
    });

    const second = await runCli(['eval', '--judge', 'longer-wins', '--store', store]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('2985 items: 0 asked, 2985 from the store');
    expect(second.stdout).toMatch(/│ 45\.7 ±\d\.\d │/);
  });

  it('--print-prompt shows the exact FLAMe prompt of an item', async () => {
    const { code, stdout, stderr } = await runCli(['eval', '--print-prompt', '1553']);
    expect(code).toBe(0);
    expect(stderr).toContain('rewardbench item 1553 (donotanswer/3692), seed 0');
    expect(stdout.startsWith('INSTRUCTIONS:\nTask definition: ')).toBe(true);
    expect(stdout).toContain('\nCONTEXT:\nprompt:\n');
    expect(stdout).toMatch(/\nresponse A:\n[\s\S]+\nresponse B:\n/);
  });

  it('--limit runs a smoke test and says it is not comparable', async () => {
    const dir = tempDir();
    const { code, stdout } = await runCli([
      'eval',
      '--judge',
      'random',
      '--limit',
      '20',
      '--store',
      path.join(dir, 's.sqlite'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Not comparable with published rows: subsets not run: alpacaeval-length');
  });
});

describe('--benchmark all', () => {
  it(
    "runs FLAMe Table 1's benchmarks (and JudgeBench's splits) whose data is present, skips the others saying how " +
      'to get them, and prints the Table 1 overview',
    async () => {
      const dir = tempDir();
      const { code, stdout, stderr } = await runCli([
        'eval',
        '--judge',
        'random',
        '--benchmark',
        'all',
        '--store',
        path.join(dir, 's.sqlite'),
        '--out',
        path.join(dir, 'out'),
      ]);
      expect(code, stderr).toBe(0);
      const overview = stdout.slice(stdout.indexOf('FLAMe Table 1 layout: random'));
      const header = overview
        .split('\n')
        .find((l) => l.includes('Model'))!
        .split('│')
        .map((c) => c.trim());
      expect(header.slice(2, 14)).toEqual([
        'AggreFact',
        'RewardBench',
        'H-Steer',
        'Dipper',
        'SumFB',
        'Alpaca',
        'RankG',
        'ContS',
        'LitMT',
        'HHH',
        'CoPoem',
        'EQA',
      ]);
      const ours = overview
        .split('\n')
        .find((l) => l.includes('this run'))!
        .split('│')
        .map((c) => c.trim());
      const column = (name: string): string => ours[header.indexOf(name)]!;
      expect(column('RewardBench')).toMatch(/^49\.0 ±\d\.\d$/);
      for (const missing of ['H-Steer', 'Dipper', 'SumFB', 'Alpaca']) expect(column(missing)).toBe('—');
      // Only 3 of AggreFact's 11 datasets are here: not put beside the paper's 10-dataset averages.
      expect(column('AggreFact')).toBe('—');
      for (const present of ['RankG', 'ContS', 'LitMT', 'HHH', 'CoPoem', 'EQA'])
        expect(column(present)).toMatch(/^\d+\.\d ±\d+\.\d$/);
      expect(overview).toContain('Skipped, data not found: helpsteer, dipper, summfeedback, alpacafarm');
      expect(overview).toContain('aggrefact (partial score');
      expect(stderr).toContain(
        'helpsteer: skipped: HelpSteer validation split (nvidia/HelpSteer validation.jsonl.gz) not found.',
      );
      expect(stderr).toContain('npm run data -- pull helpsteer');
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
      expect(Object.keys(summary.skipped)).toEqual(['helpsteer', 'dipper', 'summfeedback', 'alpacafarm']);
      expect(Object.keys(summary.benchmarks)).toEqual([
        'aggrefact',
        'rewardbench',
        'rankgen',
        'contrastive-search',
        'litmt',
        'hhh',
        'copoem',
        'expert-lfqa',
        'judgebench-gpt',
        'judgebench-claude',
      ]);
      expect(fs.existsSync(path.join(dir, 'out', 'table1.csv'))).toBe(true);
    },
  );

  it('skips the benchmarks a judge cannot answer', async () => {
    const dir = tempDir();
    const { code, stdout, stderr } = await runCli([
      'eval',
      '--judge',
      'longer-wins',
      '--benchmark',
      'all',
      '--store',
      path.join(dir, 's.sqlite'),
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Skipped aggrefact: longer-wins does not answer classification tasks.');
    expect(stderr).toContain('aggrefact: skipped: longer-wins does not answer classification tasks');
    expect(stdout).toMatch(/longer-wins\s+│\s+—\s+│\s+45\.7 ±\d\.\d\s+│/);
  });

  it('a benchmark named explicitly must have its data', async () => {
    const dir = tempDir();
    const { code, stderr } = await runCli([
      'eval',
      '--judge',
      'constant',
      '--benchmark',
      'helpsteer',
      '--store',
      path.join(dir, 's.sqlite'),
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain('npm run data -- pull helpsteer');
  });
});
