/**
 * The nightly path against real endpoints, through the CLI as users run it and the real SDKs against loopback
 * doubles: where requests go (config, then the SDK's variable, then the provider), configurations that cannot work
 * stopping within seconds with one line and exit 7, the breaker when a server dies mid-run (and the resume once it
 * is back), failures grouped by cause, and no secret in any file or stream.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { runEval } from '../harness/run.ts';
import { clearSecrets } from '../core/secrets.ts';
import { Store } from '../harness/store.ts';
import { openaiAccount } from '../judges/adapters/openai.ts';
import { createJudge } from '../judges/index.ts';
import { message, startAnthropicDouble } from './doubles/anthropic-server.ts';
import { geminiText, startGeminiDouble } from './doubles/gemini-server.ts';
import type { HttpDouble } from './doubles/http-double.ts';
import { apiError, completion, serverError, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { CLI, DATA_DIR, REPO, runCli, tempDir, type CliResult } from './helpers.ts';

const secret = (prefix: string): string => `${prefix}${randomBytes(12).toString('hex')}`;
const KEY = secret('sk-test-');
const VERDICT = 'explanation: fine.\nbetter response: A';

const servers: HttpDouble[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  clearSecrets();
});

async function openai(options: Parameters<typeof startOpenAIDouble>[0] = {}): Promise<OpenAIDouble> {
  const double = await startOpenAIDouble(options);
  servers.push(double);
  return double;
}

function writeConfig(dir: string, judges: Record<string, unknown>): string {
  const file = path.join(dir, 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges }));
  return file;
}

function storedRows(file: string): { n: number; errors: number } {
  if (!fs.existsSync(file)) return { n: 0, errors: 0 };
  const db = new Database(file, { readonly: true });
  const row = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(error IS NOT NULL), 0) AS errors FROM judgments').get();
  db.close();
  return row as { n: number; errors: number };
}

/** Every byte the run left behind: what it printed, the store (and its WAL), the reports. */
function everything(dir: string, ...results: CliResult[]): string {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const contents = files.map((e) => fs.readFileSync(path.join(e.parentPath, e.name)).toString('latin1'));
  return [...results.flatMap((r) => [r.stdout, r.stderr]), ...contents].join('\n');
}

/**
 * `eval` of `judge` on the first `limit` RewardBench items, without intervals, storing in `dir` (runs.sqlite, or
 * `store`) and, with `out`, writing the reports to dir/out.
 */
function evalArgs(
  judge: string,
  dir: string,
  limit: number,
  o: { config?: string; store?: string; out?: boolean } = {},
) {
  const store = o.store ?? path.join(dir, 'runs.sqlite');
  return ['eval', '--judge', judge, ...(o.config ? ['--config', o.config] : []), '--limit', String(limit)].concat([
    '--resamples',
    '0',
    '--store',
    store,
    ...(o.out ? ['--out', path.join(dir, 'out')] : []),
  ]);
}

const autoraterLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('autorater:'));

