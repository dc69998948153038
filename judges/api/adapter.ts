/**
 * What a provider adapter implements: one call that sends the unified prompt and returns the generated text.
 * Everything around it (retries, timeouts, rate limits, usage and cost, storing) is the harness's job, so an
 * adapter is only the translation between the FLAMe prompt and one provider's SDK or wire protocol.
 */
import type { Task } from '../../harness/tasks.ts';
import type { AdapterName, JudgeSpec } from '../config.ts';
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
  /** The rate limits the reply's headers announced (judges/api/rate-limit-headers.ts): the harness paces to them. */
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

export interface Adapter {
  name: AdapterName;
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
  create(spec: JudgeSpec, access: Access): ModelClient;
}
