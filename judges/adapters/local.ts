/**
 * The `local` adapter: a GGUF model run in this process through node-llama-cpp, on the CPU, with no server, key
 * or network. node-llama-cpp is an optional dependency: it is imported only when a local judge is created, and
 * its absence is one message saying how to add it. Its prebuilt binaries come with the npm package; `build:
 * "never"` forbids compiling llama.cpp (which would download its sources), and models are only ever read from
 * the path given, never fetched.
 *
 * The prompt is raw text (no chat template), like FLAMe's: a judge checkpoint trained on the unified format
 * reads it as it was trained, and a model without a chat template (many small checkpoints) needs no guess.
 * - "generate": greedy (temperature 0) or sampled completion of the prompt, up to maxOutputTokens, read by the
 *   task's parser;
 * - "score-options": the prompt plus the verdict's label is evaluated once, and each option's tokens are scored
 *   exactly from the model's next-token distribution over the whole vocabulary (token-scoring.ts); nothing is
 *   generated.
 *
 * One context with one sequence: requests run one at a time (maxConcurrency 1); the KV cache of the prompt
 * prefix that items share (the instructions) is reused between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
  ControlledEvaluateInputItem,
  Llama,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { JudgeCallError } from '../call-error.ts';
import type { JudgeSpec } from '../config.ts';
import type { Adapter, Completion, CompletionRequest, ModelClient } from './adapter.ts';
import { scoresOptions, scoringPrompt, verdictOptions, verdictText } from './option-scoring.ts';
import { optionDistribution, scoringPlan } from './token-scoring.ts';

type Binding = typeof import('node-llama-cpp');

/** The version package.json pins; what to install when it is missing. */
const NODE_LLAMA_CPP = 'node-llama-cpp@3.21.1';

export const MISSING_BINDING =
  `the local judge runs GGUF models through node-llama-cpp, an optional dependency that is not installed. ` +
  `Add it with: npm install ${NODE_LLAMA_CPP} (prebuilt CPU binaries from the npm registry; nothing is compiled ` +
  `or downloaded when it runs). Or serve the model with llama.cpp's llama-server or Ollama and use an ` +
  `"openai-compatible" or "flame" judge instead (see README, "Local GGUF judge").`;

/** Without a configured context size: the model's own, but at most this (memory grows with it). */
const DEFAULT_MAX_CONTEXT = 8192;

/** Whether an import failed because this package itself is absent (not one of its own imports). */
export function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${name}'`)
  );
}

let binding: Promise<Binding> | undefined;

/** node-llama-cpp, imported on first use; a UserError saying how to add it when it is not installed. */
function loadBinding(): Promise<Binding> {
  binding ??= import('node-llama-cpp').catch((error: unknown) => {
    binding = undefined;
    throw isMissingPackage(error, 'node-llama-cpp') ? new UserError(MISSING_BINDING) : error;
  });
  return binding;
}

const HEAD_BYTES = 1 << 20;

/**
 * What identifies the weights for the store key: size, and a hash of the first and last MiB (the GGUF header
 * with its metadata, and the last tensors). Hashing a multi-GB file whole would delay every run by seconds; a
 * re-quantised or retrained file differs in these bytes.
 */
function weightsIdentity(file: string): Record<string, unknown> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (at: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, at);
      return buffer;
    };
    const head = read(0, Math.min(HEAD_BYTES, size));
    const tail = read(Math.max(0, size - HEAD_BYTES), Math.min(HEAD_BYTES, size));
    return {
      file: path.basename(file),
      bytes: size,
      sha256HeadTail: sha256(Buffer.concat([head, tail]).toString('base64')),
    };
  } finally {
    fs.closeSync(fd);
  }
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
}

function aborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/** The model's tokens for a text, with the BOS token the model expects in front of a sequence. */
function tokensOf(model: LlamaModel, text: string): Token[] {
  const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  return [...(bos !== null ? [bos] : []), ...model.tokenize(text)];
}

