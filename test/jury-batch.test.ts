/**
 * A jury whose member is configured with "batch": true: that member goes through its provider's batch API, as it
 * would on its own (not silently at full price), the jury's run is pending until the batch is collected, and
 * --wait collects it and gives the jury's verdicts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../core/exit-codes.ts';
import { startOpenAIBatchDouble, type OpenAIBatchDouble } from './doubles/openai-batch-server.ts';
import { completion } from './doubles/openai-server.ts';
import { runCli, tempDir, warmCliBundle } from './helpers.ts';

const KEY = `sk-test-${'jurybatch'.repeat(4)}`;
const env = { env: { OPENAI_API_KEY: KEY, AUTORATER_BATCH_POLL_MS: '20' } };

let double: OpenAIBatchDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

beforeAll(warmCliBundle);

describe('a jury with a member set to "batch": true', () => {
  it('submits that member through the batch API (exit 9), and --wait collects it', async () => {
    const d = (double = await startOpenAIBatchDouble({
      apiKey: KEY,
      script: (call) => completion(call, 'explanation: fine\nbetter response: A'),
      plan: () => ({ pollsToEnd: 2 }),
    }));
    const dir = tempDir('autorater-jury-batch-');
    const config = path.join(dir, 'judges.json');
    const member = { extends: 'gpt-4o', baseURL: d.baseURL, batch: true, limits: { timeoutMs: 5000 } };
    fs.writeFileSync(config, JSON.stringify({ judges: { 'gpt-4o-batch': member } }));
    const args = ['eval', '--judge', 'jury:gpt-4o-batch,longer-wins,shorter-wins', '--config', config]
      .concat(['--benchmark', 'rewardbench', '--limit', '6', '--store', path.join(dir, 'runs.sqlite')])
      .concat(['--resamples', '0', '--no-progress']);

    const night = await runCli(args, env);
    expect(night.code, night.stderr).toBe(EXIT_CODES.batchPending.code);
    expect(d.batches).toHaveLength(1);
    expect(d.batches[0]!.lines).toHaveLength(6);
    expect(d.calls).toHaveLength(0); // nothing asked one by one, at full price

    const morning = await runCli([...args, '--wait'], env);
    expect(morning.code, morning.stderr).toBe(0);
    expect(d.batches).toHaveLength(1); // collected, not submitted again
    expect(d.calls).toHaveLength(6); // the double ran the batch's 6 requests; none was asked on its own
    expect(morning.stderr).toMatch(/rewardbench: collected batch \S+ \(completed\): 6 answers\./);
    expect(morning.stderr).toMatch(/member gpt-4o-batch: run #\d+ \(complete\)/);
    expect(morning.stderr).toMatch(/Run #\d+ \(complete\)/);
  });
});
