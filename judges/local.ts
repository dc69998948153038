/**
 * `local:<file.gguf>`: a GGUF model judged in this process (the `local` adapter, judges/adapters/local.ts), with no
 * server, key or network, for a judge checkpoint on a laptop or CI machine. Options ride on the id:
 *   local:<file.gguf>?mode=score-options   read the verdict options' probabilities instead of generating text
 *   local:<file.gguf>?maxTokens=256         cap the generated reply (default 1,024, the paper's)
 *   local:<file.gguf>?threads=4             CPU threads (default: all cores; fewer on a busy machine)
 * The judge's id keeps the options that change answers (mode, maxTokens), not threads, so a rerun with other
 * threads reuses the stored answers. Context size and limits go in a config entry with "adapter": "local".
 */
import { UserError } from '../core/errors.ts';
import { createModelJudge } from './adapters/llm-judge.ts';
import type { LocalOptions } from './adapters/local.ts';
import { DEFAULT_DECODING, JUDGE_MODES, type JudgeMode, type JudgeSpec } from './config.ts';
import type { JudgeFactory } from './judge.ts';

/** Shown in --help's judge list, whose column width follows the longest usage: the options are in the description. */
const USAGE = 'local:<file.gguf>';
const OPTIONS = 'local:<file.gguf>[?mode=score-options][&maxTokens=N][&threads=N]';

/**
 * One request at a time on the CPU; an attempt may take minutes for a large model and a long reply, and a
 * failure of an in-process model rarely goes away on a second try.
 */
const LOCAL_LIMITS = { concurrency: 1, timeoutMs: 600_000, maxAttempts: 2 };

export function localSpec(arg: string): JudgeSpec & LocalOptions {
  const at = arg.indexOf('?');
  const file = at < 0 ? arg : arg.slice(0, at);
  if (file === '') throw new UserError(`--judge local needs a model file: ${OPTIONS}.`);
  const params = new URLSearchParams(at < 0 ? '' : arg.slice(at + 1));
  let mode: JudgeMode | undefined;
  let maxOutputTokens: number = DEFAULT_DECODING.maxOutputTokens;
  let threads: number | undefined;
  for (const [key, value] of params) {
    if (key === 'mode') {
      if (!(JUDGE_MODES as readonly string[]).includes(value))
        throw new UserError(`--judge local:…?mode=${value}: the mode is one of ${JUDGE_MODES.join(', ')}.`);
      mode = value as JudgeMode;
    } else if (key === 'maxTokens' || key === 'threads') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`--judge local:…?${key}=${value}: a positive integer.`);
      if (key === 'maxTokens') maxOutputTokens = n;
      else threads = n;
    } else {
      throw new UserError(
        `--judge local: unknown option "${key}" (${OPTIONS}; ` +
          'for the context size and limits use a config entry with "adapter": "local").',
      );
    }
  }
  const answering = new URLSearchParams();
  if (mode) answering.set('mode', mode);
  if (maxOutputTokens !== DEFAULT_DECODING.maxOutputTokens) answering.set('maxTokens', String(maxOutputTokens));
  const query = answering.toString();
  return {
    id: `local:${file}${query ? `?${query}` : ''}`,
    adapter: 'local',
    model: file,
    description: `GGUF model ${file}, in process`,
    ...(mode ? { mode } : {}),
    ...(threads !== undefined ? { threads } : {}),
    decoding: { ...DEFAULT_DECODING, maxOutputTokens },
    limits: LOCAL_LIMITS,
    file: '--judge',
  };
}

export const local: JudgeFactory = {
  name: 'local',
  usage: USAGE,
  description:
    'a GGUF model run in this process on the CPU, raw prompt, no chat template (needs the optional node-llama-cpp: ' +
    'npm install node-llama-cpp@3.21.1). Options: ?mode=score-options reads P(A)/P(B), P(Yes)/P(No), P(rating) ' +
    'instead of generating; &maxTokens=N caps the reply; &threads=N CPU threads',
  async create(arg, context) {
    if (!arg) throw new UserError(`--judge local needs a model file: ${OPTIONS}.`);
    return createModelJudge(localSpec(arg), context.env ?? process.env);
  },
};