describe('where requests go', () => {
  it(
    'honours OPENAI_BASE_URL for the openai adapter, says so first, records it, ' +
      'and sends no organisation id there',
    async () => {
      const double = await openai({ apiKey: KEY });
      const dir = tempDir();
      const result = await runCli(evalArgs('gpt-4o', dir, 3, { out: true }), {
        env: {
          OPENAI_API_KEY: KEY,
          OPENAI_BASE_URL: double.baseURL,
          OPENAI_ORG_ID: 'org-shouldnotleave',
          OPENAI_PROJECT_ID: 'proj_shouldnotleave',
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(double.calls).toHaveLength(3);
      expect(result.stderr.split('\n')[0]).toBe(
        `judge gpt-4o: model gpt-4o-2024-05-13 at ${double.baseURL} (from OPENAI_BASE_URL)`,
      );
      for (const r of double.requests) {
        expect(r.headers['openai-organization']).toBeUndefined();
        expect(r.headers['openai-project']).toBeUndefined();
      }
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
      expect(summary.endpoint).toEqual({
        url: double.baseURL,
        source: 'OPENAI_BASE_URL',
        keyFrom: 'OPENAI_API_KEY',
        model: 'gpt-4o-2024-05-13',
      });
    },
  );

  it('sends OPENAI_ORG_ID and OPENAI_PROJECT_ID to OpenAI itself only', () => {
    const env = { OPENAI_ORG_ID: 'org-1', OPENAI_PROJECT_ID: 'proj_1' };
    expect(openaiAccount('https://api.openai.com/v1', env)).toEqual({ organization: 'org-1', project: 'proj_1' });
    expect(openaiAccount('https://gateway.example/v1', env)).toEqual({});
    expect(openaiAccount('http://127.0.0.1:8000/v1', env)).toEqual({});
  });

  it("puts the config's baseURL before OPENAI_BASE_URL", async () => {
    const configured = await openai({ apiKey: KEY });
    const other = await openai({ apiKey: KEY });
    const dir = tempDir();
    const config = writeConfig(dir, { mine: { extends: 'gpt-4o', baseURL: configured.baseURL } });
    const result = await runCli(evalArgs('mine', dir, 2, { config }), {
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: other.baseURL },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(configured.calls).toHaveLength(2);
    expect(other.requests).toHaveLength(0);
    expect(result.stderr.split('\n')[0]).toBe(
      `judge mine: model gpt-4o-2024-05-13 at ${configured.baseURL} (from "baseURL" of "mine" in ${config})`,
    );
  });

  it('honours ANTHROPIC_BASE_URL and GOOGLE_GEMINI_BASE_URL, the SDKs’ own variables', async () => {
    const anthropic = await startAnthropicDouble({ apiKey: KEY, script: (request) => message(request, VERDICT) });
    const gemini = await startGeminiDouble(() => geminiText(VERDICT), { apiKey: KEY });
    servers.push(anthropic, gemini);
    const cases = [
      {
        id: 'claude-3-opus',
        env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url },
        variable: 'ANTHROPIC_BASE_URL',
        double: anthropic,
      },
      {
        id: 'gemini-1.5-pro',
        env: { GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: gemini.url },
        variable: 'GOOGLE_GEMINI_BASE_URL',
        double: gemini,
      },
    ];
    for (const c of cases) {
      const judge = await createJudge(c.id, { dataDir: DATA_DIR, seed: 0, env: c.env, configFile: undefined });
      expect(judge.endpoint).toMatchObject({ url: c.double.url, source: c.variable });
      const store = Store.open(':memory:');
      const run = await runEval({
        judge,
        benchmarks: [rewardbench],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        limit: 2,
        progress: false,
      });
      store.close();
      expect(run.status).toBe('complete');
      expect(c.double.requests.length).toBe(2);
    }
  });
});

describe('a configuration that cannot work stops the run within seconds, with one line and exit 7', () => {
  async function failFast(
    env: NodeJS.ProcessEnv,
    judges?: Record<string, unknown>,
    judge = 'gpt-4o',
  ): Promise<{ line: string; seconds: number }> {
    const dir = tempDir();
    const store = path.join(dir, 'runs.sqlite');
    const config = judges ? ['--config', writeConfig(dir, judges)] : [];
    const started = performance.now();
    const result = await runCli(
      ['eval', '--judge', judge, ...config, '--limit', '20', '--resamples', '0', '--store', store],
      { env },
    );
    const seconds = (performance.now() - started) / 1000;
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).not.toContain('    at ');
    const lines = autoraterLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(storedRows(store)).toEqual({ n: 0, errors: 0 }); // nothing stored as failed
    expect(result.stderr).not.toContain(KEY);
    return { line: lines[0]!, seconds };
  }

  it('connection refused: names the URL, the variable it came from, and what to do', async () => {
    const gone = await openai();
    await gone.close();
    const { line, seconds } = await failFast({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: gone.baseURL });
    expect(line).toMatch(
      new RegExp(
        /^autorater: gpt-4o at http:\/\/127\.0\.0\.1:\d+\/v1 \(URL from OPENAI_BASE_URL\): /.source +
          /connection failed: connect ECONNREFUSED/.source,
      ),
    );
    expect(line).toContain('Nothing answers there: start the server, or fix the URL (OPENAI_BASE_URL)');
    expect(seconds).toBeLessThan(30);
  });

  it('a rejected key (401) names the key variable', async () => {
    const double = await openai({ apiKey: KEY });
    const { line } = await failFast({ OPENAI_API_KEY: secret('sk-wrong-'), OPENAI_BASE_URL: double.baseURL });
    expect(line).toContain('HTTP 401: Incorrect API key provided');
    expect(line).toContain('The key was refused: check OPENAI_API_KEY');
    expect(double.calls).toHaveLength(0);
  });

  it('a model the server does not have (404) names the model', async () => {
    const double = await openai({ apiKey: KEY, models: ['some-other-model'] });
    const { line } = await failFast({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: double.baseURL });
    expect(line).toContain('HTTP 404: The model `gpt-4o-2024-05-13` does not exist');
    expect(line).toContain('Model "gpt-4o-2024-05-13" or the path does not exist there: check "model"');
  });

  it('TLS to a plain-HTTP server, a malformed URL, and a missing key', async () => {
    const double = await openai({ apiKey: KEY });
    const tls = await failFast({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: double.baseURL.replace('http:', 'https:') });
    expect(tls.line).toContain('The TLS handshake failed: check http:// vs https://');
    const malformed = await failFast({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'localhost 8000/v1' });
    expect(malformed.line).toBe(
      'autorater: --judge gpt-4o: "localhost 8000/v1" (from OPENAI_BASE_URL) is not a URL: ' +
        'write it as http://host:port/path.',
    );
    const missing = await failFast({ OPENAI_API_KEY: '' });
    expect(missing.line).toBe('autorater: --judge gpt-4o: set OPENAI_API_KEY (the openai API key).');
    expect(double.requests).toHaveLength(0);
  });
});

describe('a server that dies mid-run', () => {
  it(
    'opens the breaker (exit 4, verdicts kept, the cause said); ' +
      'once it is back the same command finishes the rest',
    async () => {
      const slow = async (call: Parameters<typeof completion>[0]) => {
        await new Promise((r) => setTimeout(r, 10));
        return completion(call, VERDICT);
      };
      let double = await openai({ apiKey: KEY, script: slow });
      const port = Number(new URL(double.url).port);
      const dir = tempDir();
      const store = path.join(dir, 'runs.sqlite');
      const limits = {
        concurrency: 4,
        timeoutMs: 5000,
        maxAttempts: 20,
        baseDelayMs: 20,
        maxDelayMs: 100,
        breakAfterFailures: 12,
        breakAfterMs: 300,
      };
      const config = writeConfig(dir, { mine: { extends: 'gpt-4o', baseURL: double.baseURL, limits } });
      const args = evalArgs('mine', dir, 300, { config, store, out: true });
      const env = { ...process.env, AUTORATER_DATA: DATA_DIR, OPENAI_API_KEY: KEY };
      const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let done = false;
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (c) => {
          done = true;
          resolve(c);
        }),
      );
      while (double.calls.length < 40 && !done) await new Promise((r) => setTimeout(r, 5));
      expect(done, stderr).toBe(false);
      await double.close(); // the server goes away
      const killedAt = performance.now();
      const code = await exited;
      expect(code, stderr).toBe(4);
      expect((performance.now() - killedAt) / 1000).toBeLessThan(20);
      expect(stderr).toMatch(
        new RegExp(
          /Stopped asking: \d+ requests in a row failed over \d+ s with the same cause /.source +
            /\(connection failed: connect ECONNREFUSED 127\.0\.0\.1:\d+\)/.source,
        ),
      );
      expect(stderr).toContain('rerun the same command when it is back');
      const first = storedRows(store);
      expect(first.errors).toBe(0); // the breaker stopped it before any item used up its attempts
      expect(first.n).toBeGreaterThanOrEqual(30);
      expect(first.n).toBeLessThan(300);
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
      expect(summary.run.breaker.cause).toMatch(/^connection failed: connect ECONNREFUSED/);
      expect(summary.run.failures.rewardbench).toEqual([
        { cause: 'not judged: the run stopped first', count: 300 - first.n },
      ]);

      double = await openai({ apiKey: KEY, script: slow, port }); // back where it was
      const rerun = await runCli(args, { env: { OPENAI_API_KEY: KEY } });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toContain(`300 items: ${300 - first.n} asked, ${first.n} from the store, 0 errors`);
      expect(double.calls).toHaveLength(300 - first.n);
      expect(storedRows(store)).toEqual({ n: 300, errors: 0 });
    },
  );
});

