/**
 * The `flame` adapter: a self-hosted FLAMe / FLAMe-RM checkpoint. FLAMe is text-to-text, so the unified prompt
 * is sent as plain text (no chat template, no messages array) and the generated text is the reply. `protocol`
 * in the judge's config picks the server:
 * - "openai-completions": vLLM's OpenAI-compatible /v1/completions (flame-vllm.ts);
 * - "tgi": Text Generation Inference's /generate (flame-tgi.ts);
 * - "vertex-predict": a Vertex-AI-style {baseURL}:predict (flame-vertex.ts).
 * A configured key is sent as a bearer token; most self-hosted servers need none. Where the server returns
 * log-probabilities, the reply carries the verdict options' probabilities (top-logprobs.ts). In "score-options"
 * mode (option-scoring.ts) the prompt ends with the verdict's label, a few tokens are generated, and the verdict
 * is the most probable option at the verdict token.
 */
import { z } from 'zod';
import { UserError } from '../../core/errors.ts';
import { SELF_HOSTED, type Adapter, type Completion } from './adapter.ts';
import { maxReplyBytes } from './bounded-fetch.ts';
import { postJson, withQuery, type WireProtocol } from './flame-http.ts';
import { optionProbabilities } from './top-logprobs.ts';
import { readRateLimits, withLimits } from './rate-limit-headers.ts';
import { SCORE_MAX_TOKENS, scoredCompletion, scoresOptions, scoringPrompt } from './option-scoring.ts';
import { tgiGenerate } from './flame-tgi.ts';
import { vertexPredict } from './flame-vertex.ts';
import { vllmCompletions } from './flame-vllm.ts';

export const FLAME_PROTOCOLS = ['openai-completions', 'tgi', 'vertex-predict'] as const;
export type FlameProtocol = (typeof FLAME_PROTOCOLS)[number];

const PROTOCOLS: Record<FlameProtocol, WireProtocol> = {
  'openai-completions': vllmCompletions,
  tgi: tgiGenerate,
  'vertex-predict': vertexPredict,
};

/** The flame adapter's field in a judge config: which server it talks to. */
interface FlameOptions {
  protocol?: FlameProtocol;
}

const WITH_LOGPROBS = FLAME_PROTOCOLS.filter((p) => PROTOCOLS[p].logprobs);

export const flameAdapter: Adapter<FlameOptions> = {
  name: 'flame',
  ...SELF_HOSTED,
  capabilities: {
    logprobs: {
      note: `flame with ${WITH_LOGPROBS.join(' or ')}`,
      unsupported: ({ protocol }) =>
        protocol && !PROTOCOLS[protocol].logprobs ? `the ${protocol} protocol` : undefined,
    },
    batch: false,
    systemPrompt: false,
  },
  options: {
    fields: { protocol: z.enum(FLAME_PROTOCOLS) },
    check: ({ protocol }, id) =>
      protocol
        ? undefined
        : `judge "${id}" uses the flame adapter and needs a "protocol" (one of ${FLAME_PROTOCOLS.join(', ')}).`,
    // No `elsewhere`: a "protocol" on another adapter's judge has always been accepted, and is in its fingerprint
    // (e.g. an entry that extends a flame preset with another adapter), so it stays accepted.
  },
  create(spec, access) {
    // resolveJudgeSpec and createApiJudge already insist on both; this guards a spec built by hand.
    if (!spec.protocol)
      throw new UserError(`--judge ${spec.id}: the flame adapter needs a "protocol" in ${spec.file}.`);
    if (!access.baseURL) throw new UserError(`--judge ${spec.id} needs a server URL ("baseURL" in ${spec.file}).`);
    const protocol = PROTOCOLS[spec.protocol];
    const url = withQuery(protocol.url(access.baseURL), access.query);
    const { temperature, maxOutputTokens, topP } = spec.decoding;
    const decoding = { temperature, maxOutputTokens, topP };
    const maxBytes = maxReplyBytes(spec);
    const post = (body: unknown, signal: AbortSignal) =>
      postJson(url, body, access.apiKey, signal, maxBytes, access.basicAuth);
    if (scoresOptions(spec)) {
      // Greedy, whatever the configured temperature: the probabilities are read, not sampled.
      const scoring = { temperature: 0, maxOutputTokens: SCORE_MAX_TOKENS };
      return {
        async complete(request, signal): Promise<Completion> {
          const prompt = scoringPrompt(request.prompt, request.task);
          const body = protocol.body(prompt, scoring, spec.model);
          const sent = await post(body, signal);
          const reply = protocol.read(sent, prompt);
          return withLimits(
            scoredCompletion(request.task, reply.tokens, reply.text, reply.usage, true),
            readRateLimits(sent.headers),
          );
        },
      };
    }
    return {
      async complete(request, signal): Promise<Completion> {
        const body = protocol.body(request.prompt, decoding, spec.model);
        const sent = await post(body, signal);
        const reply = protocol.read(sent, request.prompt);
        const probabilities = reply.tokens ? optionProbabilities(request.task, reply.tokens) : undefined;
        const completion = {
          text: reply.text,
          ...(reply.usage ? { usage: reply.usage } : {}),
          ...(probabilities ? { optionProbabilities: probabilities } : {}),
        };
        return withLimits(completion, readRateLimits(sent.headers));
      },
    };
  },
};
