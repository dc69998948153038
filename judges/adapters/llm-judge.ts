/**
 * Turns a configured id (judges/config.ts) and its provider adapter into a Judge: resolves the key and URL from
 * the environment (one-line errors saying what to set), and exposes decoding, limits and price to the harness.
 * The fingerprint covers what changes the answers (adapter, protocol, model, decoding, id, and the mode when it
 * is "score-options", and the weights' identity for a local file), never keys or URLs.
 */
import { EndpointError } from '../../core/errors.ts';
import { displayUrl, redact, registerSecret } from '../../core/secrets.ts';
import { expandEnv, type JudgeSpec } from '../config.ts';
import type { Endpoint, Judge, JudgeReply } from '../judge.ts';
import type { Access, Adapter, Completion } from './adapter.ts';
import { loadAdapter } from './index.ts';

interface ResolvedURL {
  raw: string;
  source: string;
}

/**
 * Where requests go, in the SDKs' own order: the judge config's "baseURL" first, then the SDK's environment
 * variable (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL), then the provider's API.
 */
function resolveURL(spec: JudgeSpec, adapter: Adapter, env: NodeJS.ProcessEnv): ResolvedURL | undefined {
  const where = `"baseURL" of "${spec.id}" in ${spec.file}`;
  if (spec.baseURL) {
    const what = `--judge ${spec.id} needs a server URL (or change ${where} or your --config file)`;
    const raw = expandEnv(spec.baseURL, env, what, EndpointError);
    const vars = [...spec.baseURL.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
    return { raw, source: vars.length > 0 ? `${vars.join(', ')} via ${where}` : where };
  }
  const fromEnv = adapter.baseURLEnv ? env[adapter.baseURLEnv] : undefined;
  if (adapter.baseURLEnv && fromEnv) return { raw: fromEnv, source: adapter.baseURLEnv };
  if (adapter.defaultBaseURL) return { raw: adapter.defaultBaseURL, source: "the provider's default" };
  if (adapter.needsBaseURL) {
    throw new EndpointError(`--judge ${spec.id} needs a server URL: set ${where} or your --config file.`);
  }
  return undefined;
}

/**
 * Splits a URL into what the SDKs can send: fetch refuses URLs with a user name or password, and the SDKs append
 * their paths to the base URL as text, which a query string would break. Every credential found is registered as
 * a secret, so it is hidden wherever it could be echoed.
 */
function endpointAccess(
  spec: JudgeSpec,
  adapter: Adapter,
  resolved: ResolvedURL,
  apiKey: string | undefined,
): Pick<Access, 'baseURL' | 'query' | 'basicAuth'> & { url: URL } {
  let url: URL;
  try {
    url = new URL(resolved.raw.trim());
  } catch {
    throw new EndpointError(
      `--judge ${spec.id}: ${redact(JSON.stringify(resolved.raw))} (from ${resolved.source}) is not a URL: ` +
        'write it as http://host:port/path.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const shown = `${displayUrl(url)} (from ${resolved.source})`;
    throw new EndpointError(`--judge ${spec.id}: ${shown} is not an http:// or https:// URL.`);
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    registerSecret(value);
    query[key] = value;
  }
  let basicAuth: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const token = Buffer.from(`${user}:${password}`).toString('base64');
    registerSecret(user, password, url.username, url.password, token);
    basicAuth = `Basic ${token}`;
    if (apiKey && adapter.keyInAuthorization) {
      throw new EndpointError(
        `--judge ${spec.id}: ${displayUrl(url)} (from ${resolved.source}) has a user and password, ` +
          'and the judge has an ' +
          'API key: both would go in the Authorization header. Keep one of them.',
      );
    }
  }
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  bare.search = '';
  bare.hash = '';
  // The URL class adds a "/" to a bare host; the SDKs join paths either way, but keep what the user wrote.
  const wroteSlash = /\/$/.test(resolved.raw.trim().replace(/[?#].*$/, ''));
  const baseURL = !wroteSlash && bare.href.endsWith('/') ? bare.href.slice(0, -1) : bare.href;
  return { url, baseURL, query: Object.keys(query).length > 0 ? query : undefined, basicAuth };
}

export function createApiJudge(spec: JudgeSpec, adapter: Adapter, env: NodeJS.ProcessEnv, readOnly = false): Judge {
  const keyEnv = spec.apiKeyEnv ?? adapter.defaultApiKeyEnv;
  const apiKey = keyEnv ? env[keyEnv] || undefined : undefined;
  if (!apiKey && !adapter.keyOptional) {
    const setting = keyEnv ?? `"apiKeyEnv" for "${spec.id}" in ${spec.file}`;
    const missing = `--judge ${spec.id}: set ${setting} (the ${adapter.name} API key)`;
    if (!readOnly) throw new EndpointError(`${missing}.`);
    // Reading stored answers needs no key: the judge is the same (its fingerprint has no key), it just cannot ask.
    const judge = apiJudge(spec, adapter, env, { value: READ_ONLY_KEY, standIn: true });
    return keyless(judge, `${missing} to ask it; stored answers need none.`);
  }
  registerSecret(apiKey);
  return apiJudge(spec, adapter, env, apiKey ? { value: apiKey, from: keyEnv } : undefined);
}

/** Stands in for a missing key so that the SDK client can be built; a keyless judge never sends a request. */
const READ_ONLY_KEY = 'read-only-no-key';

/** A judge for reading stored answers only: refuses to ask, and has no batch client. */
function keyless(judge: Judge, missing: string): Judge {
  const { batch: _batch, batchByDefault: _byDefault, ...rest } = judge;
  return {
    ...rest,
    async judge() {
      throw new EndpointError(missing);
    },
  };
}

function apiJudge(
  spec: JudgeSpec,
  adapter: Adapter,
  env: NodeJS.ProcessEnv,
  key: { value: string; from?: string; standIn?: true } | undefined,
): Judge {
  const apiKey = key?.value;
  const resolved = resolveURL(spec, adapter, env);
  const access: Access = { apiKey, env };
  let endpoint: Endpoint | undefined;
  if (resolved) {
    const { url, ...parts } = endpointAccess(spec, adapter, resolved, key?.standIn ? undefined : apiKey);
    Object.assign(access, parts);
    const keyFrom = key?.from ? { keyFrom: key.from } : {};
    endpoint = { url: displayUrl(url), source: resolved.source, model: spec.model, ...keyFrom };
  }

  const client = adapter.create(spec, access);
  const { limits } = spec;
  return {
    id: spec.id,
    config: {
      adapter: spec.adapter,
      // Flame's "protocol", but in every judge's fingerprint (null for the others) since before adapters had their
      // own fields: kept as it was, so stored answers are reused.
      protocol: spec.protocol ?? null,
      model: spec.model,
      decoding: spec.decoding,
      id: spec.id,
      // Only when set: the fingerprints of judges configured before modes existed stay what they were.
      ...(spec.mode === 'score-options' ? { mode: spec.mode } : {}),
      ...(client.identity ? { weights: client.identity } : {}),
    },
    tasks: ['pairwise', 'pointwise', 'classification'],
    ...(endpoint ? { endpoint } : {}),
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
      breaker: { failures: limits.breakAfterFailures, ms: limits.breakAfterMs },
    },
    async judge(request, signal) {
      return completionReply(await client.complete({ prompt: request.prompt, task: request.task }, signal));
    },
    ...(client.batch ? { batch: client.batch } : {}),
    ...(spec.batch === true ? { batchByDefault: true } : {}),
    ...(client.close ? { close: () => client.close!() } : {}),
  };
}

/**
 * What a completion means as a judge's reply, asked one at a time or in a batch (harness/batch.ts): text, or no text
 * on purpose (a filter), which is an answer without a verdict.
 */
export function completionReply(completion: Completion): JudgeReply {
  const { usage, rateLimit } = completion;
  if (completion.emptyReason !== undefined) {
    const reason = `no reply text: ${completion.emptyReason}`;
    return { type: 'invalid', reason, raw: completion.text || undefined, usage, rateLimit };
  }
  const { text, optionProbabilities } = completion;
  return { type: 'text', text, usage, optionProbabilities, rateLimit };
}

/** The judge for a resolved spec, through the registered adapter its "adapter" names (judges/adapters/index.ts). */
export async function createModelJudge(spec: JudgeSpec, env: NodeJS.ProcessEnv, readOnly = false): Promise<Judge> {
  return createApiJudge(spec, await loadAdapter(spec.adapter), env, readOnly);
}