describe('why items failed', () => {
  it('groups failed items by cause on the terminal, in report.md and in summary.json', async () => {
    // Every 5th item: a 500 that never goes away; every 7th: a 400 the request earns itself.
    const double = await openai({
      apiKey: KEY,
      script: (call) => {
        const n = call.prompt.length;
        if (n % 5 === 0) return serverError();
        if (n % 7 === 0)
          return apiError(
            400,
            `This model's maximum context length is 8192 tokens (request req_${randomBytes(6).toString('hex')})`,
            'invalid_request_error',
          );
        return completion(call, VERDICT);
      },
    });
    const dir = tempDir();
    const config = writeConfig(dir, {
      mine: { extends: 'gpt-4o', baseURL: double.baseURL, limits: { concurrency: 4, maxAttempts: 2, baseDelayMs: 1 } },
    });
    const result = await runCli(evalArgs('mine', dir, 60, { config, out: true }), { env: { OPENAI_API_KEY: KEY } });
    expect(result.code, result.stderr).toBe(4);
    const prompts = [...new Set(double.calls.map((c) => c.prompt))];
    const fives = prompts.filter((p) => p.length % 5 === 0).length;
    const sevens = prompts.filter((p) => p.length % 5 !== 0 && p.length % 7 === 0).length;
    expect(fives + sevens).toBeGreaterThan(0);
    const expected = [
      { cause: 'HTTP 500: The server had an error while processing your request. Sorry about that!', count: fives },
      { cause: "HTTP 400: This model's maximum context length is 8192 tokens (request …)", count: sevens },
    ]
      .filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.run.failures.rewardbench).toEqual(expected);
    expect(result.stderr).toContain(
      `Items without an answer, by cause (${fives + sevens}; the next run asks them again):`,
    );
    for (const c of expected)
      expect(result.stderr).toMatch(
        new RegExp(`\\n +${c.count}  ${c.cause.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`),
      );
    const report = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(report).toContain('### Items without an answer, by cause');
    for (const c of expected) expect(report).toContain(`| ${c.count} | ${c.cause} |`);
  });
});

