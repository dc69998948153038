/**
 * The judge config's batch settings: "batch": true only for an adapter with a batch API, and what a batch costs
 * ("batchDiscount", or batch prices; by default half the price). None of them changes the judge's fingerprint, so
 * batch and synchronous answers are one cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeFingerprint } from '../harness/run.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { openaiAdapter } from '../judges/adapters/openai.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import { tempDir } from './helpers.ts';

function resolve(entry: Record<string, unknown>) {
  const file = path.join(tempDir('autorater-batch-config-'), 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges: { j: entry } }, null, 2));
  return { file, spec: () => resolveJudgeSpec('j', loadJudgeConfig({ userFile: file })) };
}

describe('batch settings in the judge config', () => {
  it('prices a batch at half the price by default, or as configured', () => {
    const price = { inputPerMillion: 5, outputPerMillion: 15 };
    expect(resolve({ extends: 'gpt-4o' }).spec()!.price).toEqual({
      ...price,
      batch: { inputPerMillion: 2.5, outputPerMillion: 7.5 },
    });
    expect(resolve({ extends: 'gpt-4o', price: { ...price, batchDiscount: 0.25 } }).spec()!.price!.batch).toEqual({
      inputPerMillion: 3.75,
      outputPerMillion: 11.25,
    });
    const explicit = { ...price, batchInputPerMillion: 2, batchOutputPerMillion: 6 };
    expect(resolve({ extends: 'gpt-4o', price: explicit }).spec()!.price!.batch).toEqual({
      inputPerMillion: 2,
      outputPerMillion: 6,
    });
    expect(resolve({ extends: 'llama-3-70b' }).spec()!.price).toBeUndefined();
  });

  it('refuses batch prices it cannot read, naming the file and line', () => {
    const both = resolve({
      extends: 'gpt-4o',
      price: {
        inputPerMillion: 5,
        outputPerMillion: 15,
        batchDiscount: 0.5,
        batchInputPerMillion: 1,
        batchOutputPerMillion: 2,
      },
    });
    expect(both.spec).toThrow(`${both.file}: judges.j.price: give batch prices or a batchDiscount, not both`);
    const half = resolve({
      extends: 'gpt-4o',
      price: { inputPerMillion: 5, outputPerMillion: 15, batchInputPerMillion: 1 },
    });
    expect(half.spec).toThrow('give both batchInputPerMillion and batchOutputPerMillion, or neither');
    const discount = resolve({
      extends: 'gpt-4o',
      price: { inputPerMillion: 5, outputPerMillion: 15, batchDiscount: 2 },
    });
    expect(discount.spec).toThrow(/judges\.j\.price\.batchDiscount: .*(line 8)/);
  });

  it('"batch": true needs an adapter with a batch API', () => {
    const local = resolve({
      adapter: 'flame',
      protocol: 'tgi',
      model: 'm',
      baseURL: 'http://127.0.0.1:1',
      batch: true,
    });
    expect(local.spec).toThrow(
      `${local.file}: judge "j": "batch" needs a provider batch API, which the flame adapter does not have ` +
        '(adapters that do: openai, ',
    );
    expect(local.spec).toThrow(/openai-compatible\)\.$/);
    const openai = resolve({ extends: 'gpt-4o', batch: true }).spec()!;
    expect(openai.batch).toBe(true);
    const judge = createApiJudge(openai, openaiAdapter, { OPENAI_API_KEY: 'sk-test' });
    expect(judge.batchByDefault).toBe(true);
    expect(judge.batch).toBeDefined();
  });

  it('keeps the fingerprint: batch settings and batch prices do not change the answers', () => {
    const env = { OPENAI_API_KEY: 'sk-test' };
    const plain = createApiJudge(resolve({ extends: 'gpt-4o' }).spec()!, openaiAdapter, env);
    const batched = createApiJudge(
      resolve({
        extends: 'gpt-4o',
        batch: true,
        price: { inputPerMillion: 5, outputPerMillion: 15, batchDiscount: 0.4 },
      }).spec()!,
      openaiAdapter,
      env,
    );
    expect(judgeFingerprint(batched)).toBe(judgeFingerprint(plain));
  });
});