function tooLong(tokens: number, contextSize: number): JudgeCallError {
  // Not retryable: the same prompt will not fit next time either. Stored as this item's error.
  return new JudgeCallError(
    `the prompt is ${tokens} tokens, more than the model's context of ${contextSize} ` +
      '(set "contextSize" in the judge config)',
    { retryable: false },
  );
}

class LocalClient implements ModelClient {
  readonly identity: Record<string, unknown>;
  private loaded: Promise<Loaded> | undefined;
  /** One request at a time on the one sequence, whatever the caller's concurrency. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly spec: JudgeSpec & LocalOptions,
    private readonly file: string,
  ) {
    this.identity = weightsIdentity(file);
  }

  private load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const { getLlama, LlamaCompletion, LlamaLogLevel } = await loadBinding();
      try {
        const llama = await getLlama({
          gpu: false,
          build: 'never',
          logLevel: LlamaLogLevel.error,
          progressLogs: false,
        });
        const model = await llama.loadModel({ modelPath: this.file });
        const context = await model.createContext({
          contextSize: this.spec.contextSize ?? { max: DEFAULT_MAX_CONTEXT },
          sequences: 1,
          ...(this.spec.threads !== undefined ? { threads: this.spec.threads } : {}),
        });
        const sequence = context.getSequence();
        return {
          llama,
          model,
          context,
          sequence,
          completion: new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false }),
        };
      } catch (error) {
        // Fatal: every item would fail the same way, so the run stops with this one message.
        throw new JudgeCallError(`cannot load ${this.file} with node-llama-cpp: ${(error as Error).message}`, {
          retryable: false,
          fatal: true,
        });
      }
    })();
    return this.loaded;
  }

  complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    const run = this.queue.then(async () => {
      aborted(signal);
      const loaded = await this.load();
      aborted(signal);
      return scoresOptions(this.spec) ? this.score(loaded, request, signal) : this.generate(loaded, request, signal);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generate(
    { model, context, completion }: Loaded,
    request: CompletionRequest,
    signal: AbortSignal,
  ): Promise<Completion> {
    const inputTokens = tokensOf(model, request.prompt).length;
    if (inputTokens >= context.contextSize) throw tooLong(inputTokens, context.contextSize);
    const { temperature, maxOutputTokens, topP } = this.spec.decoding;
    let outputTokens = 0;
    let text: string;
    try {
      const reply = await completion.generateCompletionWithMeta(request.prompt, {
        // What fits after the prompt: a cut-off reply is what the model said under the limit (as with a server).
        maxTokens: Math.min(maxOutputTokens, context.contextSize - inputTokens),
        temperature,
        ...(topP !== undefined ? { topP } : {}),
        // Plain decoding, as a server does it: no repetition penalty, no trimming.
        repeatPenalty: false,
        trimWhitespaceSuffix: false,
        signal,
        onToken: (tokens) => (outputTokens += tokens.length),
      });
      text = reply.response;
    } catch (error) {
      aborted(signal); // the harness's timeout or Ctrl-C, not a model failure
      throw new JudgeCallError(`generation failed: ${(error as Error).message}`, { retryable: false });
    }
    return { text, usage: { inputTokens, outputTokens } };
  }

  private async score(
    { model, context, sequence }: Loaded,
    request: CompletionRequest,
    signal: AbortSignal,
  ): Promise<Completion> {
    const prefix = scoringPrompt(request.prompt, request.task);
    const options = verdictOptions(request.task);
    // "<label>: <option>" is the answer format the prompt asks for; tokenising the whole text (not the option
    // alone) gives the tokens the model would really produce after the label.
    const plan = scoringPlan(options.map((option) => ({ option, tokens: tokensOf(model, `${prefix} ${option}`) })));
    const longest = plan.shared.length + Math.max(...plan.rest.map((r) => r.tokens.length));
    if (longest > context.contextSize) throw tooLong(longest, context.contextSize);

    // Reuse the cached start of the previous prompt (the shared instructions), but always evaluate the last
    // shared token again: the distribution after it is what is read.
    const reuse = Math.min(sequence.compareContextTokens(plan.shared).firstDifferentIndex, plan.shared.length - 1);
    if (reuse < sequence.nextTokenIndex)
      await sequence.eraseContextTokenRanges([{ start: reuse, end: sequence.nextTokenIndex }]);
    const firsts = [...new Set(plan.rest.map((r) => r.tokens[0]!))];
    const first = await this.logProbs(sequence, plan.shared.slice(reuse), [firsts]);
    aborted(signal);

    const scored: { option: string; tokens: Token[]; logProb: number }[] = [];
    for (const rest of plan.rest) {
      let logProb = first[0]!.get(rest.tokens[0]!)!;
      if (rest.tokens.length > 1) {
        // A multi-token option ("10"): its tokens after the first, each read after the ones before it.
        if (sequence.nextTokenIndex > plan.shared.length)
          await sequence.eraseContextTokenRanges([{ start: plan.shared.length, end: sequence.nextTokenIndex }]);
        const steps = await this.logProbs(
          sequence,
          rest.tokens.slice(0, -1),
          rest.tokens.slice(1).map((t) => [t]),
        );
        for (const [i, token] of rest.tokens.slice(1).entries()) logProb += steps[i]!.get(token)!;
        aborted(signal);
      }
      scored.push({ option: rest.option, tokens: rest.tokens, logProb });
    }
    const probabilities = optionDistribution(scored);
    if (!probabilities)
      throw new JudgeCallError('the model gives no probability to any verdict option', { retryable: false });
    return {
      text: verdictText(request.task, probabilities),
      optionProbabilities: probabilities,
      usage: { inputTokens: plan.shared.length, outputTokens: 0 },
    };
  }

  /**
   * Evaluates `tokens` after what the sequence holds; for the last `wanted.length` of them, the log-probability of
   * each wanted next token, from node-llama-cpp's next-token distribution over the whole vocabulary.
   */
  private async logProbs(
    sequence: LlamaContextSequence,
    tokens: readonly Token[],
    wanted: readonly (readonly Token[])[],
  ): Promise<Map<Token, number>[]> {
    const from = tokens.length - wanted.length;
    const input = tokens.map(
      (token, i): ControlledEvaluateInputItem =>
        i < from ? token : [token, { generateNext: { probabilities: true } }],
    );
    const output = await sequence.controlledEvaluate(input);
    return wanted.map((want, k) => {
      const next = output[from + k]?.next;
      if (!next?.probabilities)
        throw new JudgeCallError('node-llama-cpp returned no next-token probabilities', { retryable: false });
      return new Map(want.map((t) => [t, Math.log(next.probabilities!.get(t) ?? 0)]));
    });
  }

