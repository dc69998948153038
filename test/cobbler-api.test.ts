/**
 * CoBBLEr with a model judge: the OpenAI adapter through the real SDK against the loopback double, on a small
 * sample; and the loader's errors on broken files (synthetic files in a temp dir).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cobbler } from '../benchmarks/cobbler/index.ts';
import {
  ANNOTATORS,
  COBBLER_DIR,
  COBBLER_INSTRUCTIONS,
  COBBLER_MODELS,
  EVALSET_PATH,
  RESPONSES_PATH,
  annotationPath,
  loadCobblerData,
} from '../benchmarks/cobbler/loader.ts';
import type { CobblerSummary } from '../benchmarks/cobbler/scoring.ts';
import { DataError, MissingDataError } from '../core/errors.ts';
import { runEval } from '../harness/run.ts';
import { Store } from '../harness/store.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { openaiAdapter } from '../judges/adapters/openai.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import { completion, startOpenAIDouble, type OpenAIDouble } from './doubles/openai-server.ts';
import { DATA_DIR, tempDir } from './helpers.ts';

const KEY = 'sk-test-Cb7VbN3mKp9XwR2tLs8d';
const doubles: OpenAIDouble[] = [];
afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
});

describe('CoBBLEr with an API judge (OpenAI double)', () => {
  it(
    'asks every module twice per comparison, reads the replies, ' + 'keeps unreadable ones in the denominators',
    async () => {
      // Always "A" in the anonymous modules; no verdict at all when the real names are shown.
      const double = await startOpenAIDouble({
        apiKey: KEY,
        script: (call) =>
          completion(
            call,
            call.prompt.includes('\nModel A (') ? 'Both are fine.' : 'explanation: A is coherent.\nbetter response: A',
          ),
      });
      doubles.push(double);
      const dir = tempDir('autorater-cobbler-');
      const configFile = path.join(dir, 'judges.json');
      const judges = {
        'chatgpt-double': {
          extends: 'gpt-3.5-turbo',
          baseURL: '${OPENAI_DOUBLE_URL}',
          limits: { timeoutMs: 2000, maxAttempts: 2, maxRetryAfterMs: 20 },
        },
      };
      fs.writeFileSync(configFile, JSON.stringify({ judges }));
      const spec = resolveJudgeSpec('chatgpt-double', loadJudgeConfig({ userFile: configFile }))!;
      const judge = createApiJudge(spec, openaiAdapter, { OPENAI_API_KEY: KEY, OPENAI_DOUBLE_URL: double.baseURL });
      const store = Store.open(path.join(dir, 'runs.sqlite'));
      const run = await runEval({
        judge,
        benchmarks: [cobbler],
        dataDir: DATA_DIR,
        seed: 0,
        store,
        sample: 3,
        progress: false,
      });
      store.close();

      const b = run.benchmarks[0]!;
      expect(b.asked).toBe(3 * 4 * 2);
      expect(double.calls).toHaveLength(24);
      expect(double.calls.filter((c) => c.prompt.includes('\nnote:\n85% of people believe that System '))).toHaveLength(
        6,
      );
      const s = b.summary as CobblerSummary;
      expect(s.comparisons).toEqual({ order: 3, compassion: 3, bandwagon: 3, attention: 3 });
      expect(s.order.first).toMatchObject({ k: 3, n: 3 }); // "A" in both orders: first-order biased every time
      expect(s.compassion.combined).toMatchObject({ k: 0, n: 3 }); // unreadable: counted, never biased
      expect(s.compassion.valid).toMatchObject({ k: 0, n: 3 });
      expect(s.invalid).toBe(6);
      expect(s.bandwagon).toMatchObject({ k: 0, n: 3 }); // followed the crowd in q1 only
      expect(s.length.long.n).toBe(0); // every answered order comparison is order-flagged

      // gpt-3.5-turbo is CoBBLEr's "chatgpt" (by its published id): the Egocentric column is filled.
      const [table] = await cobbler.tables(s, { dataDir: DATA_DIR, judgeId: judge.id, publishedAs: judge.publishedAs });
      const row = table!.rows[0]!;
      const own = s.egocentric.order.chatgpt!;
      expect(own.n).toBeGreaterThan(0);
      expect(row.values[4]).toBe(100 * own.rate!);
      expect(table!.notes.join('\n')).toContain('is CoBBLEr\'s generator "chatgpt"');
    },
  );
});

describe('CoBBLEr files', () => {
  /** The responses file's models, m01..m15 (zero-padded, so sorting by name keeps this order). */
  const MODELS = Array.from({ length: COBBLER_MODELS }, (_, k) => `m${String(k + 1).padStart(2, '0')}`);
  /** Every annotator's ranking for instruction i: model k wins (k + i) mod 15 comparisons, a permutation of 0..14. */
  const ranking = (i: number): Record<string, number> =>
    Object.fromEntries(MODELS.map((m, k) => [m, (k + i) % MODELS.length]));

  /** A synthetic CoBBLEr folder of the pinned size (50 instructions, 15 models, 6 annotators); `edit` breaks a file. */
  function tinySet(edit: (files: Record<string, unknown>) => void = () => {}): string {
    const dir = tempDir('autorater-cobbler-data-');
    const n = COBBLER_INSTRUCTIONS;
    const files: Record<string, unknown> = {
      [EVALSET_PATH]: Array.from({ length: n }, (_, i) => ({
        instruction: `Question ${i}?`,
        reference: `Answer ${i}.`,
      })),
      [RESPONSES_PATH]: Object.fromEntries(
        MODELS.map((m) => [m, Array.from({ length: n }, (_, i) => `${m} answers ${i}.`)]),
      ),
    };
    for (const a of ANNOTATORS) files[annotationPath(a)] = Array.from({ length: n }, (_, i) => ranking(i));
    edit(files);
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(dir, COBBLER_DIR, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(content));
    }
    return dir;
  }

  it('reads a well-formed set: comparisons from every pair, human votes from the rankings', async () => {
    const data = await loadCobblerData(tinySet());
    const pairs = (MODELS.length * (MODELS.length - 1)) / 2;
    expect(data.comparisons).toHaveLength(COBBLER_INSTRUCTIONS * pairs);
    expect(data.comparisons.slice(0, 3).map((c) => c.id)).toEqual(['0/m01-m02', '0/m01-m03', '0/m01-m04']);
    // Instruction 0: m01 has 0 wins, m02 1, so all six prefer m02; instruction 14: m01 has 14 wins, m02 none.
    expect(data.comparisons[0]!.human).toEqual({ first: 0, second: 6 });
    expect(data.comparisons.find((c) => c.id === '14/m01-m02')!.human).toEqual({ first: 6, second: 0 });
    expect(await cobbler.load(tinySet())).toHaveLength(COBBLER_INSTRUCTIONS * pairs * 8);
  });

  it('names the file and what was expected', async () => {
    const short = tinySet((f) => ((f[RESPONSES_PATH] as Record<string, string[]>).m02 = ['only one']));
    await expect(loadCobblerData(short)).rejects.toThrow(DataError);
    await expect(loadCobblerData(short)).rejects.toThrow(
      /full_n15_model_generations\.json: model "m02": expected a list of 50 response strings/,
    );

    const repeats = tinySet((f) => ((f[annotationPath(4)] as Record<string, number>[])[0] = { ...ranking(0), m02: 0 }));
    await expect(loadCobblerData(repeats)).rejects.toThrow(
      /annot_4\.json: line 1 \(row 0\): expected each win count 0–14 once/,
    );

    const other = Object.fromEntries(Object.entries(ranking(0)).map(([m, wins]) => [m === 'm03' ? 'm16' : m, wins]));
    const models = tinySet((f) => ((f[annotationPath(1)] as Record<string, number>[])[0] = other));
    await expect(loadCobblerData(models)).rejects.toThrow(
      /annot_1\.json: line 1 \(row 0\): expected the win counts of exactly the 15 models/,
    );

    const evalset = tinySet((f) => ((f[EVALSET_PATH] as object[])[0] = { instruction: 'Is the sky blue?' }));
    await expect(loadCobblerData(evalset)).rejects.toThrow(
      /llm_preference_evalset\.json: line 1 \(row 0\): field "reference"/,
    );

    const missing = tinySet();
    fs.rmSync(path.join(missing, COBBLER_DIR, annotationPath(6)));
    await expect(loadCobblerData(missing)).rejects.toThrow(MissingDataError);
    await expect(loadCobblerData(missing)).rejects.toThrow(
      /annot_6\.json \(missing\)[\s\S]*npm run data -- pull cobbler/,
    );
  });
});
