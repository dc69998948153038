/**
 * The one interface every judge implements, and the factory shape the registry stores.
 *
 * A judge answers one request at a time. It may answer with text (an LLM: the harness parses it with the
 * task kind's parser) or with a verdict directly (baselines, replays of published results).
 */
import type { BreakerSettings, RateLimits, RetryPolicy } from '../protocol/limits.ts';
import type { RateLimitReading } from './adapters/rate-limit-headers.ts';
import type { Task, TaskKind, Verdict } from '../protocol/tasks.ts';

export interface JudgeRequest {
  benchmark: string;
  /** Unique within the benchmark, e.g. "donotanswer/3692". */
  itemId: string;
  task: Task;
  /** The rendered FLAMe unified prompt: every judge gets the same one. */
  prompt: string;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

export type JudgeReply =
  | {
      type: 'text';
      text: string;
      usage?: Usage;
      /**
       * Probability of each verdict option ("A"/"B", "Yes"/"No", a rating), where the server returns
       * log-probabilities; stored for calibration. A classification's P(Yes) becomes the verdict's probability.
       */
      optionProbabilities?: Record<string, number>;
      /** The endpoint's rate limits as its reply announced them (paces the run: harness/pacer.ts). */
      rateLimit?: RateLimitReading;
    }
  | { type: 'verdict'; verdict: Verdict; usage?: Usage; note?: string }
  /** The judge answered but gave no verdict, by its own reading (e.g. a replayed result whose parser found none). */
  | { type: 'invalid'; reason: string; raw?: string; usage?: Usage; rateLimit?: RateLimitReading };

/** Where a judge backed by a model sends its requests, as shown to the user and recorded in summary.json. */
export interface Endpoint {
  /** Fit to show: no user name or password, every query value hidden. */
  url: string;
  /**
   * The setting that chose it, e.g. '"baseURL" of "my-judge" in my.json', 'OPENAI_BASE_URL', "the provider's
   * default".
   */
  source: string;
  /** The environment variable the key was read from, when there is a key. */
  keyFrom?: string;
  model: string;
}

/** USD per million tokens. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface Judge {
  /** The id the user typed, e.g. "longer-wins" or "replay:Skywork/Skywork-Reward-Gemma-2-27B". */
  readonly id: string;
  /**
   * Everything that determines this judge's answers (adapter, model, decoding, seed, source file hash...).
   * Its hash is part of every stored judgment's key, so a changed config never reuses old answers.
   * Must not contain secrets.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /** Task kinds this judge can answer. */
  readonly tasks: readonly TaskKind[];
  /** How many requests may be in flight at once unless the user says otherwise. */
  readonly concurrency: number;
  /** The model id under which published results list this judge (e.g. a RewardBench leaderboard row). */
  readonly publishedAs?: string;
  /** Retries, timeout and rate limits for its requests; unset fields use DEFAULT_RETRY_POLICY (harness/retry.ts). */
  readonly limits?: Partial<RetryPolicy> & RateLimits & { breaker?: Partial<BreakerSettings> };
  /** Set by judges that call an endpoint: where, and which setting said so. */
  readonly endpoint?: Endpoint;
  /** For cost accounting and --max-cost. */
  readonly price?: Price;
  /** The longest reply it may produce, in tokens (for budgeting rate limits and --max-cost). */
  readonly maxOutputTokens?: number;
  judge(request: JudgeRequest, signal: AbortSignal): Promise<JudgeReply>;
  close?(): Promise<void>;
}

export interface JudgeContext {
  dataDir: string;
  seed: number;
  /** Where keys and URLs are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** A user judge config (--config); see judges/config.ts. */
  configFile?: string;
}

export interface JudgeFactory {
  /** Registry key: the part of the judge id before any ":". */
  name: string;
  /** Shown in --help, e.g. "replay:<model>". */
  usage: string;
  description: string;
  /** `arg` is what follows "name:" in the judge id, if anything. */
  create(arg: string | undefined, context: JudgeContext): Promise<Judge>;
}
