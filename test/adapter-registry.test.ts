/**
 * The adapter registry (judges/adapters/index.ts) drives the judge config: the names an entry may give, the
 * adapters' own fields and what "mode" they allow all come from the adapters, so a provider is its module plus
 * its line in the registry. Shown with a hosted OpenAI-compatible service that is not in the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../judges/adapters/index.ts';
import { createApiJudge } from '../judges/adapters/llm-judge.ts';
import { openaiCompatibleService } from '../judges/adapters/openai-compatible.ts';
import { loadJudgeConfig, resolveJudgeSpec } from '../judges/config.ts';
import { tempDir } from './helpers.ts';

/** What judges/adapters/together.ts would hold; the registry would list it after the others. */
const together = openaiCompatibleService({
  name: 'together',
  defaultBaseURL: 'https://api.together.xyz/v1',
  defaultApiKeyEnv: 'TOGETHER_API_KEY',
});
const WITH_TOGETHER = [...ADAPTERS, together];
const BUILT_IN = 'openai, anthropic, gemini, openai-compatible, flame, local';

function configFile(judges: Record<string, unknown>): string {
  const file = path.join(tempDir(), 'judges.json');
  fs.writeFileSync(file, JSON.stringify({ judges }, null, 2));
  return file;
}

/** A config file with `entry` as judge "x", and its spec (or the one-line error the config gives for it). */
function resolve(entry: Record<string, unknown>, adapters = WITH_TOGETHER) {
  const file = configFile({ x: entry });
  return { file, spec: () => resolveJudgeSpec('x', loadJudgeConfig({ userFile: file, adapters }), adapters) };
}

describe('the adapter registry', () => {
  it('is where the names an entry may give come from', () => {
    expect(ADAPTERS.map((a) => a.name).join(', ')).toBe(BUILT_IN);
    const file = configFile({ mine: { adapter: 'together', model: 'm' } });
    const quoted = BUILT_IN.split(', ')
      .map((name) => `"${name}"`)
      .join('|');
    expect(() => loadJudgeConfig({ userFile: file })).toThrow(
      `${file}: judges.mine.adapter: Invalid option: expected one of ${quoted} (line 4)`,
    );
    const entries = loadJudgeConfig({ userFile: file, adapters: WITH_TOGETHER });
    expect(resolveJudgeSpec('mine', entries, WITH_TOGETHER)).toMatchObject({ adapter: 'together', model: 'm' });

    const { file: bare, spec } = resolve({ model: 'm' });
    expect(spec).toThrow(`${bare}: judge "x" needs an "adapter" (one of ${BUILT_IN}, together).`);
  });

  it('makes a judge of a new OpenAI-compatible service from its module alone: URL, key variable, fingerprint', () => {
    const spec = resolve({ adapter: 'together', model: 'meta-llama/Llama-3-70b-chat-hf' }).spec()!;
    expect(() => createApiJudge(spec, together, {})).toThrow('--judge x: set TOGETHER_API_KEY (the together API key).');
    const judge = createApiJudge(spec, together, { TOGETHER_API_KEY: 'together-key-0123456789' });
    expect(judge.endpoint).toMatchObject({
      url: 'https://api.together.xyz/v1',
      source: "the provider's default",
      keyFrom: 'TOGETHER_API_KEY',
    });
    expect(judge.config).toEqual({
      adapter: 'together',
      protocol: null,
      model: 'meta-llama/Llama-3-70b-chat-hf',
      decoding: { temperature: 0, maxOutputTokens: 1024 },
      id: 'x',
    });
    // Its capabilities say it returns log-probabilities (a chat completions API), so it may score options.
    expect(resolve({ adapter: 'together', model: 'm', mode: 'score-options' }).spec()).toMatchObject({
      mode: 'score-options',
    });
  });

  it("checks each adapter's own fields with its own schema, in the same words as before", () => {
    for (const entry of [
      { adapter: 'together', model: 'm', threads: 2 },
      { adapter: 'openai', model: 'm', contextSize: 4096 },
    ]) {
      const { file, spec } = resolve(entry);
      expect(spec).toThrow(`${file}: judge "x": "contextSize" and "threads" apply to the local adapter only.`);
    }
    expect(resolve({ adapter: 'local', model: 'm.gguf', threads: 2, contextSize: 4096 }).spec()).toMatchObject({
      threads: 2,
      contextSize: 4096,
    });

    const flame = resolve({ adapter: 'flame', model: 'm' });
    expect(flame.spec).toThrow(
      `${flame.file}: judge "x" uses the flame adapter and needs a "protocol" ` +
        '(one of openai-completions, tgi, vertex-predict).',
    );
    const badProtocol = resolve({ adapter: 'flame', model: 'm', protocol: 'grpc' });
    expect(badProtocol.spec).toThrow(
      `${badProtocol.file}: judges.x.protocol: Invalid option: expected one of ` +
        '"openai-completions"|"tgi"|"vertex-predict" (line 6)',
    );
    const tooSmall = resolve({ adapter: 'local', model: 'm.gguf', contextSize: 10 });
    expect(tooSmall.spec).toThrow(`${tooSmall.file}: judges.x.contextSize: Too small: expected number to be >=64`);

    const scoring = (entry: Record<string, unknown>, which: string) => {
      const { file, spec } = resolve({ ...entry, mode: 'score-options' });
      expect(spec).toThrow(
        `${file}: judge "x": "mode": "score-options" needs log-probabilities, which ${which} does not return ` +
          '(adapters that do: openai, openai-compatible, flame, local, together; ' +
          'flame with openai-completions or tgi).',
      );
    };
    scoring({ adapter: 'anthropic', model: 'm' }, 'the anthropic adapter');
    scoring({ adapter: 'flame', model: 'm', protocol: 'vertex-predict' }, 'the vertex-predict protocol');
  });
});
