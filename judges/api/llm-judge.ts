/**
 * Turns a configured id (judges/config.ts) and its provider adapter into a Judge: resolves the key and URL from
 * the environment (one-line errors saying what to set), and exposes decoding, limits and price to the harness.
 * The fingerprint covers what changes the answers (adapter, protocol, model, decoding, id, and the mode when it
 * is "score-options", and the weights' identity for a local file), never keys or URLs.
 */
import { UserError } from '../../harness/errors.ts';
import { expandEnv, type JudgeSpec } from '../config.ts';
import type { Judge } from '../judge.ts';
import type { Adapter } from './adapter.ts';

export function createApiJudge(spec: JudgeSpec, adapter: Adapter, env: NodeJS.ProcessEnv): Judge {
  const keyEnv = spec.apiKeyEnv ?? adapter.defaultApiKeyEnv;
  const apiKey = keyEnv ? env[keyEnv] || undefined : undefined;
  if (!apiKey && !adapter.keyOptional) {
    throw new UserError(`--judge ${spec.id}: set ${keyEnv ?? `"apiKeyEnv" for "${spec.id}" in ${spec.file}`} (the ${adapter.name} API key).`);
  }
  const where = `"baseURL" of "${spec.id}" in ${spec.file} or your --config file`;
  const baseURL = spec.baseURL ? expandEnv(spec.baseURL, env, `--judge ${spec.id} needs a server URL (or change ${where})`) : undefined;
  if (!baseURL && adapter.needsBaseURL) throw new UserError(`--judge ${spec.id} needs a server URL: set ${where}.`);

  const client = adapter.create(spec, { apiKey, baseURL });
  const { limits } = spec;
  return {
    id: spec.id,
    config: {
      adapter: spec.adapter,
      protocol: spec.protocol ?? null,
      model: spec.model,
      decoding: spec.decoding,
      id: spec.id,
      // Only when set: the fingerprints of judges configured before modes existed stay what they were.
      ...(spec.mode === 'score-options' ? { mode: spec.mode } : {}),
      ...(client.identity ? { weights: client.identity } : {}),
    },
    tasks: ['pairwise', 'pointwise', 'classification'],
    concurrency: Math.min(limits.concurrency, adapter.maxConcurrency ?? Infinity),
    publishedAs: spec.publishedAs,
    price: spec.price,
    maxOutputTokens: spec.decoding.maxOutputTokens,
    limits: {
      timeoutMs: limits.timeoutMs,
      maxAttempts: limits.maxAttempts,
      baseDelayMs: limits.baseDelayMs,
      maxDelayMs: limits.maxDelayMs,
      maxRetryAfterMs: limits.maxRetryAfterMs,
      requestsPerMinute: limits.requestsPerMinute,
      tokensPerMinute: limits.tokensPerMinute,
    },
    async judge(request, signal) {
      const completion = await client.complete({ prompt: request.prompt, task: request.task }, signal);
      if (completion.emptyReason !== undefined) {
        return { type: 'invalid', reason: `no reply text: ${completion.emptyReason}`, raw: completion.text || undefined, usage: completion.usage };
      }
      return { type: 'text', text: completion.text, usage: completion.usage, optionProbabilities: completion.optionProbabilities };
    },
    ...(client.close ? { close: () => client.close!() } : {}),
  };
}
