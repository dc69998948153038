/**
 * What the CLI tells a user before any work: help texts that list what exists, examples that run, and flags
 * checked up front (issue 20, "Help texts").
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTERED } from '../benchmarks/index.ts';
import { filesToPull } from '../harness/commands/data.ts';
import { checkJudgeId } from '../judges/index.ts';
import { startLoopback } from './doubles/loopback.ts';
import { DATA_DIR, runCli, tempDir } from './helpers.ts';

const WITH_DOWNLOADS = REGISTERED.filter((b) => b.downloads.length > 0);

describe('data pull', () => {
  it('--help lists every benchmark that has files to fetch, and all', async () => {
    const { code, stdout } = await runCli(['data', 'pull', '--help']);
    expect(code).toBe(0);
    const listed = stdout.replace(/\s+/g, ' ');
    for (const id of ['llmbar', 'newsroom', 'cobbler', 'usr-personachat', 'aggrefact-tuned', 'rewardbench']) {
      expect(listed).toContain(`${id},`);
    }
    for (const b of WITH_DOWNLOADS) expect(listed).toMatch(new RegExp(`[ :]${b.id}[,]`));
    expect(listed).toContain('or all');
  });

  it('all is every registered benchmark`s files, each file once', () => {
    const all = filesToPull('all');
    const dests = all.map((s) => s.dest);
    expect(new Set(dests).size).toBe(dests.length);
    for (const b of WITH_DOWNLOADS) for (const spec of b.downloads) expect(dests).toContain(spec.dest);
    // aggrefact and aggrefact-tuned share their files
    const shared = REGISTERED.flatMap((b) => b.downloads).length;
    expect(all.length).toBeLessThan(shared);
  });

  it('npm run data -- pull all starts with the first registered benchmark`s first file', async () => {
    const server = await startLoopback((_req, res) => void res.writeHead(404).end());
    const env = { HF_ENDPOINT: server.url, GITHUB_RAW_ENDPOINT: server.url, HF_TOKEN: 'hf_test' };
    const { code, stderr } = await runCli(['data', 'pull', 'all', '--data', tempDir(), '--no-progress'], { env });
    expect(code).toBe(3);
    expect(stderr).toContain(filesToPull('all')[0]!.description);
    expect(stderr).toContain('HTTP 404');
    expect(stderr).not.toContain('unknown benchmark');
  });
});

describe('compare --help', () => {
  it('gives examples whose judge ids all exist', async () => {
    const { code, stdout } = await runCli(['compare', '--help']);
    expect(code).toBe(0);
    const examples = stdout.split('\n').filter((line) => line.includes('npm run compare --'));
    expect(examples.length).toBeGreaterThan(0);
    const ids = examples.flatMap((line) => [...line.matchAll(/--(?:judge|baseline) (\S+)/g)].map((m) => m[1]!));
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids) expect(() => checkJudgeId(id)).not.toThrow();
  });
});

describe('--judge replay without a source', () => {
  it('exits 2 with the choices on stderr, as an unknown judge does', async () => {
    const env = { AUTORATER_DATA: DATA_DIR };
    const replay = await runCli(['eval', '--judge', 'replay', '--store', path.join(tempDir(), 's.sqlite')], { env });
    expect(replay.code).toBe(2);
    expect(replay.stdout).toBe('');
    expect(replay.stderr).toContain('replay needs a source');
    expect(replay.stderr).toContain('Skywork/Skywork-Reward-Gemma-2-27B');
    const unknown = await runCli(['eval', '--judge', 'no-such-judge', '--store', path.join(tempDir(), 's.sqlite')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('Known judges:');
  });
});

describe('leaderboard checks its flags and config before any work', () => {
  function setUp(judges: unknown[]): { dir: string; config: string; store: string; out: string } {
    const dir = tempDir();
    const config = path.join(dir, 'board.json');
    const board = { judges, benchmarks: ['rewardbench'], seed: 0, sample: null, resamples: 0 };
    fs.writeFileSync(config, JSON.stringify(board));
    return { dir, config, store: path.join(dir, 's.sqlite'), out: path.join(dir, 'out') };
  }
  const env = { AUTORATER_DATA: DATA_DIR };

  it('refuses a date that does not exist', async () => {
    const { config, store, out } = setUp(['longer-wins']);
    const args = ['leaderboard', '--leaderboard-config', config, '--store', store, '--out', out, '--no-progress'];
    const { code, stderr } = await runCli([...args, '--date', '2026-13-45'], { env });
    expect(code).toBe(2);
    expect(stderr).toContain('--date 2026-13-45: expected a date as YYYY-MM-DD.');
    expect(fs.existsSync(store)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses an unknown judge id in any entry before running the ones before it', async () => {
    const { config, store, out } = setUp(['longer-wins', 'random', 'no-such-judge']);
    const args = ['leaderboard', '--leaderboard-config', config, '--store', store, '--out', out, '--no-progress'];
    const { code, stderr } = await runCli(args, { env });
    expect(code).toBe(2);
    expect(stderr).toContain('unknown judge "no-such-judge"');
    expect(fs.existsSync(store)).toBe(false);
  });

  it('--config is the judge config, as in eval: a leaderboard config there, or --judge-config, is named', async () => {
    const { config, store, out } = setUp(['longer-wins']);
    const base = ['leaderboard', '--store', store, '--out', out, '--no-progress'];
    const swapped = await runCli([...base, '--config', config], { env });
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toContain(`--config ${config} is a leaderboard config: pass it as --leaderboard-config`);
    const old = await runCli([...base, '--leaderboard-config', config, '--judge-config', config], { env });
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('--judge-config is now --config');
    expect(fs.existsSync(store)).toBe(false);
  });
});

describe('--config with built-in judges', () => {
  it('says the judge config is not used', async () => {
    const dir = tempDir();
    const judges = path.join(dir, 'judges.json');
    fs.writeFileSync(judges, JSON.stringify({ judges: {} }));
    const args = ['--config', judges, '--limit', '3', '--store', path.join(dir, 's.sqlite'), '--no-progress'];
    const { code, stderr } = await runCli(['eval', '--judge', 'longer-wins', ...args], {
      env: { AUTORATER_DATA: DATA_DIR },
    });
    expect(code).toBe(0);
    expect(stderr).toContain(`--config ${judges} is not used: longer-wins is a built-in judge`);
  });
});
