/**
 * protocol "openai-completions": an OpenAI-compatible legacy completions endpoint, as vLLM serves it
 * (`vllm serve <checkpoint>`; baseURL "http://host:8000/v1"). The prompt goes in `prompt` as plain text, so
 * no chat template is applied, unlike /v1/chat/completions.
 *
 *   POST {baseURL}/completions
 *   { "model", "prompt", "max_tokens", "temperature", "top_p"?, "logprobs": 5, "n": 1, "stream": false }
 *   → { "choices": [{ "text", "finish_reason",
 *                     "logprobs": { "tokens": [...], "token_logprobs": [...], "top_logprobs": [{token: logprob}],
 *                                  "text_offset": [...] } }],
 *       "usage": { "prompt_tokens", "completion_tokens", "total_tokens" } }
 *
 * `logprobs: k` asks for the top-k alternatives of every generated token (vLLM also lists the sampled token);
 * it does not change which tokens greedy decoding picks. vLLM decodes greedily at temperature 0.
 */
import { z } from 'zod';
import type { GeneratedToken } from './top-logprobs.ts';
import { TOP_K } from './top-logprobs.ts';
import { joinURL, readShape, type WireProtocol } from './flame-http.ts';

const logprobs = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number().nullable()),
  top_logprobs: z.array(z.record(z.string(), z.number()).nullable()).nullable().optional(),
});

const completion = z.object({
  choices: z
    .array(
      z.object({
        text: z.string(),
        // A malformed logprobs block costs the probabilities, never the reply.
        logprobs: logprobs.nullable().optional().catch(null),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullable()
    .optional()
    .catch(null),
});

function tokensOf(block: z.infer<typeof logprobs>): GeneratedToken[] {
  return block.tokens.map((text, i) => ({
    text,
    logprob: block.token_logprobs[i] ?? undefined,
    top: Object.entries(block.top_logprobs?.[i] ?? {}).map(([token, logprob]) => ({ text: token, logprob })),
  }));
}

export const vllmCompletions: WireProtocol = {
  logprobs: true,
  url: (baseURL) => joinURL(baseURL, '/completions'),
  body: (prompt, decoding, model) => ({
    model,
    prompt,
    max_tokens: decoding.maxOutputTokens,
    temperature: decoding.temperature,
    ...(decoding.topP !== undefined ? { top_p: decoding.topP } : {}),
    logprobs: TOP_K,
    n: 1,
    stream: false,
  }),
  read(reply) {
    const body = readShape(completion, reply.json, 'completions response (choices[0].text)');
    const choice = body.choices[0]!;
    const usage = body.usage
      ? { inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens }
      : undefined;
    return { text: choice.text, usage, tokens: choice.logprobs ? tokensOf(choice.logprobs) : undefined };
  },
};
