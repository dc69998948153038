/**
 * The one interface every judge implements, and the factory shape the registry stores.
 *
 * A judge answers one request at a time. It may answer with text (an LLM: the harness parses it with the
 * task kind's parser) or with a verdict directly (baselines, replays of published results).
 */
import type { BreakerSettings, RateLimits, RetryPolicy } from '../protocol/limits.ts';
import type { BatchClient } from './adapters/adapter.ts';
import type { RateLimitReading } from './adapters/rate-limit-headers.ts';
import type { Task, TaskKind, Verdict } from '../protocol/tasks.ts';
import type { JuryAggregate } from './config.ts';

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
  /**
   * What the provider's batch API charges (eval --batch): the judge config's batch prices, else the price less its
   * "batchDiscount" (by default half, as OpenAI, Anthropic and Google charge).
   */
  batch?: { inputPerMillion: number; outputPerMillion: number };
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
  /**
   * The only benchmarks (ids) it has answers for, when it is not every one of its task kinds: a replay of published
   * results. A run over several benchmarks skips the others as not applicable instead of failing every item.
   */
  readonly benchmarks?: readonly string[];
  /** How many requests may be in flight at once unless the user says otherwise. */
  readonly concurrency: number;
  /** The model id under which published results list this judge (e.g. a RewardBench leaderboard row). */
  readonly publishedAs?: string;
  /**
   * Its verdict does not depend on which response is shown as A (a reward model scores each response on its own):
   * benchmarks that ask both orders by default (Benchmark.bothOrders, JudgeBench) ask it once, as JudgeBench runs
   * reward models with --single_game.
   */
  readonly orderIndependent?: boolean;
  /** Retries, timeout and rate limits for its requests; unset fields use DEFAULT_RETRY_POLICY (harness/retry.ts). */
  readonly limits?: Partial<RetryPolicy> & RateLimits & { breaker?: Partial<BreakerSettings> };
  /** Set by judges that call an endpoint: where, and which setting said so. */
  readonly endpoint?: Endpoint;
  /** For cost accounting and --max-cost. */
  readonly price?: Price;
  /** The longest reply it may produce, in tokens (for budgeting rate limits and --max-cost). */
  readonly maxOutputTokens?: number;
  /** The provider's asynchronous batch API, for judges whose adapter has one (eval --batch, harness/batch.ts). */
  readonly batch?: BatchClient;
  /** The judge config's "batch": true: eval sends this judge's requests through its batch API without --batch. */
  readonly batchByDefault?: boolean;
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
  /** How juries combine ratings (--jury-aggregate), over a named jury's own "aggregate"; default: mean. */
  juryAggregate?: JuryAggregate;
  /**
   * The caller only reads stored answers (view; compare without --run-missing): a model judge whose API key is not
   * set is still created, so its stored rows can be found, and says what is missing if it is ever asked.
   */
  readOnly?: boolean;
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

/**
 * Why a judge cannot answer a benchmark's items, if it cannot: `reason` for a skipped benchmark's line, `error` for
 * a benchmark the user named. undefined: it can.
 */
export function inapplicable(
  judge: Pick<Judge, 'id' | 'tasks' | 'benchmarks'>,
  benchmark: { id: string; taskKind: TaskKind },
): { reason: string; error: string } | undefined {
  if (!judge.tasks.includes(benchmark.taskKind)) {
    return {
      reason: `${judge.id} does not answer ${benchmark.taskKind} tasks`,
      error: `judge ${judge.id} cannot answer ${benchmark.taskKind} tasks, which ${benchmark.id} needs.`,
    };
  }
  if (judge.benchmarks && !judge.benchmarks.includes(benchmark.id)) {
    const only = `has answers for ${judge.benchmarks.join(', ')} only`;
    return { reason: `${judge.id} ${only}`, error: `judge ${judge.id} ${only}, not ${benchmark.id}.` };
  }
  return undefined;
}
