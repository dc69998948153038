/**
 * The in-process `local` judge with a real GGUF model (../shared/models/llama-2-tiny-random.gguf: random
 * weights, no chat template) on a handful of real items, in both modes, through the CLI's judge registry and the
 * real harness and store. The model's answers are noise, so only the mechanics are asserted: a verdict or an
 * answer for every item, probabilities in [0, 1] summing to 1 over the options, agreeing with node-llama-cpp's
 * own next-token distribution, stored and then answered from the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggrefact } from '../benchmarks/aggrefact/index.ts';
import type { AnyBenchmark } from '../benchmarks/benchmark.ts';
import { getBenchmark } from '../benchmarks/index.ts';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { UserError } from '../core/errors.ts';
import { judgeFingerprint, prepareItems, runEval, type RunResult } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import type { Task } from '../protocol/tasks.ts';
import { MISSING_BINDING, isMissingPackage } from '../judges/adapters/local.ts';
import { scoringPrompt } from '../judges/adapters/option-scoring.ts';
import { createJudge } from '../judges/index.ts';
import type { Judge } from '../judges/judge.ts';
import { localSpec } from '../judges/local.ts';
import { DATA_DIR, REPO, tempDir } from './helpers.ts';

const MODEL = path.resolve(REPO, '../shared/models/llama-2-tiny-random.gguf');
// One thread: the machine is shared, and spinning threads that wait for a busy core make llama.cpp far slower.
const SCORER = `local:${MODEL}?mode=score-options&threads=1`;
const GENERATOR = `local:${MODEL}?maxTokens=8&threads=1`;
const N = 4;

const context = { dataDir: DATA_DIR, seed: 0 };
let store: Store;
let scorer: Judge;
let generator: Judge;

beforeAll(async () => {
  store = Store.open(path.join(tempDir('autorater-local-'), 'runs.sqlite'));
  scorer = await createJudge(SCORER, context);
  generator = await createJudge(GENERATOR, context);
});

afterAll(async () => {
  store?.close();
  await scorer?.close?.();
  await generator?.close?.();
});

function run(judge: Judge, benchmark: AnyBenchmark, limit = N): Promise<RunResult> {
  return runEval({ judge, benchmarks: [benchmark], dataDir: DATA_DIR, seed: 0, store, limit, progress: false });
}

function expectDistribution(probabilities: Record<string, number> | null | undefined, options: string[]): void {
  expect(Object.keys(probabilities ?? {}).sort()).toEqual([...options].sort());
  for (const p of Object.values(probabilities!)) {
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
  }
  expect(Object.values(probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
}

describe('local judge, score-options', () => {
  it(
    'gives every RewardBench item a verdict with P(A) + P(B) = 1, stored, ' + 'and answered from the store on a rerun',
    async () => {
      const first = await run(scorer, rewardbench);
      const b = first.benchmarks[0]!;
      expect(b.asked).toBe(N);
      expect(b.results.map((r) => r.outcome.status)).toEqual(Array(N).fill('verdict'));
      for (const [i, j] of b.judgments.entries()) {
        expectDistribution(j!.optionProbabilities, ['A', 'B']);
        const { A, B } = j!.optionProbabilities!;
        const verdict = b.results[i]!.outcome;
        expect(verdict).toEqual({
          status: 'verdict',
          verdict: { kind: 'pairwise', choice: A! > B! ? 'A' : B! > A! ? 'B' : 'tie' },
        });
        expect(j!.inputTokens).toBeGreaterThan(100);
      }
      const again = await run(await createJudge(SCORER, context), rewardbench);
      expect(again.benchmarks[0]!.asked).toBe(0);
      expect(again.benchmarks[0]!.cached).toBe(N);
      expect(again.benchmarks[0]!.judgments.map((j) => j!.optionProbabilities)).toEqual(
        b.judgments.map((j) => j!.optionProbabilities),
      );
    },
  );

  it("agrees with node-llama-cpp's own next-token probabilities after the label", async () => {
    const [entry] = await prepareItems(rewardbench, DATA_DIR, 0, { limit: 1 });
    const reply = await scorer.judge(
      { benchmark: 'rewardbench', itemId: entry!.item.id, task: entry!.prepared.task, prompt: entry!.prompt },
      new AbortController().signal,
    );
    expect(reply.type).toBe('text');
    const ours = reply.type === 'text' ? reply.optionProbabilities! : {};

    // Independently: the full softmax node-llama-cpp computes for the token after "<prompt>\nbetter response:".
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: MODEL });
    const ctx = await model.createContext({ contextSize: 4096, threads: 1 });
    try {
      const prefix = scoringPrompt(entry!.prompt, entry!.prepared.task);
      const tokens = [model.tokens.bos!, ...model.tokenize(prefix)];
      const a = model.tokenize(`${prefix} A`).at(-1)!;
      const b = model.tokenize(`${prefix} B`).at(-1)!;
      const generator = ctx.getSequence().evaluateWithMetadata(tokens, { probabilities: true }, { temperature: 0 });
      const next = (await generator.next()).value!;
      await generator.return();
      const pa = next.probabilities.get(a)!;
      const pb = next.probabilities.get(b)!;
      expect(ours.A).toBeCloseTo(pa / (pa + pb), 6);
      expect(ours.B).toBeCloseTo(pb / (pa + pb), 6);
    } finally {
      await ctx.dispose();
      await model.dispose();
      await llama.dispose();
    }
  });

  it('scores every rating of a Likert item, multi-token ratings ("10") included', async () => {
    const newsroom = getBenchmark('newsroom');
    const result = await run(scorer, newsroom, 2);
    for (const [i, j] of result.benchmarks[0]!.judgments.entries()) {
      const task = result.benchmarks[0]!.results[i]!.prepared.task;
      if (task.kind !== 'pointwise') throw new Error('newsroom is pointwise');
      const ratings = Array.from({ length: task.scale.max - task.scale.min + 1 }, (_, k) => String(task.scale.min + k));
      expectDistribution(j!.optionProbabilities, ratings);
      expect(result.benchmarks[0]!.results[i]!.outcome.status).toBe('verdict');
    }
    // The Llama tokenizer splits digits, so "10" is scored over two tokens, and "1" only counts what is not "10".
    const task: Task = {
      kind: 'pointwise',
      context: 'Summarise.',
      response: 'A summary.',
      criterion: 'fluency',
      scale: { min: 0, max: 10 },
    };
    const reply = await scorer.judge(
      { benchmark: 'x', itemId: 'x', task, prompt: 'Rate the summary from 0 to 10.\n' },
      new AbortController().signal,
    );
    expect(reply.type === 'text' && /^rating: (?:10|\d)$/.test(reply.text)).toBe(true);
    expectDistribution(
      reply.type === 'text' ? reply.optionProbabilities : undefined,
      Array.from({ length: 11 }, (_, k) => String(k)),
    );
  });

  it('gives AggreFact claims P(supported), which the verdict carries', async () => {
    const result = await run(scorer, aggrefact, 2);
    for (const [i, j] of result.benchmarks[0]!.judgments.entries()) {
      expectDistribution(j!.optionProbabilities, ['Yes', 'No']);
      const outcome = result.benchmarks[0]!.results[i]!.outcome;
      expect(
        outcome.status === 'verdict' && outcome.verdict.kind === 'classification' && outcome.verdict.probability,
      ).toBeCloseTo(j!.optionProbabilities!.Yes!, 12);
    }
  });
});

describe('local judge, generate', () => {
  it('completes the raw prompt up to maxTokens for every item, stored and then answered from the store', async () => {
    const first = await run(generator, rewardbench, 3);
    const b = first.benchmarks[0]!;
    expect(b.asked).toBe(3);
    for (const [i, j] of b.judgments.entries()) {
      expect(j!.error).toBeNull();
      expect(j!.replyType).toBe('text');
      expect(j!.outputTokens).toBeGreaterThan(0);
      expect(j!.outputTokens).toBeLessThanOrEqual(8);
      expect(j!.optionProbabilities).toBeNull();
      // Random weights: a verdict or an unreadable reply, but always an answer.
      expect(['verdict', 'invalid']).toContain(b.results[i]!.outcome.status);
    }
    const again = await run(await createJudge(GENERATOR, context), rewardbench, 3);
    expect(again.benchmarks[0]!.asked).toBe(0);
  });

  it('never shares stored answers between the two modes, or with other weights', () => {
    expect(judgeFingerprint(scorer)).not.toBe(judgeFingerprint(generator));
    expect(scorer.config).toMatchObject({
      adapter: 'local',
      mode: 'score-options',
      weights: { file: 'llama-2-tiny-random.gguf', bytes: 1_750_560 },
    });
    expect(generator.config).not.toHaveProperty('mode');
    expect(scorer.concurrency).toBe(1);
  });
});

describe('local judge from a config entry', () => {
  it('takes the adapter, mode, threads and context size from the file, one request at a time', async () => {
    const configFile = path.join(tempDir(), 'judges.json');
    const entry = {
      adapter: 'local',
      model: MODEL,
      mode: 'score-options',
      threads: 1,
      contextSize: 4096,
      decoding: { maxOutputTokens: 16 },
    };
    fs.writeFileSync(configFile, JSON.stringify({ judges: { 'tiny-scorer': entry } }));
    const judge = await createJudge('tiny-scorer', { ...context, configFile });
    try {
      expect(judge.concurrency).toBe(1); // the preset default of 4 is capped for an in-process model
      expect(judge.config).toMatchObject({ adapter: 'local', mode: 'score-options', id: 'tiny-scorer' });
      const task: Task = { kind: 'classification', document: 'The sky is blue.', claim: 'The sky is green.' };
      const reply = await judge.judge(
        { benchmark: 'x', itemId: 'x', task, prompt: 'Is the claim supported?\n' },
        new AbortController().signal,
      );
      expect(reply.type === 'text' && /^supported: (?:Yes|No)$/.test(reply.text)).toBe(true);
      expectDistribution(reply.type === 'text' ? reply.optionProbabilities : undefined, ['Yes', 'No']);
    } finally {
      await judge.close?.();
    }
  });
});

describe('local judge ids and errors', () => {
  it('keeps what changes answers in the id, not the thread count', () => {
    expect(localSpec('m.gguf?threads=3&mode=score-options')).toMatchObject({
      id: 'local:m.gguf?mode=score-options',
      model: 'm.gguf',
      threads: 3,
      mode: 'score-options',
    });
    expect(localSpec('m.gguf?maxTokens=64').decoding.maxOutputTokens).toBe(64);
    expect(() => localSpec('m.gguf?mode=score')).toThrow(/generate, score-options/);
    expect(() => localSpec('m.gguf?gpu=1')).toThrow(/unknown option "gpu"/);
    expect(() => localSpec('?mode=generate')).toThrow(UserError);
  });

  it('says there is no model file rather than fetching one', async () => {
    const missing = path.join(tempDir(), 'nowhere.gguf');
    await expect(createJudge(`local:${missing}`, context)).rejects.toThrow(
      /no model file at .*nowhere\.gguf.*nothing is downloaded/,
    );
  });

  it('stops the run with one message when the file is not a model', async () => {
    const bogus = path.join(tempDir(), 'bogus.gguf');
    fs.writeFileSync(bogus, 'not a gguf file');
    const judge = await createJudge(`local:${bogus}?threads=1`, context);
    await expect(run(judge, rewardbench, 2)).rejects.toThrow(/cannot load .*bogus\.gguf/);
    await judge.close?.();
  });

  it('recognises a missing node-llama-cpp, and only that, as the optional dependency to install', () => {
    const missing = Object.assign(
      new Error("Cannot find package 'node-llama-cpp' imported from /app/judges/adapters/local.ts"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const inner = Object.assign(new Error("Cannot find package '@node-llama-cpp/linux-x64' imported from …"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(isMissingPackage(missing, 'node-llama-cpp')).toBe(true);
    expect(isMissingPackage(inner, 'node-llama-cpp')).toBe(false);
    expect(MISSING_BINDING).toContain('npm install node-llama-cpp@3.21.1');
  });
});
