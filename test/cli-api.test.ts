import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { completion, rateLimited, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { CLI, DATA_DIR, REPO, runCli, tempDir, type CliResult } from './helpers.ts';

// A key-shaped secret that must never leave the environment variable it came in.
const KEY = `sk-test-${'k3y'.repeat(12)}`;

let double: OpenAIDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

function userConfig(dir: string, baseURL: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'judges.json');
  const entry = {
    extends: 'gpt-4o',
    baseURL,
    limits: { concurrency: 2, timeoutMs: 5000, baseDelayMs: 1, maxRetryAfterMs: 50 },
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify({ judges: { 'gpt-4o-local': entry } }));
  return file;
}

/** Every byte the run left behind: the store (and its WAL), the reports, and what it printed. */
function everything(dir: string, result: CliResult): string {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const contents = files.map((e) => fs.readFileSync(path.join(e.parentPath, e.name)).toString('latin1'));
  return [result.stdout, result.stderr, ...contents].join('\n');
}

describe('a model judge from the command line, against a local OpenAI double', () => {
  it('retries rate limits, reports tokens and cost, and the API key appears nowhere it wrote', async () => {
    double = await startOpenAIDouble({
      apiKey: KEY,
      script: (call) =>
        call.attempt === 1
          ? rateLimited({ 'retry-after-ms': '5' })
          : completion(call, 'explanation: ok\nbetter response: A'),
    });
    const dir = tempDir();
    const result = await runCli(
      [
        'eval',
        '--judge',
        'gpt-4o-local',
        '--config',
        userConfig(dir, double.baseURL),
        '--limit',
        '10',
        '--store',
        path.join(dir, 'runs.sqlite'),
        '--out',
        path.join(dir, 'out'),
      ],
      { env: { OPENAI_API_KEY: KEY } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(double.calls).toHaveLength(20); // 10 items, each rate-limited once
    expect(result.stdout).toMatch(/gpt-4o-local\s+│/);
    expect(result.stderr).toMatch(/this run: [\d.k]+ in \/ [\d.k]+ out \| \$0\.\d\d/);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.run.spend.inputTokens).toBeGreaterThan(0);
    expect(summary.run.spend.costUsd).toBeCloseTo(
      (summary.run.spend.inputTokens * 5 + summary.run.spend.outputTokens * 15) / 1e6,
      12,
    );
    const report = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(report).toContain(`- This run's requests: `);
    expect(report).toMatch(
      new RegExp(
        /rewardbench: 10 items, 10 asked, 0 from the store, 0 errors, 0 invalid; /.source +
          /all its judgments: [\d.k]+ in \/ [\d.k]+ out \| \$0\.\d\d/.source,
      ),
    );
    const db = new Database(path.join(dir, 'runs.sqlite'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n, SUM(attempts) AS a FROM judgments WHERE error IS NULL').get()).toEqual({
      n: 10,
      a: 20,
    });
    db.close();

    const left = everything(dir, result);
    expect(left).toContain('better response: A'); // the scan does read what was stored
    expect(left).not.toContain(KEY);
    expect(left).not.toContain('k3yk3yk3y');
  });

  it('Ctrl-C stops cleanly with exit 130, keeps what finished, and the same command continues', async () => {
    double = await startOpenAIDouble({
      apiKey: KEY,
      script: async (call) => {
        await new Promise((r) => setTimeout(r, 100));
        return completion(call, 'better response: B');
      },
    });
    const dir = tempDir();
    const args = [
      'eval',
      '--judge',
      'gpt-4o-local',
      '--config',
      userConfig(dir, double.baseURL),
      '--limit',
      '30',
      '--store',
      path.join(dir, 'runs.sqlite'),
    ];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, AUTORATER_DATA: DATA_DIR, OPENAI_API_KEY: KEY },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    while (double.calls.length < 6) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Interrupted: run the same command again to continue where it stopped.');

    const db = new Database(path.join(dir, 'runs.sqlite'), { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) AS n, SUM(error IS NOT NULL) AS errors FROM judgments').get() as {
      n: number;
      errors: number;
    };
    db.close();
    expect(stored.errors).toBe(0); // requests cut off by Ctrl-C are not errors
    expect(stored.n).toBeGreaterThanOrEqual(4);
    expect(stored.n).toBeLessThan(30);

    const callsBefore = double.calls.length;
    const rerun = await runCli(args, { env: { OPENAI_API_KEY: KEY } });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`30 items: ${30 - stored.n} asked, ${stored.n} from the store`);
    expect(double.calls.length - callsBefore).toBe(30 - stored.n);
  });

  it('--max-cost stops the run before it spends more, with exit 5', async () => {
    double = await startOpenAIDouble({ apiKey: KEY });
    const dir = tempDir();
    const result = await runCli(
      [
        'eval',
        '--judge',
        'gpt-4o-local',
        '--config',
        userConfig(dir, double.baseURL),
        '--limit',
        '50',
        '--max-cost',
        '0.05',
        '--store',
        path.join(dir, 'runs.sqlite'),
        '--out',
        path.join(dir, 'out'),
      ],
      { env: { OPENAI_API_KEY: KEY } },
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('Stopped before spending more than $0.05');
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.run.status).toBe('stopped');
    expect(summary.run.spend.costUsd).toBeLessThanOrEqual(0.05);
    expect(double.calls.length).toBeGreaterThan(0);
    expect(double.calls.length).toBeLessThan(50);
  });

  it('view and compare read stored answers without the API key; asking for more still needs it', async () => {
    double = await startOpenAIDouble({ apiKey: KEY });
    const dir = tempDir();
    const config = userConfig(dir, double.baseURL);
    const store = path.join(dir, 'runs.sqlite');
    const common = ['--config', config, '--benchmark', 'llmbar', '--limit', '8', '--store', store];
    const judged = await runCli(['eval', '--judge', 'gpt-4o-local', ...common], { env: { OPENAI_API_KEY: KEY } });
    expect(judged.code, judged.stderr).toBe(0);
    const asked = double.calls.length;
    expect(asked).toBe(8);

    const noKey = { env: { OPENAI_API_KEY: '' } };
    const view = await runCli(['view', '--judge', 'gpt-4o-local', ...common, '--out', path.join(dir, 'view')], noKey);
    expect(view.code, view.stderr).toBe(0);
    const page = fs.readFileSync(path.join(dir, 'view', 'items.html'), 'utf8');
    expect(page).toContain('gpt-4o-local');
    expect(view.stderr).not.toContain('have no answer'); // all 8 were found in the store under the same judge

    const compare = ['compare', '--judge', 'gpt-4o-local', '--baseline', 'longer-wins', ...common];
    const compared = await runCli(compare, noKey);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toContain('gpt-4o-local');
    expect(double.calls.length).toBe(asked); // nothing was asked without the key

    const wider = ['--config', config, '--benchmark', 'llmbar', '--limit', '12', '--store', store, '--run-missing'];
    const more = await runCli(['compare', '--judge', 'gpt-4o-local', '--baseline', 'longer-wins', ...wider], noKey);
    expect(more.code).not.toBe(0);
    expect(more.stderr).toContain('set OPENAI_API_KEY');
    expect(double.calls.length).toBe(asked);
  });

  it('a self-hosted judge with no URL fails in one line saying what to set', async () => {
    const result = await runCli(['eval', '--judge', 'flame-rm', '--limit', '1'], { env: { FLAME_RM_URL: '' } });
    expect(result.code).toBe(7); // the judge's endpoint cannot work as configured
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('set FLAME_RM_URL.');
  });
});
