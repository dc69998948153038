import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Adapter } from '../judges/adapters/adapter.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import { judgeFingerprint } from '../harness/run.ts';
import { tempDir } from './helpers.ts';

const PAPER_JUDGES = [
  'gpt-4-0125',
  'gpt-4o',
  'gpt-3.5-turbo',
  'claude-3-opus',
  'gemini-1.5-pro',
  'gemini-1.5-flash',
  'llama-3-70b',
  'mixtral-8x7b',
  'flame',
  'flame-rm',
];

function userConfig(judges: unknown): string {
  const file = path.join(tempDir(), 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges }, null, 2));
  return file;
}

/** Records what the harness hands an adapter. */
function recordingAdapter(name: Adapter['name'], options: Partial<Adapter> = {}): Adapter & { created: unknown[] } {
  const created: unknown[] = [];
  return {
    name,
    keyOptional: false,
    needsBaseURL: false,
    keyInAuthorization: true,
    capabilities: { logprobs: true, batch: false, systemPrompt: false },
    ...options,
    created,
    create(spec, access) {
      created.push({ spec, access });
      return { complete: async () => ({ text: 'better response: A' }) };
    },
  };
}

describe('judge config', () => {
  it('has presets for every judge of the paper, greedy decoding by default', () => {
    const entries = loadJudgeConfig({ cwd: tempDir() });
    for (const id of PAPER_JUDGES) {
      const spec = resolveJudgeSpec(id, entries)!;
      expect(spec, id).toBeDefined();
      expect(spec.decoding.temperature, id).toBe(0);
      expect(spec.decoding.maxOutputTokens, id).toBe(1024);
    }
    expect(resolveJudgeSpec('flame-rm', entries)).toMatchObject({
      adapter: 'flame',
      protocol: 'openai-completions',
      baseURL: '${FLAME_RM_URL}',
      publishedAs: 'google/flame-1.0-24B-july-2024',
    });
  });

  it('lets a user add a checkpoint that extends a preset, without touching code', () => {
    const file = userConfig({
      'flame-rm-ckpt-12000': {
        extends: 'flame-rm',
        baseURL: 'http://gpu-7:8000/v1',
        model: 'ckpt-12000',
        limits: { concurrency: 2 },
      },
    });
    const spec = resolveJudgeSpec('flame-rm-ckpt-12000', loadJudgeConfig({ userFile: file }))!;
    expect(spec).toMatchObject({
      adapter: 'flame',
      protocol: 'openai-completions',
      model: 'ckpt-12000',
      baseURL: 'http://gpu-7:8000/v1',
      limits: { concurrency: 2 },
    });
    expect(spec.decoding).toEqual({ temperature: 0, maxOutputTokens: 1024 });
  });

  it('reports a bad config file by file, field and problem', () => {
    const bad = userConfig({ mine: { adapter: 'openai', model: 'x', apiKeyEnv: 'sk-live-123456' } });
    expect(() => loadJudgeConfig({ userFile: bad })).toThrow(
      `${bad}: judges.mine.apiKeyEnv: must be the NAME of an environment variable, not a key`,
    );
    const unknownField = userConfig({ mine: { adapter: 'openai', model: 'x', temprature: 0 } });
    expect(() => loadJudgeConfig({ userFile: unknownField })).toThrow(/judges\.mine: Unrecognized key: "temprature"/);
    const file = path.join(tempDir(), 'broken.json');
    fs.writeFileSync(file, '{\n  "judges": {\n    "x": { "adapter": "openai", }\n  }\n}\n');
    expect(() => loadJudgeConfig({ userFile: file })).toThrow(new RegExp(`${file}: not valid JSON \\(line 3, column`));
    const cycle = userConfig({ a: { extends: 'b' }, b: { extends: 'a' } });
    expect(() => resolveJudgeSpec('a', loadJudgeConfig({ userFile: cycle }))).toThrow(/extends itself/);
    const dangling = userConfig({ a: { extends: 'nope' } });
    expect(() => resolveJudgeSpec('a', loadJudgeConfig({ userFile: dangling }))).toThrow(
      /extends "nope", which is not defined/,
    );
  });
});

describe('judges backed by models', () => {
  const entries = loadJudgeConfig({ cwd: tempDir() });

  it('fail in one line naming the variable to set when no URL is configured', () => {
    const adapter = recordingAdapter('flame', { keyOptional: true, needsBaseURL: true });
    expect(() => createApiJudge(resolveJudgeSpec('flame-rm', entries)!, adapter, {})).toThrow(
      new RegExp(
        /^--judge flame-rm needs a server URL \(or change "baseURL" of "flame-rm" /.source +
          /in .*autorater\.config\.json or your --config file\): set FLAME_RM_URL\.$/.source,
      ),
    );
    expect(adapter.created).toHaveLength(0);
  });

  it('fail in one line naming the key variable when a key is needed', () => {
    expect(() => createApiJudge(resolveJudgeSpec('gpt-4o', entries)!, recordingAdapter('openai'), {})).toThrow(
      '--judge gpt-4o: set OPENAI_API_KEY (the openai API key).',
    );
  });

  it('take keys and URLs from the environment, and keep both out of the fingerprinted config', () => {
    const adapter = recordingAdapter('flame', { keyOptional: true, needsBaseURL: true });
    const env = { FLAME_RM_URL: 'http://127.0.0.1:9/v1', FLAME_RM_API_KEY: 'secret-token-1234' };
    const judge = createApiJudge(resolveJudgeSpec('flame-rm', entries)!, adapter, env);
    expect(adapter.created[0]).toMatchObject({
      access: { apiKey: 'secret-token-1234', baseURL: 'http://127.0.0.1:9/v1' },
    });
    const config = JSON.stringify(judge.config);
    expect(config).not.toContain('secret-token-1234');
    expect(config).not.toContain('127.0.0.1');
    expect(judge).toMatchObject({
      id: 'flame-rm',
      maxOutputTokens: 1024,
      publishedAs: 'google/flame-1.0-24B-july-2024',
    });
  });

  it('a changed decoding setting is a different fingerprint (so old answers are not reused)', () => {
    const adapter = recordingAdapter('openai');
    const env = { OPENAI_API_KEY: 'k' };
    const base = resolveJudgeSpec('gpt-4o', entries)!;
    const a = createApiJudge(base, adapter, env);
    const b = createApiJudge({ ...base, decoding: { ...base.decoding, temperature: 0.7 } }, adapter, env);
    const c = createApiJudge({ ...base, limits: { ...base.limits, concurrency: 1 } }, adapter, env);
    expect(judgeFingerprint(a)).not.toBe(judgeFingerprint(b));
    expect(judgeFingerprint(a)).toBe(judgeFingerprint(c)); // concurrency does not change answers
  });
});
