/**
 * What a provider adapter implements: one call that sends the unified prompt and returns the generated text.
 * Everything around it (retries, timeouts, rate limits, usage and cost, storing) is the harness's job, so an
 * adapter is only the translation between the FLAMe prompt and one provider's SDK or wire protocol.
 *
 * An adapter module owns everything about its provider: its name, its environment variables and default URL,
 * what it can do (Capabilities), its own judge-config fields (AdapterOptions), its error mapping and the client.
 * The judge config (judges/config.ts) asks the registry (judges/adapters/index.ts) instead of naming providers,
 * so adding one is its module plus its line in the registry.
 *
 * Every adapter module is imported when the CLI starts (the config needs its options): it must not import a
 * provider SDK at its top, only `import type`, and load the SDK on first use (see openai.ts).
 */
import type { z } from 'zod';
import type { Task } from '../../protocol/tasks.ts';
import type { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { Usage } from '../judge.ts';
import type { RateLimitReading } from './rate-limit-headers.ts';

export interface Completion {
  text: string;
  usage?: Usage;
  /** Probability of each verdict option where the server returns log-probabilities (see JudgeReply). */
  optionProbabilities?: Record<string, number>;
  /**
   * Why the model gave no text on purpose (a safety filter, a blocked prompt, a token limit reached before any
   * text). The item is then stored as answered without a verdict (RewardBench scores that 0.5), with this reason,
   * and not retried: at temperature 0 the same prompt meets the same filter.
   */
  emptyReason?: string;
  /** The rate limits the reply's headers announced (rate-limit-headers.ts): the harness paces to them. */
  rateLimit?: RateLimitReading;
}

export interface CompletionRequest {
  /** The unified FLAMe prompt, to be sent as it is: the same text for every judge. */
  prompt: string;
  /** What is asked, for adapters that read verdict-option probabilities (A/B, Yes/No, a rating). */
  task: Task;
}

export interface ModelClient {
  /**
   * Sends the prompt and returns the reply. `signal` carries the per-attempt timeout and Ctrl-C: pass it to the
   * SDK. Throw JudgeCallError (judges/call-error.ts) for failures, marking what is worth retrying; create SDK
   * clients with their own retries off.
   */
  complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion>;
  /**
   * What identifies the model beyond its configured name, when the name alone does not (a local weights file:
   * its size and a hash of its head and tail). Hashed into the judge's config, so other weights at the same path
   * never reuse stored answers.
   */
  identity?: Readonly<Record<string, unknown>>;
  /** Frees what the client holds (an in-process model's memory). */
  close?(): Promise<void>;
  /**
   * The provider's asynchronous batch API (about half price, results within 24 h), when the adapter has one
   * (`capabilities.batch`). The harness (harness/batch.ts) decides what to submit, records it and collects it.
   */
  batch?: BatchClient;
}

/** One prompt of a batch, under an id unique within the batch that the harness maps back to its item. */
export interface BatchRequest extends CompletionRequest {
  /** At most 64 characters of [A-Za-z0-9_-] (the strictest provider's rule: Anthropic's custom_id). */
  customId: string;
}

/** What one batch may hold, by the provider's documented limits. */
export interface BatchLimits {
  maxRequests: number;
  /** The input's size as the provider counts it (OpenAI: the uploaded JSONL file). */
  maxBytes: number;
}

/** A batch's life as the harness sees it; every provider's own states map onto these. */
export type BatchState = 'pending' | 'ended' | 'failed' | 'expired' | 'cancelled';

export interface BatchStatus {
  state: BatchState;
  /** Requests the provider has finished (answered or failed), of all, when it says. */
  done?: number;
  total?: number;
  /** Why the whole batch failed (a validation error, ...), in the provider's words. */
  error?: string;
}

/**
 * One request's outcome in a batch that has ended: the completion, or why there is none. `error` uses
 * JudgeCallError's `retryable` for "worth submitting once more" (expired, cancelled, a 5xx inside the batch).
 */
export type BatchResult = { customId: string; completion: Completion } | { customId: string; error: JudgeCallError };

export interface BatchClient {
  limits: BatchLimits;
  /** The size one request adds to the batch's input, in the unit of `limits.maxBytes`. */
  requestBytes(request: BatchRequest): number;
  /**
   * Uploads and creates one batch; returns the provider's batch id. `label` (unique per submission, recorded by
   * the harness before the call) is attached where the provider keeps one (metadata, display name), so `find`
   * can recover a batch created by a process that died before it recorded the id.
   */
  submit(requests: readonly BatchRequest[], label: string, signal: AbortSignal): Promise<string>;
  status(batchId: string, signal: AbortSignal): Promise<BatchStatus>;
  /**
   * Every request's outcome once the batch has ended (including ended by expiry or cancellation). `taskOf` gives
   * the task a request asked (the harness rebuilds it from its items; undefined when it cannot), for clients whose
   * completions depend on it, as in the "score-options" mode (verdict-option probabilities); others ignore it.
   */
  results(
    batchId: string,
    signal: AbortSignal,
    taskOf?: (customId: string) => Task | undefined,
  ): AsyncIterable<BatchResult>;
  cancel(batchId: string, signal: AbortSignal): Promise<void>;
  /** The id of a batch submitted under `label`, if the provider can list batches by it. */
  find?(label: string, signal: AbortSignal): Promise<string | undefined>;
}

export interface Access {
  apiKey?: string;
  /**
   * Where to send requests: the judge config's "baseURL" (${VAR} filled in), else the SDK's own variable
   * (Adapter.baseURLEnv), else the provider's API. Without user name, password or query string: those come apart.
   */
  baseURL?: string;
  /** The configured URL's query string (e.g. a gateway's `?key=` or `?api-version=`), sent with every request. */
  query?: Record<string, string>;
  /** `Basic …` from a user name and password written into the URL (fetch refuses URLs with credentials). */
  basicAuth?: string;
  /** Where the SDK's other conventions are read from (e.g. OPENAI_ORG_ID); none when unset. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Log-probabilities for some of the adapter's settings only: `unsupported` names what does not return them
 * (e.g. "the vertex-predict protocol"), `note` says which do, for the error message.
 */
export interface LogprobsWhen<Options extends object> {
  note: string;
  unsupported(options: Partial<Options>): string | undefined;
}

/** What a provider can do: the config asks this instead of keeping lists of adapter names. */
export interface Capabilities<Options extends object = object> {
  /** Returns log-probabilities, so its judges may read the verdict options' ("mode": "score-options"). */
  logprobs: boolean | LogprobsWhen<Options>;
  /** An asynchronous batch API (ModelClient.batch): submitted now, collected later, at the batch price. */
  batch: boolean;
  /**
   * The API has a system message (chat APIs) or only raw text (a completion server, an in-process model). No
   * judge uses one: the unified prompt goes out as one user message, the same text for every judge.
   */
  systemPrompt: boolean;
}

/**
 * An adapter's own fields in a judge config entry, written beside "model" (flame's "protocol", local's
 * "contextSize" and "threads"). The config checks them with these schemas in every file that sets them (an
 * entry may set only some, and extend another), then checks the merged entry with `check`.
 */
export interface AdapterOptions<Options extends object> {
  fields: { [Field in keyof Options]-?: z.ZodType<Exclude<Options[Field], undefined>> } & Record<string, z.ZodType>;
  /** The merged entry's problem, as a sentence starting `judge "<id>"`, or undefined when there is none. */
  check?(options: Partial<Options>, id: string): string | undefined;
  /**
   * When a judge of another adapter sets one of these fields: the error shown after `judge "<id>": `. Unset, the
   * fields are ignored there (and kept in the judge's spec).
   */
  elsewhere?: string;
}

export interface Adapter<Options extends object = object> {
  /** The judge config's "adapter". */
  name: string;
  /** The variable the key is read from when the judge's config names none. */
  defaultApiKeyEnv?: string;
  /** Self-hosted servers often need no key. */
  keyOptional: boolean;
  /** Self-hosted adapters cannot guess where the server is. */
  needsBaseURL: boolean;
  /** The provider's API, used when neither the config nor baseURLEnv names another URL. */
  defaultBaseURL?: string;
  /** The SDK's own environment variable for the URL (OPENAI_BASE_URL, ...): honoured after the config's baseURL. */
  baseURLEnv?: string;
  /** The key goes in the Authorization header, so it cannot be sent together with a URL's user and password. */
  keyInAuthorization: boolean;
  /** At most this many requests at once, whatever the configured concurrency (an in-process model: 1). */
  maxConcurrency?: number;
  capabilities: Capabilities<Options>;
  options?: AdapterOptions<Options>;
  /**
   * Runs before the first judge of this adapter is created, e.g. to check that an optional package is installed
   * (one message on how to add it, before any item is asked).
   */
  prepare?(): Promise<void>;
  create(spec: JudgeSpec & Partial<Options>, access: Access): ModelClient;
}

/**
 * `load` run once, on the first call, its promise kept: how an adapter imports its provider SDK, when a judge is
 * made through the registry (`prepare`, as the CLI does) or else on the first request.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}

/** The settings every adapter for a self-hosted server shares: no default URL, a key only when configured. */
export const SELF_HOSTED = { keyOptional: true, needsBaseURL: true, keyInAuthorization: true } as const;
