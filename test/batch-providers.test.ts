/**
 * `eval --batch` through the CLI for the other providers with a batch API: Anthropic's Message Batches and
 * Gemini's Batch Mode (their clients, judges/adapters/anthropic-batch.ts and gemini-batch.ts, against their loopback
 * doubles). The harness path (harness/batch.ts) is the one the OpenAI tests cover (test/batch-cli.test.ts): here
 * each provider goes through it end to end, a submission collected by a later process, a request that expired
 * inside a batch submitted once more, and the cost at the batch price.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { startAnthropicBatchDouble, type Outcome } from './doubles/anthropic-batch-server.ts';
import { apiError, overloaded } from './doubles/anthropic-server.ts';
import { startGeminiBatchDouble, type GeminiOutcome } from './doubles/gemini-batch-server.ts';
import { textBody } from './doubles/gemini-server.ts';
import type { HttpDouble } from './doubles/http-double.ts';
import { runCli, tempDir, warmCliBundle } from './helpers.ts';

const ANTHROPIC_KEY = `sk-ant-api03-${'b4tch'.repeat(8)}`;
const GEMINI_KEY = `gemini-batch-key-${'b4tch'.repeat(6)}`;
const POLL = { AUTORATER_BATCH_POLL_MS: '20' };

const doubles: HttpDouble[] = [];
afterEach(async () => {
  for (const d of doubles.splice(0)) await d.close();
});

beforeAll(warmCliBundle);

/** A verdict that depends only on what was asked, so it is the same in every batch. */
const verdict = (asked: unknown): string =>
  `explanation: fine\nbetter response: ${JSON.stringify(asked).length % 2 === 0 ? 'A' : 'B'}`;

function setup(entry: Record<string, unknown>): { store: string; args: (...extra: string[]) => string[] } {
  const dir = tempDir('autorater-batch-provider-');
  const config = path.join(dir, 'judges.json');
  fs.writeFileSync(config, JSON.stringify({ judges: { batched: entry } }));
  const store = path.join(dir, 'runs.sqlite');
  return {
    store,
    args: (...extra) => [
      'eval',
      '--judge',
      'batched',
      '--config',
      config,
      '--store',
      store,
      '--resamples',
      '0',
      ...extra,
    ],
  };
}

function stored(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT batch_id, input_tokens, output_tokens, cost_usd, error, attempts FROM judgments')
      .all() as {
      batch_id: string | null;
      input_tokens: number;
      output_tokens: number;
      cost_usd: number;
      error: string | null;
      attempts: number;
    }[];
  } finally {
    db.close();
  }
}

/** Submit (exit 9), then collect with --wait: one request expired in the first batch, so a second batch. */
async function submitThenCollect(s: ReturnType<typeof setup>, env: NodeJS.ProcessEnv) {
  const first = await runCli(s.args('--batch', '--limit', '5', '--swap'), { env: { ...env, ...POLL } });
  expect(first.code, first.stderr).toBe(EXIT_CODES.batchPending.code);
  expect(first.stderr).toMatch(/rewardbench: submitted batch \S+: 10 requests, at the batch price\./);
  expect(first.stderr).toMatch(/rewardbench: 10 requests in 1 pending batch/);
  const second = await runCli(s.args('--batch', '--wait', '--limit', '5', '--swap'), { env: { ...env, ...POLL } });
  expect(second.code, second.stderr).toBe(0);
  expect(second.stderr).toMatch(/collected batch \S+ \(completed\): 9 answers, 1 submitted once more\./);
  expect(second.stderr).toMatch(/submitted batch \S+: 1 failed requests submitted once more/);
  expect(second.stderr).toMatch(/collected batch \S+ \(completed\): 1 answer\./);
  expect(second.stderr).toContain('rewardbench: 5 items (×2 orders): 1 asked, 0 from the store, 0 errors, 0 invalid');
  const rows = stored(s.store);
  expect(rows).toHaveLength(10);
  expect(rows.every((r) => r.error === null && r.batch_id !== null)).toBe(true);
  expect(rows.filter((r) => r.attempts === 2)).toHaveLength(1);
  return { rows, second };
}