  async close(): Promise<void> {
    const loaded = await this.loaded?.catch(() => undefined);
    this.loaded = undefined;
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
    await loaded.llama.dispose();
  }
}

/** The local adapter's fields in a judge config (or `local:<file>?threads=N`, judges/local.ts). */
export interface LocalOptions {
  /** The context window in tokens (default: the model's, at most 8,192). */
  contextSize?: number;
  /** CPU threads (default: node-llama-cpp's choice, all cores). */
  threads?: number;
}

export const localAdapter: Adapter<LocalOptions> = {
  name: 'local',
  keyOptional: true,
  needsBaseURL: false,
  keyInAuthorization: false,
  maxConcurrency: 1,
  capabilities: { logprobs: true, batch: false, systemPrompt: false },
  options: {
    fields: { contextSize: z.number().int().min(64), threads: z.number().int().positive() },
    elsewhere: '"contextSize" and "threads" apply to the local adapter only.',
  },
  // Checks that the optional node-llama-cpp is installed before any item is asked (one message on how to add it).
  async prepare() {
    await loadBinding();
  },
  create(spec) {
    const file = path.resolve(spec.model);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new UserError(
        `--judge ${spec.id}: no model file at ${file} ("model" is the path of a .gguf file; nothing is downloaded).`,
      );
    }
    return new LocalClient(spec, file);
  },
};