describe('no secret in any file or stream', () => {
  it('hides an API key, a key in the query string, and whatever the server echoes of them', async () => {
    const token = secret('qs-');
    const double = await openai({
      apiKey: KEY,
      script: (call) => {
        const echo = `${call.request.headers.authorization} ${call.request.path}`;
        // Every item fails once with the credentials in the error, then answers with them in its text.
        return call.attempt === 1
          ? apiError(500, `upstream failed for ${echo}`, 'server_error')
          : completion(call, `${VERDICT}\nseen: ${echo}`);
      },
    });
    const dir = tempDir();
    // The user's own config file holds the secret; it lives apart from what the run writes.
    const config = writeConfig(tempDir(), {
      gw: {
        extends: 'gpt-4o',
        baseURL: `${double.baseURL}?token=${token}`,
        limits: { concurrency: 2, maxAttempts: 1 },
      },
    });
    const args = evalArgs('gw', dir, 4, { config, out: true });
    const first = await runCli(args, { env: { OPENAI_API_KEY: KEY } }); // every item fails: errors stored
    const second = await runCli(args, { env: { OPENAI_API_KEY: KEY } }); // every item answers: replies stored
    expect(first.code, first.stderr).toBe(4);
    expect(second.code, second.stderr).toBe(0);
    expect(
      double.requests.every((r) => r.path.endsWith(`?token=${token}`) && r.headers.authorization === `Bearer ${KEY}`),
    ).toBe(true);
    const left = everything(dir, first, second);
    expect(left).toContain('upstream failed for Bearer ***'); // the scan does read the stored errors
    expect(left).toContain('seen: Bearer ***');
    expect(left).toContain(`at ${double.baseURL}?token=*** (from`);
    for (const value of [KEY, token]) {
      const at = left.indexOf(value);
      expect(at, left.slice(Math.max(0, at - 300), at + 100)).toBe(-1);
    }
  });

  it('hides a user and password written into the URL (sent as HTTP Basic), echoed or not', async () => {
    const password = secret('pw-');
    const basic = Buffer.from(`nightly:${password}`).toString('base64');
    const double = await openai({
      script: (call) =>
        call.request.headers.authorization === `Basic ${basic}`
          ? apiError(503, `busy; you sent ${call.request.headers.authorization}`, 'server_error')
          : apiError(401, 'no', 'auth'),
    });
    const dir = tempDir();
    const url = double.baseURL.replace('http://', `http://nightly:${password}@`);
    const config = writeConfig(tempDir(), {
      gw: { adapter: 'openai-compatible', model: 'm', baseURL: url, limits: { concurrency: 1, maxAttempts: 1 } },
    });
    const result = await runCli(evalArgs('gw', dir, 3, { config, out: true }));
    expect(result.code, result.stderr).toBe(4); // the 503s are stored as the items' errors
    expect(double.calls).toHaveLength(3);
    const left = everything(dir, result);
    expect(left).toContain('busy; you sent Basic ***');
    expect(result.stderr.split('\n')[0]).toBe(
      `judge gw: model m at ${double.baseURL.replace('http://', 'http://***@')} (from "baseURL" of "gw" in ${config})`,
    );
    for (const value of [password, basic]) {
      const at = left.indexOf(value);
      expect(at, left.slice(Math.max(0, at - 300), at + 100)).toBe(-1);
    }
  });
});