describe('eval --batch with the other providers', () => {
  it("Anthropic's Message Batches: submitted, collected the next run, the expired request once more", async () => {
    let expired = false;
    const double = await startAnthropicBatchDouble({
      apiKey: ANTHROPIC_KEY,
      script: {
        endsAfter: 1,
        outcome: (item): Outcome => {
          if (!expired) {
            expired = true;
            return { expired: true };
          }
          return { text: verdict(item.params.messages) };
        },
      },
    });
    doubles.push(double);
    const s = setup({ extends: 'claude-3-opus', baseURL: double.url });
    const { rows } = await submitThenCollect(s, { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
    expect(double.counts.creates).toBe(2);
    // claude-3-opus is $15 / $75 per million; its batches half that.
    for (const r of rows) expect(r.cost_usd).toBeCloseTo((r.input_tokens * 7.5 + r.output_tokens * 37.5) / 1e6, 15);
  });

  it('Anthropic (no find): a submission that may have created a batch is not retried; a 529 is', async () => {
    const replies = [overloaded(), apiError(500, 'api_error', 'Internal server error')];
    const double = await startAnthropicBatchDouble({
      apiKey: ANTHROPIC_KEY,
      script: {
        outcome: (item): Outcome => ({ text: verdict(item.params.messages) }),
        intercept: (r) => (r.method === 'POST' && r.path === '/v1/messages/batches' ? replies.shift() : undefined),
      },
    });
    doubles.push(double);
    const limits = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 };
    const s = setup({ extends: 'claude-3-opus', baseURL: double.url, limits });
    const env = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ...POLL };
    // A 529 refuses the request: retried. The 500 after it may have come after the batch was created: not retried.
    const first = await runCli(s.args('--batch', '--limit', '3'), { env });
    expect(double.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(double.counts.creates).toBe(0);
    expect(first.stderr).toMatch(
      /Batches: the submission of 3 rewardbench requests failed after it may have reached the provider \(HTTP 500: /,
    );
    expect(first.stderr).toContain("not retried, since this provider's batches cannot be looked up by label");
    const db = new Database(s.store, { readonly: true });
    const rows = db.prepare('SELECT state, note FROM batches').all();
    db.close();
    expect(rows).toEqual([
      { state: 'lost', note: expect.stringMatching(/^not submitted again: the submission may have created the batch/) },
    ]);
    // The next run submits the items again.
    const second = await runCli(s.args('--batch', '--wait', '--limit', '3'), { env });
    expect(second.code, second.stderr).toBe(0);
    expect(double.counts.creates).toBe(1);
    expect(stored(s.store)).toHaveLength(3);
  });

  it("Gemini's Batch Mode: submitted, collected the next run, the failed request once more", async () => {
    let failed = false;
    const double = await startGeminiBatchDouble({
      apiKey: GEMINI_KEY,
      script: {
        endsAfter: 1,
        outcome: (item): GeminiOutcome => {
          if (!failed) {
            failed = true;
            return { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } };
          }
          return { response: textBody(verdict(item.request.contents), { usage: { prompt: 900, output: 30 } }) };
        },
      },
    });
    doubles.push(double);
    const s = setup({ extends: 'gemini-1.5-flash', baseURL: double.url });
    const { rows } = await submitThenCollect(s, { GEMINI_API_KEY: GEMINI_KEY });
    expect(double.counts.creates).toBe(2);
    // gemini-1.5-flash is $0.35 / $1.05 per million; its batches half that.
    for (const r of rows) expect(r.cost_usd).toBeCloseTo((900 * 0.175 + 30 * 0.525) / 1e6, 15);
  });
});
