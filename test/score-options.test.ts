/**
 * The "score-options" mode: the shared pieces (prompt suffix, verdict text, exact option scoring arithmetic), the
 * config rules, and the openai and flame adapters asking for and reading log-probabilities through their real
 * wire protocols (the loopback doubles), inside the real harness with a temporary store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardbench } from '../benchmarks/rewardbench/index.ts';
import { UserError } from '../core/errors.ts';
import { judgeFingerprint, prepareItems, runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import type { Adapter } from '../judges/adapters/adapter.ts';
import { flameAdapter } from '../judges/adapters/flame.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { CHAT_TOP_LOGPROBS, openaiAdapter } from '../judges/adapters/openai.ts';
import { SCORE_MAX_TOKENS, scoringPrompt, verdictText } from '../judges/adapters/option-scoring.ts';
import { optionDistribution, scoringPlan } from '../judges/adapters/token-scoring.ts';
import { loadJudgeConfig, resolveJudgeSpec, type JudgeSpec } from '../judges/config.ts';
import type { Judge } from '../judges/judge.ts';
import type { Task } from '../protocol/tasks.ts';
import type { HttpDouble } from './doubles/http-double.ts';
import { startFlameServer, tokenize, vllmKit } from './doubles/flame-servers.ts';
import { chatLogprobs, completion, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'sk-test-Hq2WcR8nLs4VtP6xMz0y';
const N = 3;
const LIMITS = { timeoutMs: 2000, maxAttempts: 2, maxRetryAfterMs: 20 };
const pair: Task = { kind: 'pairwise', context: 'q', responseA: 'a', responseB: 'b' };
const likert: Task = {
  kind: 'pointwise',
  context: 'q',
  response: 'r',
  criterion: 'fluency',
  scale: { min: 1, max: 10 },
};

const servers: (HttpDouble | OpenAIDouble)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function specFrom(judges: Record<string, unknown>, id: string): JudgeSpec {
  const file = path.join(tempDir('autorater-score-'), 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges }));
  return resolveJudgeSpec(id, loadJudgeConfig({ userFile: file }))!;
}

async function runOn(adapter: Adapter, spec: JudgeSpec, env: NodeJS.ProcessEnv) {
  const judge = createApiJudge(spec, adapter, env);
  const store = Store.open(path.join(tempDir('autorater-score-store-'), 'runs.sqlite'));
  const run = (j: Judge) =>
    runEval({ judge: j, benchmarks: [rewardbench], dataDir: DATA_DIR, seed: 0, store, limit: N, progress: false });
  const first = await run(judge);
  const second = await run(createApiJudge(spec, adapter, env));
  store.close();
  return { judge, first, second };
}

describe('shared pieces', () => {
  it('ends the prompt with the verdict label and writes the most probable option as a parseable verdict', () => {
    expect(scoringPrompt('INSTRUCTIONS:\n…\nresponse B:\nhi\n', pair)).toBe(
      'INSTRUCTIONS:\n…\nresponse B:\nhi\n\nbetter response:',
    );
    expect(verdictText(pair, { A: 0.3, B: 0.7 })).toBe('better response: B');
    expect(verdictText(pair, { A: 0.5, B: 0.5 })).toBe('better response: tie');
    expect(verdictText(likert, { '1': 0.1, '7': 0.5, '10': 0.4 })).toBe('rating: 7');
  });

  it('evaluates the shared tokens once and leaves every option at least one token of its own', () => {
    const plan = scoringPlan([
      { option: '1', tokens: [5, 6, 9, 1] },
      { option: '10', tokens: [5, 6, 9, 1, 0] },
      { option: '2', tokens: [5, 6, 9, 2] },
    ]);
    expect(plan.shared).toEqual([5, 6, 9]);
    expect(plan.rest).toEqual([
      { option: '1', tokens: [1] },
      { option: '10', tokens: [1, 0] },
      { option: '2', tokens: [2] },
    ]);
    // Identical up to the end of the shortest: the shortest keeps its last token.
    expect(
      scoringPlan([
        { option: 'x', tokens: [1, 2] },
        { option: 'xy', tokens: [1, 2, 3] },
      ]).shared,
    ).toEqual([1]);
  });

  it('normalises over the options, counting for "1" only what does not go on into "10"', () => {
    // P(1…) = 0.5, P(10) = 0.2 (so "1" alone 0.3), P(2) = 0.1: normalised over 0.6.
    const probabilities = optionDistribution([
      { option: '1', tokens: [1], logProb: Math.log(0.5) },
      { option: '10', tokens: [1, 0], logProb: Math.log(0.2) },
      { option: '2', tokens: [2], logProb: Math.log(0.1) },
    ])!;
    expect(probabilities['1']).toBeCloseTo(0.3 / 0.6, 12);
    expect(probabilities['10']).toBeCloseTo(0.2 / 0.6, 12);
    expect(probabilities['2']).toBeCloseTo(0.1 / 0.6, 12);
    // Far-apart log-probabilities neither underflow nor overflow.
    const tiny = optionDistribution([
      { option: 'A', tokens: [1], logProb: -900 },
      { option: 'B', tokens: [2], logProb: -900 - Math.log(3) },
    ])!;
    expect(tiny.A).toBeCloseTo(0.75, 12);
    expect(optionDistribution([{ option: 'A', tokens: [1], logProb: -Infinity }])).toBeUndefined();
  });
});

describe('config', () => {
  it('accepts the mode for adapters that return log-probabilities, and refuses it for the others', () => {
    expect(specFrom({ j: { extends: 'gpt-4o', mode: 'score-options' } }, 'j').mode).toBe('score-options');
    expect(() => specFrom({ j: { extends: 'claude-3-opus', mode: 'score-options' } }, 'j')).toThrow(
      /score-options.*anthropic adapter/,
    );
    expect(() =>
      specFrom({ j: { extends: 'flame-rm', protocol: 'vertex-predict', mode: 'score-options' } }, 'j'),
    ).toThrow(/vertex-predict/);
    expect(() => specFrom({ j: { extends: 'gpt-4o', mode: 'guess' } }, 'j')).toThrow(UserError);
    expect(() => specFrom({ j: { extends: 'gpt-4o', threads: 2 } }, 'j')).toThrow(/local adapter only/);
  });

  it(
    'puts the mode in the fingerprint only when it scores options, ' + 'so generate judges keep their stored answers',
    () => {
      const env = { OPENAI_API_KEY: KEY };
      const plain = createApiJudge(specFrom({ j: { extends: 'gpt-4o' } }, 'j'), openaiAdapter, env);
      const generate = createApiJudge(
        specFrom({ j: { extends: 'gpt-4o', mode: 'generate' } }, 'j'),
        openaiAdapter,
        env,
      );
      const scoring = createApiJudge(
        specFrom({ j: { extends: 'gpt-4o', mode: 'score-options' } }, 'j'),
        openaiAdapter,
        env,
      );
      expect(plain.config).not.toHaveProperty('mode');
      expect(judgeFingerprint(generate)).toBe(judgeFingerprint(plain));
      expect(scoring.config.mode).toBe('score-options');
      expect(judgeFingerprint(scoring)).not.toBe(judgeFingerprint(plain));
    },
  );
});

describe('openai chat completions, score-options', () => {
  it(
    'asks for top log-probabilities after the label, stores P(A)/P(B) and the most probable option, ' +
      'then answers from the store',
    async () => {
      const double = await startOpenAIDouble({
        apiKey: KEY,
        // A chat model that repeats the label first: the verdict token is found after it. P(A) 0.2, P(B) 0.6 among 20.
        script: (call) =>
          completion(call, 'better response: B', {
            logprobs: chatLogprobs([
              ['better', -0.01, { better: -0.01 }],
              [' response', -0.01, { ' response': -0.01 }],
              [':', -0.01, { ':': -0.01 }],
              [' B', Math.log(0.6), { ' B': Math.log(0.6), ' A': Math.log(0.2), ' Both': Math.log(0.1) }],
            ]),
          }),
      });
      servers.push(double);
      const spec = specFrom(
        { scorer: { extends: 'gpt-4o', baseURL: double.baseURL, mode: 'score-options', limits: LIMITS } },
        'scorer',
      );
      const { first, second } = await runOn(openaiAdapter, spec, { OPENAI_API_KEY: KEY });

      const prompts = (await prepareItems(rewardbench, DATA_DIR, 0, { limit: N })).map((p) => p.prompt);
      expect(double.calls).toHaveLength(N);
      for (const call of double.calls) {
        expect(prompts.map((p) => `${p}\nbetter response:`)).toContain(call.prompt);
        expect(call.body).toMatchObject({
          logprobs: true,
          top_logprobs: CHAT_TOP_LOGPROBS,
          max_tokens: SCORE_MAX_TOKENS,
          temperature: 0,
        });
      }
      const judgments = first.benchmarks[0]!.judgments;
      for (const j of judgments) {
        expect(j!.raw).toBe('better response: B');
        expect(j!.optionProbabilities!.A).toBeCloseTo(0.25, 12);
        expect(j!.optionProbabilities!.B).toBeCloseTo(0.75, 12);
      }
      expect(
        first.benchmarks[0]!.results.every(
          (r) =>
            r.outcome.status === 'verdict' && r.outcome.verdict.kind === 'pairwise' && r.outcome.verdict.choice === 'B',
        ),
      ).toBe(true);
      expect(second.benchmarks[0]!.cached).toBe(N);
      expect(second.benchmarks[0]!.judgments.map((j) => j!.optionProbabilities)).toEqual(
        judgments.map((j) => j!.optionProbabilities),
      );
    },
  );

  it('falls back to the generated text when no option is among the alternatives', async () => {
    const double = await startOpenAIDouble({
      apiKey: KEY,
      script: (call) =>
        completion(call, 'Response A', {
          logprobs: chatLogprobs([
            ['Response', -0.1, { Response: -0.1 }],
            [' A', -0.1, { ' A': -0.1 }],
          ]),
        }),
    });
    servers.push(double);
    const spec = specFrom(
      { scorer: { extends: 'gpt-4o', baseURL: double.baseURL, mode: 'score-options', limits: LIMITS } },
      'scorer',
    );
    const judge = createApiJudge(spec, openaiAdapter, { OPENAI_API_KEY: KEY });
    const reply = await judge.judge(
      { benchmark: 'x', itemId: '1', task: pair, prompt: 'P\n' },
      new AbortController().signal,
    );
    // The first token "Response" is the verdict position and spells no option: no probabilities are made up.
    expect(reply).toMatchObject({ type: 'text', text: 'Response A', optionProbabilities: undefined });
  });
});

describe('flame (vLLM /v1/completions), score-options', () => {
  it('continues the label with a few greedy tokens and reads the options at the first one', async () => {
    const prompts: string[] = [];
    const server = await startFlameServer(vllmKit, (request) => {
      prompts.push(vllmKit.promptOf(request));
      expect(request.body).toMatchObject({ max_tokens: SCORE_MAX_TOKENS, temperature: 0, logprobs: 5 });
      return vllmKit.ok(
        tokenize(' A\n', undefined).map((t, i) =>
          i === 0 ? { ...t, logprob: Math.log(0.9), top: { ' A': Math.log(0.9), ' B': Math.log(0.05) } } : t,
        ),
      );
    });
    servers.push(server);
    const spec = specFrom(
      {
        rm: {
          extends: 'flame-rm',
          protocol: 'openai-completions',
          baseURL: vllmKit.baseURL(server.url),
          mode: 'score-options',
          limits: LIMITS,
        },
      },
      'rm',
    );
    const { first, second } = await runOn(flameAdapter, spec, {});
    expect(prompts.every((p) => p.endsWith('\nbetter response:'))).toBe(true);
    for (const j of first.benchmarks[0]!.judgments) {
      expect(j!.raw).toBe('better response: A');
      expect(j!.optionProbabilities!.A).toBeCloseTo(0.9 / 0.95, 12);
    }
    expect(second.benchmarks[0]!.asked).toBe(0);
  });
});