describe('the nightly leaderboard with one judge whose endpoint is gone', () => {
  it('says why, leaves that judge out tonight, writes the others, and ends incomplete (exit 4)', async () => {
    const gone = await openai();
    await gone.close();
    const dir = tempDir();
    const judges = writeConfig(tempDir(), {
      dead: { adapter: 'openai-compatible', model: 'm', baseURL: gone.baseURL },
    });
    const config = path.join(dir, 'leaderboard.config.json');
    const board = {
      judges: ['longer-wins', { id: 'dead', benchmarks: ['rewardbench'] }],
      benchmarks: ['rewardbench'],
      seed: 0,
      sample: null,
      resamples: 0,
    };
    fs.writeFileSync(config, JSON.stringify(board));
    const out = path.join(dir, 'board');
    const result = await runCli([
      'leaderboard',
      '--leaderboard-config',
      config,
      '--config',
      judges,
      '--store',
      path.join(dir, 's.sqlite'),
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(
      /autorater: dead at http:\/\/127\.0\.0\.1:\d+\/v1 .*connect ECONNREFUSED.* \(dead is left out tonight\)/,
    );
    const data = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8'));
    const measured = data.rows
      .filter((r: { source: string }) => r.source === 'this run')
      .map((r: { judge: string }) => r.judge);
    expect(measured).toEqual(['longer-wins']);
  });
});
